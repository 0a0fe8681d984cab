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

_MONEY_VERBS = r"(?:cost|costs|costed|pay|paid|pays|spend|spent|charge|charged|charges|owe|owed|sell|sold|buy|bought|earn|earned)"
_MONEY_NOUNS = r"(?:cost|costs|price|prices|fee|fees|rent|salary|salaries|wage|wages|budget|deposit|fine|bill|premium)"
# What a question names last, its head, before which nothing of it follows but its end or a phrase that
# picks out which: "the rent?", "the price of the house", not "the rent review date".
_HEAD_ENDS = r"\s*(?:[?.!]|$|\b(?:of|for|per|on|at|in|to|with|from|this|that|these|those|now|then|last|next)\b)"
_MONEY_ASKED = re.compile(
    # "how much did the kestrels cost", "how much money do we owe" (not "how much notice ... pay rent")
    rf"\bhow\s+much\s+(?:money\s+)?(?:do|does|did|is|was|are|were|will|would|should|can|could|has|have|had)\b"
    rf"(?:\s+[\w'’-]+){{0,6}}?\s+{_MONEY_VERBS}\b"
    # "how much is the deposit", "what's the rent", "What was the price of the house?"
    rf"|\b(?:how\s+much\s+(?:is|was|are|were)|what(?:['’]?s)?(?:\s+(?:is|was|are|were))?)\s+"
    rf"(?:(?:the|our|their|its|his|her|my|your|a|an)\s+)?(?:[\w-]+\s+){{0,2}}{_MONEY_NOUNS}\b{_HEAD_ENDS}",
    re.I,
)
_SHARE_ASKED = re.compile(
    r"\b(?:what|which)\s+(?:share|percentage|proportion|per\s*cent|percent)\b|\bhow\s+many\s+per\s*cent\b"
    r"|^\W*(?:the\s+)?(?:share|percentage|proportion)\s+of\b",
    re.I,
)
_CODES = r"(?:USD|EUR|GBP|CHF|AUD|CAD|SEK|NOK|DKK|JPY|INR)"
_AMOUNT = r"\d(?:[\d,.]*\d)?"
# A sum of money: a currency's sign or code before the number or after it, or its name after it; pence
# joined to it ("40p"; not "page 12 p.").
_MONEY = re.compile(
    rf"(?:[£$€¥₹]\s?|\b{_CODES}\s?){_AMOUNT}(?:\s?(?:k|m|bn|million|billion|thousand)\b)?"
    rf"|\b{_AMOUNT}(?:\s?[£$€¥₹]|\s?{_CODES}\b|\s?(?i:pence|dollars?|pounds?|euros?|cents?|francs?|yen|kr|krona|kronor)\b|p\b)"
)
# A share: a percentage, or a fraction in words ("a third", "half", "one in four").
_SHARE = re.compile(
    rf"\b{_AMOUNT}\s?(?:%|(?i:per\s?cent|percent)\b)"
    r"|\b(?i:(?:a|one|two)\s+(?:third|quarter|fifth|tenth)s?|three\s+quarters|half|one\s+in\s+\w+)\b"
)
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
