"""Which numbered thing a question asks about, and whether a sentence speaks of another: "When is
assignment 2 due?" is not answered by "Assignment 1 is due Friday 14 February", nor "What do we cover in
week 6?" by the schedule's row for week 11. A number after a word names one of a kind ("week 6", "lab 11",
"room 204", "chapter 4"); a sentence naming the same kind with another number, and not the one asked,
speaks of another. A table's row names it in the cell under the column the word names (the schedule's
"| 6 | 2025-02-18 | ... |" under "week · date · ..."), so a question about week 16 of a schedule that
ends at week 15 finds no row that speaks of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..models import Passage
from ..retrieval.codes import numbered_things
from ..sources.structure import column_cells
from ..store.lexical import tokenize
from .answer_kind import asks_yes_or_no

# A question asking of the thing before or after the one it numbers.
_BESIDE = re.compile(r"\b(?:after|before|since|until|till|between|next|previous|following|preceding|prior)\b", re.I)


@dataclass(frozen=True)
class Numbered:
    """The numbered things a question names: each as its word's term and its number."""

    things: tuple[tuple[str, str], ...] = ()
    # The ids of the few candidate passages naming one of them (``specific``), if so.
    holders: frozenset[str] = frozenset()

    @classmethod
    def of(cls, question: str) -> "Numbered":
        """The things ``question`` numbers; none where it asks yes or no, or of the one before or after
        ("Is the midterm in week 7?" may be answered "The midterm is in week 8."; "What do I do after
        step 3?" by step 4)."""
        if not asks_of_one(question):
            return cls()
        return cls(tuple(dict.fromkeys(numbered_things(question))))

    def __bool__(self) -> bool:
        return bool(self.things)

    def specific(self, passages: list[Passage], most: int) -> "Numbered":
        """These things, where one to ``most`` of the candidate ``passages`` name one of them (the
        schedule's row for week 6, not the exam pages' "Covers | All weeks ..."), with those passages
        (``holders``); else as they are."""
        holders = frozenset(p.id for p in passages if _held_in(self.things, p)) if self.things else frozenset()
        return replace(self, holders=holders) if 1 <= len(holders) <= most else self

    def elsewhere(self, passage: Passage) -> bool:
        """Whether the question's numbered thing is named by few candidate passages (``specific``) and
        this, which numbers things of its kind (weeks: "Covers | All weeks, with extra weight on weeks
        10–14"), is none of them. One that numbers none may still name it otherwise (a paper's "HAdV-55"
        for "human adenovirus type 55", beside "the type of ventilation")."""
        if not self.holders or passage.id in self.holders:
            return False
        kinds = {word for word, _ in self.things}
        return any(kind in kinds for kind, _ in named_in(passage))

    def of_another(self, passage: Passage, index: int) -> bool:
        """Whether sentence ``index`` of the passage names a thing of a kind the question numbers with
        another number, and not the one asked ("Assignment 1 is due ..." for assignment 2)."""
        if not self.things:
            return False
        said = set(_said(passage, index, ranges=True))
        kinds = {word for word, _ in self.things}
        others = {(word, number) for word, number in said if word in kinds}
        return bool(others) and not others & set(self.things)


def asks_of_one(question: str) -> bool:
    """Whether ``question`` asks of the one thing it names: not yes or no ("Is the midterm in week 7?"),
    nor of the one before, after, since or until it, or between two ("What do I do after step 3?",
    "What has changed since 2.0.0?", "What changed between 3.0.0 and 3.9.0?")."""
    return not asks_yes_or_no(question) and not _BESIDE.search(question)


def named_in(passage: Passage) -> set[tuple[str, str]]:
    """The numbered things the passage's sentences name, a range's each (``_said``)."""
    return {thing for j in range(len(passage.sentences)) for thing in _said(passage, j, ranges=True)}


def _held_in(things: tuple[tuple[str, str], ...], passage: Passage) -> bool:
    """Whether a sentence of the passage names one of ``things``."""
    asked = set(things)
    return any(asked & set(_said(passage, j)) for j in range(len(passage.sentences)))


def _said(passage: Passage, index: int, ranges: bool = False) -> list[tuple[str, str]]:
    """The numbered things sentence ``index`` names: in its words, and, a table's row, each number in a
    cell of its own under a column whose name is one word's ("| 6 | ..." under "week"); with ``ranges``,
    each of a range's too ("Weeks 1–7" speaks of week 6, if not of it alone: it is no other week's, but
    a passage naming week 6 itself is the one asked about)."""
    sentence = passage.sentences[index]
    said = numbered_things(sentence.text, ranges=ranges)
    columns = column_cells(passage.kind, passage.title, sentence.text)
    for name, (start, end) in columns or ():
        cell = sentence.text[start:end]
        terms = tokenize(name)
        if cell.isdigit() and len(terms) == 1:
            said.append((terms[0], str(int(cell))))
    return said
