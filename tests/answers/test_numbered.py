"""A numbered thing the question names ("week 6", "assignment 2") is the one answered about: a new
user's "What do we cover in week 6?" was answered from an exam page's "Covers | Weeks 1–7" row, "what's
the topic for week 16" (the schedule ends at week 15) from week 11's row, and "when is assignment 2
due?" with Assignment 1's deadline."""

from __future__ import annotations

import pytest

from assistant.answers.numbered import Numbered
from assistant.retrieval.codes import numbered_things
from projects import DATA, built_project, passage_of


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("when is assignment 2 due?", [("assign", "2")]),
        ("What do we cover in Week 6?", [("week", "6")]),
        ("Lab 5; Quiz 4", [("lab", "5"), ("quiz", "4")]),
        ("Which room, Room 0204?", [("room", "204")]),
        ("Weeks 1–7 (through simple linear regression)", []),  # a range names no one week
        ("weeks 10 to 14", []),
        ("Did she take 3 years off?", []),  # a count, not a numbered thing
        ("How many channels were there in October 2005?", []),  # a date
        ("What changed in version 3.2.0?", []),  # a version is a code
        ("A grace day lets you submit an assignment\n24 hours late", []),  # the next line's number is not its
        ("submit an assignment 24 hours late", []),  # an amount of a unit, not which assignment
        ("The midterm 20% weight moves to the final", []),
        ("She was assigned 4 tasks", []),  # "assigned" is no assignment, though its stem is
        ("Labs 3 and 4; Sections 2", [("lab", "3"), ("section", "2")]),  # a plural is its kind
    ],
)
def test_the_things_a_text_numbers(text, things):
    assert numbered_things(text) == things


def test_a_sentence_naming_another_of_the_kind_the_question_numbers_speaks_of_another():
    notes = passage_of("Assignment 1 is due Friday 14 February.", "Assignment 2 is due Friday 4 April.",
                       "Both assignments are submitted on Gradescope.")
    asked = Numbered.of("When is assignment 2 due?")
    assert [asked.of_another(notes, j) for j in range(3)] == [True, False, False]
    assert not Numbered.of("When is the report due?").of_another(notes, 0)  # the question numbers nothing


def test_a_table_s_row_numbers_its_thing_in_the_cell_under_the_column_its_kind_names():
    rows = passage_of("| 6 | 2025-02-18 | Probability |", "| 7 | 2025-02-25 | Simple linear regression |",
                      kind="table", title="Schedule — week · date · topic")
    asked = Numbered.of("What do we cover in week 6?")
    assert [asked.of_another(rows, j) for j in range(2)] == [False, True]
    weeks = passage_of("Weeks 6–7: probability.", "Weeks 8–9: regression.")
    assert [asked.of_another(weeks, j) for j in range(2)] == [False, True]  # a range holding week 6 is no other week's
    assert not Numbered.of("Is the midterm in week 7?") and not Numbered.of("What do I do after step 3?")
    covers = passage_of("| Covers | All weeks, with extra weight on weeks 10–14 |", kind="table", title="Final — Item · Details")
    elsewhere = passage_of("The lab moved to Whitcombe 2.07.", title="other")  # no week spoken of
    specific = asked.specific([rows, covers, elsewhere], 3)
    assert specific.holders == {rows.id}
    assert specific.elsewhere(covers) and not specific.elsewhere(elsewhere) and not specific.elsewhere(rows)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return built_project(
        tmp_path_factory.mktemp("course"),
        {name: (DATA / "course" / name).read_text(encoding="utf-8") for name in ("schedule.csv", "exams.html")},
    )


def test_the_week_asked_about_is_the_row_quoted(course):
    first = course.ask("What do we cover in week 6?").snippets[0]
    assert first.text.startswith("| 6 |"), first.text


def test_a_follow_up_goes_on_asking_about_the_week_numbered_before(course):
    from assistant.models import Conversation

    conversation = Conversation()
    covered = course.ask("what's covered in week 7?", conversation=conversation)
    assert covered.snippets[0].text.startswith("| 7 |")
    reading = course.ask("what's the reading?", conversation=conversation.then(covered))
    assert "7" in reading.read_with  # the week's number is carried, not taken for a count
    assert reading.snippets[0].text.startswith("| 7 |"), reading.snippets[0].text
