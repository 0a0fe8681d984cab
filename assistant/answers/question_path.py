"""The whole question path in one call: a question to its ranked passages (``retrieval.ranking``), and
those to an ``Answer``: their sentences scored, the best picked where their files still say them, each
with its calibrated confidence; with what the answer was drawn from, for evaluation."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import RetrievalSettings
from ..models import Answer, Conversation, Passage, Timings
from ..retrieval.conversation import remember
from ..retrieval.ranking import rank_question
from ..store.lexical import spelled_as_known
from .answering import compose_answer, pick_snippets, score_sentences, without_restatements
from .confidence import shipped_model, snippet_confidences
from .corrections import with_corrections_first
from .latest import with_latest_first
from .heading_quote import with_section_headings
from .introduced import with_introduced_code
from .procedure import with_whole_procedures
from .quote_check import QuoteCheck
from .reading import Read, read_candidates, read_for_marks, rerank

if TYPE_CHECKING:
    from ..retrieval.search import Mode
    from ..store.loaded import LoadedIndex
    from ..store.question_encoder import QuestionEncoder
    from ..vectors.embedding import Embedder
    from .reader import Reader


@dataclass(frozen=True)
class Trace:
    """An answer with what it was drawn from: the ranked passages, the features of each snippet's
    confidence (in the order of ``answer.snippets``), and what the reader read."""

    answer: Answer
    passages: list[Passage]
    features: list[dict[str, float]]
    # What the reader read, and found, where it was on.
    read: Read | None = None
    # The names the question asks about that the sources never mention: it abstains whatever the
    # features say (``confidence.never_mentioned``).
    unmentioned: tuple[str, ...] = ()


def answer_question(
    index: LoadedIndex,
    encoder: QuestionEncoder | Embedder,
    question: str,
    *,
    retrieval: RetrievalSettings,
    mode: Mode,
    count: int,
    bar: float,
    sources_dir: Path,
    conversation: Conversation | None = None,
    reader: Reader | None = None,
) -> Trace:
    """The answer to ``question`` from ``index``: at most ``count`` snippets whose confidence reaches
    ``bar``, each still quoted by its file under ``sources_dir``, or an abstention; with its trace.
    With a ``reader``, the best sentences are read with the question (``reading``): the one that says
    the answer rises, its span is the marked answer, and the reader's say feeds the confidence."""
    asked, question = question, spelled_as_known(question, index.lexical.idf)
    ranking = rank_question(index, encoder, retrieval, question, mode, conversation)
    started = time.perf_counter()
    query, ranked = ranking.query, ranking.ranked
    scored = without_restatements(question, score_sentences(index, ranked, query))
    read, read_ms = None, 0.0
    check = QuoteCheck(sources_dir, index.manifest.sources)
    if reader is not None and scored:
        reading_started = time.perf_counter()
        read = read_candidates(reader, query, scored, check.text_of)
        read_ms = (time.perf_counter() - reading_started) * 1000
        scored = rerank(scored, read)
    picked, changed = pick_snippets(scored, count, still_quoted=check.holds)
    confidences = snippet_confidences(shipped_model(reader=reader is not None), query, ranked, scored, picked, index, read)
    rows = {s.passage.id: s.row for s in scored}
    picked, confidences = with_introduced_code(index, rows, picked, confidences, count, check.holds)
    picked, confidences = with_whole_procedures(question, picked, confidences, bar)
    picked, confidences = with_corrections_first(picked, confidences)
    picked, confidences = with_latest_first(query.as_asked, picked, confidences, bar)
    if reader is not None:
        marks_started = time.perf_counter()
        picked = read_for_marks(reader, query, picked, [c >= bar for c in confidences.probabilities])
        read_ms += (time.perf_counter() - marks_started) * 1000
    timings = Timings(
        embed=ranking.embed_ms, search=ranking.search_ms, answer=(time.perf_counter() - started) * 1000,
        read=read_ms,
    )
    answer = compose_answer(
        question, picked, confidences.probabilities, bar, timings, changed, confidences.unmentioned,
        reader_used=reader is not None,
    )
    # A follow-up restated ("and 3.2.1?" as "When was version 3.2.1 released?") asks what it was read as.
    answer = with_section_headings(query.as_asked, answer, check.text_of)
    answer = answer.model_copy(update={"question": asked, "read_as": question if question != asked else ""})
    reader_say = read.best_probability if read is not None else 0.0
    answer = remember(answer, query, rows, reader_say)
    if reader is not None and query.whole_question:
        answer = answer.model_copy(update={"read_with_question": query.whole_question, "restated": query.restated})
    passages = [index.passages[c.row] for c in ranked]
    return Trace(answer=answer, passages=passages, features=confidences.features, read=read, unmentioned=confidences.unmentioned)
