"""A question as retrieval and answering read it: its vector, its weighted terms, and its focus.

Asked alone, a question is its own vector and its own terms, each of weight 1. In a conversation it
may also carry terms from the turns before it (with less weight), a vector leaning toward the last
turn's, and a focus: where the previous answer stood, which nearby passages and sentences are
favoured by (see ``conversation``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Focus:
    """Where the conversation stands: the previous answer's passage row, source and quoted span, and
    the sources the recent answers came from (each with its share, 0..1, summing to 1).

    ``near`` (0..1) is how much the question leans on the previous answer's very place (a question
    that cannot be read alone: "and then?"); ``stay`` (0..1) how much it stays with the sources the
    conversation has been answered from (no sign of a switch to another subject), as the search
    weighs it; ``words_held`` (0..1) how much its source holds the question's own words, as the
    confidence model weighs it (there a common word missing counts too).
    """

    source: str
    row: int
    start: int
    end: int
    near: float
    stay: float
    sources: dict[str, float] = field(default_factory=dict)
    # The question asks for something beyond the previous answer ("what else?", "and then?").
    beyond: bool = False
    # Where the question asks the same of another thing ("and in the US?", ``conversation.contrast``),
    # that thing's terms ("us"), else None: the previous answer said it of the thing replaced, unless it
    # is a table's row, which holds every column, or a sentence naming the thing.
    another: frozenset[str] | None = None
    # The confidence model's ``stay`` feature: the share of the question's words found there, or, if
    # more, how much the question leans on the turns before it (it needs no words of its own there).
    words_held: float = 1.0
    # How sure the reader was that the answer it stands on says what was asked (0 with the reader off):
    # a follow-up about a story the sources lack stands on a sibling story's answer, most often a
    # doubtful one.
    footing: float = 0.0
    # The reader's say over every kept turn before, the newest counting most (abstentions too; 0 with
    # the reader off): one answer may be doubtful by chance, a conversation whose answers were doubted
    # turn after turn is most often about something the sources lack.
    said_before: float = 0.0


@dataclass(frozen=True)
class Query:
    """What is searched for: ``vector`` (unit length), ``terms`` (stemmed, each with its weight:
    the question's own 1, carried ones less), ``focus`` in a follow-up, and the words shown to the
    user as what was carried over."""

    text: str
    vector: np.ndarray
    terms: dict[str, float]
    focus: Focus | None = None
    carried_words: tuple[str, ...] = ()
    own_terms: tuple[str, ...] = ()
    # How much the question needs the turns before it to be understood (0: stands alone).
    incomplete: float = 0.0
    # The question's own vector, before any leaning on the conversation (None: ``vector`` is it).
    own_vector: np.ndarray | None = None
    # A carried term's stem -> the word as the user first wrote it.
    term_words: dict[str, str] = field(default_factory=dict)
    # In a follow-up that leans on the turns before it (``LEANS_ON_QUESTION``): the last question of the
    # conversation that could be read on its own, which it goes on asking (empty otherwise).
    whole_question: str = ""
    # An elliptical follow-up that names one thing in place of what the question before named ("and in
    # the US?"): ``whole_question`` with the new name in place of the old (``conversation.contrast``),
    # a question of its own that the reader reads as asked.
    restated: bool = False
    # The files the question names, each with the share of its name's words it holds
    # (``named_sources``): their passages are favoured.
    named: dict[str, float] = field(default_factory=dict)

    @classmethod
    def alone(cls, text: str, vector: np.ndarray, terms: list[str]) -> "Query":
        """A question read on its own."""
        return cls(text=text, vector=vector, terms=lone_terms(terms), own_terms=tuple(terms))

    @property
    def as_asked(self) -> str:
        """The question as asked, or as restated ("When did Ingrid Solberg join?" for "When did she
        join?"); not the question a follow-up is read with in brackets, which asks another thing."""
        return self.whole_question if self.restated else self.text


def lone_terms(terms: list[str]) -> dict[str, float]:
    """The weighted terms of a question read on its own: each of its own once, at full weight (what
    ``Query.alone`` searches by, and so what a search started before the encode must use)."""
    return dict.fromkeys(terms, 1.0)
