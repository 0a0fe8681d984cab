"""The value that holds now, marked where a sentence says one replaced another: "Croissant: was £2.60, now
£2.85", "Butter is now £6.10 a kilo, up from £4.70", "Oat milk: now free (it was 40p extra)", "the repayment
was reduced from £1,150 to £850", "The chair was Ann Lee, now Bob Smith". A new user's "how much is a
croissant" marked £2.60: the reader finds the price beside the item's name, and the old one stands nearer
it.

A mark on the old value of such a sentence moves to the new one, unless the question asks of the past
("what did it cost before the increase", "what was the old price"), where a mark on the new value moves
to the old. The two values must be of one shape: an amount for an amount ("free" is one), a name for a
name; "The treasurer was Raj Patel, now retired" replaces no name, "open from 9am to 5pm" no value.
Nothing is written: both are the sentence's own words.
"""

from __future__ import annotations

import re

# A question asking of a time before now, in so many words: then the old value is the answer ...
_ASKS_BEFORE = re.compile(
    r"\b(?:before|(?<!how\s)old|older|previous(?:ly)?|originally|initially|formerly|earlier|prior|used\s+to|last\s+year|ago)\b",
    re.I,
)
# ... unless it says it asks of now as well ("what is the new price, and the old one?").
_ASKS_NOW = re.compile(r"\b(?:now|new|after|current(?:ly)?|latest|today)\b", re.I)
# One value: a token (a decimal point or thousands comma inside a number is no end of it) ...
_TOKEN = re.compile(r"(?:[^\s.,;:()\[\]]|[.,](?=\d))+")
# ... and, where the token is a bare number, its unit: "40 minutes" (not "9 to") ...
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_UNIT = re.compile(r"\s+([^\W\d_]+)")
_NOT_UNITS = frozenset({"to", "from", "and", "or", "a", "an", "the", "per", "in", "on", "at", "for", "with", "by", "of"})
# ... or, where it opens with a capital, the name it begins: "Bob Smith".
_NAME_GOES_ON = re.compile(r"\s+[A-Z][\w'’-]*")
# An amount's words that hold no digit.
_AMOUNT_WORDS = frozenset({"free", "nothing", "none", "zero"})
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
# What stands before an old value the sentence's "now" follows: "was", "were".
_WAS_BEFORE = re.compile(r"\b(?:was|were|used\s+to\s+be|previously|formerly)\s*$", re.I)
# What stands before an old value said after the new one: "up from", "down from", "(it was".
_FROM_AFTER_NOW = re.compile(r"(?:\b(?:up|down)\s+from|\(\s*(?:it\s+|they\s+)?(?:was|were))\s*$", re.I)
# A change's "from", only after a verb of change in its clause ("from Monday to Friday" replaces
# nothing, nor "The increase applies from 1 April to all members").
_CHANGED_FROM = re.compile(
    r"\b(?:rose|risen|rises|increased|raised|reduced|cut|lowered|fell|fallen|dropped|decreased|went\s+(?:up|down)|"
    r"gone\s+(?:up|down)|goes\s+(?:up|down)|changed|moved)\b[^.;:\n]{0,40}?\bfrom\s*$",
    re.I,
)
# What follows an old value to give the new one: ", now £2.85", "; now free", ", and is now £3.60".
_NEW_AFTER = re.compile(r"\s*[,;:–—-]?\s*(?:and\s+)?(?:(?:is|are)\s+)?now\s+", re.I)
_TO_AFTER = re.compile(r"\s+to\s+", re.I)
# An old value's lead, when the mark is the new one: "was", "were"; a change's "from".
_WAS = re.compile(r"\b(?:was|were)\s+", re.I)
_FROM = re.compile(r"\bfrom\s+", re.I)
# What follows a new value to give the old one: " (it was 40p extra)", " a kilo, up from £4.70".
_OLD_AFTER = re.compile(r"\s*\(\s*(?:it\s+|they\s+)?(?:was|were)\s+|[^,;.\n]{0,25}?[,;]?\s*(?:up|down)\s+from\s+", re.I)
# The new value said before an old one's "up from" or "(it was ...)": "is now £6.10".
_NOW = re.compile(r"\bnow\s+(?:(?:is|are)\s+)?", re.I)


def value_of_time_asked(question: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where in ``text`` the value the question asks for stands, where ``text[start:end]`` (a mark) is one
    of a sentence's two values, the replaced and the replacing, and the question asks of the other: of
    now (any question not asking of the past in so many words), the value holding now; of the past, the
    value replaced. None where the mark is no such value, or the one asked for."""
    sentence_start = max((found.end() for found in _SENTENCE_END.finditer(text, 0, start)), default=0)
    mark = text[start:end]
    if _ASKS_BEFORE.search(question) and not _ASKS_NOW.search(question):
        return _alike(mark, text, _value_replaced(text, sentence_start, start, end))
    before = text[sentence_start:start]
    if _FROM_AFTER_NOW.search(before):
        return _alike(mark, text, _value_before_now(text, sentence_start, start))
    if _WAS_BEFORE.search(before):
        return _alike(mark, text, _value_after(text, end, _NEW_AFTER))
    if _CHANGED_FROM.search(before) and _is_amount(mark):
        return _alike(mark, text, _value_after(text, end, _TO_AFTER))
    return None


def _is_amount(value: str) -> bool:
    return any(c.isdigit() for c in value) or value.strip().lower() in _AMOUNT_WORDS


def _alike(mark: str, text: str, other: tuple[int, int] | None) -> tuple[int, int] | None:
    """``other`` where it is a value of the mark's shape: an amount for an amount, a name for a name."""
    if other is None:
        return None
    value = text[other[0] : other[1]]
    if _is_amount(mark):
        return other if _is_amount(value) else None
    return other if mark[:1].isupper() and value[:1].isupper() else None


def _value(text: str, at: int) -> tuple[int, int] | None:
    """The value starting at ``at``: a token, with its unit where it is a bare number, or the rest of the
    name it opens."""
    token = _TOKEN.match(text, at)
    if token is None:
        return None
    end = token.end()
    unit = _UNIT.match(text, end)
    if _NUMBER.fullmatch(token.group()) and unit is not None and unit.group(1).lower() not in _NOT_UNITS:
        end = unit.end()
    elif token.group()[:1].isupper():
        while (more := _NAME_GOES_ON.match(text, end)) is not None:
            end = more.end()
    return at, end


def _value_after(text: str, end: int, lead: re.Pattern[str]) -> tuple[int, int] | None:
    """The value right after ``lead`` at ``end``."""
    found = lead.match(text, end)
    return _value(text, found.end()) if found is not None else None


def _value_before_now(text: str, sentence_start: int, start: int) -> tuple[int, int] | None:
    """The value after the last "now" of the sentence before the old value ("is now £6.10 a kilo, up from
    £4.70"; "now free (it was 40p extra)")."""
    nows = list(_NOW.finditer(text, sentence_start, start))
    value = _value(text, nows[-1].end()) if nows else None
    return value if value is not None and value[1] <= start else None


def _value_replaced(text: str, sentence_start: int, start: int, end: int) -> tuple[int, int] | None:
    """The value the mark at ``start:end`` replaced: "was £2.60, now [£2.85]", "reduced from £1,150 to
    [£850]", "now [free] (it was 40p extra)", "now [£6.10] a kilo, up from £4.70"."""
    for lead, between in ((_WAS, _NEW_AFTER), (_FROM, _TO_AFTER)):
        leads = [
            found for found in lead.finditer(text, sentence_start, start)
            if lead is not _FROM or _CHANGED_FROM.search(text, sentence_start, found.end())
        ]
        old = _value(text, leads[-1].end()) if leads else None
        if old is not None and between.fullmatch(text, old[1], start):
            return old
    if _NOW.search(text[max(sentence_start, start - 12) : start]) is None:
        return None
    after = _OLD_AFTER.match(text, end)
    return _value(text, after.end()) if after is not None else None
