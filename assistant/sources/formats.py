"""Turn a source file's bytes into the plain text that is indexed: plain text, Markdown (less its HTML
comments), HTML (its visible text, tables a row a line), PDF, and Word (``docx``).

Whatever these functions return is the text every offset refers to, so the viewer and the citations
must get it from here too (``documents.read_source_text``), never from the raw file. Line numbers are the
file's own: for HTML, whose visible text leaves the markup's lines behind, the extracted text carries
where each stretch of it stands in the file (``ExtractedText.file_lines``); a PDF's are its text's,
counted from the top of each page (``lines.PageLines``, where ``page_starts`` says each page begins).
"""

from __future__ import annotations

import contextlib
import io
import logging
import bisect
import itertools
import re
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html.parser import HTMLParser

from ..errors import UnreadableSourceError
from . import structure

HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
# Spreadsheets saved as text, read as tables (``delimited``).
DELIMITED_SUFFIXES = (".csv", ".tsv")

# Elements whose content a browser never shows as text.
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "math", "head", "title", "iframe", "object"})
# Elements that start a new paragraph: their text must not run into the text around them.
_BLOCKS = frozenset(
    """address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul""".split()
)
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Lists: their items are lines of one paragraph, numbered or bulleted as the page shows them.
_LISTS = frozenset({"ol", "ul"})
# Where a <br> breaks a line of flowed text (a character no page's text holds).
_LINE_BREAK = "\x00"
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# A page's furniture, around its content, on every page of the site alike: its menus, site header and
# footer, sidebars, cookie and consent dialogs, skip links, breadcrumbs, a table of contents, a list of
# the page's other languages. Indexed, it was quoted as answers ("The abstract submission deadline cookie
# is stored for 30 days.") and made most of a saved Wikipedia page's passages (317 of 398, a link each).
# By element (a <header> only outside the page's <main> or <article>: there it holds the title) ...
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside"})
# The elements of the page's content (and any with role="main").
_CONTENT = frozenset({"main", "article"})
# ... by ARIA role ...
_FURNITURE_ROLES = frozenset(
    "navigation banner contentinfo complementary search dialog alertdialog menu menubar toolbar".split()
)
# ... and by a whole class or id that names furniture ("sidebar", "site-footer", "cookie-banner",
# "onetrust-consent-sdk", "mw-jump-link"), on any element but the page's frame and its headings. A word
# inside a longer name is not enough ("content-sidebar-wrap" wraps a theme's <main>); nor "menu" (a
# restaurant's menu is its content) nor "banner" (a page's title).
_FURNITURE_NAME = re.compile(
    r"(?:(?:site|page|global|main|mw)[-_])?"
    r"(?:nav|navbar|navbox|navigation|sidebar|toc|breadcrumbs?|footer|header|masthead|catlinks|printfooter|"
    r"editsection|jump-link|skip-?link|skip-to-content|interlanguage-link|share|social|social-links)"
    r"|(?:cookies?|consent|gdpr|cc)(?:[-_][\w-]*)?|onetrust[-_][\w-]*|cybotcookiebot\w*",
    re.I,
)
_FRAME = frozenset({"html", "body", "main", "article"})
# ... and a paragraph of links alone, some of them ("Home | Archive | About me | Links"): a menu written
# without its element. A link of a paragraph of prose, a list of links a line each, or a byline ("By Jane
# Smith, John Doe and Ana Lopez": a tenth of its letters no link's) stays; links in a table are cells.
MENU_LINKS = 3
MENU_LINK_SHARE = 0.9


# How each format's text is read out of its file, as a number that changes whenever that reading does
# (what the passages hold, their offsets or lines). An index records each source's; one read another way
# is read again by the next update, so that nothing it quotes or cites is of the old reading. PDF 2: its
# lines are counted from the top of each page, no longer over the whole text. HTML 3: a page's furniture
# (menus, site header and footer, cookie dialogs, ...) is left out. Every format's next (HTML 3, Markdown
# 2, PDF 3, plain text 1): its sentences are cut as the passages cut them now (each item of a list a
# sentence of its own, "34 °C." the end of one), since the sentences are what is quoted and cited; and
# Markdown's fenced code blocks are passages of their own. Word (.docx) 1: its first. Markdown 3, PDF 4,
# plain text 2: a line underlined with "===" or "---" is a heading (``structure.underlined_heading``).
# Markdown 4, PDF 5, plain text 3: a table with no rule under its first row may open with its columns'
# names (``structure.table_header``). Markdown 5, PDF 6, plain text 4: a subsection's numbered title
# heads the lines under it with no blank line between (``structure.block_heading``). Delimited text
# (.csv, .tsv) 1: its first, a table (it was plain text before). HTML 4, Markdown 6, plain text 5, Word
# 2, PDF 7: a table's first row whose names do not all open with a capital ("Roof type | n | ...") may
# name its columns (``structure._names_row``), and a numbered step naming a product is no reference
# list's citation (``structure._CITATION``); HTML's lists are a paragraph of items under their numbers;
# a PDF's table drawn a cell at a time is read a row a line (``pdf_tables.table_rows``), its footnote
# marks are no part of words and footnotes drawn before its text are paragraphs of their own
# (``pdf_pages._without_note_marks``, ``_notes_apart``). Delimited text 2: one column and a trailing
# delimiter on each line ("Buy milk,") is lines of text, not a table of one column under a header.
# Markdown 7: a passage's title holds every heading it stands under ("Changelog — [2.3.0] - 2024-08-27
# — Changed"), not the innermost alone (``passages._outline``). PDF 8: a title wrapped onto a second line
# in its look is one heading (``pdf_pages._titles_joined``).
READINGS = {HTML_SUFFIXES: 4, MARKDOWN_SUFFIXES: 7, PDF_SUFFIXES: 8, DOCX_SUFFIXES: 2, DELIMITED_SUFFIXES: 2}
PLAIN_TEXT_READING = 5


def reading_of(source: str) -> int:
    """The number of the way this version reads a source's format (``READINGS``; PLAIN_TEXT_READING for
    plain text)."""
    name = source.lower()
    return next((reading for suffixes, reading in READINGS.items() if name.endswith(suffixes)), PLAIN_TEXT_READING)


def lines_are_the_files(source: str) -> bool:
    """Whether the lines of a source's extracted text are its file's lines (not so for HTML's visible
    text and a delimited file's table, whose citations carry the file's lines all the same)."""
    return not source.lower().endswith((*HTML_SUFFIXES, *DELIMITED_SUFFIXES))


@dataclass(frozen=True)
class ExtractedText:
    """The text of a source file; for paged formats, the offset where each page begins; for HTML, the
    file's line of each stretch of the text."""

    text: str
    page_starts: tuple[int, ...] = ()
    # What the reader had to repair or guess on the way (a PDF's broken cross-references, say).
    notes: tuple[str, ...] = ()
    # For text whose lines are not the file's (HTML's visible text): (offset in ``text``, line of the
    # file) wherever the file's line changes, in order; empty where the text's own lines are the file's.
    file_lines: tuple[tuple[int, int], ...] = ()
    # And then how many lines the file has (its last may show no text).
    file_line_count: int = 0
    # Where the text says which lines are headings (HTML's h1 to h6): their offsets; None where the
    # headings must be told by their look (plain text, Markdown's are marked with #).
    headings: tuple[int, ...] | None = None


class FileLines:
    """The file's line at each offset of its extracted text, from ``ExtractedText.file_lines``: the
    line of the last stretch starting at or before the offset."""

    def __init__(self, marks: tuple[tuple[int, int], ...]) -> None:
        self.offsets = [offset for offset, _ in marks]
        self.lines = [line for _, line in marks]

    def line_of(self, offset: int) -> int:
        return self.lines[max(bisect.bisect_right(self.offsets, offset) - 1, 0)] if self.lines else 1

    def span_of(self, first: int, last: int, length: int) -> tuple[int, int]:
        """The stretch of the text standing on the file's lines ``first``..``last``: from the first
        stretch on ``first`` or after to the end of the last on ``last`` or before (the lines increase
        with the offsets); empty where none stands there."""
        start = bisect.bisect_left(self.lines, first)
        stop = bisect.bisect_right(self.lines, last)
        if start >= stop:
            return (self.offsets[start], self.offsets[start]) if start < len(self.offsets) else (length, length)
        return self.offsets[start], self.offsets[stop] if stop < len(self.offsets) else length


class _VisibleText(HTMLParser):
    """Collects the text a browser would show, one paragraph per block element."""

    def __init__(self, furniture: bool = True) -> None:
        """``furniture``: leave out the page's furniture (``_is_furniture``) as well as what is hidden."""
        super().__init__(convert_charrefs=True)
        self.furniture = furniture
        # Open elements of the page's content (<main>, <article>, role="main"): a <header>, <footer> or
        # <aside> inside one is the content's own (an article's title, a note).
        self._content_tags: list[str] = []
        # How deep in ``_hidden`` the furniture being left out began (0: none open), and whether it held
        # the page's content (a theme's <div class="content-sidebar-wrap"><main>, a <header> with the
        # page's <h1>): then the page is read again without the furniture rule (``html_text``).
        self._furniture_open = 0
        self.hid_content = False
        # The paragraph being read: its links, the letters of their text, and the letters of all of it.
        self._anchor = 0
        self._links = 0
        self._link_letters = 0
        self._letters = 0
        self.paragraphs: list[str] = []
        # For each paragraph, (offset in it, line of the file) wherever the file's line changes.
        self.paragraph_lines: list[list[tuple[int, int]]] = []
        # The paragraph being read: its pieces of text, each with the file's line it starts on.
        self._words: list[tuple[str, int]] = []
        # Tags of open elements whose content is hidden; text is dropped while this is not empty.
        self._hidden: list[str] = []
        self._pre = 0
        # Which paragraphs are headings (h1 to h6: HTML says which lines are titles), and whether the
        # paragraph being read is one.
        self.paragraph_headings: list[bool] = []
        self._heading = False
        # The table being read (tables inside it are read as the text of its cells), and how deep.
        self._table: _Table | None = None
        self._tables = 0
        # The lists open (<ol>, <ul>), each with the number of its next item (0 for bullets), and whether
        # the item just opened has no text yet (a <p> opening it starts no line of its own).
        self._lists: list[list[int]] = []
        self._item_opened = False

    def _break(self) -> None:
        menu = self.furniture and self._links >= MENU_LINKS and self._link_letters >= MENU_LINK_SHARE * self._letters
        self._links = self._link_letters = self._letters = 0
        if self._words:
            paragraph, marks = _preformatted(self._words) if self._pre else _flowed(self._words)
            if paragraph.strip() and not menu:
                self.paragraphs.append(paragraph)
                self.paragraph_lines.append(marks)
                self.paragraph_headings.append(self._heading)
            self._words = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._hidden:
            if self._furniture_open and (tag in _CONTENT or tag == "h1" or _role(attributes) == "main"):
                self.hid_content = True  # the page's content inside what looked like furniture
            if tag not in _VOID:
                self._hidden.append(tag)
            return
        furniture = self.furniture and self._is_furniture(tag, attributes)
        hidden = (
            furniture
            or tag in _INVISIBLE
            or "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or bool(_DISPLAY_NONE.search(attributes.get("style") or ""))
        )
        if hidden and tag not in _VOID:
            self._hidden.append(tag)
            if furniture:  # the outermost: nothing is hidden around it
                self._furniture_open = len(self._hidden)
            return
        if tag in _CONTENT or _role(attributes) == "main":
            self._content_tags.append(tag)
        if tag == "a" and attributes.get("href") and self._table is None:
            self._anchor += 1
            self._links += 1
        if tag == "table":
            self._tables += 1
            if self._tables == 1:
                self._break()
                self._table = _Table()
            return
        if self._table is not None and self._tables == 1 and tag in ("tr", "td", "th"):
            self._table.start(tag, _span(attributes.get("colspan")))
            return
        if self._table is not None and self._table.in_cell:
            if tag in _BLOCKS or tag == "br":  # a cell's paragraphs and breaks run on in its row
                self._table.add(" ", self.getpos()[0])
            return
        if tag in _LISTS:
            if not self._lists:
                self._break()
            self._lists.append([_list_start(attributes.get("start")) if tag == "ol" else 0])
            return
        if self._lists and tag == "li":
            # Each item a line of the list's paragraph, under the number or bullet the page shows: the
            # steps of a help centre's <ol> were paragraphs apart, unnumbered, quoted one at a time.
            if self._words:
                self._words.append((_LINE_BREAK, self.getpos()[0]))
            numbered = self._lists[-1]  # an item of a list inside an item stands on a line as its own
            self._words.append((f"{numbered[0]}. " if numbered[0] else "- ", self.getpos()[0]))
            if numbered[0]:
                numbered[0] += 1
            self._item_opened = True
            return
        if tag in _BLOCKS:
            if not self._lists:
                self._break()
            elif not self._item_opened:  # a paragraph inside an item: a line of it
                self._words.append((_LINE_BREAK, self.getpos()[0]))
        if tag == "pre":
            self._pre += 1
        elif tag == "br":
            # A line break inside a paragraph: a line of its own, as the page shows it, in the same
            # paragraph (a paragraph broken there read its first line as a heading, never quoted).
            self._words.append((_LINE_BREAK if not self._pre else "\n", self.getpos()[0]))
        if tag in _HEADINGS:
            self._heading = True

    def _is_furniture(self, tag: str, attributes: dict[str, str | None]) -> bool:
        """Whether an element is the page's furniture, not its content (``_FURNITURE_TAGS``)."""
        if tag in _FURNITURE_TAGS:
            return not self._content_tags  # an article's own <header>, <footer> or <aside> is its content
        if _role(attributes) in _FURNITURE_ROLES:
            return True
        if tag in _FRAME or tag in _HEADINGS:  # a heading's id names its section ("Social_structure")
            return False
        names = (attributes.get("class") or "").split() + (attributes.get("id") or "").split()
        return any(_FURNITURE_NAME.fullmatch(name) for name in names)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            # Close up to the matching open tag; HTML in the wild leaves tags unclosed.
            if tag in self._hidden:
                while self._hidden and self._hidden.pop() != tag:
                    pass
                if len(self._hidden) < self._furniture_open:
                    self._furniture_open = 0
            return
        if tag == "table" and self._tables:
            self._tables -= 1
            if self._tables == 0:
                self._end_table()
            return
        if self._table is not None and self._tables == 1 and tag in ("tr", "td", "th"):
            self._table.end(tag)
            return
        if self._table is not None and self._table.in_cell:
            return
        if self._content_tags and tag == self._content_tags[-1]:
            self._content_tags.pop()
        if tag == "a" and self._anchor:
            self._anchor -= 1
        if tag == "pre" and self._pre:
            self._break()
            self._pre -= 1
        if tag in _LISTS and self._lists:
            self._lists.pop()
            if not self._lists:
                self._break()
            return
        if tag in _BLOCKS and not self._lists:
            self._break()
        if tag in _HEADINGS:
            self._heading = False

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        if self._table is not None and self._table.in_cell:
            self._table.add(data, self.getpos()[0])
        else:
            self._words.append((data, self.getpos()[0]))
            if data.strip():
                self._item_opened = False
            letters = sum(c.isalnum() for c in data)
            self._letters += letters
            if self._anchor:
                self._link_letters += letters

    def _end_table(self) -> None:
        self._break()  # a caption, before the rows
        table, self._table = self._table, None
        for paragraph, marks in table.paragraphs() if table is not None else ():
            self.paragraphs.append(paragraph)
            self.paragraph_lines.append(marks)
            self.paragraph_headings.append(False)

    def close(self) -> None:
        super().close()
        if self._table is not None:  # a table left open at the end of the page
            self._end_table()
        self._break()


def _list_start(start: str | None) -> int:
    """The number an <ol> starts at (its ``start``; 1 where none, or none that reads as one)."""
    try:
        return max(int((start or "1").strip()), 1)
    except ValueError:
        return 1


def _role(attributes: dict[str, str | None]) -> str:
    """An element's ARIA role, as compared: trimmed and lower-case ("" for none)."""
    return (attributes.get("role") or "").strip().lower()


def _span(colspan: str | None) -> int:
    """The columns a cell's ``colspan`` says it spans: 1 unless it is a number from 2 to 100."""
    try:
        return min(max(int(colspan or 1), 1), 100)
    except ValueError:
        return 1


class _Table:
    """An HTML table read as a table written with "|" between its cells (a row a line, and the rule
    under a header row of ``th`` cells), so that it is cut into passages of rows as Markdown's tables
    are, each row saying its cells together ("| Harbour | 555-0199 |", not "555-0199" alone). A table
    of one column (a page laid out in a table) is read as the paragraphs of its cells."""

    def __init__(self) -> None:
        self.rows: list[tuple[list[tuple[str, list[tuple[int, int]]]], bool]] = []
        self._row: list[tuple[str, list[tuple[int, int]]]] | None = None
        self._header = True
        self._cell: list[tuple[str, int]] | None = None
        # How many columns the cell being read spans (colspan): the columns after it stay empty, so
        # that the next cell stands under its own header.
        self._span = 1

    @property
    def in_cell(self) -> bool:
        return self._cell is not None

    def start(self, tag: str, span: int = 1) -> None:
        if tag == "tr":
            self._end_row()
            return
        self._end_cell()
        if self._row is None:
            self._row, self._header = [], True
        self._header = self._header and tag == "th"
        self._cell, self._span = [], span

    def end(self, tag: str) -> None:
        if tag == "tr":
            self._end_row()
        else:
            self._end_cell()

    def add(self, data: str, line: int) -> None:
        if self._cell is not None:
            self._cell.append((data, line))

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(_flowed(self._cell))
            self._row += [("", [])] * (self._span - 1)
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row and any(text for text, _ in self._row):
            self.rows.append((self._row, self._header))
        self._row = None

    def paragraphs(self) -> list[tuple[str, list[tuple[int, int]]]]:
        self._end_row()
        if max((len(cells) for cells, _ in self.rows), default=0) <= 1:
            return [cell for cells, _ in self.rows for cell in cells if cell[0]]
        text, starts = structure.table_text([[t for t, _ in cells] for cells, _ in self.rows], self.rows[0][1])
        marks: list[tuple[int, int]] = []
        for (cells, _), cell_starts in zip(self.rows, starts):
            first = next((cell_marks[0][1] for _, cell_marks in cells if cell_marks), None)
            if first is not None:
                marks.append((cell_starts[0] - 2, first))  # the row's "| " stands where its first word does
            for (_, cell_marks), at in zip(cells, cell_starts):
                marks += [(at + o, line) for o, line in cell_marks]
        return [(text, marks)]  # the rule under the header stands on the header's line


class _Pieces:
    """A paragraph's pieces of text joined, and the file's line of any offset in the joined text (the
    line its piece starts on, and the line breaks before it in that piece)."""

    def __init__(self, pieces: list[tuple[str, int]]) -> None:
        self.pieces = pieces
        self.joined = "".join(data for data, _ in pieces)
        self.starts = list(itertools.accumulate((len(data) for data, _ in pieces), initial=0))

    def line_at(self, offset: int) -> int:
        k = min(bisect.bisect_right(self.starts, offset) - 1, len(self.pieces) - 1)
        data, line = self.pieces[k]
        return line + data.count("\n", 0, offset - self.starts[k])


def _flowed(pieces: list[tuple[str, int]]) -> tuple[str, list[tuple[int, int]]]:
    """A paragraph's pieces as one line of words (each run of whitespace one space: a word split by
    inline markup, "H<sub>2</sub>O", stays whole), with the file's line of each word where it changes."""
    joined = _Pieces(pieces)
    parts: list[str] = []
    marks: list[tuple[int, int]] = []
    offset = 0
    broken = False  # a <br> since the last word: the next one starts a line
    for match in re.finditer(r"[^\s\x00]+|\x00", joined.joined):
        if match.group() == _LINE_BREAK:
            broken = bool(parts)
            continue
        at = joined.line_at(match.start())
        if parts:
            parts.append("\n" if broken else " ")
            offset += 1
        broken = False
        if not marks or marks[-1][1] != at:
            marks.append((offset, at))
        parts.append(match.group())
        offset += len(match.group())
    return "".join(parts), marks


def _preformatted(pieces: list[tuple[str, int]]) -> tuple[str, list[tuple[int, int]]]:
    """A ``pre`` paragraph's pieces as they stand, less the line breaks at its ends, with the file's
    line of each of its lines."""
    joined = _Pieces(pieces)
    lead = len(joined.joined) - len(joined.joined.lstrip("\n"))
    text = joined.joined.strip("\n")
    marks = [(start, joined.line_at(start + lead)) for start in [0, *(m.end() for m in re.finditer("\n", text))]]
    return text, marks


# What Markdown shows as it stands, kept whatever it holds: a fenced code block (its fence indented, as in
# a list item, or not) or a code span; else an HTML comment: closed, or running to the end of the file
# where it starts a line (an HTML block, as CommonMark reads one), never from the middle of a line.
_KEPT_OR_COMMENT = re.compile(
    structure.FENCED_CODE
    + r"|(?P<code>`+)[^`\n]+?(?P=code)"
    r"|(?P<comment><!--.*?-->|^ {0,3}<!--(?:(?!-->).)*\Z)",
    re.M | re.S,
)


# Front matter: a YAML (---) or TOML (+++) block of keys opening the file, metadata a page never shows.
_FRONT_MATTER = re.compile(
    r"\A(?P<fence>---|\+\+\+)[ \t]*\r?\n[ \t]*[\w-]+[ \t]*[:=].*?^(?:(?P=fence)|\.\.\.)[ \t]*$", re.M | re.S
)


def markdown_text(text: str) -> str:
    """Markdown as it is indexed: the file as it stands, less what a reader of the page never sees, its
    front matter (``---`` keys ``---``) and its HTML comments (``<!-- a note -->``), each turned into
    spaces with its line breaks kept, so that every offset and line is still the file's."""
    def blank(match: re.Match[str]) -> str:
        if match.group("comment") is None:
            return match.group()
        return re.sub(r"[^\r\n]", " ", match.group())

    front = _FRONT_MATTER.match(text)
    if front:
        text = re.sub(r"[^\r\n]", " ", front.group()) + text[front.end() :]
    return _KEPT_OR_COMMENT.sub(blank, text) if "<!--" in text else text


def html_text(markup: str) -> ExtractedText:
    """The visible text of an HTML page (paragraphs separated by a blank line; scripts, styles and
    hidden elements left out), with the file's line of each stretch of it."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    # A page that is all furniture (a site map, a menu saved alone), or whose content stood inside what
    # looked like furniture: read whole.
    if not parser.paragraphs or parser.hid_content:
        parser = _VisibleText(furniture=False)
        parser.feed(markup)
        parser.close()
    marks: list[tuple[int, int]] = []
    headings: list[int] = []
    offset = 0
    for paragraph, lines, heading in zip(parser.paragraphs, parser.paragraph_lines, parser.paragraph_headings):
        for at, line in lines:
            if not marks or marks[-1][1] != line:
                marks.append((offset + at, line))
        if heading:
            headings.append(offset)
        offset += len(paragraph) + 2
    text = "\n\n".join(parser.paragraphs) + ("\n" if parser.paragraphs else "")
    line_count = markup.count("\n") + (0 if markup.endswith("\n") else 1)
    return ExtractedText(text, file_lines=tuple(marks), file_line_count=line_count, headings=tuple(headings))




def pdf_text(data: bytes) -> ExtractedText:
    """The text of every page of a PDF as a person reads it (``pdf_pages.read_pages``: no running headers
    or footers, headings alone, paragraphs apart and run on over a page break, broken words whole), with
    the offset where each page begins; ``UnreadableSourceError`` if broken."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    from .pdf_pages import page_lines, read_pages

    if b"%PDF-" not in data[:1024]:  # every PDF opens so (after at most some bytes of junk)
        raise UnreadableSourceError("not a PDF (its name ends in .pdf but it does not begin as one)")
    try:
        with _PYPDF_ALONE, _pypdf_complaints() as complaints:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableSourceError("encrypted PDF (needs a password)")
            pages = [page_lines(page) for page in reader.pages]
    except UnreadableSourceError:
        raise
    except PyPdfError as exc:
        raise UnreadableSourceError(f"damaged PDF ({exc})") from exc
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        # pypdf lets these through on malformed files rather than wrapping them in PyPdfError.
        raise UnreadableSourceError(f"damaged PDF ({type(exc).__name__})") from exc
    notes = (f"PDF read with repairs ({complaints[0]}{' and more' if len(complaints) > 1 else ''})",) if complaints else ()
    return replace(read_pages(pages), notes=notes)


# One PDF read at a time: ``_pypdf_complaints`` sets the process's warning filters and pypdf's logger
# for the read, and the chat may read a cited PDF while a build reads others.
_PYPDF_ALONE = threading.Lock()


@contextlib.contextmanager
def _pypdf_complaints() -> Iterator[list[str]]:
    """What pypdf says about a damaged file, collected instead of written to stderr around our output."""
    complaints: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            complaints.append(" ".join(record.getMessage().split())[:120])

    logger = logging.getLogger("pypdf")
    handler, propagate = Collect(level=logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield complaints
        complaints.extend(" ".join(str(w.message).split())[:120] for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
