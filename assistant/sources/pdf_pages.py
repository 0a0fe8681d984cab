"""A PDF's pages read as a person reads them: the running headers and footers left out, a heading on
a line of its own, paragraphs apart, a word broken at a line's end whole again, and a paragraph that runs
over a page break read on across it.

pypdf gives each page's text as lines, with no blank line between paragraphs and nothing to say which
line is a heading; its ``visitor_text`` gives where each piece of text stands and in which font. From
these, by the look of the page only (no model, no list of words):

- A line repeated at the top or bottom of most pages ("Page 9 of 12", "Annual report 2024", a page
  number alone), compared with its digits as "#", is no text of the document: it is left out; so is
  one at the same height in the margin of three pages or more (a book's header naming its chapter). It
  must stand apart from the text (a margin) on those pages, and a line in a font larger than the
  body's is kept (a chapter heading at the top of every page is text).
- A line that reads as a title (``structure.heading``) in a larger or bolder font than the body's
  stands alone, as a paragraph of its own, so that it becomes the title of what follows it and never
  part of a quoted sentence; a title wrapped over lines of its one look is one line.
- A gap between lines clearly wider than the document's line spacing starts a paragraph.
- A word broken by a hyphen at a line's end and continued in lower case is made whole on the first
  line ("intro-" + "duction" → "introduction"); the hyphen stays where the document writes the word
  with one elsewhere (and not without), or where the first piece already holds one ("state-of-the-").
- A page whose last line ends no sentence, followed by a page whose first line goes on in lower case,
  runs on: one paragraph across the break (and so across a gap that starts no paragraph a reader sees).
  The page of a passage is the page it starts on; ``passages`` starts a passage at a page's first
  sentence, so that every citation names the page its sentence starts on.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from . import structure
from .formats import ExtractedText
from .pdf_tables import table_rows

if TYPE_CHECKING:  # pypdf is imported only when a PDF is read
    from pypdf import PageObject

# Lines looked at for running headers (and as many for footers), from each edge of a page.
RUNNING_ZONE_LINES = 2
# A running line repeats on more than this share of the pages with text (and on two at least).
RUNNING_MIN_SHARE = 0.5
# Or repeats on this many pages at one height (to the point), in a font that is not a heading's.
RUNNING_MIN_PAGES_AT_ONE_HEIGHT = 3
# A font this much larger than the body's is a heading's (and never a running line's).
LARGER_FONT = 1.1
# A gap between lines this many times the document's usual line spacing (for their font) starts a paragraph.
PARAGRAPH_GAP = 1.3
# A running header or footer stands more than this many line spacings (for its font) away from the text
# of the page.
MARGIN_GAP = 1.5
# The line spacing assumed where the document has too few lines to measure it, in font sizes.
USUAL_SPACING = 1.2
# Where the line spacing is measured, its values are rounded to this (in font sizes) to find the usual one.
SPACING_STEP = 0.05

_SENTENCE_END = re.compile(r"[.!?…:][\"'”’»)\]]*$")
_BROKEN_WORD = re.compile(r"(?<![\w-])([^\W\d_][\w-]*?[^\W\d_])-$")
_DIGITS = re.compile(r"\d+")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)


@dataclass(frozen=True)
class PdfLine:
    """A line of a page's text, with the look of most of its characters where pypdf told it."""

    text: str
    size: float | None = None  # font size, in points on the page
    bold: bool = False
    y: float | None = None  # height on the page of its first words
    x: float | None = None  # where on the page its first words start
    cells: int = 0  # a row of a table, its cells between bars (``pdf_tables.table_rows``): how many
    note: bool = False  # a footnote's line, drawn before the page's text (``_notes_apart``)


def page_lines(page: PageObject) -> list[PdfLine]:
    """A page's lines as pypdf extracts them, each with its font size, weight and height on the page
    (none where the pieces pypdf reports do not add up to its text)."""
    pieces: list[_Piece] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: Any, font_size: float) -> None:
        a, b, c, d, e, f = _times(tm, cm)
        size = abs(font_size) * (c * c + d * d) ** 0.5 if font_size else None
        name = str(font.get("/BaseFont", "")) if isinstance(font, dict) else ""
        pieces.append((text, size, bool(_BOLD.search(name)), f, e))

    text = (page.extract_text(visitor_text=visit) or "").replace("\x00", "")
    if "".join(piece[0] for piece in pieces).replace("\x00", "") != text:
        return [PdfLine(line.strip()) for line in text.split("\n")]
    lines: list[PdfLine] = []
    current: list[_Piece] = []
    for piece_text, size, bold, y, x in pieces:
        for k, segment in enumerate(piece_text.replace("\x00", "").split("\n")):
            if k:
                lines.append(_line_of(_without_note_marks(current)))
                current = []
            if segment:
                current.append((segment, size, bold, y, x))
    lines.append(_line_of(_without_note_marks(current)))
    return _notes_apart(table_rows(lines))


# A piece of a page's text as pypdf's visitor reports it: its text, font size, boldness, height, left.
_Piece = tuple[str, float | None, bool, float | None, float | None]


# A footnote's mark: digits or a symbol set smaller than the words around it ("Factor¹", "Müller¹,*,").
_NOTE_MARK = re.compile(r"[0-9*†‡§¶]+(?:,[0-9*†‡§¶]+)*,?")
SMALLER_FONT = 0.85
# A footnote opens with its mark: "1 The Biotope ...", "* Corresponding author".
_NOTE_OPENS = re.compile(r"[0-9*†‡§¶]+\s")
# A mark after a word of three letters or more, capitals only at its start, or after a closing stop, is a
# note's: not a unit's power ("m²", "km2"), a formula's count ("CaCO₃", "KMnO₄") or a bracket's power
# ("Ca(OH)₂", "(x+y)²"), which stay.
_MARKED_WORD = re.compile(r"(?:(?<![^\W\d_])[^\W\d_][^\W\d_A-Z]{2,}|[.,;:\]”’\"'])$")


def _without_note_marks(segments: list[_Piece]) -> list[_Piece]:
    """A line's pieces less the footnote marks set into its words: a student's quotes read "Biotope Area
    Factor1 and", "at 2017 tariffs1.", "Anna Müller1,*, Jonas Schmidt1" (a mark's own comma stays: it
    parts the names). A mark opening the line is the footnote's own number, and stays."""
    kept: list[_Piece] = []
    for k, segment in enumerate(segments):
        text, size = segment[0], segment[1]
        before = kept[-1] if kept else None
        if (
            before is not None
            and _NOTE_MARK.fullmatch(text)
            and size is not None
            and before[1] is not None
            and size < SMALLER_FONT * before[1]
            and _MARKED_WORD.search(before[0])
            and (k + 1 == len(segments) or not segments[k + 1][0][:1].isalnum())
        ):
            if text.endswith(","):
                kept.append((",", *segment[1:]))
            continue
        kept.append(segment)
    return kept


def _notes_apart(lines: list[PdfLine]) -> list[PdfLine]:
    """A page's lines with its footnotes each a paragraph of its own (``PdfLine.note``): lines one
    after the other, before some of the page's text, that stand below all of the rest of it in a
    smaller font. A writer that draws a page's footnotes before its text (reportlab does) had them read
    at the top of the page run into each other and into the paper's title ("... (A. Müller). 1 The
    Biotope Area Factor ..."). They stay where the page's text has them: moved to its end, they parted a
    paragraph running on to the next page."""
    inked = [k for k, line in enumerate(lines) if line.text]
    if len(inked) < 4 or any(lines[k].y is None or lines[k].size is None for k in inked):
        return lines
    sizes = sorted(lines[k].size or 0.0 for k in inked)
    body = sizes[len(sizes) // 2]
    small = [(lines[k].size or 0.0) < body and not lines[k].cells for k in inked]
    notes: set[int] = set()
    first = 0
    while first < len(inked):  # each run of lines in a smaller font, one after the other
        if not small[first]:
            first += 1
            continue
        end = first
        while end < len(inked) and small[end]:
            end += 1
        run, rest = inked[first:end], inked[:first] + inked[end:]
        lowest, highest = min(lines[k].y or 0.0 for k in run), max(lines[k].y or 0.0 for k in run)
        above = [k for k in rest if (lines[k].y or 0.0) > lowest]
        # Drawn before text that stands above them; below them, only a running footer (a page's number).
        if (
            any((lines[k].y or 0.0) > lowest for k in inked[end:])
            and len(rest) - len(above) <= RUNNING_ZONE_LINES
            and above
            and highest < min(lines[k].y or 0.0 for k in above)
        ):
            notes.update(run)
        first = end
    return [replace(line, note=True) if k in notes else line for k, line in enumerate(lines)] if notes else lines


def _times(m: Sequence[float], n: Sequence[float]) -> tuple[float, ...]:
    """The product of two PDF matrices [a b c d e f] (the text matrix in the page's space)."""
    return (
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    )


def _line_of(segments: list[_Piece]) -> PdfLine:
    text = "".join(s[0] for s in segments).strip()
    inked = [s for s in segments if s[0].strip()]
    if not inked:
        return PdfLine(text)
    weights: Counter[tuple[float | None, bool]] = Counter()
    for segment, size, bold, _, _ in inked:
        weights[(round(size, 1) if size else None, bold)] += len(segment.strip())
    (size, bold), _ = weights.most_common(1)[0]
    return PdfLine(text, size, bold, inked[0][3], inked[0][4])


@dataclass(frozen=True)
class _Line:
    text: str
    page: int
    look: PdfLine
    heading: bool = False
    break_before: bool = False  # a paragraph starts here


def read_pages(pages: list[list[PdfLine]]) -> ExtractedText:
    """The text of a PDF's pages (``page_lines`` of each) as a person reads it: paragraphs apart by a
    blank line, running headers and footers left out, headings alone, broken words whole, a paragraph
    run on over a page break; with the offset where each page's text begins."""
    body = _body_look(pages)
    spacing = _usual_spacing(pages, body)
    running = _running_keys(pages, body, spacing)
    words = Counter(re.findall(r"[\w-]+", "\n".join(line.text for lines in pages for line in lines).lower()))
    kept: list[list[_Line]] = []
    for number, lines in enumerate(pages):
        page: list[_Line] = []
        blank = True
        previous: PdfLine | None = None
        for line in _without_running(lines, running, body):
            if not line.text:
                blank = True
                continue
            heading = not line.cells and _looks_like_heading(line, body)  # a bold header row is the table's
            gap = previous is not None and spacing is not None and _gap(previous, line) > PARAGRAPH_GAP * spacing
            # A table's rows are one block, apart from the text around it (the figure's caption in the
            # next column was read on from the last row).
            in_table = previous is not None and bool(previous.cells) and bool(line.cells)
            table_edge = previous is not None and bool(previous.cells) != bool(line.cells)
            # A footnote is a paragraph of its own, each that opens with its mark ("1 The Biotope ...").
            note = line.note and (previous is None or not previous.note or bool(_NOTE_OPENS.match(line.text)))
            note_edge = previous is not None and previous.note and not line.note
            breaks = blank or table_edge or note or note_edge or (gap and not in_table)
            page.append(_Line(line.text, number, line, heading, breaks))
            blank, previous = False, line
        kept.append(_titles_joined(page))
    return _assembled(kept, words)


def _body_look(pages: list[list[PdfLine]]) -> PdfLine | None:
    """The look of most of the document's characters (its body text), or None where pypdf told none."""
    weights: Counter[tuple[float, bool]] = Counter()
    for lines in pages:
        for line in lines:
            if line.size is not None:
                weights[(line.size, line.bold)] += len(line.text)
    if not weights:
        return None
    (size, bold), _ = weights.most_common(1)[0]
    return PdfLine("", size, bold)


def _is_larger(line: PdfLine, body: PdfLine | None) -> bool:
    return body is not None and line.size is not None and body.size is not None and line.size > LARGER_FONT * body.size


def _looks_like_heading(line: PdfLine, body: PdfLine | None) -> bool:
    """A title in a larger or bolder font than the body's: a heading the page shows as one."""
    stands_out = _is_larger(line, body) or (body is not None and line.bold and not body.bold)
    return stands_out and structure.heading(line.text, single_line=True) is not None


# A page's number as a footer or header writes it, its digits as "#" ("page # of #", "- # -", "#/#").
_PAGE_NUMBER = re.compile(
    r"[-–—(\[]?\s*(?:(?:page|p\.|pg\.?|seite|pagina|página|side|sida)\s*)?#(?:\s*(?:of|/|von|de|di|av|af|sur)\s*#)?\s*[-–—)\]]?"
)


def _running_key(text: str) -> str:
    return " ".join(_DIGITS.sub("#", text).lower().split())


def _edges(lines: list[PdfLine]) -> tuple[list[int], list[int]]:
    """The indices of a page's lines with text, from its top down and from its bottom up (by their
    height where every line has one, else in the order of the text)."""
    inked = [i for i, line in enumerate(lines) if line.text]
    if inked and all(lines[i].y is not None for i in inked):
        inked.sort(key=lambda i: -(lines[i].y or 0.0))
    return inked, inked[::-1]


def _margin_lines(lines: list[PdfLine], spacing: float | None) -> list[int]:
    """The indices of the lines that may be a page's running header or footer: up to
    ``RUNNING_ZONE_LINES`` from each edge, each set apart by a margin (``MARGIN_GAP``) from two lines
    of text or more beyond it (a footer of two lines is close together, and far from the text above
    it; the one line of a short page is no header). Where the heights are not told, the lines at each
    end of the text."""
    margin: list[int] = []
    for edge in _edges(lines):
        zone = edge[: RUNNING_ZONE_LINES + 1]
        wide = [
            len(edge) - depth >= 3
            and (
                lines[a].y is None or lines[b].y is None
                or abs((lines[a].y or 0.0) - (lines[b].y or 0.0)) > MARGIN_GAP * (spacing or USUAL_SPACING) * (lines[a].size or 0.0)
            )
            for depth, (a, b) in enumerate(zip(zone, zone[1:]))
        ]
        margin += [i for depth, i in enumerate(zone[:RUNNING_ZONE_LINES]) if any(wide[depth:])]
    return margin


def _running_keys(pages: list[list[PdfLine]], body: PdfLine | None, spacing: float | None) -> frozenset[str]:
    """The lines (as ``_running_key``) in the margins of most pages, or of a few at one height (a
    book's header names its chapter, on that chapter's pages only): running headers and footers."""
    pages_with: Counter[str] = Counter()
    at_height: Counter[tuple[str, int]] = Counter()
    with_text = sum(1 for lines in pages if any(line.text for line in lines))
    for lines in pages:
        margin = [lines[i] for i in _margin_lines(lines, spacing) if not _is_larger(lines[i], body)]
        pages_with.update({_running_key(line.text) for line in margin})
        at_height.update(
            {(_running_key(line.text), round(line.y)) for line in margin if line.y is not None and not _looks_like_heading(line, body)}
        )
    running = {key for key, n in pages_with.items() if n >= 2 and n > RUNNING_MIN_SHARE * with_text}
    return frozenset(running | {key for (key, _), n in at_height.items() if n >= RUNNING_MIN_PAGES_AT_ONE_HEIGHT})


def _without_running(lines: list[PdfLine], running: frozenset[str], body: PdfLine | None) -> list[PdfLine]:
    """A page's lines less its running header and footer: the running lines, and a page's number
    ("Page 2 of 2", "- 3 -": one in a PDF of a page or two has nothing to repeat on), peeled off each
    edge (on a page of a line or two of text too, where no margin could be measured). A page never loses
    all its text so: pages that are copies of one form repeat their every line."""
    dropped: set[int] = set()
    for edge in _edges(lines):
        for i in edge[:RUNNING_ZONE_LINES]:
            key = _running_key(lines[i].text)
            if not (key in running or _PAGE_NUMBER.fullmatch(key)) or _is_larger(lines[i], body):
                break
            dropped.add(i)
    if all(i in dropped or not line.text for i, line in enumerate(lines)):
        return lines
    return [line for i, line in enumerate(lines) if i not in dropped]


def _gap(above: PdfLine, below: PdfLine) -> float:
    """How far a line stands below the one before it, in its font sizes (0 where not told)."""
    if above.y is None or below.y is None or not below.size:
        return 0.0
    return (above.y - below.y) / below.size


def _usual_spacing(pages: list[list[PdfLine]], body: PdfLine | None) -> float | None:
    """The usual distance between consecutive lines of body text, in font sizes; None where not told."""
    gaps: list[float] = []
    for lines in pages:
        inked = [line for line in lines if line.text]
        for above, below in zip(inked, inked[1:]):
            same = body is not None and (above.size, above.bold) == (below.size, below.bold) == (body.size, body.bold)
            gap = _gap(above, below)
            if same and gap > 0:
                gaps.append(round(gap / SPACING_STEP) * SPACING_STEP)
    return statistics.mode(gaps) if gaps else None


def _titles_joined(page: list[_Line]) -> list[_Line]:
    """A page's lines with each heading alone (a paragraph starts at it and after it), a heading's
    lines in one look joined into one line where together they still read as a title: its second line
    too, which alone reads as none ("Street trees and pedestrian heat exposure in Lisbon: evidence" /
    "from a two-summer field campaign" were two paragraphs, the second quoted alone)."""
    out: list[_Line] = []
    for line in page:
        last = out[-1] if out else None
        if last is not None and last.heading and not line.break_before and not line.look.cells:
            joined = f"{last.text} {line.text}"
            same_look = (last.look.size, last.look.bold) == (line.look.size, line.look.bold)
            if same_look and structure.heading(joined, single_line=True) is not None:
                out[-1] = replace(last, text=joined)
                continue
        if line.heading or (last is not None and last.heading):
            line = replace(line, break_before=True)
        out.append(line)
    return out


def _ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def _runs_on(last: _Line, first: _Line) -> bool:
    """Whether a line set apart from the one before it (on the next page, or after a gap) goes on with
    the paragraph that line ends in: that ends no sentence, and this goes on in lower case."""
    if last.heading or first.heading or last.look.cells or first.look.cells or first.look.note or _ends_sentence(last.text):
        return False
    opening = first.text.lstrip("\"'“‘([")
    return bool(opening) and opening[0].islower()


def _assembled(pages: list[list[_Line]], words: Counter[str]) -> ExtractedText:
    """The pages' lines as one text: a blank line between paragraphs, a line break within one (over a
    gap or a page break included), each broken word whole; and where each page begins."""
    lines: list[_Line] = []
    for page in pages:
        for line in page:
            if line.break_before and lines and _runs_on(lines[-1], line):
                line = replace(line, break_before=False)
            elif not lines or line.page != lines[-1].page:
                line = replace(line, break_before=True)  # a page starts a paragraph unless it runs on
            lines.append(line)
    # Broken words made whole: the rest of the word moves up to the line the word began on.
    for k in range(len(lines) - 1):
        above, below = lines[k], lines[k + 1]
        if below.break_before or not below.text:
            continue
        broken = _BROKEN_WORD.search(above.text)
        if broken is None or not below.text[0].islower():
            continue
        rest, _, after = below.text.partition(" ")
        piece = broken.group(1)
        hyphen = "-" if _keeps_hyphen(piece, rest, words) else ""
        lines[k] = replace(above, text=above.text[:-1] + hyphen + rest)
        lines[k + 1] = replace(below, text=after.lstrip())
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    page = -1
    for line in lines:
        if not line.text:
            continue  # all of it moved up to the line before
        separator = "" if not parts else "\n\n" if line.break_before else "\n"
        offset += len(separator)
        while page < line.page:
            page += 1
            starts.append(offset)
        parts.append(separator + line.text)
        offset += len(line.text)
    starts += [offset] * (len(pages) - len(starts))  # pages at the end with no text
    return ExtractedText("".join(parts) + "\n" if parts else "", tuple(starts))


def _keeps_hyphen(piece: str, rest: str, words: Counter[str]) -> bool:
    """Whether a word broken at a line's end is a hyphenated word ("full-time"), not one word hyphenated
    to fit the line ("intro-duction"): its first piece holds a hyphen already, or the document writes it
    with one elsewhere and never without; or it is a code, capitals after its first letter."""
    if "-" in piece or any(c.isupper() for c in piece[1:]):  # "state-of-the-", "YYMMDDhhmm-"
        return True
    piece, word = piece.lower(), re.sub(r"\W+$", "", rest).lower()
    return words[f"{piece}-{word}"] > 0 and words[f"{piece}{word}"] == 0
