"""A build's plan, made in one pass over the sources: the passage table written into the build's folder
as the passages come, each passage's vectors either found in the previous index (by a hash of the text
its vector embeds) or queued to be embedded. What the pass keeps in memory is a number a passage (where
its vectors come from) and, while it runs, the hashes it has seen: never the passages or their texts."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import DEFAULT_INCLUDE, Config
from ..errors import BuildCancelled, IndexMissingError, IndexUnusableError, SourcesError
from ..models import BuildProgress, BuildStage, Passage, ProgressCallback, SkippedFile
from ..sources.documents import SourceScan, scan_sources
from ..sources.formats import reading_of
from ..sources.passages import dense_text_of, passages_of, titled
from ..vectors.late_chunking import ChunkedText
from .calibration import PassageSample
from .layout import PASSAGES
from .loaded import LoadedIndex, load_index
from .manifest import IndexedSource, PassedOver
from .passage_table import PassageTable, PassageTableWriter
from .scratch import EmbedQueue, FreshVectors
from .write import VectorBlock


# Passages planned between two looks at the cancel flag inside one file.
CANCEL_EVERY = 2048


def text_key(text: str) -> bytes:
    """The key a text's vector is kept under for reuse: a hash of the text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# Passages whose vectors go to the writer at a time: the vectors in flight stay a few MB.
VECTOR_BLOCK_ROWS = 4096


class PreviousVectors:
    """The previous index's vectors, found by the hash of the text a passage's vector embeds, read from
    its files only when a passage reuses them: the old index is never held in memory whole."""

    def __init__(self, index: LoadedIndex) -> None:
        self._index: LoadedIndex | None = index
        self._rows: dict[bytes, int] = {}
        firsts, counts = array("q"), array("q")
        for row, entry in enumerate(index.passages.vector_entries()):
            self._rows.setdefault(bytes.fromhex(entry.key), row)
            firsts.append(entry.first_sentence)
            counts.append(entry.sentences)
        self._first_sentence = np.frombuffer(firsts, dtype=np.int64)
        self._sentence_count = np.frombuffer(counts, dtype=np.int64)
        self.dimension = index.manifest.model.dimension

    def row(self, key: bytes) -> int | None:
        """The row whose vectors were made from the text of hash ``key``, if any."""
        return self._rows.get(key)

    def forget_keys(self) -> None:
        """Let go of the hashes once the plan has looked every passage up (a million take ~100 MB)."""
        self._rows = {}

    def vectors(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """The passage vector of ``row`` and its sentences' (one record each, as stored: they are
        written again unchanged)."""
        if self._index is None:
            raise ValueError("the previous index was closed")
        first = int(self._first_sentence[row])
        sentences = self._index.sentence_vectors.records(first, first + int(self._sentence_count[row]))
        return self._index.vectors.reconstruct(row), sentences

    def sentences(self, row: int) -> int:
        """How many sentences the passage of ``row`` has."""
        return int(self._sentence_count[row])

    def close(self) -> None:
        """Close the previous index and drop it: its memory-mapped vectors go with it (a second call does nothing)."""
        if self._index is not None:
            self._index.close()
            self._index = None


@dataclass(frozen=True)
class BuildPlan:
    """What the build's pass over the sources made and found. The passage table is written (in the
    build's folder); each row's vectors come from the embed queue (``origins[row]`` ≥ 0: the position
    of the passage embedded for its text, shared by passages of the same text) or from the previous
    index (``origins[row]`` < 0: ``-1 - origins[row]`` is the previous index's row)."""

    scan: SourceScan
    folder: Path
    sentences: int
    origins: np.ndarray
    queue: EmbedQueue
    previous: PreviousVectors | None
    sample: PassageSample  # passages' texts sampled on the way, for an IVF index's calibration

    @property
    def passages(self) -> int:
        """Rows of the new index: one origin each."""
        return len(self.origins)

    @property
    def passages_embedded(self) -> int:
        """Rows whose vectors are made afresh (their text is new or changed)."""
        return int((self.origins >= 0).sum())

    def vector_blocks(self, fresh: FreshVectors) -> Iterator[VectorBlock]:
        """Every passage's vectors and its sentences', in row order a block at a time: those just embedded
        (kept in ``fresh`` by queue position), the rest read from the previous index."""
        for start in range(0, self.passages, VECTOR_BLOCK_ROWS):
            passage_rows, sentence_rows = [], []
            for origin in self.origins[start : start + VECTOR_BLOCK_ROWS].tolist():
                passage, own = fresh.vectors(origin) if origin >= 0 else self._previous().vectors(-1 - origin)
                passage_rows.append(passage)
                sentence_rows.append(own)
            yield VectorBlock(passages=np.vstack(passage_rows), sentences=np.concatenate(sentence_rows))

    def embedded_in_row_order(self) -> bool:
        """Whether every row's vectors were embedded afresh, each row its own place in the queue, in row
        order (a first build of text without repeats): the fresh vectors are then the index's as they are."""
        return bool(np.array_equal(self.origins, np.arange(self.passages)))

    def dimension(self, fresh: FreshVectors) -> int:
        """The vectors' dimension: the new ones', or the previous index's when nothing was embedded."""
        return fresh.dimension if len(self.queue) else self._previous().dimension

    def _previous(self) -> PreviousVectors:
        if self.previous is None:
            raise ValueError("a passage was neither embedded nor found in the previous index")
        return self.previous

    def lexical_texts(self) -> Iterator[str]:
        """What BM25 indexes, row by row, read back from the table the pass wrote."""
        table = PassageTable(self.folder / PASSAGES, self.passages)
        try:
            for title, text in table.titled_texts():
                yield titled(title, text)
        finally:
            table.close()

    def close_previous(self) -> None:
        """Let go of the previous index once its vectors are read (what they touched of its memory-mapped
        files would otherwise stay resident through the rest of the build)."""
        if self.previous is not None:
            self.previous.close()

    def close(self) -> None:
        """Let go of the previous index's files and of the queue."""
        self.close_previous()
        self.queue.remove()

    def source_records(self) -> dict[str, IndexedSource]:
        # The stat taken before each file was read: a file edited during the build then looks changed.
        notes = {note.source: note.reason for note in self.scan.warnings}
        return {
            source: IndexedSource(
                **vars(self.scan.stamps[source]), encoding=encoding, reading=reading_of(source), note=notes.get(source, "")
            )
            for source, encoding in self.scan.encodings.items()
        }

    def skipped_records(self) -> dict[str, PassedOver]:
        reasons = {note.source: note.reason for note in self.scan.skipped}
        return {
            source: PassedOver(**vars(stamp), reason=reasons.get(source, ""))
            for source, stamp in sorted(self.scan.stamps.items())
            if source not in self.scan.encodings
        }


def plan_build(
    config: Config, model_name: str, folder: Path, *, rebuild: bool, progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> BuildPlan:
    """Read the sources a file at a time, write the passage table into ``folder`` and queue what must be
    embedded there; ``SourcesError`` when there is nothing to index, ``BuildCancelled`` as soon as
    ``cancelled()`` says so. ``progress`` hears the files read."""
    report = progress or (lambda _step: None)
    scan = scan_sources(
        config.sources_dir, config.settings.sources, skip=[config.index_dir],
        progress=lambda done, total: report(BuildProgress(stage=BuildStage.SCAN, done=done, total=total)),
    )
    previous = None if rebuild else previous_vectors(config, model_name)
    queue: EmbedQueue | None = None
    try:
        queue = EmbedQueue(folder)
        with PassageTableWriter(folder / PASSAGES) as table:
            origins, sample = _plan_rows(config, scan, previous, queue, table, cancelled)
        if not table.rows:
            raise SourcesError(nothing_to_index(config, scan.skipped))
    except BaseException:
        if queue is not None:
            queue.remove()
        if previous is not None:
            previous.close()
        raise
    if previous is not None:
        previous.forget_keys()
    return BuildPlan(
        scan=scan, folder=folder, sentences=table.sentences, origins=origins, queue=queue,
        previous=previous, sample=sample,
    )


def nothing_to_index(config: Config, skipped: list[SkippedFile]) -> str:
    """Why a build found nothing to index: the files it passed over, the first with its reason, or
    that no file matches the patterns."""
    where = f"nothing to index under {config.sources_dir}"
    if skipped:
        first = skipped[0]
        more = f"; {len(skipped) - 1} more passed over" if len(skipped) > 1 else ""
        return f"{where}: every file found was passed over ({first.source}: {first.reason}{more})"
    include = config.settings.sources.include
    if include == DEFAULT_INCLUDE:  # said as the reader of the README knows it, not as eleven patterns
        return f"{where}: no text, Markdown, HTML, PDF, Word or CSV file, nor one named without a type (sources.include in the config reads others)"
    return f"{where}: no file matches {', '.join(include)} (sources.include in the config)"


def _plan_rows(
    config: Config, scan: SourceScan, previous: PreviousVectors | None, queue: EmbedQueue, table: PassageTableWriter,
    cancelled: Callable[[], bool],
) -> tuple[np.ndarray, PassageSample]:
    """The pass: every passage of every document into the table, its vectors' origin decided. A text
    is embedded once however often it occurs, and its vectors reused only for a passage of as many
    sentences (a vector a sentence)."""
    origins = array("q")
    queued: dict[bytes, int] = {}  # hash of a new text → its queue position
    sample = PassageSample()
    for document in scan.documents():
        if cancelled():
            raise BuildCancelled("build cancelled; the previous index is unchanged")
        vector_text = dense_text_of(document)
        for passage in passages_of(document, config.settings.chunking.max_passage_chars):
            text = vector_text(passage)
            if len(origins) % CANCEL_EVERY == CANCEL_EVERY - 1 and cancelled():  # a long file is read for a while
                raise BuildCancelled("build cancelled; the previous index is unchanged")
            key = text_key(text)
            table.append(passage, key.hex())
            sample.see(passage)
            sentences = len(passage.sentences)
            row = previous.row(key) if previous is not None else None
            if row is not None and previous.sentences(row) == sentences:
                origins.append(-1 - row)
                continue
            position = queued.get(key)
            if position is None or queue.sentences(position) != sentences:
                position = queued[key] = queue.append(chunked(passage, text))
            origins.append(position)
    return np.frombuffer(origins, dtype=np.int64), sample


def chunked(passage: Passage, vector_text: str) -> ChunkedText:
    """The passage as the encoder reads it: the text its vector embeds (it ends with the passage's
    text, after any title), and its sentences' spans in that text."""
    prefix = len(vector_text) - len(passage.text)
    return ChunkedText(
        vector_text, tuple((s.start - passage.start + prefix, s.end - passage.start + prefix) for s in passage.sentences)
    )


def previous_vectors(config: Config, model_name: str) -> PreviousVectors | None:
    """The vectors of the previous index (when it suits the config), by the hash of the text a
    passage's vector embeds: the passage's and its sentences'."""
    try:
        index = load_index(config, model_name)
    except (IndexMissingError, IndexUnusableError):
        return None
    try:
        return PreviousVectors(index)
    except IndexUnusableError:  # a damaged passage table: nothing is reused
        index.close()
        return None
