"""Line numbers of an extracted text: the line of each offset, and for a paged text (a PDF's) where each
page's lines begin, since a paged source's lines are counted from the top of their page (``p2:11`` is
the eleventh line of page 2's text as the viewer shows it: the blank lines between its paragraphs
count, its running header and footer do not)."""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LineTable:
    """Maps character offsets of a text to 1-based line numbers (8 bytes a line, however long the text)."""

    starts: array
    length: int = 0  # the text's length in characters

    @classmethod
    def of(cls, text: str) -> "LineTable":
        starts = array("q", [0])
        starts.extend(m.end() for m in re.finditer(r"\r\n|\r|\n", text))
        return cls(starts, len(text))

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    @property
    def count(self) -> int:
        """How many lines the text has: a final line break ends the last line, it does not start an empty one."""
        starts = self.starts
        return len(starts) - 1 if len(starts) > 1 and starts[-1] == self.length else len(starts)


@dataclass(frozen=True)
class PageLines:
    """Where each page of a paged text begins among the text's lines, to count a line from its page's top."""

    # For each page, how many lines of the text come before the page's first line.
    before: tuple[int, ...]
    count: int  # the lines of the whole text

    @classmethod
    def of(cls, table: LineTable, page_starts: Sequence[int]) -> "PageLines":
        # A page's first line is the first line starting at or after the page does: a page with text
        # starts a line, and a page with no text has none of its own (nor, at the end, any line at all).
        return cls(tuple(bisect.bisect_left(table.starts, start) for start in page_starts), table.count)

    @property
    def pages(self) -> int:
        return len(self.before)

    def lines_on(self, page: int) -> int:
        """How many lines page ``page`` (1-based) has; 0 for a page with no text."""
        end = self.before[page] if page < len(self.before) else self.count
        return end - self.before[page - 1]

    def on_page(self, line: int, page: int) -> int:
        """The text's line ``line`` counted from the top of ``page`` (past its end for a line that follows it)."""
        return line - self.before[page - 1]


def page_mark(page: int) -> str:
    """The line that marks where a paged text's page ``page`` begins (no line of the page)."""
    return f"— page {page} —"


def paged_rows(lines: int, firsts: Sequence[int]) -> Iterator[tuple[int, int | None]]:
    """The rows a paged text is shown in: (page, None) for the mark above each page's first line, and
    (page, line) for each of its ``lines`` (0-based), ``firsts`` each page's first line
    (``PageLines.before``); the marks of pages past the last line (with no text) come last."""
    page = 0
    for line in range(lines):
        while page < len(firsts) and firsts[page] <= line:
            page += 1
            yield page, None
        yield page, line
    for page in range(page + 1, len(firsts) + 1):
        yield page, None


def with_page_marks(text: str, page_starts: Sequence[int]) -> str:
    """A paged text to read whole: a mark line (``page_mark``) above each page's first line, so that a
    reader counts a page's lines from its mark, as its citations count them (a page with no text is its
    mark alone)."""
    table = LineTable.of(text)
    starts = [*table.starts, len(text)]
    out: list[str] = []
    trailing: list[str] = []  # the marks of pages past the text's last line, a line each
    lines_left = table.count
    for page, line in paged_rows(table.count, PageLines.of(table, page_starts).before):
        if line is not None:
            out.append(text[starts[line] : starts[line + 1]])
            lines_left -= 1
        elif lines_left:
            out.append(page_mark(page) + "\n")
        else:
            trailing.append(page_mark(page))
    marked = "".join(out)
    if trailing:
        marked += ("" if not marked or marked.endswith(("\n", "\r")) else "\n") + "\n".join(trailing)
    return marked
