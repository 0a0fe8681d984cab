"""What a question names that the sources do not, though they name others of its kind, past either end of
those: "When is lab 11 due?" of a schedule naming labs 1 to 10, "What's the topic for week 16?" of one
ending at week 15, "What changed in version 3.6.2?" of a changelog from 2.9.3 to 3.5.0. However alike a
passage about lab 10 or version 3.5.0 is, it says nothing of lab 11 or 3.6.2: the question is one the
sources do not answer (new users were answered with the schedule's week 11 row for "when is lab 11 due"
and with another version's date for "When was billing-api 4.0.0 released?").

The family is what the candidate passages name and, whole, the files of theirs that name one of the
kind (FAMILY_SOURCES of them, their first SOURCE_PASSAGES_MOST passages): a changelog's other versions
lie in passages the question does not find. Only past the ends: a number between two named ones (step 3
where the text names steps 1 and 5 in prose and its list numbers the rest "3.") may be written in a way
this does not read. And only where at least FAMILY_MOST others of the kind are named: one other
("Assignment 1") says little of how the sources number them ("A2").

A year the sources never mention at all is never mentioned: "What was the snow removal budget in 2023?"
of a co-op's 2024 and 2025 budgets (it quoted the 2025 contract's amount). Of the SQuAD sample's
questions naming a year, the 9 whose year its articles never mention are all ones they do not answer
("What device did Alan Turning invent in 1974?"); no answerable question of the three samples names one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..models import Passage
from ..retrieval.codes import numbered_matches, numbered_things, versions_in, years_in
from ..store.loaded import LoadedIndex
from ..store.passage_table import PassageTable
from .numbered import Numbered, named_in

# How many others of its kind must be named for a thing never named to be past their end.
FAMILY_MOST = 2
# How many of the candidates' files naming the kind are read whole, and how much of each.
FAMILY_SOURCES = 3
SOURCE_PASSAGES_MOST = 400


@dataclass(frozen=True)
class _Asked:
    """One thing a question names: as written ("lab 11"), its key, and what a passage names of its kind."""

    written: str
    key: object
    named: Callable[[Passage], set]


def unnamed_things(questions: Iterable[str], index: LoadedIndex, rows: list[int]) -> tuple[str, ...]:
    """What the first of ``questions`` to name a numbered thing, a version or a year names (as it writes
    them: "lab 11", "3.6.2", "2023") that the sources never mention: ``unnamed_in_family`` over the
    candidate passages at ``rows``, and the years the index never mentions (``unknown_years``). (A
    follow-up naming none, "what's the reading?", asks of what the question it goes on asking named.)"""
    question = next((q for q in questions if _things_asked(q) or years_in(q)), None)
    if question is None:
        return ()
    candidates = index.passages.many(rows)
    return (*unnamed_in_family(question, index.passages, rows, candidates), *unknown_years(question, index, candidates))


def unknown_years(question: str, index: LoadedIndex, candidates: list[Passage]) -> list[str]:
    """The years ``question`` names that no word of the index is, nor of a file's name, nor any
    candidate passage holds ("FY2024")."""
    years = list(dict.fromkeys(years_in(question)))
    known = index.lexical.idf(years) if years else {}
    names = index.source_names().every if years else set()
    return [
        year for year in years
        if year not in known and year not in names and not any(year in p.text or year in p.title for p in candidates)
    ]


def unnamed_in_family(question: str, passages: PassageTable, rows: list[int], candidates: list[Passage]) -> list[str]:
    """The numbered things and versions ``question`` names that the candidate passages (``rows``,
    ``candidates``) and their files of the kind never name, where these name at least FAMILY_MOST others
    of the kind and the one asked lies past all of them."""
    asked = _things_asked(question)
    if not asked:
        return []
    unnamed = []
    for thing in asked:
        named = set().union(*(thing.named(p) for p in candidates))
        if thing.key in named:
            continue
        for source_rows in _family_files(passages, rows, candidates, thing):
            named |= set().union(*(thing.named(p) for p in passages.many(source_rows)))
        if thing.key not in named and len(named) >= FAMILY_MOST and (thing.key > max(named) or thing.key < min(named)):
            unnamed.append(thing.written)
    return unnamed


def _things_asked(question: str) -> list[_Asked]:
    """The numbered things (not for a yes/no question, nor one asking of the thing before or after:
    ``Numbered.of``) and the versions ``question`` names."""
    things = []
    asked = set(Numbered.of(question).things)
    for kind, match in numbered_matches(question):
        if (kind, str(int(match.group(2)))) in asked:
            things.append(_Asked(f"{match.group(1)} {match.group(2)}", int(match.group(2)), _numbers_of(kind)))
    for version in versions_in(question):
        if ":" not in version:  # a time may fall inside a span the sources name
            things.append(_Asked(version, _parts(version), _versions_named))
    return things


def _numbers_of(kind: str) -> Callable[[Passage], set]:
    """What a passage (its headings too) names of a numbered kind: the numbers."""
    return lambda passage: {
        int(number) for k, number in (*named_in(passage), *numbered_things(passage.title, ranges=True)) if k == kind
    }


def _versions_named(passage: Passage) -> set:
    """The versions a passage (its headings too: a changelog's "## 3.2.0 - 2025-04-14") names."""
    return {_parts(v) for v in versions_in(f"{passage.title}\n{passage.text}") if ":" not in v}


def _parts(version: str) -> tuple[int, ...]:
    """A version as its numbers, without the zeros that end it ("3.6.0" is "3.6")."""
    parts = [int(p) for p in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _family_files(passages: PassageTable, rows: list[int], candidates: list[Passage], thing: _Asked) -> list[range]:
    """The rows of the first FAMILY_SOURCES files of the candidates that name one of the thing's kind."""
    files: dict[str, range] = {}
    for row, passage in zip(rows, candidates):
        if passage.source in files or not thing.named(passage):
            continue
        first, last = passages.source_rows(row)
        files[passage.source] = range(first, min(last, first + SOURCE_PASSAGES_MOST - 1) + 1)
        if len(files) == FAMILY_SOURCES:
            break
    return list(files.values())
