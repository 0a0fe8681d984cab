"""A quote as a reader of its file sees it: a Markdown file's inline markup is how the file shows words,
not words of it (``**25 days**`` reads "25 days", ``[the portal](https://…)`` "the portal"). The CLI
and the chat show quotes so; the JSON, MCP and citations keep the file's exact text.

Only the marks are left out, never a word: the pairs of ``**``, ``__``, ``*`` and ``_`` around
emphasised words, the backticks around inline code, and a link's or an image's address (its text
stays). An asterisk or underscore that pairs with nothing ("2 * 3", "snake_case") stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..sources.formats import MARKDOWN_SUFFIXES

# Each pattern's groups named "mark" are left out, the rest kept. Inline code first: what it holds is
# not markup.
_CODE = re.compile(r"(?P<mark>`+)(?P<code>[^`\n]+?)(?P<mark2>(?P=mark))(?!`)")
_PATTERNS = (
    re.compile(r"(?P<mark>!?\[)(?P<text>[^\]\n]+)(?P<mark2>\]\([^)\s]*(?:\s+\"[^\"\n]*\")?\))"),
    re.compile(r"(?P<mark>\*\*|__)(?=\S)(?P<text>[^\n]+?)(?<=\S)(?P<mark2>(?P=mark))"),
    re.compile(r"(?<![\w*])(?P<mark>\*)(?=[^\s*])(?P<text>[^*\n]+?)(?<=[^\s*])(?P<mark2>\*)(?![\w*])"),
    re.compile(r"(?<![\w_])(?P<mark>_)(?=[^\s_])(?P<text>[^_\n]+?)(?<=[^\s_])(?P<mark2>_)(?![\w_])"),
)


@dataclass(frozen=True)
class ShownText:
    """Text as shown, and for each of its characters the offset of the character it shows."""

    text: str
    offsets: tuple[int, ...]

    def part(self, start: int, end: int) -> str:
        """What is shown of the original's ``start:end``."""
        return "".join(c for c, at in zip(self.text, self.offsets) if start <= at < end)


def as_shown(text: str, source: str) -> ShownText:
    """``text`` (of the file ``source``) as a reader of the file sees it: for Markdown, without its
    inline marks; any other format as it is."""
    if not source.lower().endswith(MARKDOWN_SUFFIXES):
        return ShownText(text, tuple(range(len(text))))
    hidden: set[int] = set()
    code: list[tuple[int, int]] = []
    for match in _CODE.finditer(text):
        hidden.update(range(*match.span("mark")), range(*match.span("mark2")))
        code.append(match.span())
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(a <= match.start() < b for a, b in code):
                continue  # "*args" inside `f(*args, **kw)` is code, not emphasis
            hidden.update(range(*match.span("mark")), range(*match.span("mark2")))
    kept = [i for i in range(len(text)) if i not in hidden]
    return ShownText("".join(text[i] for i in kept), tuple(kept))
