"""A numbered thing or a version the sources never name, past the ends of the ones they do, is one they
do not answer about: a new user's "when is lab 11 due" (a schedule naming labs 1 to 10) was answered with
week 11's row, and "When was billing-api 4.0.0 released?" (a changelog from 2.9.3 to 3.4.0) with the
line "Introduced in billing-api 3.2.0.", its version marked as the date."""

from __future__ import annotations

import pytest

from assistant.models import Conversation
from projects import DATA, built_project


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    files = {name: (DATA / "course" / name).read_text(encoding="utf-8") for name in ("schedule.csv", "exams.html")}
    files["CHANGELOG.md"] = (DATA / "team" / "CHANGELOG.md").read_text(encoding="utf-8")
    return built_project(tmp_path_factory.mktemp("unnamed"), files)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("when is lab 11 due", "lab 11"),  # labs 1 to 10
        ("What's the topic for Week 16?", "Week 16"),  # the schedule's week column ends at 15
        ("when is quiz 7", "quiz 7"),
        ("When was billing-api 4.0.0 released?", "4.0.0"),
        ("What changed in version 2.8.0?", "2.8.0"),  # before the first
    ],
)
def test_a_thing_past_the_ones_the_sources_name_is_never_mentioned(folder, question, named):
    answer = folder.ask(question)
    assert answer.abstained and answer.reason == f"the sources never mention {named}", answer.reason
    assert not any(s.is_answer for s in answer.snippets)


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("when is lab 10 due", "Lab 10"),  # the last one named is named
        ("What's the topic for week 15?", "| 15 |"),
        ("When was 2.9.3 released?", "2.9.3 - 2024-10-15"),  # named only in its section's heading
    ],
)
def test_a_thing_the_sources_name_is_answered(folder, question, quoted):
    answer = folder.ask(question)
    assert not answer.abstained, answer.reason
    assert any(quoted in s.text for s in answer.snippets[:3]), [s.text for s in answer.snippets]


def test_a_follow_up_naming_a_week_past_the_schedule_s_end_abstains(folder):
    conversation = Conversation()
    covered = folder.ask("what's covered in week 7?", conversation=conversation)
    assert covered.snippets[0].text.startswith("| 7 |")
    again = folder.ask("and week 16?", conversation=conversation.then(covered))
    assert again.abstained and again.reason == "the sources never mention week 16", again.reason
