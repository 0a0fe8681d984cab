"""The latest first, where a question asks how things stand now: minutes, notices and budgets are kept as
dated files, and a later one says what holds where an earlier one said otherwise. A new user's "how much
are the arrears now?" was answered from January's minutes ("Arrears stand at $1,420"), September's
("... arrears are down to $640") second.

Where the question asks of the present (``_ASKS_NOW``: "now", "currently", "current", "latest", "most
recent", "still") and an answer's file is dated by its name ("2025-09-09_board.md", "budget_2025.csv"), the
answer of the latest-dated file moves before the answers of earlier-dated ones. Both stay, so the user
still sees what was said before; an answer of an undated file keeps its place.
"""

from __future__ import annotations

import re

from .answering import Picked
from .confidence import Confidences, in_order

# A question asking how things stand at present.
_ASKS_NOW = re.compile(r"\b(?:now|currently|current|latest|most\s+recent|still|at\s+present|these\s+days)\b", re.I)
# A file's date in its name: a year, with its month and day where they follow ("2025-09-09", "2025_09",
# "budget_2025").
_DATED = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12]\d|3[01]))?)?(?!\d)")


def file_date(source: str) -> tuple[int, int, int] | None:
    """The date a file's name gives it (its last name part holding one, or its folders'), or None."""
    found = _DATED.findall(source)
    if not found:
        return None
    year, month, day = found[-1]
    return int(year), int(month or 0), int(day or 0)


def with_latest_first(
    question: str, picked: list[Picked], confidences: Confidences, bar: float
) -> tuple[list[Picked], Confidences]:
    """The picked snippets with the answer (at or above ``bar``) of the latest-dated file first among the
    dated answers, where ``question`` asks how things stand now (``_ASKS_NOW``)."""
    if not _ASKS_NOW.search(question):
        return picked, confidences
    dated = {
        k: date for k, p in enumerate(picked)
        if confidences.probabilities[k] >= bar and (date := file_date(p.snippet.citation.source)) is not None
    }
    if len(dated) < 2:
        return picked, confidences
    first = min(dated)
    latest = max(dated, key=lambda k: (dated[k], -k))
    if dated[latest] == dated[first]:
        return picked, confidences
    order = list(range(len(picked)))
    order.insert(first, order.pop(latest))
    return in_order(picked, confidences, order)
