"""Map a source file's character offsets to the rows and columns a TextArea shows, line for line."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# The core counts lines at \r\n, \r and \n only; str.splitlines (which TextArea uses) also breaks at
# these, so they are shown as a visible mark of the same length to keep rows and columns aligned.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OTHER_BREAKS = str.maketrans({c: "↵" for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


@dataclass(frozen=True)
class SourceLines:
    """A source's text split as the core numbers its lines, ready for a TextArea."""

    lines: tuple[str, ...]
    starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> "SourceLines":
        starts = [0]
        lines = []
        for match in _LINE_BREAK.finditer(text):
            lines.append(text[starts[-1] : match.start()])
            starts.append(match.end())
        lines.append(text[starts[-1] :])
        return cls(tuple(line.translate(_OTHER_BREAKS) for line in lines), tuple(starts))

    @property
    def display_text(self) -> str:
        """The text joined with plain newlines: row ``n`` is the source's line ``n + 1``."""
        return "\n".join(self.lines)

    def location(self, offset: int) -> tuple[int, int]:
        """The (row, column) of a character offset into the source's text."""
        row = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        column = min(offset - self.starts[row], len(self.lines[row]))
        return row, max(column, 0)


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
