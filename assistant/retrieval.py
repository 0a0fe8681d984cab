"""Rank passages for a question: dense search (FAISS), lexical search (BM25), and their fusion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .index import LoadedIndex

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60


@dataclass(frozen=True)
class RankedPassage:
    """A candidate passage: its row in the index, fused score, and both raw signals."""

    row: int
    score: float
    dense: float
    lexical: float


class Retriever:
    """Ranks an index's passages for a question vector and its lexical terms."""

    def __init__(self, index: LoadedIndex) -> None:
        self.index = index

    def dense_candidates(self, query_vector: np.ndarray, k: int) -> dict[int, float]:
        k = min(k, self.index.vectors.ntotal)
        if k == 0:
            return {}
        scores, rows = self.index.vectors.search(query_vector.reshape(1, -1).astype(np.float32), k)
        return {int(r): float(s) for r, s in zip(rows[0], scores[0]) if r >= 0}

    def lexical_candidates(self, terms: list[str], k: int) -> dict[int, float]:
        rows, scores = self.index.lexical.search(terms, k)
        return {int(r): float(s) for r, s in zip(rows, scores)}

    def _cosine(self, rows: list[int], query_vector: np.ndarray) -> dict[int, float]:
        if not rows:
            return {}
        vectors = np.vstack([self.index.vectors.reconstruct(int(r)) for r in rows])
        return dict(zip(rows, (vectors @ query_vector).tolist()))

    def rank(self, query_vector: np.ndarray, terms: list[str], mode: Mode, k: int) -> list[RankedPassage]:
        """The ``k`` best passages, best first, by the chosen mode."""
        dense = self.dense_candidates(query_vector, k) if mode in ("dense", "hybrid") else {}
        lexical = self.lexical_candidates(terms, k) if mode in ("lexical", "hybrid") else {}
        rows = list(dict.fromkeys([*dense, *lexical]))
        missing = [r for r in rows if r not in dense]
        dense_all = {**dense, **self._cosine(missing, query_vector)}
        if mode == "dense":
            fused = dict(dense)
        elif mode == "lexical":
            fused = dict(lexical)
        else:
            fused = reciprocal_rank_fusion([dense, lexical])
        ranked = [
            RankedPassage(row=r, score=fused[r], dense=dense_all.get(r, 0.0), lexical=lexical.get(r, 0.0))
            for r in rows
            if r in fused
        ]
        ranked.sort(key=lambda c: (-c.score, c.row))
        return ranked[:k]


def reciprocal_rank_fusion(rankings: list[dict[int, float]], k: int = RRF_K) -> dict[int, float]:
    """Sum of 1/(k + rank) over the rankings each row appears in (ranks from 1, by descending score)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        ordered = sorted(ranking.items(), key=lambda item: (-item[1], item[0]))
        for rank, (row, _score) in enumerate(ordered, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return fused
