"""A snippet as the faces show it: what it is beside its citation (``snippet_label``), and its quote as a
reader of its file sees it: a Markdown file's inline markup is how the file shows words,
not words of it (``**25 days**`` reads "25 days", ``[the portal](https://…)`` "the portal"). The CLI
and the chat show quotes so; the JSON, MCP and citations keep the file's exact text.

Only the marks are left out, never a word: the pairs of ``**``, ``__``, ``*`` and ``_`` around
emphasised words, the backticks around inline code, a link's or an image's address (its text stays),
and the backslash that escapes a mark ("\\*" reads "*"). An asterisk or underscore that pairs with
nothing ("2 * 3", "snake_case") or stands inside a word or inline code ("x**2", "`**`") stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Each pattern's groups named "mark" are left out, the rest kept. Inline code first: what it holds is
# not markup.
_CODE = re.compile(r"(?<![`\\])(?P<mark>`+)(?P<code>[^`\n]+?)(?P<mark2>(?P=mark))(?!`)")
# A mark opens after no word character and no backslash (an escaped "\*" is an asterisk), and closes
# before none: "x**2 + y**2" is a formula, not bold.
_PATTERNS = (
    # A link's or image's text stays; its address (which may hold one pair of parentheses) goes.
    re.compile(r"(?<!\\)(?P<mark>!?\[)(?P<text>[^\]\n]+)(?P<mark2>\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"\n]*\")?\))"),
    re.compile(r"(?<![\w\\*])(?P<mark>\*\*\*|___)(?=[^\s*_])(?P<text>[^\n]+?)(?<=[^\s\\])(?P<mark2>(?P=mark))(?![\w*])"),
    re.compile(r"(?<![\w\\*])(?P<mark>\*\*|__)(?=[^\s*_])(?P<text>[^\n]+?)(?<=[^\s\\])(?P<mark2>(?P=mark))(?![\w*])"),
    re.compile(r"(?<![\w\\*])(?P<mark>\*)(?=[^\s*])(?P<text>[^*\n]+?)(?<=[^\s*\\])(?P<mark2>\*)(?![\w*])"),
    re.compile(r"(?<![\w\\_])(?P<mark>_)(?=[^\s_])(?P<text>[^_\n]+?)(?<=[^\s_\\])(?P<mark2>_)(?![\w_])"),
)


# A backslash that makes the mark after it a plain character.
_ESCAPE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!|<>~])")


@dataclass(frozen=True)
class ShownText:
    """Text as shown, and for each of its characters the offset of the character it shows."""

    text: str
    offsets: tuple[int, ...]

    def part(self, start: int, end: int) -> str:
        """What is shown of the original's ``start:end``."""
        return "".join(c for c, at in zip(self.text, self.offsets) if start <= at < end)


def as_shown(text: str, source: str, keep: tuple[int, int] | None = None) -> ShownText:
    """``text`` (of the file ``source``) as a reader of the file sees it: for Markdown, without its
    inline marks; any other format as it is. Where the marks would hide half or more of ``keep`` (the
    offsets of the words that answer: a link's address), the text is shown as it is."""
    from ..sources.formats import MARKDOWN_SUFFIXES  # read by the answer shown, not at start-up (--help)

    as_is = ShownText(text, tuple(range(len(text))))
    if not source.lower().endswith(MARKDOWN_SUFFIXES):
        return as_is
    hidden: set[int] = set()
    masked = list(text)  # inline code's content masked: nothing in it is a mark, nor opens one
    for match in _CODE.finditer(text):
        hidden.update(range(*match.span("mark")), range(*match.span("mark2")))
        masked[match.start() : match.end()] = "\x00" * (match.end() - match.start())
    outside_code = "".join(masked)
    for pattern in _PATTERNS:
        for match in pattern.finditer(outside_code):
            hidden.update(range(*match.span("mark")), range(*match.span("mark2")))
    hidden.update(match.start() for match in _ESCAPE.finditer(outside_code))  # "\*" reads "*"
    if keep is not None and keep[1] > keep[0]:
        shown_chars = sum(1 for i in range(*keep) if i not in hidden)
        if shown_chars * 2 < keep[1] - keep[0]:
            return as_is
    kept = [i for i in range(len(text)) if i not in hidden]
    return ShownText("".join(text[i] for i in kept), tuple(kept))


def sureness(snippet) -> tuple[str, float]:
    """What a snippet is shown with beside its citation: its confidence (the calibrated probability that
    it answers, the one its "unsure" label and an abstention go by), or its score where it has none (a
    new user read "score 0.53" beside an answer the JSON gave a confidence of 0.45)."""
    if snippet.confidence is not None:
        return "confidence", snippet.confidence
    return "score", snippet.score


def snippet_label(snippet) -> str:
    """What a snippet is, where it is not simply an answer, as the CLI, the chat and a transcript say
    it beside its citation: "nearest, not an answer" below the bar, "unsure: the sources may not say
    this" above it but under ``models.UNSURE_BELOW`` (``Snippet.unsure``); else empty."""
    if not snippet.is_answer:
        return "nearest, not an answer"
    return "unsure: the sources may not say this" if snippet.unsure else ""
