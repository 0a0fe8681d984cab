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
        ("What changed in version 2.8.0?", ""),  # before the first: it may be written otherwise
        ("What has changed since 2.0.0?", ""),  # since, after, before: not the one thing it names
        ("What changed between 3.0.0 and 3.9.0?", ""),
    ],
)
def test_a_thing_the_sources_name_is_answered(folder, question, quoted):
    answer = folder.ask(question)
    assert "never mention" not in (answer.reason or ""), answer.reason
    assert any(quoted in s.text for s in answer.snippets[:3]), [s.text for s in answer.snippets]


def test_a_follow_up_naming_a_week_past_the_schedule_s_end_abstains(folder):
    conversation = Conversation()
    covered = folder.ask("what's covered in week 7?", conversation=conversation)
    assert covered.snippets[0].text.startswith("| 7 |")
    again = folder.ask("and week 16?", conversation=conversation.then(covered))
    assert again.abstained and again.reason == "the sources never mention week 16", again.reason


FAN_MANUAL = """# Desk fan DF-20: cleaning

Unplug the fan before you start. Steps 2 and 3 need a screwdriver.

1. Unplug the fan and let the blades stop.
2. Undo the four screws of the front grille.
3. Lift the grille off its clips.
4. Unscrew the blade cap, turning it clockwise.
5. Pull the blade off the motor shaft.
6. Wash the blade and the grilles in warm soapy water.
7. Dry every part fully.
8. Put the fan back together in the reverse order.

## 4 Troubleshooting

If the fan hums but does not turn, the blade is not seated on the shaft.
"""


def test_a_thing_numbered_otherwise_than_its_word_is_no_thing_never_mentioned(tmp_path):
    """Prose naming steps 2 and 3 over a list numbering eight, a heading "## 4 Troubleshooting": neither
    step 6 nor section 4 is one the sources never mention (a reviewer's fan manual was refused "step 6")."""
    fan = built_project(tmp_path, {"fan.md": FAN_MANUAL})
    for question in ("What is step 6?", "What does section 4 say about a humming fan?"):
        answer = fan.ask(question)
        assert "never mention" not in (answer.reason or ""), (question, answer.reason)


def test_a_heading_numbering_the_thing_far_into_its_file_names_it(tmp_path):
    """A guide whose introduction names chapters 1 to 3, its chapter 12 a heading a hundred paragraphs on:
    "What does chapter 12 say about memoization?" was refused "the sources never mention chapter 12"."""
    filler = "\n\n".join(f"Paragraph {n} walks through another small example of a loop over a list." for n in range(100))
    guide = (
        "# Algorithms guide\n\nChapter 1 covers sorting. Chapter 2 covers searching. Chapter 3 covers graphs.\n\n"
        f"{filler}\n\n## 12 Memoization\n\nMemoization stores each result the first time it is computed.\n"
    )
    answer = built_project(tmp_path, {"guide.md": guide}).ask("What does chapter 12 say about memoization?")
    assert "never mention" not in (answer.reason or ""), answer.reason
