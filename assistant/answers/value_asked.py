"""The kind of value a question asks for, where its words say: money ("how much did the kestrels cost",
"what's the rent") or a share ("what share of visits ...", "what percentage"). A mark that is no such
value answers something else: trial 64's "how much did the kestrels cost" marked "6" of "buy 6 Kestrel
5400 meters for £2,340", and "share of visits with extreme heat stress under low canopy" marked
"afternoon visits" of "... fell from 38% under low canopy to 9% under high canopy".

Where the mark is not of the kind asked, the one value of that kind in the quote is marked instead; with
several, none is (a wrong mark is worse than none).
"""

from __future__ import annotations

import re
from typing import Literal

ValueKind = Literal["money", "share"]

_MONEY_ASKED = re.compile(
    r"\bhow\s+much\b.*\b(?:cost|costs|costed|price|priced|pay|paid|pays|spend|spent|charge|charged|charges|owe|owed|"
    r"worth|budget|budgeted|fee|fees|rent|sell|sold|buy|bought)\b"
    r"|\b(?:what|what's|what’s|whats)\s+(?:is\s+|was\s+|were\s+|are\s+)?(?:the\s+|our\s+|their\s+|its\s+|his\s+|her\s+)?"
    r"(?:[\w-]+\s+){0,2}(?:cost|price|fee|rent|salary|wage|budget)s?\b",
    re.I,
)
_SHARE_ASKED = re.compile(
    r"\b(?:what|which)\s+(?:share|percentage|proportion|per\s*cent|percent)\b|\bhow\s+many\s+per\s*cent\b"
    r"|^\W*(?:the\s+)?(?:share|percentage|proportion)\s+of\b",
    re.I,
)
# A sum of money: a currency's sign or code before the number, or its name after it.
_MONEY = re.compile(
    r"(?:[£$€¥₹]|\b(?:USD|EUR|GBP|CHF|AUD|CAD)\s?)\d(?:[\d,.]*\d)?(?:\s?(?:k|m|bn|million|billion|thousand)\b)?"
    r"|\b\d(?:[\d,.]*\d)?\s?(?:p|pence|dollars?|pounds?|euros?|cents?|francs?|yen|kr|krona|kronor)\b",
    re.I,
)
_SHARE = re.compile(r"\b\d(?:[\d.,]*\d)?\s?(?:%|per\s?cent\b|percent\b)")
_OF_KIND = {"money": _MONEY, "share": _SHARE}


def value_kind_asked(question: str) -> ValueKind | None:
    """The kind of value ``question`` asks for, where its words say: money or a share; else None."""
    if _SHARE_ASKED.search(question):
        return "share"
    if _MONEY_ASKED.search(question):
        return "money"
    return None


def value_of_kind(text: str, start: int, end: int, kind: ValueKind) -> tuple[int, int] | None:
    """``start:end`` of ``text`` (a mark) where it holds a value of ``kind``; else the one value of that
    kind in ``text``; None where it holds several or none."""
    pattern = _OF_KIND[kind]
    if pattern.search(text, start, end) is not None:
        return start, end
    found = list(pattern.finditer(text))
    return found[0].span() if len(found) == 1 else None
