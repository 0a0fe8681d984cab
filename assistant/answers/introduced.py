"""What a quote introduces: a quote ending in a colon ("To connect from the terminal:") says what the
lines after it are for, and where those lines are a block of code (a command, a setting), the block is
the answer the quote only leads to. Its first lines are quoted right after it, as sure an answer as the
quote that introduced them: a new user's "How do I connect to the VPN?" quoted "To connect from the
terminal:" and never showed the command ``sudo wg-quick up brightwater`` on the next line.

The block is a passage of its own (``structure``: kind ``code``, a line a record), so it is quoted as
one: its lines, never its fences, each offset still the file's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..models import Passage, Snippet
from ..store.loaded import LoadedIndex
from .answering import Picked, cite
from .confidence import Confidences

# How many of the block's lines are quoted.
INTRODUCED_LINES = 4
# At most this many characters stand between the colon and the block's first line: a blank line or
# two and the opening fence ("```bash").
INTRODUCES_WITHIN = 40


def introduced_code(index: LoadedIndex, rows: dict[str, int], snippet: Snippet) -> Snippet | None:
    """The block of code ``snippet`` introduces, quoted (its first INTRODUCED_LINES lines), or None: the
    snippet ends its passage with a colon, and the passage after it in the file is code that begins
    right after."""
    passage = snippet.passage
    row = rows.get(passage.id)
    if row is None or not snippet.text.rstrip().endswith(":") or snippet.citation.end != passage.sentences[-1].end:
        return None
    if row + 1 >= len(index.passages):
        return None
    code: Passage = index.passages[row + 1]
    if code.source != passage.source or code.kind != "code" or not code.sentences:
        return None
    if code.start - snippet.citation.end > INTRODUCES_WITHIN:
        return None
    lines = code.sentences[:INTRODUCED_LINES]
    text = code.text[lines[0].start - code.start : lines[-1].end - code.start]
    return Snippet(text=text, score=snippet.score, citation=cite(code, lines[0], lines[-1]), passage=code)


def with_introduced_code(
    index: LoadedIndex,
    rows: dict[str, int],
    picked: list[Picked],
    confidences: Confidences,
    count: int,
    still_quoted: Callable[[Snippet], bool],
) -> tuple[list[Picked], Confidences]:
    """The picked snippets with the code each introduces right after it (``introduced_code``), as sure
    as it and with its features, at most ``count`` in all but for the block the last kept one
    introduces (asked for one snippet, "How do I run the tests?" gave "To run the tests:" alone); a
    block already picked moves up beside its introduction."""
    out: list[Picked] = []
    probabilities: list[float] = []
    features: list[dict[str, float]] = []
    kept = 0  # snippets kept, their blocks not counted
    chosen = list(zip(picked, confidences.probabilities, confidences.features))
    introduced = {}
    for p, _, _ in chosen:
        code = introduced_code(index, rows, p.snippet)
        if code is not None and still_quoted(code):
            introduced[id(p)] = code
    for p, probability, feature in chosen:
        c = p.snippet.citation
        if any(c.source == b.citation.source and c.start < b.citation.end and b.citation.start < c.end for b in introduced.values()):
            continue  # the block, picked on its own: it stands beside its introduction instead
        if kept == count:
            break
        kept += 1
        out.append(p)
        probabilities.append(probability)
        features.append(feature)
        code = introduced.get(id(p))
        if code is not None:
            out.append(Picked(code, p.similarity, p.margin))
            probabilities.append(probability)
            features.append(feature)
    return out, replace(confidences, probabilities=probabilities, features=features)
