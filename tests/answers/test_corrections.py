"""A correction comes before what it corrects: a new user's "when is the midterm review session" was
answered with the first announcement's date, the correction posted two days later second."""

from __future__ import annotations

from projects import built_project

ANNOUNCEMENTS = """# Course announcements

## 2025-02-24 — Midterm review session

The midterm review session will be held on Monday 3 March from 18:00 to 19:30 in Brennan Hall 114.
Bring your questions about the past midterms.

## 2025-02-26 — CORRECTION: midterm review session date

The midterm review session is on **Tuesday 4 March**, 18:00–19:30, and it will be in **Brennan Hall 120**,
not 114. Sorry for the confusion.

## 2025-03-07 — Midterm grades

Midterm grades will be released on Gradescope by Friday 14 March.
"""


def test_a_correction_is_quoted_before_the_announcement_it_corrects(tmp_path):
    notices = built_project(tmp_path, {"announcements.md": ANNOUNCEMENTS})
    snippets = notices.ask("When is the midterm review session?").snippets
    texts = [s.text for s in snippets]
    first = next(k for k, t in enumerate(texts) if "Tuesday 4 March" in t)
    assert first == 0, texts
    assert any("Monday 3 March" in t for t in texts[1:])  # what was said first is still shown
    assert snippets[0].answer is None or "**" not in snippets[0].answer.text


def test_an_entry_that_corrects_nothing_ranked_above_keeps_its_place(tmp_path):
    notices = built_project(tmp_path, {"announcements.md": ANNOUNCEMENTS})
    first = notices.ask("When will midterm grades be released?").snippets[0]
    assert "Friday 14 March" in first.text
