"""Near neighbours from other articles: for each question, the paragraph of another article that shares
the most of its words, weighed by their rarity, and does not hold its answer.

The reader meets these every day: a question about a document the sources lack finds a passage of a
neighbouring document that names the same things (the same protein, the same family, the same war) and
does not say the answer. A paragraph of the question's own article is the near neighbour training
already makes; one of another article is what retrieval puts before the reader when the right document
is missing. Alikeness is the sum over the question's content words found in the paragraph of the
product of the question's IDF weights (unit length) and the paragraph's (not normalised, so that a short
paragraph sharing one common word does not beat a long one sharing the rare ones), computed a block of
questions at a time as one sparse product.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from training.squad import Article, Paragraph, Question
from training.windows import content_words

# Questions whose similarities are computed in one product (a dense block of questions x paragraphs).
BLOCK = 2048
# Of the most alike paragraphs of other articles, how many are looked at for one without the answer.
LOOKED_AT = 8


def other_article_neighbours(
    articles: Sequence[Article], asked: Sequence[tuple[Article, Paragraph, Question]]
) -> list[str | None]:
    """For each (article, paragraph, question) asked, the most alike paragraph of another of `articles`
    that does not hold the question's answer text; None where none of the closest does."""
    paragraphs = [(a, p) for a in articles for p in a.paragraphs]
    owner = np.array([id(a) for a, _ in paragraphs])
    vocabulary: dict[str, int] = {}
    rows = [_ids(content_words(p.context), vocabulary, grow=True) for _, p in paragraphs]
    frequency = np.bincount(np.concatenate([np.array(r, dtype=np.int64) for r in rows if r]), minlength=len(vocabulary))
    idf = np.log((1 + len(paragraphs)) / (1 + frequency)) + 1.0
    matrix = _weighted(rows, idf, len(vocabulary), unit=False).T.tocsr()
    found: list[str | None] = []
    for begin in range(0, len(asked), BLOCK):
        block = asked[begin : begin + BLOCK]
        questions = _weighted([_ids(content_words(q.text), vocabulary) for _, _, q in block], idf, len(vocabulary))
        scores = (questions @ matrix).toarray()
        for row, (article, _, question) in enumerate(block):
            scores[row, owner == id(article)] = -1.0
            found.append(_first_without_answer(paragraphs, most_alike(scores[row], LOOKED_AT), question))
    return found


def most_alike(scores: np.ndarray, count: int) -> np.ndarray:
    """The columns of the `count` highest positive scores (to nine places), highest first, a tie going
    to the earlier column (a paragraph sharing no word is no neighbour).
    Never left to the order numpy's sorts give equal scores, nor to the last bits of a sum: both depend
    on the CPU (with AVX-512, numpy sorts and sums with other kernels), and a training run's windows
    would with them."""
    count = min(count, len(scores))
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    scores = np.round(scores, 9)
    threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
    # Only a column that shares a word: where few do, the rest tie at 0 and would all be sorted.
    candidates = np.flatnonzero((scores >= threshold) & (scores > 0))
    return candidates[np.lexsort((candidates, -scores[candidates]))][:count]


def _first_without_answer(paragraphs, order, question: Question) -> str | None:
    answer = (question.answer_text or "").lower()
    for column in order:
        context = paragraphs[column][1].context
        if not answer or answer not in context.lower():
            return context
    return None


def _ids(words: frozenset[str], vocabulary: dict[str, int], grow: bool = False) -> list[int]:
    if grow:
        return [vocabulary.setdefault(w, len(vocabulary)) for w in sorted(words)]
    return [vocabulary[w] for w in sorted(words) if w in vocabulary]


def _weighted(rows: list[list[int]], idf: np.ndarray, width: int, unit: bool = True) -> sparse.csr_matrix:
    """Rows of IDF weights over word presence, each of unit length if `unit`."""
    indptr = np.cumsum([0, *(len(r) for r in rows)])
    indices = np.array([i for r in rows for i in r], dtype=np.int64)
    data = idf[indices] if len(indices) else np.zeros(0)
    norms = np.array([math.sqrt(float((idf[r] ** 2).sum())) if r and unit else 1.0 for r in rows])
    data = data / np.repeat(norms, np.diff(indptr))
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))
