"""Render snippets and answers as literal ``Content``: source text is never parsed as markup (a Markdown
file's own inline marks are left out as its reader sees them, ``shown_quote``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from pathlib import PurePosixPath

from textual.content import Content

from ..shown_quote import as_shown, snippet_label, sureness

if TYPE_CHECKING:
    from ...models import Snippet


CONTEXT_BEFORE = 110
CONTEXT_AFTER = 150
SCORE_CELLS = 5
# The quoted sentence, and inside it the words that answer the question (a highlighter's mark).
QUOTE_STYLE = "bold $text"
ANSWER_STYLE = "bold $text on $accent-muted"


_LINE_ENDS = ("\n", "\r")


def _lines(text: str) -> list[str]:
    """``text``'s lines, whichever line ends it uses ("\\n", "\\r\\n", "\\r"); one empty line for none."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _words(text: str) -> str:
    return " ".join(re.split(r"[\W_]+", text.lower())).strip()


def _flat(text: str) -> str:
    return " ".join(text.split())


def _tail(text: str, limit: int) -> str:
    text = _flat(text)
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    space = cut.find(" ")
    return "…" + (cut[space + 1 :] if 0 <= space < limit // 3 else cut)


def _head(text: str, limit: int) -> str:
    text = _flat(text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 2 // 3 else cut) + "…"


# The fewest characters of the parts above a section worth showing before it.
TITLE_ABOVE_MIN = 12


def _title_head(title: str, limit: int) -> str:
    """A passage's title within ``limit`` characters, its last part (the section the passage stands in)
    kept whole where it fits and the parts above it shortened: a student's notes were shown as "Reading
    notes — chapter 2 literature (urban heat & air…" on every card, never which paper's section."""
    from ...sources.structure import TITLE_PARTS  # read when an answer is shown, not at start-up

    title = _flat(title)
    above, _, last = title.rpartition(TITLE_PARTS)
    room = limit - len(last) - len(TITLE_PARTS)
    if len(title) <= limit or not above:
        return _head(title, limit)
    if room < TITLE_ABOVE_MIN:  # the section alone says most
        return _head(last, limit)
    shortened = _head(above, room)
    if shortened.endswith("…"):  # not "Reading notes —… — Alvarez & Chen 2020"
        shortened = shortened[:-1].rstrip(" —–-:,;") + "…"
    return f"{shortened}{TITLE_PARTS}{last}"


def score_meter(score: float, sure: bool) -> Content:
    """A small meter for a 0..1 score: filled dots (in the colour of an answer where ``sure``: an answer
    not said to be unsure) and the score to two places."""
    filled = max(0, min(SCORE_CELLS, round(score * SCORE_CELLS)))
    return Content.assemble(
        ("●" * filled, "$success" if sure else "$warning"),
        ("○" * (SCORE_CELLS - filled), "$text-muted"),
        (f" {score:.2f}", "$text-muted"),
    )


def snippet_body(snippet: Snippet) -> Content:
    """The quoted sentence, emphasised, inside a line or two of its passage's context; a table's row
    under its columns' names, and a line of code, alone (the rows around it, run onto one line, hid
    which was quoted: "| | 28 April 2025 | Grace Thompson | Daniel Cho | | 5 May 2025 | …"). A quote
    that is a line of its own (a list's item, a price among prices) is shown between the lines around
    it, each on its own line: run onto one, "Croissant: was £2.60, now £2.85 Pain au chocolat: was
    £2.90, …" hid where one item ended and the next began."""
    passage = snippet.passage
    start = max(snippet.citation.start - passage.start, 0)
    end = max(snippet.citation.end - passage.start, start)
    from ...sources.structure import RECORDS, table_title  # read when an answer is shown, not at start-up

    before = after = ""
    gap_before = gap_after = " "
    table = table_title(passage.kind, passage.title)
    if table is not None:  # its columns' names, what each cell is
        before, gap_before = _head(table[1], CONTEXT_BEFORE), "\n"
    elif passage.kind not in RECORDS:
        above, below = passage.text[:start], passage.text[end:]
        if (not above or above.endswith(_LINE_ENDS)) and (not below or below.startswith(_LINE_ENDS)) and (above or below):
            above, below = _lines(above.rstrip("\r\n"))[-1], _lines(below.lstrip("\r\n"))[0]
            gap_before = gap_after = "\n"
        before = _tail(as_shown(above, passage.source).text, CONTEXT_BEFORE)
        after = _head(as_shown(below, passage.source).text, CONTEXT_AFTER)
    return Content.assemble(
        (before + gap_before if before else "", "$text-muted"),
        *_quote(snippet),
        (gap_after + after if after else "", "$text-muted"),
    )


def _quote(snippet: Snippet) -> list[tuple[str, str]]:
    """The quoted text on one line, the words that answer (if marked) in their own style."""
    mark = snippet.answer
    if mark is None:
        return [(_flat(as_shown(snippet.text, snippet.citation.source).text), QUOTE_STYLE)]
    start, end = mark.start - snippet.citation.start, mark.end - snippet.citation.start
    view = as_shown(snippet.text, snippet.citation.source, keep=(start, end))  # "**25 days**" reads "25 days"
    parts = (
        (re.sub(r"\s+", " ", view.part(0, start)).lstrip(), QUOTE_STYLE),
        (re.sub(r"\s+", " ", view.part(start, end)), ANSWER_STYLE),
        (re.sub(r"\s+", " ", view.part(end, len(snippet.text))).rstrip(), QUOTE_STYLE),
    )
    return [part for part in parts if part[0]]


def snippet_heading(rank: int, snippet: Snippet) -> Content:
    """The rank, the citation (``file:line``) and the confidence's meter (``shown_quote.sureness``)."""
    parts: list[str | Content | tuple[str, str]] = [
        (f"{rank}. ", "bold"),
        (snippet.citation.label(), "bold $accent"),
        "  ",
        score_meter(sureness(snippet)[1], snippet.is_answer and not snippet.unsure),
    ]
    from ...sources.structure import table_title

    table = table_title(snippet.passage.kind, snippet.passage.title)
    # A table's columns' names stand before its row (``snippet_body``), not in the heading.
    title = table[0] if table is not None else snippet.passage.title
    if title and _words(title) != _words(PurePosixPath(snippet.citation.source).stem):
        parts.append(("  " + _title_head(title, 60), "italic $text-muted"))
    if label := snippet_label(snippet):
        parts.append(("  " + label, "italic $warning"))
    return Content.assemble(*parts)


def snippet_also(snippet: Snippet) -> Content | None:
    """The other places the same words stand, or None: "also in copy.txt:5, old/copy.txt:5"."""
    if not snippet.also:
        return None
    return Content.assemble(("also in ", "$text-muted"), (", ".join(c.label() for c in snippet.also), "$accent"))


def snippet_clipboard_text(snippet: Snippet) -> str:
    """The snippet as plain text for the clipboard: the quote and its citation (and where else it stands)."""
    also = f"; also {', '.join(c.label() for c in snippet.also)}" if snippet.also else ""
    return f"“{_flat(snippet.text)}” ({snippet.citation.label()}{also})"
