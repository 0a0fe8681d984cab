"""A question to its ranked passages, the whole of this stage in one call: its terms and its vector,
read in the context of its conversation when it has one, searched (dense and lexical) and fused."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..config import RetrievalSettings
from ..models import Conversation
from ..store.lexical import terms_as_known
from .conversation import read_in_context
from .named_sources import with_named_sources
from .query import Query, lone_terms
from .search import Mode, RankedPassage, Retriever

if TYPE_CHECKING:
    from ..store.loaded import LoadedIndex
    from ..store.question_encoder import QuestionEncoder
    from ..vectors.embedding import Embedder


@dataclass(frozen=True)
class Ranking:
    """A question's passages, best first, the ``Query`` they were ranked for, and how long encoding the
    question (with reading it in context) and the search took, in ms."""

    query: Query
    ranked: list[RankedPassage]
    embed_ms: float
    search_ms: float


def rank_question(
    index: LoadedIndex,
    encoder: QuestionEncoder | Embedder,
    settings: RetrievalSettings,
    question: str,
    mode: Mode,
    conversation: Conversation | None = None,
) -> Ranking:
    """The passages of ``index`` that best answer ``question``, ranked; in a ``conversation``, the
    question is read in the context of the turns before it."""
    retriever = Retriever(index, settings)
    t0 = time.perf_counter()
    terms = terms_as_known(question, index.lexical.idf)
    alone = conversation is None or not conversation.turns
    if alone:  # a follow-up's terms are known only once it is read in context
        retriever.search_lexical_ahead(lone_terms(terms), mode)
    try:
        vector = encoder.encode_query(question)
    except BaseException:
        retriever.abandon()
        raise
    query = Query.alone(question, vector, terms)
    if not alone:
        query = read_in_context(query, conversation, index)
        if query.restated and query.focus is not None and query.focus.another:
            # One naming another thing in place of the one before ("what about 2025?" after "What was the
            # insurance budget in 2024?") is searched as the question restated: its own words hold only
            # the new thing. (A pronoun's restatement keeps its vector: CoQA's follow-ups lost 3 of 430.)
            query = replace(query, vector=encoder.encode_query(query.whole_question))
    query = with_named_sources(query, index)
    t1 = time.perf_counter()
    ranked = retriever.rank(query, mode)
    t2 = time.perf_counter()
    return Ranking(query=query, ranked=ranked, embed_ms=(t1 - t0) * 1000, search_ms=(t2 - t1) * 1000)
