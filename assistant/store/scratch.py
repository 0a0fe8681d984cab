"""A build's scratch files, in the folder it is writing, gone before the index is finished: the passages
it must embed (``EmbedQueue``), and the vectors the model gives them (``FreshVectors``), kept by each
passage's position in the queue. A build of any size holds only a batch of either in memory."""

from __future__ import annotations

import os
import sqlite3
from array import array
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..late_chunking import ChunkedText
from .array_file import ArrayFile
from .embed import EmbeddedBatch
from .layout import EMBED_QUEUE, FRESH_PASSAGE_VECTORS, FRESH_SENTENCE_VECTORS
from .quantized_rows import row_dtype

_QUEUE_SCHEMA = "CREATE TABLE queue (position INTEGER PRIMARY KEY, text TEXT NOT NULL, spans BLOB NOT NULL)"
_SPAN = np.dtype("<i8")


class EmbedQueue:
    """The passages a build must embed, each a text and its sentences' spans, appended in row order
    (``append`` gives each its position) and read back in batches, longest first (``batches``)."""

    BATCH_ROWS = 1024

    def __init__(self, folder: Path) -> None:
        self.path = folder / EMBED_QUEUE
        self._lengths = array("q")  # each passage's text length, by position: the order of ``batches``
        self._sentences = array("q")
        self._pending: list[tuple] = []
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode = OFF")  # scratch: a failed build removes its folder
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(_QUEUE_SCHEMA)

    def append(self, item: ChunkedText) -> int:
        """Queue ``item``; its position (0, 1, ...)."""
        position = len(self._lengths)
        self._pending.append((position, item.text, np.asarray(item.spans, dtype=_SPAN).tobytes()))
        self._lengths.append(len(item.text))
        self._sentences.append(len(item.spans))
        if len(self._pending) >= self.BATCH_ROWS:
            self._flush()
        return position

    def _flush(self) -> None:
        self._db.executemany("INSERT INTO queue VALUES (?, ?, ?)", self._pending)
        self._db.commit()
        self._pending.clear()

    def __len__(self) -> int:
        return len(self._lengths)

    def sentence_counts(self) -> np.ndarray:
        """How many sentences each queued passage has, by position."""
        return np.asarray(self._sentences, dtype=np.int64)

    def batches(self, size: int) -> Iterator[tuple[np.ndarray, list[ChunkedText]]]:
        """The queued passages, ``size`` at a time, longest first (a batch of like lengths pads little):
        each batch's positions and its passages."""
        self._flush()
        order = np.argsort(-np.asarray(self._lengths, dtype=np.int64), kind="stable")
        for start in range(0, len(order), size):
            positions = order[start : start + size]
            wanted = positions.tolist()
            rows = self._db.execute(
                f"SELECT position, text, spans FROM queue WHERE position IN ({','.join('?' * len(wanted))})", wanted
            ).fetchall()
            found = {
                position: ChunkedText(text, tuple(map(tuple, np.frombuffer(spans, dtype=_SPAN).reshape(-1, 2).tolist())))
                for position, text, spans in rows
            }
            yield positions, [found[p] for p in wanted]

    def remove(self) -> None:
        """Close and delete the queue's file."""
        self._db.close()
        self.path.unlink(missing_ok=True)


class FreshVectors:
    """The vectors a build embeds, written to two scratch .npy files at their passage's queue position as
    they come (in any order), read back a passage at a time when the index's files are assembled. The
    files are sized for every queued passage at the first write: the model's dimension is known then."""

    def __init__(self, folder: Path, sentence_counts: np.ndarray) -> None:
        self._folder = folder
        self._offsets = np.concatenate([[0], np.cumsum(sentence_counts, dtype=np.int64)])
        self._written = np.zeros(len(sentence_counts), dtype=bool)
        self.dimension = 0
        self._files: list[tuple[int, int, int]] = []  # per file: descriptor, data offset, row bytes
        self._readers: tuple[ArrayFile, ArrayFile] | None = None

    def _create(self, dimension: int) -> None:
        self.dimension = dimension
        shapes = (
            (FRESH_PASSAGE_VECTORS, np.dtype(np.float32), (len(self._written), dimension)),
            (FRESH_SENTENCE_VECTORS, row_dtype(dimension), (int(self._offsets[-1]),)),
        )
        for name, dtype, shape in shapes:
            with (self._folder / name).open("wb") as handle:
                header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
                np.lib.format.write_array_header_2_0(handle, header)
                start = handle.tell()
                row_bytes = dtype.itemsize * (shape[1] if len(shape) > 1 else 1)
                handle.truncate(start + row_bytes * shape[0])  # a sparse file, filled in as rows come
            self._files.append((os.open(self._folder / name, os.O_WRONLY), start, row_bytes))

    def put(self, batch: EmbeddedBatch) -> None:
        """Keep a batch's vectors, each at its passage's position."""
        if not self._files:
            self._create(int(batch.passages.shape[1]))
        (passages_fd, passages_at, passage_bytes), (sentences_fd, sentences_at, record_bytes) = self._files
        for position, vector, records in zip(batch.positions.tolist(), batch.passages, batch.sentences):
            expected = int(self._offsets[position + 1] - self._offsets[position])
            if len(records) != expected:
                raise ValueError(f"{len(records)} sentence vectors for a passage of {expected} sentences")
            os.pwrite(passages_fd, np.ascontiguousarray(vector, dtype=np.float32).tobytes(), passages_at + position * passage_bytes)
            if expected:
                os.pwrite(sentences_fd, np.ascontiguousarray(records).tobytes(), sentences_at + int(self._offsets[position]) * record_bytes)
            self._written[position] = True

    def missing(self) -> int:
        """How many queued passages have no vectors yet."""
        return int((~self._written).sum())

    def vectors(self, position: int) -> tuple[np.ndarray, np.ndarray]:
        """The vector of the passage at ``position`` and its sentences' records."""
        if self._readers is None:
            self._close_writers()
            self._readers = (ArrayFile(self._folder / FRESH_PASSAGE_VECTORS), ArrayFile(self._folder / FRESH_SENTENCE_VECTORS))
        passages, sentences = self._readers
        return passages[position], sentences.read(int(self._offsets[position]), int(self._offsets[position + 1]))

    def _close_writers(self) -> None:
        for fd, _, _ in self._files:
            if fd >= 0:
                os.close(fd)
        self._files = [(-1, start, size) for _, start, size in self._files]

    def remove(self) -> None:
        """Close and delete the scratch files."""
        if self._readers is not None:
            for reader in self._readers:
                reader.close()
            self._readers = None
        elif self._files:
            self._close_writers()
        for name in (FRESH_PASSAGE_VECTORS, FRESH_SENTENCE_VECTORS):
            (self._folder / name).unlink(missing_ok=True)
