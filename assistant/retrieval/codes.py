"""Codes a question names: an error's, a version, a standard's number ("QM-103", "2.4.0", "SARS-CoV-2"),
each as its terms in order, and whether a text holds one whole; its versions and times as written; and
the things it numbers ("week 6", "lab 11")."""

from __future__ import annotations

import re

from ..store.lexical import tokenize

# A code: parts joined by "-", ".", "_" or ":", to the last part holding a digit ("QM-103", "2.4.0",
# "SARS-CoV-2", "ISO-8601", a time "14:52"; "COVID-19" of "COVID-19-related"); a "v" before a version
# is no part of it.
_CODE = re.compile(r"(?<![\w.:-])(?:[vV](?=\d))?((?=[\w.:-]*\d)[^\W_]+(?:[-._:][^\W_]+)*?[-._:][^\W_]*\d[^\W_]*)(?!\w|[-._:][^\W_]*\d)")


# A version or a time: numbers joined by two dots or more ("3.2.0"), or by one after "version",
# "release" or "v" ("version 3.2"), or an hour and its minutes ("14:52"); not an amount ("12.50"), a
# range ("2008-2009"), a ratio ("16:9").
_VERSION = re.compile(
    r"(?:(?<![\w.:-])\d+(?:\.\d+){2,}|(?<=version )\d+\.\d+|(?<=release )\d+\.\d+|(?<=\bv)\d+\.\d+|(?<![\w.:-])\d{1,2}:\d{2})"
    r"(?![\w-]|[.:]\d)",
    re.I,
)


# The months as a date writes them (answers' kinds, headings' dates and corrections read them here).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Months and days are capitalised but name nothing: a word always one, and a month that is a given name
# too ("May", "June") or a month's abbreviation ("Jan") only beside a number ("14 May", "Jan 2025").
_CALENDAR = frozenset("january february march july september october november december".split()) | WEEKDAYS
_CALENDAR_BESIDE_NUMBERS = frozenset("april may june august jan feb mar apr jun jul aug sep sept oct nov dec".split())


def is_calendar(word: str, text: str) -> bool:
    """Whether ``word`` (of ``text``) is a month or a day of the week."""
    lower = word.lower()
    if lower in _CALENDAR:
        return True
    escaped = re.escape(word)
    return lower in _CALENDAR_BESIDE_NUMBERS and re.search(rf"\d[\s,.]*{escaped}\b|\b{escaped}\.?[\s,]*\d", text) is not None


def is_month(word: str, text: str) -> bool:
    """Whether ``word`` (of ``text``) is a month (``is_calendar``, not a day)."""
    return word.lower() not in WEEKDAYS and is_calendar(word, text)


# A year standing in a date ("14 January 2025", "January 14, 2025", "Jan 2025").
_DATED_YEAR = re.compile(
    rf"\b(?:{'|'.join(MONTHS)}|{'|'.join(m[:3] for m in MONTHS)}|Sept)\.?\s+(?:\d{{1,2}},?\s+)?(?:1[5-9]|20)\d\d\b", re.I
)


def dates_a_year(text: str) -> bool:
    """Whether ``text`` holds a year as a date's (``_DATED_YEAR``)."""
    return _DATED_YEAR.search(text) is not None


# A year as written ("in 1974", "the 2023 budget"); not a decade ("the 1980s", "1899's"), an amount
# ("$2025"), a percentage, a code or a date's part ("2023-03").
_YEAR = re.compile(r"(?<![\w.$£€-])(1[5-9]\d\d|20\d\d)(?![\w%]|[.,-]\d|['’]s)")


def years_in(text: str) -> list[str]:
    """The years of ``text`` as written (``_YEAR``)."""
    return _YEAR.findall(text)


def is_year(word: str) -> bool:
    """Whether ``word`` is a year as a whole: "2024"."""
    return years_in(word) == [word]


# A year a question asks about: in, for, during or of it, or the year a thing is of ("the 2023 budget"),
# and those joined to it ("in 2024 and 2025"); not one after since, after, before, than or over ("What
# has changed since 2019?", "more than 1500"), nor an amount of things ("for 1500 units", "the 2000
# people", "the 1500 unit tier").
_COUNTED = (
    r"(?!\s+(?:people|persons?|units?|users?|members?|items?|pieces?|pages?|words?|copies|employees?|students?|"
    r"households?|passengers?|visitors?|participants?|seats?|tickets?|cases?|dollars?|euros?|pounds?|points?|"
    r"calories|steps|kg|km|g|mg|ml|l|m)\b)"
)
_ASKED_YEAR = re.compile(
    r"\b(?:in|for|during|of|the|year)\s+(" + _YEAR.pattern + _COUNTED + r"(?:\s*(?:,|and|or|to|[–—-])\s*" + _YEAR.pattern + _COUNTED + r")*)",
    re.I,
)
# A clause the asker says of themselves ("I started in 2019; how many days do I get?"), asking nothing:
# its year is theirs. A possessive is not ("What was our budget in 2023?"), nor "World War I" in a question.
_OF_THE_ASKER = re.compile(r"\b(?:I|[Ww]e)\b")
_ASKING = re.compile(r"\b(?:how|what|when|where|who|whom|whose|which|why|is|are|was|were|do|does|did)\b|\?", re.I)


def asked_years(question: str) -> list[str]:
    """The years ``question`` asks about (``_ASKED_YEAR``), outside the clauses the asker says of
    themselves (``_OF_THE_ASKER``)."""
    clauses = re.split(r"[,;:]|(?i:\b(?=how|what|when|where|who|which|why)\b)", question)
    return list(dict.fromkeys(
        year
        for clause in clauses
        if not (_OF_THE_ASKER.search(clause) and not _ASKING.search(clause))
        for run in _ASKED_YEAR.finditer(clause)
        for year in years_in(run.group(1))
    ))


# A question asking which version or release did something ("Which version removed ...?").
_ASKS_VERSION = re.compile(r"\b(?:which|what)\s+(?:version|release)s?\b", re.I)


def asks_version(question: str) -> bool:
    """Whether ``question`` asks which version or release (``_ASKS_VERSION``)."""
    return _ASKS_VERSION.search(question) is not None


def versions_in(text: str) -> list[str]:
    """The versions and times of ``text`` as written (``_VERSION``): "3.2.0", "14:52"."""
    return _VERSION.findall(text)


def is_version(word: str) -> bool:
    """Whether ``word`` is a version or a time as a whole: "3.2.0"."""
    return versions_in(word) == [word]


def codes_in(question: str) -> tuple[tuple[str, ...], ...]:
    """The question's codes (``_CODE``) that are several terms, each as its terms in order: an error
    code, a version, a standard's number is one thing ("What does error QM-103 mean?" quoted "Unknown
    option names are an error, reported as code QM-104." for its "error" and "QM", over "QM-103: The
    preview port is already in use.")."""
    found = (tuple(tokenize(code)) for code in _CODE.findall(question))
    return tuple(dict.fromkeys(code for code in found if len(code) > 1))


def holds_run(terms: list[str], run: tuple[str, ...]) -> bool:
    """Whether ``run`` stands in ``terms`` as it is, one term after the other."""
    width = len(run)
    return any(tuple(terms[i : i + width]) == run for i in range(len(terms) - width + 1))


# Units an amount is counted in, as many: a number before one is how many, not which ("an assignment 24
# hours late"; "week 3 day 2" is week 3).
_UNITS = r"(?i:hours|hrs|days|weeks|months|years|minutes|mins|seconds|points|marks|percent|per\s?cent)\b"
# A word of a kind that is numbered, then a number of one to four digits standing alone on its line
# ("week 6", "Lab 11"; not "3.2.0", "6th"), not an amount of a unit after it ("submit an assignment 24
# hours late"); a range ("Weeks 1–7") names no one of them.
_NUMBERED_THING = re.compile(
    r"(?<![\w'’.-])([^\W\d_]{2,})[ \t]+(\d{1,4})(?![\w.:,-]?\d|\w|\s*(?:[–—-]|to)\s*\d|\s*%|\s+" + _UNITS + r")"
)
# The kinds of things documents number: a course's weeks and labs, a manual's chapters and steps, a
# building's rooms, a release's sprints (not a count: "take 3 years", "featured 25 problems"; not a
# date: "October 2005"), as written (``numbered_kind``: "assigned 24" is no assignment's number).
_KIND_WORDS = frozenset(
    """week day lab assignment homework hw quiz exam midterm test lecture lesson class session seminar tutorial
    workshop module unit chapter section part step stage phase level grade term semester quarter page question
    problem exercise task item figure table appendix article clause rule paragraph room floor building block
    gate platform track lane route bus version release sprint milestone episode season round game match volume
    issue ticket case group team zone site plot bed ward station box shelf bay door exit aisle seat row slide
    sheet form tier option plan batch cohort cycle period wave trial arm visit type""".split()
)


def numbered_kind(word: str) -> str | None:
    """The term of a word naming a kind of numbered thing (``_KIND_WORDS``, or its plural: "Quizzes",
    "Appendices", "Buses", "HWs"), the singular's, else None."""
    lower = word.lower()
    for singular in (lower, lower.removesuffix("s"), lower.removesuffix("es"), lower.removesuffix("zes"), lower.removesuffix("ices") + "ix"):
        if singular in _KIND_WORDS:
            terms = tokenize(singular)
            return terms[0] if len(terms) == 1 else None
    return None


# A range of numbered things ("Weeks 6–7", "weeks 10 to 14"): each of them is named.
_NUMBERED_RANGE = re.compile(r"(?<![\w'’.-])([^\W\d_]{2,})[ \t]+(\d{1,4})\s*(?:[–—-]|to)\s*(\d{1,4})(?![\w.]?\d)")
# The most things a range names one by one.
RANGE_MOST = 50


def numbered_matches(text: str) -> list[tuple[str, re.Match[str]]]:
    """Each numbered thing of ``text`` (``_NUMBERED_THING``, of a kind ``numbered_kind`` knows) with its match: the
    word's term, and the match, its word group 1, its number group 2."""
    found = []
    for match in _NUMBERED_THING.finditer(text):
        term = numbered_kind(match.group(1))
        if term is not None:
            found.append((term, match))
    return found


def numbered_things(text: str, ranges: bool = False) -> list[tuple[str, str]]:
    """The numbered things of ``text``: (the word's term, the number); with ``ranges``, each of a
    range's too ("Weeks 1–7" speaks of week 6, at most RANGE_MOST of them)."""
    found = [(term, str(int(match.group(2)))) for term, match in numbered_matches(text)]
    for word, first, last in _NUMBERED_RANGE.findall(text) if ranges else ():
        term = numbered_kind(word)
        if term is not None and 0 <= int(last) - int(first) <= RANGE_MOST:
            found += [(term, str(n)) for n in range(int(first), int(last) + 1)]
    return found
