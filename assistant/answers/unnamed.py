"""What a question names that the sources do not, though they name others of its kind, past the last of
those: "When is lab 11 due?" of a schedule naming labs 1 to 10, "What's the topic for week 16?" of one
ending at week 15, "What changed in version 3.6.2?" of a changelog from 2.9.3 to 3.4.0. However alike a
passage about lab 10 or version 3.4.0 is, it says nothing of lab 11 or 3.6.2: the question is one the
sources do not answer (new users were answered with the schedule's week 11 row for "when is lab 11 due"
and with another version's date for "When was billing-api 4.0.0 released?").

A thing is named where a candidate passage names it (its heading too), where one of the first
HOLDERS_READ passages of the index holding both its kind's word and its number names it
(``LexicalIndex.rows_with_all``: a schedule's "Lab 11" the question's candidates missed), or where the
candidates, or the files of theirs that name others of its kind (SOURCE_PASSAGES_MOST passages around
the candidate), number it alone, as a list's item or a heading ("6. Reassemble the fan.", "## 12
Memoization"). The others are what those files and the candidates name: at least FAMILY_MOST of them, the asked one past the last
(a number between two named ones, or below the first, may be written in a way this does not read; two
named, "steps 2 and 3" in prose over a list of eight, say little of how the sources number them). Not
for a question asking yes or no, or of the thing before, after or since (``Numbered.of``: "What has
changed since 2.0.0?").

A year the sources never mention at all is never mentioned: "What device did Alan Turning invent in
1974?" over articles that never write 1974. Only a year the question asks about (``codes.asked_years``:
in, for, during or of it, not one after since or than, nor an amount, "for 1500 units", nor the asker's
own, "I started in 2019"). Of the SQuAD sample's questions, 8 ask of a year its articles never mention,
all of them ones they do not answer (7 were answered before); no answerable question of the three
samples does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..models import Passage
from ..retrieval.codes import asked_years, numbered_matches, numbered_things, versions_in
from ..sources.structure import TITLE_PARTS
from ..store.lexical import tokenize
from ..store.loaded import LoadedIndex
from .numbered import Numbered, asks_of_one, named_in

# How many others of its kind must be named for a thing never named past them to be none of theirs.
FAMILY_MOST = 3
# How many of the candidates' files naming the kind are read, and how much of each.
FAMILY_SOURCES = 2
SOURCE_PASSAGES_MOST = 150
# How many passages holding a thing's word and its number are read for it (``LexicalIndex.rows_with``).
HOLDERS_READ = 30
# A number standing alone as a list's item or a heading's ("6. Reassemble ...", "4 Discussion").
_NUMBER_ALONE = re.compile(r"(?m)^[ \t]*#*[ \t]*(\d{1,4})(?:[.)]|[ \t]+[A-Z])")
# The kinds whose numbers a version's first number is ("version 4" of "4.0.0").
_VERSION_KINDS = frozenset(tokenize("version release"))


@dataclass(frozen=True)
class _Thing:
    """One thing a question names: as written ("lab 11"), its key (a number, or a version's numbers),
    what a passage names of its kind, and the terms a passage naming it holds."""

    written: str
    key: int | tuple[int, ...]
    named: Callable[[Passage], set]
    terms: tuple[str, ...] = ()


def unnamed_things(questions: Iterable[str], index: LoadedIndex, rows: list[int]) -> tuple[str, ...]:
    """What the first of ``questions`` to name a numbered thing, a version or a year names (as it writes
    them: "lab 11", "3.6.2", "2023") that the sources never mention: ``unnamed_in_family`` over the
    candidate passages at ``rows``, and the years the index never mentions (``unknown_years``). (A
    follow-up naming none, "what's the reading?", asks of what the question it goes on asking named.)"""
    for question in questions:
        things, years = _things_asked(question), asked_years(question)
        if things or years:
            candidates = index.passages.many(rows)
            return (*unnamed_in_family(things, index, rows, candidates), *unknown_years(years, index, candidates))
    return ()


def unknown_years(years: list[str], index: LoadedIndex, candidates: list[Passage]) -> list[str]:
    """The ``years`` a question asks about (``codes.asked_years``) that no word of the index is, nor of a
    file's name, nor any candidate passage holds ("FY2024")."""
    if not years:
        return []
    known, names = index.lexical.idf(years), index.source_names().every
    written = [re.compile(rf"(?<![\d,]){year}(?!\d)|(?<![\d,]){year[0]},{year[1:]}(?![\d,])") for year in years]
    return [
        year for year, pattern in zip(years, written)
        if year not in known and year not in names and not any(pattern.search(f"{p.title}\n{p.text}") for p in candidates)
    ]


def unnamed_in_family(things: list[_Thing], index: LoadedIndex, rows: list[int], candidates: list[Passage]) -> list[str]:
    """The numbered things and versions a question names (``_things_asked``) that the sources never name
    (the module's rules), past the last of at least FAMILY_MOST others of their kind."""
    unnamed = []
    for thing in things:
        named = set().union(*(thing.named(p) for p in candidates))
        if thing.key in named or _held_elsewhere(thing, index):
            continue
        files = _family_files(index, rows, candidates, thing)
        for passage in files:
            named |= thing.named(passage)
        alone = isinstance(thing.key, int) and any(_numbered_alone(p, thing.key) for p in (*candidates, *files))
        if thing.key in named or alone:
            continue
        if len(named) >= FAMILY_MOST and thing.key > max(named):
            unnamed.append(thing.written)
    return unnamed


def _things_asked(question: str) -> list[_Thing]:
    """The numbered things and the versions ``question`` names; none where it asks yes or no, or of the
    thing before, after or since (``Numbered.of``)."""
    if not asks_of_one(question):
        return []
    asked = Numbered.of(question)
    things = []
    for kind, match in numbered_matches(question):
        number = int(match.group(2))
        if (kind, str(number)) in asked.things:
            things.append(_Thing(f"{match.group(1)} {match.group(2)}", number, _numbers_of(kind), (kind, str(number))))
    for version in versions_in(question):
        if ":" not in version:  # a time may fall inside a span the sources name
            things.append(_Thing(version, _parts(version), _versions_named))
    return things


def _numbers_of(kind: str) -> Callable[[Passage], set]:
    """What a passage (its headings too) names of a numbered kind: the numbers (a version's first
    number for "version 4")."""
    def named(passage: Passage) -> set:
        found = {int(n) for k, n in (*named_in(passage), *numbered_things(passage.title, ranges=True)) if k == kind}
        if kind in _VERSION_KINDS:
            found |= {parts[0] for parts in _versions_named(passage)}
        return found
    return named


def _versions_named(passage: Passage) -> set:
    """The versions a passage (its headings too: a changelog's "## 3.2.0 - 2025-04-14") names."""
    return {_parts(v) for v in versions_in(f"{passage.title}\n{passage.text}") if ":" not in v}


def _parts(version: str) -> tuple[int, ...]:
    """A version as its numbers, without the zeros that end it ("3.6.0" is "3.6")."""
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _held_elsewhere(thing: _Thing, index: LoadedIndex) -> bool:
    """Whether a passage of the index holding the thing's word and its number names it (read for the
    first HOLDERS_READ such passages)."""
    if not thing.terms:
        return False
    holding = index.lexical.rows_with_all(thing.terms, HOLDERS_READ)
    return any(thing.key in thing.named(p) for p in index.passages.many(holding))


def _numbered_alone(passage: Passage, number: int) -> bool:
    """Whether the passage numbers ``number`` alone, as a list's item or a heading ("6. Reassemble the
    fan.", "## 4 Discussion")."""
    headings = passage.title.split(TITLE_PARTS)
    return any(int(n) == number for text in (passage.text, *headings) for n in _NUMBER_ALONE.findall(text))


def _family_files(index: LoadedIndex, rows: list[int], candidates: list[Passage], thing: _Thing) -> list[Passage]:
    """The passages of the first FAMILY_SOURCES files of the candidates that name one of the thing's
    kind: SOURCE_PASSAGES_MOST of each, around the candidate that names one."""
    files: dict[str, range] = {}
    for row, passage in zip(rows, candidates):
        if passage.source in files or not thing.named(passage):
            continue
        first, last = index.passages.source_rows(row)
        start = max(first, min(row - SOURCE_PASSAGES_MOST // 2, last - SOURCE_PASSAGES_MOST + 1))
        files[passage.source] = range(start, min(last, start + SOURCE_PASSAGES_MOST - 1) + 1)
        if len(files) == FAMILY_SOURCES:
            break
    return index.passages.many(r for span in files.values() for r in span)
