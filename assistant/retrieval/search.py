"""Rank passages for a question: dense search (FAISS), lexical search (BM25), and their fusion."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from threading import Thread
from typing import Literal

import numpy as np

from ..config import RetrievalSettings
from ..sources.structure import heading_of_section
from ..store.lexical import tokenize
from ..store.loaded import LoadedIndex
from .codes import codes_in, holds_run
from .query import Focus, Query

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60
# When copies crowd the candidates (the same text in several files), the search goes this many times
# deeper, up to CANDIDATES_MAX, until it has as many distinct passages as asked for.
DEEPER = 4
CANDIDATES_MAX = 400
# In a follow-up, a candidate passage gains this much (times how much the question stays, and its
# source's share of the recent answers) for standing in a source the conversation has been answered
# from, and up to this much (times how much the question leans on the previous answer's place) for
# being its passage or a near neighbour (decaying by FOCUS_NEIGHBOURHOOD rows, forward more slowly
# than back: conversations move on through a text).
W_FOCUS_SOURCE = 0.3
W_FOCUS_NEAR = 0.15
FOCUS_NEIGHBOURHOOD = 2
# The passages around the previous answer are candidates even when the question alone finds none of
# them ("And then?"): this many before it and after it.
FOCUS_ROWS_BEFORE = 1
FOCUS_ROWS_AFTER = 2
# A candidate passage gains up to this much for standing in a file the question names (times the share
# of the file's name it holds: ``named_sources``).
W_NAMED = 0.2
# The sources of this many of the best candidates have their sections looked through for a heading that
# holds a code the question names whole (``sections_by_code``); one whose headings hold it more often
# than SECTIONS_BY_CODE_MAX is about that thing throughout, and no section of it is the one asked. Of a
# long source, its first SOURCE_ROWS_MAX passages.
CODE_SOURCES = 5
SECTIONS_BY_CODE_MAX = 2
SOURCE_ROWS_MAX = 2000


@dataclass(frozen=True)
class RankedPassage:
    """A candidate passage: its row in the index, its fused score, and the signals behind it.

    ``dense`` is the question's cosine similarity to the passage, ``lexical`` its BM25 score, and
    ``sentence_similarities`` the question's cosine similarity to each of the passage's sentences.
    """

    row: int
    score: float
    dense: float
    lexical: float
    sentence_similarities: np.ndarray
    # Rows of passages with the same text (copies of a file, a passage quoted whole elsewhere), ranked
    # below this one and folded into it.
    copies: tuple[int, ...] = ()


def in_background(work: Callable[[], None]) -> Future:
    """``work`` started on a thread of its own; the future says when it is done (or holds its error)."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(work())
        except BaseException as exc:  # handed over to whoever waits for it
            future.set_exception(exc)

    Thread(target=run, daemon=True, name="lexical-search").start()
    return future


class Retriever:
    """Ranks an index's passages for a question vector and its lexical terms.

    One retriever serves one question: it keeps the vectors of the rows it has read (a passage's own
    vector and its sentences'), which a search deeper for the same question reads again.
    """

    def __init__(self, index: LoadedIndex, settings: RetrievalSettings) -> None:
        self.index = index
        self.settings = settings
        self._passage_vectors: dict[int, np.ndarray] = {}
        self._sentence_vectors: dict[int, np.ndarray] = {}
        self._lexical_found: dict[tuple, dict[int, float]] = {}
        self._ahead: Future | None = None

    def search_lexical_ahead(self, terms: dict[str, float], mode: Mode) -> None:
        """Start the lexical search ``rank`` will make for these terms, and the reading of its
        candidates' vectors, on another thread: they then run while the question is being encoded
        (the ONNX encoder lets go of the GIL). At a million passages the search and the reads take
        about 4 ms, the encode 5 ms."""
        if mode in ("lexical", "hybrid") and self._ahead is None:
            k = self.settings.candidates

            def search_and_read() -> None:
                found = list(self._lexical_search(terms, k))
                self._read_sentences(found)
                self._read_passage_vectors(found)

            self._ahead = in_background(search_and_read)

    def _settle(self) -> None:
        """Wait for the work started ahead (its error is the caller's); until then nothing else here
        touches what it fills."""
        if self._ahead is not None:
            ahead, self._ahead = self._ahead, None
            ahead.result()

    def abandon(self) -> None:
        """The question will not be ranked (its encode failed): wait for the work started ahead, so
        that nothing reads the index behind the caller's back, and drop its result and its error."""
        if self._ahead is not None:
            ahead, self._ahead = self._ahead, None
            ahead.exception()

    def dense_candidates(self, query_vector: np.ndarray, k: int) -> dict[int, float]:
        """The ``k`` passages nearest the question vector, with their cosine similarity."""
        k = min(k, self.index.vectors.ntotal)
        if k == 0:
            return {}
        scores, rows = self.index.search(query_vector, k)
        return {int(r): float(s) for r, s in zip(rows, scores) if r >= 0}

    def lexical_candidates(self, terms: dict[str, float], k: int) -> dict[int, float]:
        """The ``k`` passages with the best BM25 score for the weighted terms (only those that match at all)."""
        self._settle()
        return self._lexical_search(terms, k)

    def _lexical_search(self, terms: dict[str, float], k: int) -> dict[int, float]:
        key = (tuple(terms.items()), k)
        if key not in self._lexical_found:
            rows, scores = self.index.lexical.search(terms, k)
            self._lexical_found[key] = {int(r): float(s) for r, s in zip(rows, scores)}
        return dict(self._lexical_found[key])  # the caller's to change

    def _read_sentences(self, rows: list[int]) -> None:
        """Read the sentence vectors of each row not read yet."""
        missing = [r for r in rows if r not in self._sentence_vectors]
        if missing:
            ranges = self.index.passages.sentence_ranges(missing)
            for row in missing:
                first, count = ranges[row]
                self._sentence_vectors[row] = self.index.sentence_vectors.read(first, first + count)

    def _read_passage_vectors(self, rows: list[int]) -> None:
        """Read the vector of each passage not read yet (as the index stores it)."""
        for row in rows:
            if row not in self._passage_vectors:
                self._passage_vectors[row] = self.index.vectors.reconstruct(row)

    def sections_by_code(self, query: Query, fused: dict[int, float]) -> dict[int, float]:
        """The passages, in the sources of the CODE_SOURCES best candidates, whose section heading holds a
        code the question names whole, each with its source's best score: "When was version 3.2.0
        released?" never found the changelog's "## 3.2.0 - 2025-04-14" section, whose terms (3, 2, 0,
        and a date) every version's section holds, and whose bullets name no version."""
        codes = codes_in(query.text)
        if not codes or not fused:
            return {}
        best: dict[str, tuple[float, int]] = {}  # a source's best score, and its row
        for row in sorted(fused, key=lambda r: -fused[r]):
            best.setdefault(self.index.passages[row].source, (fused[row], row))
            if len(best) == CODE_SOURCES:
                break
        found: dict[int, float] = {}
        holds: dict[str, bool] = {}  # a section's passages share its heading: each is read once

        def holds_code(heading: str) -> bool:
            if heading not in holds:
                terms = tokenize(heading)
                holds[heading] = any(holds_run(terms, code) for code in codes)
            return holds[heading]

        for score, best_row in best.values():
            first, last = self.index.passages.source_rows(best_row)
            titles = self.index.passages.titles(first, min(last, first + SOURCE_ROWS_MAX))
            rows = [r for r, kind, title in titles if holds_code(heading_of_section(kind, title))]
            if 0 < len(rows) <= SECTIONS_BY_CODE_MAX:
                found.update({r: max(score, fused.get(r, 0.0)) for r in rows})
        return found

    def focus_rows(self, focus: Focus) -> list[int]:
        """The previous answer's passage and its neighbours in the same source."""
        rows = range(max(focus.row - FOCUS_ROWS_BEFORE, 0), min(focus.row + FOCUS_ROWS_AFTER + 1, len(self.index.passages)))
        return [r for r in rows if self.index.passages[r].source == focus.source]

    def focus_bonus(self, rows: list[int], focus: Focus) -> dict[int, float]:
        """What each row gains for standing in, and near, the previous answer's place."""
        bonus = {}
        for row in rows:
            source = self.index.passages[row].source
            gain = focus.stay * W_FOCUS_SOURCE * focus.sources.get(source, 0.0)
            if source == focus.source:
                distance = row - focus.row
                gain += focus.near * W_FOCUS_NEAR * 0.5 ** (abs(distance) / FOCUS_NEIGHBOURHOOD * (1 if distance >= 0 else 2))
            if gain:
                bonus[row] = gain
        return bonus

    def _passage_cosines(self, rows: list[int], query_vector: np.ndarray) -> dict[int, float]:
        if not rows:
            return {}
        self._read_passage_vectors(rows)
        vectors = np.vstack([self._passage_vectors[r] for r in rows])
        return dict(zip(rows, (vectors @ query_vector).tolist()))

    def _sentence_similarities(self, rows: list[int], query_vector: np.ndarray) -> dict[int, np.ndarray]:
        self._read_sentences(rows)
        return {r: self._sentence_vectors[r] @ query_vector for r in rows}

    def rank(self, query: Query, mode: Mode, k: int | None = None) -> list[RankedPassage]:
        """The ``k`` best distinct passages, best first, by the chosen mode (in a follow-up, with its
        focus); passages with the same text as a better one are folded into it as its copies."""
        k = k or self.settings.candidates
        self._settle()
        depth = k
        while True:
            ranked = fold_copies(self._rank(query, mode, depth), self.index.passages)
            deeper = min(depth * DEEPER, CANDIDATES_MAX, len(self.index.passages))
            if len(ranked) >= k or deeper <= depth:
                return ranked[:k]
            depth = deeper

    def _rank(self, query: Query, mode: Mode, k: int) -> list[RankedPassage]:
        query_vector = query.vector
        dense = self.dense_candidates(query_vector, k) if mode in ("dense", "hybrid") else {}
        lexical = self.lexical_candidates(query.terms, k) if mode in ("lexical", "hybrid") else {}
        around = self.focus_rows(query.focus) if query.focus is not None else []
        rows = list(dict.fromkeys([*dense, *lexical, *around]))
        cosines = {**self._passage_cosines([r for r in rows if r not in dense], query_vector), **dense}
        sentences = self._sentence_similarities(rows, query_vector)
        if mode == "dense":
            fused = dense
        elif mode == "lexical":
            fused = lexical
        elif self.settings.fusion == "rrf":
            fused = reciprocal_rank_fusion([dense, lexical])
        else:
            fused = weighted_fusion(cosines, lexical, sentences, self.settings)
        by_code = self.sections_by_code(query, fused)
        if by_code:
            rows += [r for r in by_code if r not in fused]
            cosines.update(self._passage_cosines([r for r in by_code if r not in cosines], query_vector))
            sentences.update(self._sentence_similarities([r for r in by_code if r not in sentences], query_vector))
            fused = {**fused, **by_code}
        if query.focus is not None:
            fused = {**{r: 0.0 for r in around}, **fused}
            for row, bonus in self.focus_bonus(list(fused), query.focus).items():
                fused[row] += bonus
        for row in fused if query.named else ():
            fused[row] += W_NAMED * query.named.get(self.index.passages[row].source, 0.0)
        ranked = [
            RankedPassage(
                row=r,
                score=fused[r],
                dense=cosines[r],
                lexical=lexical.get(r, 0.0),
                sentence_similarities=sentences[r],
            )
            for r in rows
            if r in fused
        ]
        ranked.sort(key=lambda c: (-c.score, c.row))
        return ranked


def folded(text: str) -> str:
    """Text as compared for sameness: case and runs of whitespace do not count."""
    return " ".join(text.split()).casefold()


def fold_copies(ranked: list[RankedPassage], passages) -> list[RankedPassage]:
    """The ranking with every passage whose text is the same as a better-ranked one folded into it."""
    kept: dict[str, int] = {}
    out: list[RankedPassage] = []
    for candidate in ranked:
        key = folded(passages[candidate.row].text)
        if key in kept:
            first = out[kept[key]]
            out[kept[key]] = replace(first, copies=(*first.copies, candidate.row))
            continue
        kept[key] = len(out)
        out.append(candidate)
    return out


def weighted_fusion(
    cosines: dict[int, float],
    lexical: dict[int, float],
    sentences: dict[int, np.ndarray],
    settings: RetrievalSettings,
) -> dict[int, float]:
    """A weighted sum of passage cosine, BM25 scaled by the best candidate's, and best-sentence cosine.

    The sentence term lets a passage that holds one closely matching sentence beat a passage that is
    only loosely about the topic throughout; BM25 is scaled so the weights mean the same for any corpus.
    """
    best_lexical = max(lexical.values(), default=0.0) or 1.0
    return {
        row: settings.dense_weight * cosine
        + settings.lexical_weight * lexical.get(row, 0.0) / best_lexical
        + settings.sentence_weight * (float(sentences[row].max()) if len(sentences[row]) else cosine)
        for row, cosine in cosines.items()
    }


def reciprocal_rank_fusion(rankings: list[dict[int, float]], k: int = RRF_K) -> dict[int, float]:
    """Sum of 1/(k + rank) over the rankings each row appears in (ranks from 1, by descending score)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        ordered = sorted(ranking.items(), key=lambda item: (-item[1], item[0]))
        for rank, (row, _score) in enumerate(ordered, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return fused
