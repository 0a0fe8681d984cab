"""A correction before what it corrects: announcements, minutes and notices are kept as dated entries, and
a later one headed as a correction ("2025-02-26 — CORRECTION: midterm review session date") says what
an earlier one on the same subject ("2025-02-24 — Midterm review session") no longer holds. A new user's
"when is the midterm review session" was answered with the first announcement's Monday 3 March, the
corrected Tuesday 4 March second, both marked and nothing to tell which stands.

Where a snippet's section heading says it corrects or updates (``_CORRECTS``) and shares most words of
its subject with the heading of a snippet of the same file ranked above it, it moves before that one
("Midterm grades" shares only "midterm" with "midterm review session"). Both stay, so the user still
sees what was said first.
"""

from __future__ import annotations

import re

from ..retrieval.codes import MONTHS
from ..sources.structure import TITLE_PARTS
from ..store.lexical import tokenize
from .answering import Picked
from .confidence import Confidences, in_order

# A heading that says its entry corrects or updates an earlier one.
# Its correcting forms, not a command ("Change your password", "Update the app"), but "Update:" as a label.
_CORRECTS = re.compile(
    r"\b(?:correction|corrected|updated|revised|rescheduled|postponed|moved|changed|amended|erratum|new\s+date|update\s*:)",
    re.I,
)
# Words of a heading that say nothing of its subject: the correcting words, a date's.
_NOT_SUBJECT = frozenset(tokenize(
    "correction corrected update updated updates revised rescheduled postponed moved change changed amended erratum "
    "new date time " + " ".join(MONTHS)
))


def with_corrections_first(picked: list[Picked], confidences: Confidences) -> tuple[list[Picked], Confidences]:
    """The picked snippets with each correction (``_CORRECTS``) before the first snippet of its file it
    corrects, their confidences and features moved with them."""
    order = list(range(len(picked)))
    for k in range(1, len(order)):
        later = picked[order[k]].snippet
        heading = _headings(later)
        if not _CORRECTS.search(heading):
            continue
        subject = _subject(heading)
        for i in range(k):
            earlier = picked[order[i]].snippet
            if earlier.citation.source != later.citation.source:
                continue
            before = _headings(earlier)
            if before != heading and not _CORRECTS.search(before) and 2 * len(subject & _subject(before)) > len(subject):
                order.insert(i, order.pop(k))
                break
    return in_order(picked, confidences, order)


def _headings(snippet) -> str:
    """The headings a snippet's passage stands under, below its document's title ("2025-02-26 — CORRECTION:
    midterm review session date"; "Correction — midterm review session" whole, not its last part)."""
    return snippet.passage.title.partition(TITLE_PARTS)[2]


def _subject(heading: str) -> set[str]:
    """The terms of a heading that say what its entry is about."""
    return {t for t in tokenize(heading) if t not in _NOT_SUBJECT and not t.isdigit()}
