"""How deep an approximate search looks (the lists it probes, the candidates it re-ranks): the least
that finds RECALL_TARGET of the exact top 10 for question-like queries, made at build time from the
corpus itself.

A question lies farther from the passages than any sentence of theirs does, and its nearest passages
are spread over more lists: a probe count calibrated on the corpus's own sentences reached 0.99 on
them and 0.984 on real questions. So the queries are a few consecutive words (6 to 12, a question's
length) of passages sampled as the build streams by, encoded as questions are. Measured on a
synthetic corpus of 200 000 passages (SQuAD sentences, 512 lists), their recall at each probe count
lies a little under real SQuAD questions' (0.966 against 0.972 at 32 probes, 0.980 against 0.989 at
48), where the sentences' lies far above (0.986 and 0.995): a calibration that errs on the safe side.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from ..models import Passage

# Of the question-like queries' exact top 10. They find a little less than real questions do, so this
# stands for at least as much on questions: at a million passages, 0.981 here was 0.986 for SQuAD's.
RECALL_TARGET = 0.98
CALIBRATION_QUERIES = 256
QUERY_WORDS = (6, 12)
# Vectors read at a time, for the exact scores here and to fill a FAISS index (``dense``): the scores
# of 256 queries against a block take 20 MB (a block of 100 000 took 100 MB, and 700 MB with its
# sort's temporaries), the block itself 30 MB.
BLOCK_ROWS = 20_000

C = TypeVar("C")
# Encodes texts as questions are encoded (the index's ONNX export, or the model): one row a text.
EncodeQuestions = Callable[[Sequence[str]], np.ndarray]


class PassageSample:
    """A uniform sample of the texts of passages streaming by (reservoir sampling), and their count."""

    def __init__(self, size: int = CALIBRATION_QUERIES, seed: int = 0) -> None:
        self.size = size
        self.seen = 0
        self.texts: list[str] = []
        self._rng = random.Random(seed)

    def see(self, passage: Passage) -> None:
        """Count the passage, and keep its text in the sample or not."""
        if len(self.texts) < self.size:
            self.texts.append(passage.text)
        else:
            slot = self._rng.randrange(self.seen + 1)
            if slot < self.size:
                self.texts[slot] = passage.text
        self.seen += 1

    def question_like(self) -> list[str]:
        """From each sampled passage, 6 to 12 consecutive words (all of a shorter one): a question's length."""
        rng = random.Random(len(self.texts))
        out = []
        for text in self.texts:
            words = text.split()
            length = min(len(words), rng.randint(*QUERY_WORDS))
            start = rng.randint(0, len(words) - length)
            out.append(" ".join(words[start : start + length]))
        return [text for text in out if text]


def exact_top10(matrix, queries: np.ndarray) -> np.ndarray:
    """The rows of the 10 vectors nearest each query by inner product, exactly; ``matrix`` is anything
    that slices into float rows (an array, an ``ArrayFile``), read a block at a time. Each block's own
    top 10 is taken first and only those are merged: the block's scores are the one large temporary."""
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 10), dtype=np.int64)
    for start in range(0, len(matrix), BLOCK_ROWS):
        scores = queries @ np.asarray(matrix[start : start + BLOCK_ROWS], dtype=np.float32).T
        keep = min(10, scores.shape[1])
        top = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
        merged_scores = np.concatenate([best_scores, np.take_along_axis(scores, top, axis=1)], axis=1)
        merged_rows = np.concatenate([best_rows, top + start], axis=1)
        best = np.argpartition(-merged_scores, 9, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged_scores, best, axis=1)
        best_rows = np.take_along_axis(merged_rows, best, axis=1)
    return best_rows


def recall_at_10(found: np.ndarray, exact: np.ndarray) -> float:
    """The share of the exact top 10 that a search found, over all queries."""
    return sum(len(set(f) & set(e)) for f, e in zip(found.tolist(), exact.tolist())) / exact.size


def calibrated_choice(index, matrix, queries: np.ndarray, choices: Sequence[C], apply: Callable[[object, C], None]) -> tuple[C, float]:
    """The first of ``choices`` (cheapest first) that, once ``apply``-ed to ``index``, reaches
    RECALL_TARGET against exact search over ``matrix`` (or the last one), and the recall it reaches."""
    exact = exact_top10(matrix, queries)
    chosen, recall = choices[-1], 0.0
    for chosen in choices:
        apply(index, chosen)
        _, found = index.search(queries, 10)
        recall = recall_at_10(found, exact)
        if recall >= RECALL_TARGET:
            break
    return chosen, recall
