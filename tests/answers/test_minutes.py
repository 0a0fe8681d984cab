"""Minutes say what became of a motion in sentences that do not name it: "Moved by Raj Patel, seconded by
Marcus Delgado. Carried 5–1 (Gwen Sutherland opposed)." Each is matched with the motion it follows, and is
as like the question as the motion is, read with it and quoted with it (a new user's "what was the vote
on the 3% increase motion in january" quoted the motion, and no snippet said how it was voted)."""

from __future__ import annotations

import pytest

from assistant.answers.referents import motion_of
from projects import DATA, built_project, passage_of


def test_the_motion_a_vote_or_a_mover_is_of():
    said = ["Motion: That the Board award the roof to Summit Roofing.", "Moved by Tom Kowalski, seconded by Marcus Delgado.",
            "Carried 5–1 (Amira Haddad opposed).", "Moved by the sight, she wept.", "Carried away, he ran home.",
            "Defeated, the mayor resigned.", "Motion to adjourn.", "The motion carried.", "Motion to adjourn.",
            "Moved by Raj Patel.", "Tabled until the next meeting.", "Adopted by a Quaker family, she grew up.",
            "Passed with distinction.", "Carried 40 passengers."]
    passage = passage_of(*said, source="m.md", sep=" ")
    # Prose's "Moved by the sight" is no mover, "Defeated, the mayor ..." no vote.
    assert [motion_of(passage, j) for j in range(len(said))] == [0, 0, 0, 3, 4, 5, 6, 6, 8, 8, 8, 11, 12, 13]


@pytest.fixture(scope="module")
def minutes(tmp_path_factory):
    text = (DATA / "coop" / "minutes" / "2025-01-14_board.md").read_text(encoding="utf-8")
    return built_project(tmp_path_factory.mktemp("minutes"), {"2025-01-14_board.md": text})


def test_the_vote_on_a_motion_is_quoted_for_how_it_was_voted(minutes):
    first = minutes.ask("What was the vote on the 3% increase motion?").snippets[0]
    # The motion is quoted with its mover and its vote, one snippet.
    assert first.text.startswith("Motion: That the Board recommend") and first.text.endswith("Carried 5–1 (Gwen Sutherland opposed)."), first.text


def test_who_seconded_a_motion_is_the_line_after_it(minutes):
    first = minutes.ask("Who seconded the motion to recommend a 3% increase?").snippets[0]
    assert "seconded by Marcus Delgado" in first.text, first.text


QUOTES = """# Board meeting, 11 March 2025

## Roof replacement

Janet Liu presented three quotes for replacing the east wing flat roof:

- Summit Roofing Ltd.: $38,400, start in June, 3-week job, 10-year warranty.
- Hartwell Roofing & Sheet Metal: $41,250, start in August, 15-year warranty.
- A-1 Roof Care: $46,900, start in May.

Motion: That the Co-op award the roof replacement to Summit Roofing Ltd. for $38,400. Moved by Tom Kowalski,
seconded by Marcus Delgado. Carried 5–1 (Amira Haddad opposed, citing the shorter warranty).
"""


def test_a_list_item_labelled_with_another_name_is_no_answer_about_the_one_asked(tmp_path):
    """A new user's "what warranty did A-1 Roof Care offer" was answered with Hartwell's item, "15-year"
    marked: A-1's own item names no warranty, its neighbours' do."""
    quotes = built_project(tmp_path, {"minutes.md": QUOTES.replace(
        "- A-1 Roof Care: $46,900, start in May.", "- A-1 Roof Care: $46,900, start in May.\n- Update: A-1 Roof Care later offered a 12-year warranty."
    )})
    answer = quotes.ask("What warranty did A-1 Roof Care offer?")
    # A-1's items first: the vote, read with its motion, gave the reader the tally "5–1" there.
    assert "A-1 Roof Care" in answer.snippets[0].text, [s.text for s in answer.snippets]
    marked = [s.answer.text for s in answer.snippets if s.answer is not None]
    assert not any("15-year" in m or "10-year" in m for m in marked), marked  # the neighbours' warranties
    # An item holding the name past its label ("Update: A-1 Roof Care later offered ...") is about it.
    assert any("12-year warranty" in s.text for s in answer.snippets), [s.text for s in answer.snippets]
    first = quotes.ask("What warranty did Hartwell Roofing offer?").snippets[0]
    assert first.text.startswith("Hartwell Roofing & Sheet Metal") and first.answer is not None and "15-year" in first.answer.text


def test_a_tally_answers_only_a_question_asking_how_it_was_voted():
    from assistant.answers.reading import asks_a_tally, is_tally

    assert is_tally("5–1") and is_tally(" 15-4 ") and not is_tally("5–1 (Amira Haddad opposed)") and not is_tally("2024")
    assert asks_a_tally("What was the vote on the 3% increase motion?") and asks_a_tally("What was the final score?")
    assert not asks_a_tally("What warranty did A-1 Roof Care offer?")
