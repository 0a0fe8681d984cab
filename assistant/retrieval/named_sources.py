"""The files a question names: "What does MPL 2.0 say about patents?" over a folder holding
``MPL-2.0.txt`` asks about that file, and its passages are favoured over another licence's that
resembles the question more (a new user's MPL question was answered from GPL-3's text at 0.998, the
same 30-day rule in other words). Which files' names hold the question's names is
``store.source_names``'s."""

from __future__ import annotations

from dataclasses import replace

from ..store.lexical import joined_parts, tokenize
from ..store.loaded import LoadedIndex
from .codes import asked_years
from .conversation import is_identifier, name_runs
from .query import Query


def named_sources(index: LoadedIndex, *questions: str) -> dict[str, float]:
    """Each file of the index the questions name (a follow-up and the question it goes on asking, each
    read on its own: the second's opening word is no name), with the share of its name's words they
    hold (0..1). A file whose name holds a year a question asks about is named by every word of that
    question ("What was the insurance budget in 2024?" of ``budget_2024.csv`` and ``budget_2025.csv`` was
    answered from the minutes' "the 2024 year ended with a small surplus", then from the 2025 budget's
    row); another year's file is not."""
    names = index.source_names()
    named = names.named(set().union(*(question_name_terms(q) for q in questions if q)))
    for question in questions:
        asked = set(tokenize(question or ""))
        for year in asked_years(question or ""):
            of_year = names.named_holding(year, asked)
            named.update({s: max(share, named.get(s, 0.0)) for s, share in of_year.items() if share > 0})
    return named


def file_naming_terms(index: LoadedIndex, question: str) -> dict[str, frozenset[str]]:
    """The words of the question's names that name files (distinctive words of their names: "Warsaw" of
    ``kowalczyk_2021_warsaw_survival.pdf``), each with the files it names. A whole word of three letters
    or more only: a piece of one ("C" of "C-C", "cell" of "T-cell", "base" of "case-based") names no file
    (COVID-QA lost three first snippets to such pieces)."""
    holding = index.source_names().holding
    words = [tokenize(word) for run in name_runs(question) for word in run.split()]
    return {terms[0]: frozenset(holding[terms[0]]) for terms in words if len(terms) == 1 and len(terms[0]) >= 3 and terms[0] in holding}


def question_name_terms(question: str) -> set[str]:
    """The terms of the names a question asks about: capitalised runs and identifiers with the versions
    after them ("MPL 2.0": mpl, 2, 0), and a name joined to its number taken apart too ("GPLv3")."""
    terms = set()
    for run in name_runs(question) + name_runs(question, is_identifier):
        for word in run.split():
            terms.update(tokenize(word))
            terms.update(joined_parts(word))
    return terms


def with_named_sources(query: Query, index: LoadedIndex) -> Query:
    """The query with the files it names (``Query.named``; the question it goes on asking counts, "and
    under MPL 2.0?"), and, where it names a file the conversation does not stand in ("and under MPL
    2.0?" after a GPL-3 answer), its focus on that place weighing as much less as the file is named."""
    named = named_sources(index, query.text, query.whole_question)
    if not named:
        return query
    focus = query.focus
    if focus is not None and focus.source not in named:
        held = 1.0 - max(named.values())
        focus = replace(focus, near=focus.near * held, stay=focus.stay * held)
    return replace(query, named=named, focus=focus)
