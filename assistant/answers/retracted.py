"""A sentence the next one retracts: a correction notice restates what it corrects before it corrects it
("The member handbook says that visitor parking is in the two marked spaces in the front lot on Alder
Street. That is no longer correct. From October 1, 2025, the two visitor spaces are in the rear lot").
A new user's "where do visitors park" was answered with the rule retracted, "Alder Street" marked, the
rule that holds third. A retracted sentence says what no longer holds: never the answer (``answering``
keeps it ANOTHER_CODE less, as a sentence about another thing)."""

from __future__ import annotations

import re

from ..models import Passage

# A sentence saying the one before it no longer holds ("That is no longer correct.", "This was an
# error.", "That information is out of date.").
_RETRACTS = re.compile(
    r"\s*(?:but\s+)?(?:that|this|it)(?:\s+(?:information|rule|date|time|statement))?\s+(?:is|was|has\s+been)\s+"
    r"(?:no\s+longer\s+(?:correct|true|accurate|valid|right|the\s+case|in\s+effect)|not\s+correct|incorrect|wrong|"
    r"(?:an?\s+)?(?:error|mistake)|out\s+of\s+date|outdated|superseded|withdrawn)\b",
    re.I,
)


def retracted(passage: Passage, index: int) -> bool:
    """Whether sentence ``index`` of the passage is one the sentence after it retracts (``_RETRACTS``)."""
    after = index + 1
    return after < len(passage.sentences) and _RETRACTS.match(passage.sentences[after].text) is not None
