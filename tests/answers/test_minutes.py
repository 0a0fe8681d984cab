"""Minutes say what became of a motion in sentences that do not name it: "Moved by Raj Patel, seconded by
Marcus Delgado. Carried 5–1 (Gwen Sutherland opposed)." Each is matched with the motion it follows, and is
as like the question as the motion is (a new user's "what was the vote on the 3% increase motion in
january" quoted the motion, and no snippet said how it was voted)."""

from __future__ import annotations

import pytest

from assistant.answers.referents import motion_of
from assistant.models import Passage, Sentence
from projects import DATA, built_project


def test_the_motion_a_vote_or_a_mover_is_of():
    said = ["Motion: That the Board award the roof to Summit Roofing.", "Moved by Tom Kowalski, seconded by Marcus Delgado.",
            "Carried 5–1 (Amira Haddad opposed).", "Moved by the sight, she wept.", "Carried away, he ran home."]
    text, sentences = "", []
    for line in said:
        start = len(text) + (1 if text else 0)
        text = f"{text} {line}" if text else line
        sentences.append(Sentence(start=start, end=start + len(line), line_start=1, line_end=1, text=line))
    passage = Passage(start=0, end=len(text), line_start=1, line_end=1, id="p", source="m.md", text=text, title="m",
                      sentences=tuple(sentences), kind="body")
    assert [motion_of(passage, j) for j in range(len(said))] == [0, 0, 0, 3, 4]  # prose's "Moved by the sight" is no mover


@pytest.fixture(scope="module")
def minutes(tmp_path_factory):
    text = (DATA / "coop" / "minutes" / "2025-01-14_board.md").read_text(encoding="utf-8")
    return built_project(tmp_path_factory.mktemp("minutes"), {"2025-01-14_board.md": text})


def test_the_vote_on_a_motion_is_quoted_for_how_it_was_voted(minutes):
    snippets = minutes.ask("What was the vote on the 3% increase motion?").snippets
    assert any(s.text.startswith("Carried 5–1 (Gwen Sutherland opposed)") for s in snippets[:3]), [s.text for s in snippets]


def test_who_seconded_a_motion_is_the_line_after_it(minutes):
    first = minutes.ask("Who seconded the motion to recommend a 3% increase?").snippets[0]
    assert "seconded by Marcus Delgado" in first.text, first.text
