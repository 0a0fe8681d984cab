"""The latest first, where a question asks how things stand now: minutes, notices and budgets are kept as
dated files, and a later one says what holds where an earlier one said otherwise. A new user's "how much
are the arrears now?" was answered from January's minutes ("Arrears stand at $1,420"), September's
("... arrears are down to $640") second.

Where the question asks of the present (``asks_now``: "now", "currently", "current", "latest", "most
recent", "still"; or asked in the present or future tense and naming no time: "Which contractor is
replacing the roof?", "who's the treasurer?", not "Who was the treasurer?" nor "What is the budget for
2024?") and an answer's file is dated by its name ("2025-09-09_board.md", "budget_2025.csv"), the answer of
the latest-dated file moves before the answers of earlier-dated ones. Both stay, so the user still sees
what was said before; an answer of an undated file keeps its place.
"""

from __future__ import annotations

import re

from ..retrieval.codes import is_month
from ..store.file_dates import file_date, series_years
from .answering import Picked
from .confidence import Confidences, in_order

# A question asking how things stand at present.
_ASKS_NOW = re.compile(r"\b(?:now|currently|current|latest|most\s+recent|still|at\s+present|these\s+days)\b", re.I)
# The question's first verb of asking ("who's" is "who is"), and those of them asking of now or later.
_AUXILIARY = re.compile(
    r"\b(?:(?:what|who|where|when|how|which|that|it)(?P<is>['’]s)|(?P<verb>is|are|am|isn['’]t|aren['’]t|does|do|doesn['’]t|"
    r"don['’]t|has|have|will|was|were|wasn['’]t|weren['’]t|did|didn['’]t|had|would|could|should|can|may|might|must))\b",
    re.I,
)
_PRESENT = frozenset({"is", "are", "am", "isn't", "aren't", "does", "do", "doesn't", "don't", "has", "have", "will"})
# Words placing a question at some time other than now (and a month: ``codes.is_month``).
_ANOTHER_TIME = re.compile(
    r"\b(?:before|ago|originally|initially|at\s+first|first|previous(?:ly)?|earlier|former(?:ly)?|old|used\s+to|last|"
    r"then|(?:19|20)\d\d)\b",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+")


def asks_now(question: str) -> bool:
    """Whether ``question`` asks how things stand now: it says so ("now", "currently", ...), or it asks in
    the present or future tense and names no other time (``_in_the_present``)."""
    return _ASKS_NOW.search(question) is not None or _in_the_present(question)


def _in_the_present(question: str) -> bool:
    """Whether ``question`` asks in the present or future tense and names no other time."""
    first = _AUXILIARY.search(question)
    if first is None:
        return False
    present = first.group("is") is not None or first.group("verb").lower().replace("’", "'") in _PRESENT
    return present and _ANOTHER_TIME.search(question) is None and not any(is_month(w, question) for w in _WORD.findall(question))


def with_latest_first(
    question: str, picked: list[Picked], confidences: Confidences, bar: float
) -> tuple[list[Picked], Confidences]:
    """The picked snippets with the answer (at or above ``bar``) of the latest-dated file first among the
    dated answers, where ``question`` asks how things stand now (``asks_now``)."""
    said = _ASKS_NOW.search(question) is not None
    if not (said or _in_the_present(question)):
        return picked, confidences
    dated = {
        k: date for k, p in enumerate(picked)
        if confidences.probabilities[k] >= bar and (date := file_date(p.snippet.citation.source)) is not None
    }
    if not said:
        # Asked so alone, only files kept as a dated series: a year alone in a name may be anything else
        # ("First_cases_of_coronavirus_disease_2019.txt", "smith2019.pdf").
        series = series_years(picked[k].snippet.citation.source for k in dated)
        dated = {k: date for k, date in dated.items() if picked[k].snippet.citation.source in series}
    if len(dated) < 2:
        return picked, confidences
    first = min(dated)
    latest = max(dated, key=lambda k: (dated[k], -k))
    if dated[latest] == dated[first]:
        return picked, confidences
    order = list(range(len(picked)))
    order.insert(first, order.pop(latest))
    return in_order(picked, confidences, order)
