"""Map a source file's character offsets to the rows and columns a TextArea shows, line for line."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...sources.lines import LineTable, PageLines, page_mark, paged_rows

# The core counts lines at \r\n, \r and \n only; str.splitlines (which TextArea uses) also breaks at
# these, so they are shown as a visible mark of the same length to keep rows and columns aligned.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OTHER_BREAKS = str.maketrans({c: "↵" for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


@dataclass(frozen=True)
class SourceLines:
    """A source's text split as the core numbers its lines, ready for a TextArea: a row a line, and for a
    paged text (a PDF's) a row marking where each page begins, its lines numbered from the page's top."""

    lines: tuple[str, ...]  # the rows shown: the source's lines, and a paged text's page marks
    starts: tuple[int, ...]  # the offset where each of the source's lines starts
    # For a paged text, the row each of the source's lines is shown on (past the page marks above it);
    # empty where the row is the line.
    rows: tuple[int, ...] = ()
    # For a paged text, what the gutter shows beside each row: its line from the page's top, or nothing
    # beside a page's mark; empty where the row's own number is the line's.
    labels: tuple[str, ...] = ()
    # For a paged text, the index of each page's first line among the source's lines.
    page_firsts: tuple[int, ...] = ()

    @classmethod
    def of(cls, text: str, page_starts: Sequence[int] = ()) -> "SourceLines":
        starts = [0]
        lines = []
        for match in _LINE_BREAK.finditer(text):
            lines.append(text[starts[-1] : match.start()])
            starts.append(match.end())
        lines.append(text[starts[-1] :])
        shown = tuple(line.translate(_OTHER_BREAKS) for line in lines)
        if not page_starts:
            return cls(shown, tuple(starts))
        # Each page's first line as the citations count it (a page with no text has its mark and no line).
        firsts = PageLines.of(LineTable.of(text), page_starts).before
        return cls._paged(shown, tuple(starts), text.endswith(("\n", "\r")), firsts)

    @classmethod
    def _paged(cls, lines: tuple[str, ...], starts: tuple[int, ...], ends_in_break: bool, firsts: tuple[int, ...]) -> "SourceLines":
        rows: list[str] = []
        row_of: list[int] = []
        labels: list[str] = []
        for page, index in paged_rows(len(lines), firsts):
            if index is None:
                rows.append(page_mark(page))
                labels.append("")
                continue
            row_of.append(len(rows))
            rows.append(lines[index])
            # The empty row after the text's last line break is no line of any page.
            tail = ends_in_break and index == len(lines) - 1
            labels.append("" if tail else str(index - (firsts[page - 1] if page else 0) + 1))
        return cls(tuple(rows), starts, tuple(row_of), tuple(labels), tuple(firsts))

    @property
    def display_text(self) -> str:
        """The rows joined with plain newlines: row ``n`` is the source's line ``n + 1`` (for a paged
        text, the line whose entry in ``rows`` is ``n``)."""
        return "\n".join(self.lines)

    def location(self, offset: int) -> tuple[int, int]:
        """The (row, column) of a character offset into the source's text."""
        line = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        row = self.rows[line] if self.rows else line
        column = min(offset - self.starts[line], len(self.lines[row]))
        return row, max(column, 0)

    def row_of(self, line: int, page: int | None = None) -> int:
        """The row of the source's 1-based ``line``, counted from the top of ``page`` where one is given
        (as a paged text's citations count), kept inside the text."""
        if self.page_firsts and page is not None:
            line += self.page_firsts[min(max(page, 1), len(self.page_firsts)) - 1]
        index = min(max(line - 1, 0), len(self.starts) - 1)
        return self.rows[index] if self.rows else index


def cited_span(text: str, start: int, end: int, quoted: str) -> tuple[int, int] | None:
    """Where ``quoted`` is in ``text``: at the cited offsets, else its nearest occurrence (the file
    changed since the index was built), else None."""
    if text[start:end] == quoted:
        return start, end
    found = list(_occurrences(text, quoted))
    if not found:
        return None
    nearest = min(found, key=lambda i: abs(i - start))
    return nearest, nearest + len(quoted)


def _occurrences(text: str, quoted: str):
    if not quoted:
        return
    i = text.find(quoted)
    while i >= 0:
        yield i
        i = text.find(quoted, i + 1)
