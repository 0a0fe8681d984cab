"""The lexical side of the index: BM25 over the passages, built and saved by bm25s, read back here.

bm25s writes plain files: the BM25 score of every (term, passage) pair as a CSC matrix in .npy, the
vocabulary and its parameters in JSON. Answering reads them itself, a term's postings at a time, and
sums them as bm25s does, because bm25s's own memory-mapped load was measured slower and heavier at a
million passages (17.1 ms and 373 MB more resident after 350 questions, against 7.1 ms and 1.2 MB),
and its import alone would add 0.5 s to a one-shot ``assistant ask`` (0.7 s in all).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from ..errors import IndexCorruptError
from .array_file import ArrayFile
from .lexical import mistyped_as, plain_letters, tokenize

# bm25s methods whose score of a document is the sum of its terms' precomputed scores: the ones read here.
SUMMED_METHODS = ("lucene", "robertson", "atire")


def write_lexical_index(folder: Path, texts: Iterable[str]) -> int:
    """Index ``texts`` (row i is passage i) with bm25s and save its files into ``folder``; returns the row count."""
    import bm25s

    bm25 = bm25s.BM25()
    # Token ids, not token lists: each id is the vocabulary's own int object, so a million passages'
    # tokens cost a pointer each instead of a string each. A passage without a content word gets
    # the empty token (bm25s needs one per document).
    vocab: dict[str, int] = {}
    ids = [[vocab.setdefault(word, len(vocab)) for word in (tokenize(t) or [""])] for t in texts]
    bm25.index((ids, vocab), show_progress=False)
    bm25.save(str(folder), show_progress=False)
    return len(ids)


class LexicalIndex:
    """A saved BM25 index read by term, row ``i`` being passage ``i``."""

    def __init__(self, vocab: dict[str, int], data, indices, indptr: np.ndarray, document_count: int) -> None:
        self.vocab = vocab
        self._data, self._indices, self._indptr = data, indices, indptr
        self.document_count = document_count
        self._accented: dict[str, str] | None = None

    @classmethod
    def load(cls, folder: Path, document_count: int) -> "LexicalIndex":
        """Open the files bm25s saved in ``folder``; ``ValueError`` when they disagree with each other or the count."""
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") not in SUMMED_METHODS:
            raise ValueError(f"lexical index of method {params.get('method')!r}, not one of {SUMMED_METHODS}")
        vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        if not isinstance(vocab, dict):
            raise ValueError("lexical vocabulary is not a JSON object")
        # The postings are read a term at a time (ArrayFile): a question reads only its terms' lists.
        data, indices = (ArrayFile(folder / f"{name}.csc.index.npy") for name in ("data", "indices"))
        indptr = np.load(folder / "indptr.csc.index.npy", allow_pickle=False)
        # bm25s gives the empty token (which no query holds) a vocabulary id but no column.
        if len(indptr) not in (len(vocab), len(vocab) + 1) or len(data) != len(indices) or (len(indptr) and int(indptr[-1]) != len(data)):
            raise ValueError("lexical index arrays disagree")
        if int(params["num_docs"]) != document_count:
            raise ValueError(f"lexical index has {params['num_docs']} rows, expected {document_count}")
        return cls(vocab, data, indices, indptr, document_count)

    def _column(self, term: str) -> int | None:
        column = self.vocab.get(term)
        if column is None:
            column = self.vocab.get(self._accented_terms().get(term, ""))
        return column if column is not None and column + 1 < len(self._indptr) else None

    def _accented_terms(self) -> dict[str, str]:
        """An index built before the words lost their accents (``plain_letters``) holds "kjær" and
        "andré" where a question now asks for "kjaer" and "andr" (the stemmer reads "andre" as a plural,
        "andré" not): each such term of its vocabulary by the term it reads as now, its plain letters
        stemmed again. Made at the first word the vocabulary lacks (26 ms at a million terms); an index
        built since has none. Where the old index holds both ("cafe" and "café"), the plain one answers."""
        if self._accented is None:
            self._accented = {}
            for term in self.vocab:
                if not term.isascii() and plain_letters(term) != term:
                    now = tokenize(term)
                    if len(now) == 1 and now[0] != term:
                        self._accented.setdefault(now[0], term)
        return self._accented

    def idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each known term (BM25's smoothed form); unknown terms are absent."""
        out: dict[str, float] = {}
        for term in terms:
            column = self._column(term)
            if column is not None:
                out[term] = self.idf_of_rows(int(self._indptr[column + 1] - self._indptr[column]))
        return out

    def knows_near(self, word: str) -> bool:
        """Whether the vocabulary holds the term of a word a typo away from ``word`` (as asked:
        ``lexical.mistyped_as``): a name asked with a typo ("Primier Leage", "Hatmanis") is no name
        the sources never mention. Looked for only for a word the index lacks, in milliseconds."""
        return any(self._column(term) is not None for term in mistyped_as(word))

    def idf_of_rows(self, rows: int) -> float:
        """The IDF of a term in ``rows`` rows (BM25's smoothed form)."""
        n = max(self.document_count, 1)
        return float(np.log(1.0 + (n - rows + 0.5) / (rows + 0.5)))

    def highest_idf(self) -> float:
        """The IDF a word the index never saw is given: log(1 + rows), a little above that of a word in
        one row (the scale a word's rarity in the index is measured against)."""
        return float(np.log(1.0 + max(self.document_count, 1)))

    def occurs_within(self, terms: Iterable[str], first: int, last: int) -> set[str]:
        """Which of ``terms`` occur in at least one of the rows ``first`` to ``last``."""
        found = set()
        for term in terms:
            rows = self._rows(term)
            if np.any((rows >= first) & (rows <= last)):
                found.add(term)
        return found

    def rows_with(self, term: str, limit: int, first: int = 0, last: int | None = None) -> list[int]:
        """The first ``limit`` rows holding ``term`` from row ``first`` to ``last`` (to the end: None), in
        row order (a term's rows are kept in order; none for a term the index lacks)."""
        rows = self._rows(term)
        inside = (rows >= first) if last is None else (rows >= first) & (rows <= last)
        return [int(row) for row in rows[inside][:limit]]

    def rows_with_all(self, terms: Iterable[str], limit: int) -> list[int]:
        """The first ``limit`` rows holding every one of ``terms``, in row order: the shortest list's rows
        looked up in the others (each in row order), a block at a time until ``limit`` are found."""
        lists = sorted((self._rows(term) for term in terms), key=len)
        if not lists:
            return []
        found: list[int] = []
        shortest, others = lists[0], lists[1:]
        for at in range(0, len(shortest), 4096):
            block = shortest[at : at + 4096]
            held = np.ones(len(block), dtype=bool)
            for rows in others:
                places = np.searchsorted(rows, block)
                held &= (places < len(rows)) & (rows[np.minimum(places, len(rows) - 1)] == block)  # none is shorter
            found += [int(row) for row in block[held]]
            if len(found) >= limit:
                break
        return found[:limit]

    def _rows(self, term: str) -> np.ndarray:
        """The rows holding ``term`` (none for a term the index lacks)."""
        column = self._column(term)
        if column is None:
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self._indices[int(self._indptr[column]) : int(self._indptr[column + 1])])

    def search(self, terms: Sequence[str] | Mapping[str, float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for the query terms and their BM25 scores (rows with score 0 dropped).

        ``terms`` may map each term to a weight (a term carried over from an earlier question counts
        less than the question's own): a document's score is then the weighted sum of its terms' scores.
        """
        weights = terms if isinstance(terms, Mapping) else dict.fromkeys(terms, 1.0)
        columns = [(column, np.float32(w)) for t, w in weights.items() if w > 0 and (column := self._column(t)) is not None]
        if not columns or self.document_count == 0 or k < 1:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        # The sum bm25s computes (np.add.at per term, in float32, term by term): within one term's
        # postings each document appears once, so a fancy-index add is the same arithmetic.
        scores = np.zeros(self.document_count, dtype=np.float32)
        rarest = None
        for column, weight in columns:
            start, end = int(self._indptr[column]), int(self._indptr[column + 1])
            rows = self._indices[start:end]
            if len(rows) and (int(rows.max()) >= self.document_count or int(rows.min()) < 0):
                raise IndexCorruptError("the BM25 index refers to passages it does not have")
            scores[rows] += self._data[start:end] if weight == 1 else weight * self._data[start:end]
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
