"""BM25 over passages (bm25s), and the tokenizer that lexical matching uses everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing for from had has have having
    he her here hers him his how i if in into is it its itself me my of on or our ours she so than that
    the their theirs them then there these they this those to too was we were what when where which
    while who whom whose why will with would you your yours s t d ll m o re ve y""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` (stopwords dropped)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and w != "_"]
    return _stemmer().stemWords(words) if words else []


class LexicalIndex:
    """A BM25 index over the passages' texts, row ``i`` being passage ``i``."""

    def __init__(self, bm25, document_count: int) -> None:
        self._bm25 = bm25
        self.document_count = document_count

    @classmethod
    def build(cls, texts: Iterable[str]) -> "LexicalIndex":
        import bm25s

        bm25 = bm25s.BM25()
        # bm25s needs at least one token per corpus to build a vocabulary.
        tokens = [tokenize(t) or [""] for t in texts]
        bm25.index(tokens, show_progress=False)
        return cls(bm25, len(tokens))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, document_count: int) -> "LexicalIndex":
        import bm25s

        bm25 = bm25s.BM25.load(str(folder), show_progress=False, allow_pickle=False, mmap=False)
        loaded_count = int(bm25.scores["num_docs"])
        if loaded_count != document_count:
            raise ValueError(f"lexical index has {loaded_count} rows, expected {document_count}")
        return cls(bm25, document_count)

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each known term (BM25's smoothed form); unknown terms are absent."""
        vocab = self._bm25.vocab_dict
        indptr = self._bm25.scores["indptr"]
        n = max(self.document_count, 1)
        out: dict[str, float] = {}
        for term in terms:
            column = vocab.get(term)
            if column is None:
                continue
            df = int(indptr[column + 1] - indptr[column])
            out[term] = float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))
        return out

    def search(self, terms: Sequence[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for the query terms and their BM25 scores (rows with score 0 dropped)."""
        known = [t for t in terms if t in self._bm25.vocab_dict]
        if not known or self.document_count == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        scores = self._bm25.get_scores(known)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        keep = scores[top] > 0
        return top[keep].astype(np.int64), scores[top][keep].astype(np.float32)
