"""BM25 over passages (bm25s), and the tokenizer that lexical matching uses everywhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from .array_file import ArrayFile
from .errors import IndexCorruptError

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
    """A BM25 index over the passages' texts, row ``i`` being passage ``i``.

    Built and saved by bm25s; read back as its plain files (a CSC matrix of precomputed BM25 term
    scores in .npy, the vocabulary in JSON), a term's postings at a time, so answering a question needs
    neither bm25s's import (a second of a one-shot ``ask``) nor the whole matrix in memory.
    """

    # bm25s methods whose score of a document is the sum of its terms' precomputed scores only.
    SUMMED_METHODS = ("lucene", "robertson", "atire")

    def __init__(self, vocab: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, document_count: int, bm25=None) -> None:
        self.vocab = vocab
        self._data, self._indices, self._indptr = data, indices, indptr
        self.document_count = document_count
        self._bm25 = bm25

    @classmethod
    def _of(cls, bm25, document_count: int) -> "LexicalIndex":
        scores = bm25.scores
        return cls(bm25.vocab_dict, scores["data"], scores["indices"], scores["indptr"], document_count, bm25)

    @classmethod
    def build(cls, texts: Iterable[str]) -> "LexicalIndex":
        import bm25s

        bm25 = bm25s.BM25()
        # Token ids, not token lists: each id is the vocabulary's own int object, so a million passages'
        # tokens cost a pointer each instead of a string each. A passage without a content word gets
        # the empty token (bm25s needs one per document).
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(word, len(vocab)) for word in (tokenize(t) or [""])] for t in texts]
        bm25.index((ids, vocab), show_progress=False)
        return cls._of(bm25, len(ids))

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, document_count: int) -> "LexicalIndex":
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in cls.SUMMED_METHODS:
            import bm25s

            bm25 = bm25s.BM25.load(str(folder), show_progress=False, allow_pickle=False, mmap=True)
            lexical = cls._of(bm25, int(bm25.scores["num_docs"]))
        else:
            vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
            if not isinstance(vocab, dict):
                raise ValueError("lexical vocabulary is not a JSON object")
            # The postings are read a term at a time (ArrayFile): a question reads only its terms' lists.
            data, indices = (ArrayFile(folder / f"{name}.csc.index.npy") for name in ("data", "indices"))
            indptr = np.load(folder / "indptr.csc.index.npy", allow_pickle=False)
            # bm25s gives the empty token (which no query holds) a vocabulary id but no column.
            if len(indptr) not in (len(vocab), len(vocab) + 1) or len(data) != len(indices) or (len(indptr) and int(indptr[-1]) != len(data)):
                raise ValueError("lexical index arrays disagree")
            lexical = cls(vocab, data, indices, indptr, int(params["num_docs"]))
        if lexical.document_count != document_count:
            raise ValueError(f"lexical index has {lexical.document_count} rows, expected {document_count}")
        return lexical

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each known term (BM25's smoothed form); unknown terms are absent."""
        indptr = self._indptr
        n = max(self.document_count, 1)
        out: dict[str, float] = {}
        for term in terms:
            column = self.vocab.get(term)
            if column is None or column + 1 >= len(indptr):
                continue
            df = int(indptr[column + 1] - indptr[column])
            out[term] = float(np.log(1.0 + (n - df + 0.5) / (df + 0.5)))
        return out

    def occurs_within(self, terms: Iterable[str], first: int, last: int) -> set[str]:
        """Which of ``terms`` occur in at least one of the rows ``first`` to ``last``."""
        found = set()
        columns = len(self._indptr) - 1
        for term in terms:
            column = self.vocab.get(term, columns)
            if column >= columns:
                continue
            start, end = int(self._indptr[column]), int(self._indptr[column + 1])
            rows = np.asarray(self._indices[start:end])
            if np.any((rows >= first) & (rows <= last)):
                found.add(term)
        return found

    def search(self, terms: Sequence[str] | Mapping[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for the query terms and their BM25 scores (rows with score 0 dropped).

        ``terms`` may map each term to a weight (a term carried over from an earlier question counts
        less than the question's own): a document's score is then the weighted sum of its terms' scores.
        """
        weights = terms if isinstance(terms, Mapping) else dict.fromkeys(terms, 1.0)
        columns = len(self._indptr) - 1
        ids = [(self.vocab[t], np.float32(w)) for t, w in weights.items() if w > 0 and self.vocab.get(t, columns) < columns]
        if not ids or self.document_count == 0 or k < 1:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self._bm25 is not None and self._bm25.nonoccurrence_array is not None:  # variants that score absent terms
            scores = self._bm25.get_scores([t for t in weights if t in self.vocab])
            return _best(scores, np.flatnonzero(scores > 0), k)
        # The sum bm25s computes (np.add.at per term, in float32, term by term): within one term's
        # postings each document appears once, so a fancy-index add is the same arithmetic.
        data, indices, indptr = self._data, self._indices, self._indptr
        scores = np.zeros(self.document_count, dtype=np.float32)
        rarest = None
        for term, weight in ids:
            start, end = int(indptr[term]), int(indptr[term + 1])
            rows = indices[start:end]
            if len(rows) and (int(rows.max()) >= self.document_count or int(rows.min()) < 0):
                raise IndexCorruptError("the BM25 index refers to passages it does not have; run `assistant index --rebuild`")
            scores[rows] += data[start:end] if weight == 1 else weight * data[start:end]
            if rarest is None or len(rows) < len(rarest):
                rarest = rows
        # The k-th best score among the rarest term's documents (final scores all) cannot beat the
        # k-th best overall: only documents scoring at least that can be in the top k. Finding them
        # is one comparison over the scores, against a partition of all of them (0.9 ms against 4.7
        # at a million passages).
        floor = np.float32(np.finfo(np.float32).tiny)
        if rarest is not None and len(rarest) >= k:
            at_rarest = scores[rarest]
            floor = max(floor, at_rarest[np.argpartition(at_rarest, len(at_rarest) - k)[len(at_rarest) - k]])
        return _best(scores, np.flatnonzero(scores >= floor), k)


def _best(scores: np.ndarray, candidates: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` best of the candidate rows by score, ties to the lower row."""
    values = scores[candidates]
    if len(candidates) > k:
        kth = values[np.argpartition(values, len(values) - k)[len(values) - k]]
        keep = values >= kth  # every row tied with the k-th stays, for the tie-break below
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))[:k]
    return candidates[order].astype(np.int64), values[order].astype(np.float32)
