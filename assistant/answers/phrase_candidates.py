"""The phrases of a quoted text that could answer a question, by kind: times, amounts, names, places.

Found by patterns over the text itself (no tagger, no model): dates and years, numbers with their
unit, runs of capitalised words, a capitalised run after a preposition of place, and runs of plain
content words (a noun phrase, roughly). Each comes with its character offsets in the text, so that
what is marked is always the source's own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..retrieval.codes import MONTHS
from ..store.lexical import STOPWORDS

PhraseKind = Literal["time", "amount", "name", "place", "words"]

_MONTH = rf"(?:{'|'.join(MONTHS)}|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
_SEASON = r"(?:spring|summer|autumn|fall|winter)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:[12]\d{3}|[1-9]\d{0,2}\s?(?:BC|BCE|AD|CE)\b|AD\s?[1-9]\d{0,3})"
_ORDINAL_WORD = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|"
    r"fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|twenty-first)"
)
_ORDINAL = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|{_ORDINAL_WORD})"
_PART = r"(?:(?:early|late|mid|middle|the\s+(?:first|second|latter|last)\s+half\s+of\s+the)[\s-]+)"
_TIME = re.compile(
    rf"""
    \b(?:
        {_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?                                  # 22 May 2006
      | {_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?(?!\d)                           # May 22, 2006
      | (?:(?:early|late|mid)[\s-]+)?(?:{_MONTH}|{_SEASON})(?:\s+of)?\s+{_YEAR}  # (early) May 2006, autumn of 1991
      | (?:the\s+)?{_PART}?{_ORDINAL}(?:\s*(?:and|or|to|-|–)\s*{_ORDINAL})?[\s-]+centur(?:y|ies)(?:\s+(?:BC|BCE|AD|CE)\b)?  # the early 11th century
      | (?:the\s+)?(?:early\s+|late\s+|mid-)?[12]?\d{{2}}0s                 # the 1050s
      | {_YEAR}(?:\s*(?:–|-|—|to|and)\s*(?:[12]\d{{3}}|\d{{2}})\b)?           # 1066, 1991–92
      | (?<=\bin\s)[1-9]\d{{2}}(?![\d,.])(?!\s*(?:%|per\b|[a-z]{2,}s\b))     # in 911 (not "in 300 ships")
      | {_MONTH}(?!\s+\d)                                                   # March
    )\b
    """,
    re.VERBOSE,
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|a\s+hundred|"
    r"a\s+dozen|dozens|hundreds|thousands|millions|billions|half|twice|once|single)"
)
_SCALE = r"(?:hundred|thousand|million|billion|trillion|bn|m|k|mn)\b"
_QUALIFIER = r"(?:(?:about|around|approximately|nearly|almost|over|under|some|more\s+than|less\s+than|fewer\s+than|at\s+least|up\s+to|roughly|only|just)\s+)"
_AMOUNT = re.compile(
    rf"""
    (?<![\w.,]){_QUALIFIER}?
    (?:
        [£$€¥]\s?\d(?:[\d,.]*\d)?(?:\s?{_SCALE})?(?:–\d(?:[\d,.]*\d)?(?:\s?{_SCALE})?)?   # £1.3bn, $51 million
      | \d(?:[\d,.]*\d)?(?:\s?(?:%|per\s?cent|percent)|\s*(?:–|-|to)\s*\d(?:[\d,.]*\d)?)?(?:\s?{_SCALE})?(?![\w])  # 30,000; 36%; 10–12
      | \b{_NUMBER_WORD}(?:[\s-]+(?:{_NUMBER_WORD}|thousand|million|billion))*\b
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)
# A word after a number that is its unit ("90 days", "30,000 men", "two terms", "1.333 times").
_UNIT = re.compile(r"\s+(?:of\s+)?([a-z][a-z-]*)\b")
_PER = re.compile(r"\s+(?:per|a|each)\s+[a-z]+\b")
# Word endings of a verb or an adverb: such a word after a number is not its unit ("30,000 attended").
_NOT_UNIT = re.compile(r"(?:ed|ly|ing)$")
_TOKEN = re.compile(r"[^\W_](?:[\w&+]|[-'’.](?=\w))*\+?")
# Titles that keep their full stop inside a name ("Mr. Hopper").
_TITLES = frozenset("Mr Mrs Ms Dr Prof St Gen Col Capt Lt Sgt Sen Rep Gov Rev Hon Jr Sr".split())
# Lower-case words that may stand inside a name between capitalised ones ("William of Montreuil",
# "Edward the Confessor", "Guy de Lusignan").
_NAME_JOINERS = frozenset("of the de del della di da du des la le van von der den y al bin ibn".split())
_PLACE_PREPOSITIONS = frozenset(
    "in at near from to into off on across throughout within outside inside along toward towards beyond around via".split()
)
_DIRECTION = r"(?:(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?|central|upper|lower|coastal)"
# What leads a name that is a place: a preposition of place, perhaps with "the abbey of" or "southern"
# between; or a direction and "of" ("north-west of London").
_PLACE_LEAD = re.compile(
    rf"""(?:
        \b(?P<lead>{"|".join(sorted(_PLACE_PREPOSITIONS))})\s+(?:(?:the|a|an)\s+)?(?:[a-z]+\s+of\s+(?:the\s+)?)?(?:{_DIRECTION}\s+)?
      | \b(?P<lead2>{_DIRECTION})\s+of\s+(?:the\s+)?
    )$""",
    re.VERBOSE | re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True)
class Candidate:
    """A phrase of the text that could answer: ``text[start:end]``, its kind, and for amounts the word
    after the number (its unit, lower-cased) and for names whether a preposition of place leads it."""

    start: int
    end: int
    kind: PhraseKind
    unit: str | None = None
    after_preposition: str | None = None


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    sentence_start: bool


def tokens_of(text: str, sentence_starts: frozenset[int]) -> list[Token]:
    """The words of ``text`` with their offsets; ``sentence_starts`` are the offsets where sentences begin."""
    out: list[Token] = []
    for match in _TOKEN.finditer(text):
        opens = match.start() in sentence_starts or any(
            match.start() - k in sentence_starts and not text[match.start() - k : match.start()].strip("\"'“‘([")
            for k in (1, 2)
        )
        out.append(Token(match.start(), match.end(), match.group(0), opens))
    return out


def time_candidates(text: str) -> Iterator[Candidate]:
    """Dates, years, decades, centuries and months."""
    for match in _TIME.finditer(text):
        yield Candidate(match.start(), match.end(), "time")


def amount_candidates(text: str) -> Iterator[Candidate]:
    """Numbers with their qualifier, scale and unit: "over 100,000", "£1.3bn", "90 days", "two terms"."""
    for match in _AMOUNT.finditer(text):
        start, end = match.start(), match.end()
        unit = None
        follow = _UNIT.match(text, end)
        if follow and follow.group(1).lower() not in STOPWORDS and not _NOT_UNIT.search(follow.group(1)):
            unit = follow.group(1).lower()
            end = follow.end()
            per = _PER.match(text, end)
            if per:
                end = per.end()
        if unit is None and re.fullmatch(r"[12]\d{3}", match.group(0).strip()):
            continue  # a year, unless a unit follows it ("1500 men"): a time, not an amount
        yield Candidate(start, end, "amount", unit=unit)


# Closed-class words the stop list lets through: they are never the answer's own words.
FUNCTION_WORDS = frozenset(
    """us also however although though rather not no nor very many much some any each every other
    another such only just even still yet already always never often sometimes usually instead thus
    therefore hence perhaps indeed quite almost nearly both either neither all few several more most
    less least own same one ones anything something nothing everything among within without upon
    onto via per since until unless whether whereas whilst like unlike including using according
    against between through during before after above below over under about toward towards across
    along around behind beyond despite enough say says said now might must shall should may known
    given shown seen done""".split()
)
# A word after one of these is a verb ("which uses", "to determine", "it becomes"), not a noun.
_VERB_CUES = frozenset("which that who it they he she we you i to will would can could may might must shall should".split())
# Words that join two content words into one phrase ("analysis of algorithms", "time and storage").
_PHRASE_JOINERS = frozenset("of and or".split())
_DETERMINERS = frozenset("the a an its their this these those his her our".split())
_VERBAL = re.compile(r"(?:ly|ed|ing)$")
# The longest phrase of plain words offered as an answer.
MAX_PHRASE_WORDS = 6


def word_candidates(text: str, tokens: list[Token], asked: list[bool]) -> Iterator[Candidate]:
    """Runs of content words the question does not hold, not broken by punctuation, joined by "of",
    "and" or "or": a noun phrase, roughly ("constant factors and smaller terms", "number of gates").
    A run does not end on an adverb or a past participle ("usually", "stated")."""
    i, n = 0, len(tokens)

    def plain(k: int) -> bool:
        word = tokens[k].text.lower()
        if asked[k] or word in STOPWORDS or word in FUNCTION_WORDS:
            return False
        return not (k > 0 and tokens[k - 1].text.lower() in _VERB_CUES and not tokens[k].text[0].isupper())

    while i < n:
        if not plain(i):
            i += 1
            continue
        j = i + 1
        while j < n and not text[tokens[j - 1].end : tokens[j].start].strip():
            if plain(j):
                j += 1
            elif (
                tokens[j].text.lower() in _PHRASE_JOINERS
                and j + 1 < n
                and plain(j + 1)
                and not text[tokens[j].end : tokens[j + 1].start].strip()
            ):
                j += 2
            else:
                break
        first, last = i, j - 1
        # A phrase neither starts nor ends on an adverb or a participle ("immediately succeeds",
        # "defined using Boolean"): trim them.
        while first <= last and _VERBAL.search(tokens[first].text) and not tokens[first].text[0].isupper():
            first += 1
        while last >= first and (
            re.search(r"(?:ly|ed)$", tokens[last].text.lower())
            or (last + 1 < n and tokens[last + 1].text.lower() in _DETERMINERS and not tokens[last].text[0].isupper())
        ):
            last -= 1  # a word right before "the" or "a" is a verb ("utilises the"), not a noun
        if first <= last and last - first < MAX_PHRASE_WORDS:
            yield Candidate(tokens[first].start, tokens[last].end, "words")
        i = j


def name_runs(text: str, tokens: list[Token], capitalised_elsewhere: frozenset[str]) -> Iterator[tuple[int, int]]:
    """Runs of capitalised words as token index ranges [i, j); a sentence's first word counts only when
    it is capitalised elsewhere too or a capitalised word follows it (else it is capitalised as a
    sentence opener)."""

    def capital(t: Token) -> bool:
        if not t.text[0].isupper():
            return False
        if t.text.lower() in STOPWORDS:
            return False
        return True

    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        if not capital(t):
            i += 1
            continue
        j = i + 1
        while j < n:
            gap = text[tokens[j - 1].end : tokens[j].start]
            # A title or an initial keeps its full stop inside a name ("Mr. Hopper", "J. Smith").
            abbreviated = gap.strip() == "." and (tokens[j - 1].text in _TITLES or re.fullmatch(r"[A-Z]", tokens[j - 1].text))
            if (gap.strip() and not abbreviated) or _POSSESSIVE.search(tokens[j - 1].text):
                break
            # A number inside a name when it carries letters or a capitalised word follows ("Astra 2A", "Channel 4 HD").
            numeral = tokens[j].text[0].isdigit() and (not tokens[j].text.isdigit() or (j + 1 < n and capital(tokens[j + 1])))
            if capital(tokens[j]) or numeral:
                j += 1
                continue
            # A joiner only between capitalised words: "William of Montreuil", not "Normandy of".
            k = j
            while k < n and tokens[k].text.lower() in _NAME_JOINERS and not text[tokens[k - 1].end : tokens[k].start].strip():
                k += 1
            if k > j and k < n and capital(tokens[k]) and not text[tokens[k - 1].end : tokens[k].start].strip():
                j = k + 1
                continue
            break
        if t.sentence_start and j == i + 1 and not _name_like(t.text, capitalised_elsewhere):
            i = j
            continue
        yield i, j
        i = j


def _bare(word: str) -> str:
    return _POSSESSIVE.sub("", word)


def _name_like(word: str, capitalised_elsewhere: frozenset[str]) -> bool:
    """Whether a sentence's capitalised first word is a name: capitals inside it ("BSkyB", "ITV"),
    a possessive ("Cobham's"), or capitalised elsewhere in the passage."""
    bare = _bare(word)
    return bare in capitalised_elsewhere or any(c.isupper() for c in bare[1:]) or bare != word


def name_and_place_candidates(text: str, tokens: list[Token], capitalised_elsewhere: frozenset[str]) -> Iterator[Candidate]:
    """Every capitalised run as a name, and as a place too when a preposition of place leads it
    ("in Milan", "at the abbey of Fossanova", "north-west of London", "in southern Italy")."""
    for i, j in name_runs(text, tokens, capitalised_elsewhere):
        start, end = tokens[i].start, tokens[j - 1].end
        last = tokens[j - 1].text
        if _POSSESSIVE.search(last):
            end -= len(_POSSESSIVE.search(last).group(0))
        lead = _place_lead(text, start)
        yield Candidate(start, end, "name", after_preposition=lead[1] if lead else None)
        if lead:
            yield Candidate(lead[0], end, "place", after_preposition=lead[1])


def _place_lead(text: str, start: int) -> tuple[int, str] | None:
    """Where a place phrase ending at the name at ``start`` begins, and its leading word: "in", "at the
    abbey of", "north-west of", "in southern"; None when no preposition of place leads the name."""
    before = text[max(0, start - 60) : start]
    match = _PLACE_LEAD.search(before)
    if not match:
        return None
    return start - len(before) + match.start(), (match.group("lead") or match.group("lead2")).lower()
