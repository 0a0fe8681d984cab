"""A build's scratch files, in the folder it is writing, gone before the index is finished: the passages
it must embed (``EmbedQueue``), and the vectors the model gives them (``FreshVectors``), kept by each
passage's position in the queue. A build of any size holds only a batch of either in memory."""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..vectors.late_chunking import ChunkedText
from ..vectors.passage_embedding import EmbeddedBatch
from ..vectors.quantization import row_dtype
from .array_file import ArrayFile, ArrayFileSlots
from .layout import EMBED_QUEUE, FRESH_PASSAGE_VECTORS, FRESH_SENTENCE_VECTORS
from .sqlite_file import NewSqliteFile

_SCHEMA = "CREATE TABLE queue (position INTEGER PRIMARY KEY, length INTEGER NOT NULL, text TEXT NOT NULL, spans BLOB NOT NULL)"
_SPAN = np.dtype("<i8")


class EmbedQueue:
    """The passages a build must embed, each a text and its sentences' spans, appended in row order
    (``append`` gives each its position) and read back in batches, longest first (``batches``)."""

    def __init__(self, folder: Path) -> None:
        self._file = NewSqliteFile(folder / EMBED_QUEUE, _SCHEMA, "INSERT INTO queue VALUES (?, ?, ?, ?)")
        self._sentences = array("q")  # each queued passage's sentence count, by position

    def append(self, item: ChunkedText) -> int:
        """Queue ``item``; its position (0, 1, ...)."""
        position = len(self._sentences)
        self._file.append((position, len(item.text), item.text, np.asarray(item.spans, dtype=_SPAN).tobytes()))
        self._sentences.append(len(item.spans))
        return position

    def __len__(self) -> int:
        return len(self._sentences)

    def sentences(self, position: int) -> int:
        """How many sentences the passage queued at ``position`` has."""
        return self._sentences[position]

    def sentence_counts(self) -> np.ndarray:
        """How many sentences each queued passage has, by position."""
        return np.frombuffer(self._sentences, dtype=np.int64) if self._sentences else np.zeros(0, dtype=np.int64)

    def batches(self, size: int, max_chars: int | None = None) -> Iterator[tuple[np.ndarray, list[ChunkedText]]]:
        """The queued passages, ``size`` at a time, longest first (a batch of like lengths pads little):
        each batch's positions and its passages, read in that order from the file's own index. With
        ``max_chars``, a batch also ends where its texts reach that many characters (never empty)."""
        self._file.flush()
        db = self._file.db
        db.execute("CREATE INDEX IF NOT EXISTS longest_first ON queue (length DESC, position)")
        cursor = db.execute("SELECT position, length, text, spans FROM queue ORDER BY length DESC, position")
        rows: list[tuple[int, str, bytes]] = []
        chars = 0
        for position, length, text, spans in cursor:
            if rows and (len(rows) == size or (max_chars is not None and chars + length > max_chars)):
                yield _batch(rows)
                rows, chars = [], 0
            rows.append((position, text, spans))
            chars += length
        if rows:
            yield _batch(rows)

    def remove(self) -> None:
        """Close and delete the queue's file."""
        self._file.close()
        self._file.path.unlink(missing_ok=True)


def _batch(rows: list[tuple[int, str, bytes]]) -> tuple[np.ndarray, list[ChunkedText]]:
    """Queue rows as a batch: their positions and their passages."""
    positions = np.array([row[0] for row in rows], dtype=np.int64)
    items = [ChunkedText(text, tuple(map(tuple, np.frombuffer(spans, dtype=_SPAN).reshape(-1, 2).tolist()))) for _, text, spans in rows]
    return positions, items


class FreshVectors:
    """The vectors a build embeds, written to two scratch .npy files at their passage's queue position as
    they come (in any order), read back a passage at a time when the index's files are assembled. The
    files are sized for every queued passage at the first write: the model's dimension is known then."""

    def __init__(self, folder: Path, sentence_counts: np.ndarray) -> None:
        self._paths = (folder / FRESH_PASSAGE_VECTORS, folder / FRESH_SENTENCE_VECTORS)
        self._offsets = np.concatenate([[0], np.cumsum(sentence_counts, dtype=np.int64)])
        self._written = np.zeros(len(sentence_counts), dtype=bool)
        self.dimension = 0
        self._slots: tuple[ArrayFileSlots, ArrayFileSlots] | None = None
        self._readers: tuple[ArrayFile, ArrayFile] | None = None

    def put(self, batch: EmbeddedBatch) -> None:
        """Keep a batch's vectors, each at its passage's position."""
        if self._slots is None:
            self.dimension = int(batch.passages.shape[1])
            self._slots = (
                ArrayFileSlots(self._paths[0], np.dtype(np.float32), (len(self._written), self.dimension)),
                ArrayFileSlots(self._paths[1], row_dtype(self.dimension), (int(self._offsets[-1]),)),
            )
        passages, sentences = self._slots
        for position, vector, records in zip(batch.positions.tolist(), batch.passages, batch.sentences):
            first, end = int(self._offsets[position]), int(self._offsets[position + 1])
            if len(records) != end - first:
                raise ValueError(f"{len(records)} sentence vectors for a passage of {end - first} sentences")
            passages.write(position, np.asarray(vector, dtype=np.float32).reshape(1, -1))
            sentences.write(first, records)
            self._written[position] = True

    def missing(self) -> int:
        """How many queued passages have no vectors yet."""
        return int((~self._written).sum())

    def vectors(self, position: int) -> tuple[np.ndarray, np.ndarray]:
        """The vector of the passage at ``position`` and its sentences' records."""
        if self._readers is None:
            self._close_slots()
            self._readers = (ArrayFile(self._paths[0]), ArrayFile(self._paths[1]))
        passages, sentences = self._readers
        return passages[position], sentences.read(int(self._offsets[position]), int(self._offsets[position + 1]))

    def move_to(self, passages: Path, sentences: Path) -> None:
        """Move the two files, complete, to these paths: when the queue holds every row of the index in
        row order, they are the index's vector files as they stand (a fresh build skips a copy of them)."""
        if self._slots is None or self.missing():
            raise ValueError("the fresh vectors are not all written")
        self._close_slots()
        for path, target in zip(self._paths, (passages, sentences)):
            os.replace(path, target)

    def _close_slots(self) -> None:
        for slots in self._slots or ():
            slots.close()

    def remove(self) -> None:
        """Close and delete the scratch files (a second call does nothing)."""
        self._close_slots()
        for reader in self._readers or ():
            reader.close()
        for path in self._paths:
            path.unlink(missing_ok=True)
