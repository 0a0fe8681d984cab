"""The index's passage table: one SQLite file, rows read on demand, so a million passages need not sit in memory.

The file is plain SQLite (``sqlite3 index/passages.sqlite 'select * from passages limit 3'``). Row
``row`` is FAISS row ``row`` and BM25 document ``row``. Rows are in source order (the build reads the
sources sorted by path, each file's passages in file order), so a source's passages are one run of rows. A passage's sentences are stored as their spans
(``[start, end, line_start, line_end]``, file offsets); their text is the slice of the passage's text,
stored only in the rare case where it is not.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import IndexCorruptError
from ..models import Passage, Sentence
from .sqlite_file import NewSqliteFile

SCHEMA = """
CREATE TABLE passages (
    row INTEGER PRIMARY KEY,          -- the passage's row in vectors.faiss and the lexical index
    id TEXT NOT NULL,
    source TEXT NOT NULL,             -- path relative to the sources folder
    start INTEGER NOT NULL,           -- character offsets into the decoded source file
    "end" INTEGER NOT NULL,
    line_start INTEGER NOT NULL,
    line_end INTEGER NOT NULL,
    page INTEGER,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    sentences TEXT NOT NULL,          -- JSON: [[start, end, line_start, line_end(, text)], ...]
    sentence_row INTEGER NOT NULL,    -- row of the first sentence in sentence_vectors.npy
    sentence_count INTEGER NOT NULL,
    vector_key TEXT NOT NULL,         -- hash of the text the passage's vector embeds (for reuse)
    kind TEXT NOT NULL                -- body, caption, metadata or references (see structure.py)
)
"""
@dataclass(frozen=True)
class VectorEntry:
    """Where a row's vectors are: the hash of the text its passage vector embeds, its first sentence's
    row in the sentence vectors, and its sentence count."""

    key: str
    first_sentence: int
    sentences: int


COLUMNS = 'id, source, start, "end", line_start, line_end, page, title, text, sentences, sentence_row, sentence_count, kind'
CACHE_ROWS = 4096
_HEADER = 100


def _sentence_spans(passage: Passage) -> str:
    spans = []
    for s in passage.sentences:
        span: list = [s.start, s.end, s.line_start, s.line_end]
        if passage.text[s.start - passage.start : s.end - passage.start] != s.text:
            span.append(s.text)
        spans.append(span)
    return json.dumps(spans, separators=(",", ":"))


class PassageTableWriter:
    """A new passage table at ``path``, its rows appended in order as they are made; leaving the
    ``with`` block finishes the file (or, on an error, just closes it)."""

    def __init__(self, path: Path) -> None:
        self.rows = 0
        self.sentences = 0
        self._file = NewSqliteFile(path, SCHEMA, f"INSERT INTO passages (row, {COLUMNS}, vector_key) VALUES ({', '.join('?' * 15)})")

    def append(self, passage: Passage, vector_key: str) -> None:
        """The next row: ``passage``, under the hash of the text its vector embeds."""
        p, count = passage, len(passage.sentences)
        self._file.append((self.rows, p.id, p.source, p.start, p.end, p.line_start, p.line_end, p.page, p.title,
                           p.text, _sentence_spans(p), self.sentences, count, p.kind, vector_key))
        self.rows += 1
        self.sentences += count

    def __enter__(self) -> "PassageTableWriter":
        return self

    def __exit__(self, *exc) -> None:
        self._file.__exit__(*exc)


class PassageTable(Sequence[Passage]):
    """The passages of an index, read from its SQLite file by row as they are needed (recent rows cached)."""

    def __init__(self, path: Path, count: int) -> None:
        self.path = path
        self._count = count
        self._lock = threading.Lock()
        self._cache: OrderedDict[int, tuple[Passage, int]] = OrderedDict()
        _check_file_shape(path)
        # immutable: the file never changes in place (a build swaps in a new folder), so SQLite may skip locking.
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        # Each aggregate alone reads one end of the row index; together in one SELECT, SQLite scans
        # every row (0.25 s at a million passages, most of an index's load).
        last = self._db.execute("SELECT (SELECT max(row) FROM passages), (SELECT min(row) FROM passages)").fetchone()
        if count and (last[0] != count - 1 or last[1] != 0):
            raise ValueError(f"passage table rows {last[1]}..{last[0]}, expected 0..{count - 1}")
        if count:
            self[count - 1]  # parse one row: a table of another shape fails here, not at the first question

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, row):  # type: ignore[override]
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(self._count))]
        row = int(row)
        if row < 0:
            row += self._count
        if not 0 <= row < self._count:
            raise IndexError(row)
        return self._fetch([row])[row][0]

    def many(self, rows: Iterable[int]) -> list[Passage]:
        """The passages at ``rows``, in their order, read from disk in one query."""
        wanted = [int(r) for r in rows]
        fetched = self._fetch(list(dict.fromkeys(wanted)))
        return [fetched[row][0] for row in wanted]

    def sentence_ranges(self, rows: Iterable[int]) -> dict[int, tuple[int, int]]:
        """For each row, its first sentence's row in the sentence vectors and its sentence count."""
        wanted = list(dict.fromkeys(int(r) for r in rows))
        return {row: (first, len(passage.sentences)) for row, (passage, first) in self._fetch(wanted).items()}

    def source_rows(self, row: int) -> tuple[int, int]:
        """The first and last row of the source that ``row`` belongs to (a run: rows are in source order)."""
        source = self[row].source

        def edge(low: int, high: int, forward: bool) -> int:
            # The last row in [low, high] (forward) or the first (backward) still of ``source``.
            while low < high:
                middle = (low + high + (1 if forward else 0)) // 2
                inside = self._source_of(middle) == source
                if forward:
                    low, high = (middle, high) if inside else (low, middle - 1)
                else:
                    low, high = (low, middle) if inside else (middle + 1, high)
            return low

        return edge(0, row, forward=False), edge(row, self._count - 1, forward=True)

    def _source_of(self, row: int) -> str:
        hit = self._cache.get(row)
        if hit is not None:
            return hit[0].source
        with self._lock:
            found = self._db.execute("SELECT source FROM passages WHERE row = ?", (row,)).fetchone()
        if found is None:
            raise _damaged(self.path, LookupError(f"row {row} missing"))
        return found[0]

    def __iter__(self) -> Iterator[Passage]:
        for values in self._query(f"SELECT row, {COLUMNS} FROM passages ORDER BY row"):
            yield _passage(values)[0]

    def titles(self, first: int, last: int) -> list[tuple[int, str, str]]:
        """Each row's kind and title from ``first`` to ``last``, in row order, in one query (no passage is
        parsed, none enters the cache)."""
        return list(self._query(f"SELECT row, kind, title FROM passages WHERE row BETWEEN {int(first)} AND {int(last)} ORDER BY row"))

    def titled_texts(self) -> Iterator[tuple[str, str]]:
        """Each row's title and text, in row order (no passage is parsed)."""
        yield from self._query("SELECT title, text FROM passages ORDER BY row")

    def vector_entries(self) -> Iterator[VectorEntry]:
        """Each row's vector key and sentence rows, in row order (no passage is parsed)."""
        for key, first, count in self._query("SELECT vector_key, sentence_row, sentence_count FROM passages ORDER BY row"):
            yield VectorEntry(key=key, first_sentence=first, sentences=count)

    def _query(self, sql: str) -> Iterator[tuple]:
        # A cursor of its own, so that iterating does not hold the lock between rows.
        with self._lock:
            cursor = self._db.execute(sql)
        try:
            while True:
                with self._lock:
                    batch = cursor.fetchmany(1024)
                if not batch:
                    return
                yield from batch
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from exc

    def _fetch(self, rows: list[int]) -> dict[int, tuple[Passage, int]]:
        found: dict[int, tuple[Passage, int]] = {}
        with self._lock:
            missing = []
            for row in rows:
                hit = self._cache.get(row)
                if hit is None:
                    missing.append(row)
                else:
                    self._cache.move_to_end(row)
                    found[row] = hit
            if missing:
                marks = ",".join("?" * len(missing))
                try:
                    fetched = self._db.execute(f"SELECT row, {COLUMNS} FROM passages WHERE row IN ({marks})", missing).fetchall()
                    parsed = [_passage(values) for values in fetched]
                except (sqlite3.DatabaseError, ValueError, TypeError, IndexError) as exc:
                    raise _damaged(self.path, exc) from exc
                for (row, *_), entry in zip(fetched, parsed):
                    found[row] = self._cache[row] = entry
                while len(self._cache) > CACHE_ROWS:
                    self._cache.popitem(last=False)
        if len(found) != len(rows):
            raise _damaged(self.path, LookupError("rows missing"))
        return found


def _passage(values: tuple) -> tuple[Passage, int]:
    _row, pid, source, start, end, line_start, line_end, page, title, text, spans, sentence_row, count, kind = values
    sentences = tuple(
        Sentence(start=s[0], end=s[1], line_start=s[2], line_end=s[3], text=s[4] if len(s) > 4 else text[s[0] - start : s[1] - start])
        for s in json.loads(spans)
    )
    if len(sentences) != count:
        raise ValueError("sentence count disagrees")
    passage = Passage(
        id=pid, source=source, start=start, end=end, line_start=line_start, line_end=line_end,
        page=page, title=title, text=text, sentences=sentences, kind=kind,
    )
    return passage, sentence_row


def _check_file_shape(path: Path) -> None:
    """A truncated or extended file fails here: SQLite's header records the page size and page count."""
    with path.open("rb") as handle:
        header = handle.read(_HEADER)
    if len(header) < _HEADER or not header.startswith(b"SQLite format 3\x00"):
        raise ValueError("not an SQLite file")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if page_size * pages != path.stat().st_size:
        raise ValueError("SQLite file size disagrees with its header")


def _damaged(path: Path, exc: BaseException) -> IndexCorruptError:
    return IndexCorruptError(
        f"the index's passage table is damaged ({path.name}: {type(exc).__name__})"
    )
