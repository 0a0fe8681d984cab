"""Write an index's files into a folder as its rows are made, the manifest last: what the build swaps
in, and what the benchmark lays out for synthetic corpora. Memory does not grow with the corpus: the
passages, their vectors and the texts stream through in order, a block at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from .array_file import ArrayFile, ArrayFileWriter
from .bm25 import write_lexical_index
from .dense import dense_index
from .folder import MARKER_TEXT
from .layout import (
    GITIGNORE,
    GITIGNORE_FILE,
    LEXICAL,
    MANIFEST,
    MARKER,
    PASSAGE_SCRATCH,
    SENTENCE_VECTORS,
    VECTORS,
)
from .manifest import (
    FORMAT_VERSION,
    BuildSettings,
    Counts,
    DenseSettings,
    EncoderExport,
    FileCheck,
    IndexedSource,
    Manifest,
    ModelRecord,
    NoEncoderExport,
    PassedOver,
    file_digest,
)
from .quantized_rows import QuantizedRowsWriter


@dataclass(frozen=True)
class VectorBlock:
    """The vectors of consecutive passages (one unit row each, float32) and of their sentences (one
    record a sentence, in the passages' order, already quantised: ``vectors.quantization.quantize``)."""

    passages: np.ndarray
    sentences: np.ndarray


@runtime_checkable
class VectorFiles(Protocol):
    """The vector files of every passage, already written in row order (a fresh build's scratch):
    the passages' float32 rows and their sentences' quantised records, as .npy files."""

    def move_to(self, passages: Path, sentences: Path) -> None:
        """Move the two files to these paths."""
        ...


@dataclass(frozen=True)
class SearchContents:
    """What follows the passage table, row for row: the vectors in blocks of consecutive passages (or
    their files, already in row order), their dimension, the texts BM25 indexes; and
    ``calibration_queries``, question-like queries taken from the passages and encoded, made only if an
    IVF index is calibrated on them."""

    vectors: Iterable[VectorBlock] | VectorFiles
    dimension: int
    lexical_texts: Iterable[str]
    calibration_queries: Callable[[], np.ndarray]


@dataclass(frozen=True)
class IndexRecord:
    """What the manifest says beside the contents: the model, settings, sources and question encoder."""

    model_name: str
    settings: BuildSettings
    files: int
    sources: dict[str, IndexedSource]
    question_encoder: EncoderExport | NoEncoderExport
    skipped: dict[str, PassedOver] | None = None


@dataclass(frozen=True)
class RowCounts:
    passages: int
    sentences: int


def finish_index_folder(folder: Path, search: SearchContents, counts: RowCounts, record: IndexRecord) -> Manifest:
    """Beside a passage table of ``counts`` rows already in ``folder``: the vectors, the dense index and
    BM25, each written as its rows come, then the manifest; returns the manifest."""
    dense = _write_search_files(folder, search, counts)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=ModelRecord(name=record.model_name, dimension=search.dimension),
        settings=record.settings,
        counts=Counts(passages=counts.passages, sentences=counts.sentences, files=record.files),
        faiss=dense,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        sources=record.sources,
        skipped=record.skipped or {},
        question_encoder=record.question_encoder,
        files=describe_files(folder),
    )
    data = manifest.to_json()
    (folder / MANIFEST).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / GITIGNORE_FILE).write_text(GITIGNORE, encoding="utf-8")
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return Manifest.model_validate(data)


def _write_search_files(folder: Path, search: SearchContents, counts: RowCounts) -> DenseSettings:
    """The vectors, the dense index and BM25; returns the dense settings.

    The passages' float32 vectors wait in a scratch file while the FAISS index is made from them
    (trained on a sample, added a block at a time), then go.
    """
    import faiss

    scratch = folder / PASSAGE_SCRATCH
    try:
        _write_vectors(folder, search, counts)
        rows = ArrayFile(scratch)
        try:
            dense, settings = dense_index(rows, search.calibration_queries)
        finally:
            rows.close()
        faiss.write_index(dense, str(folder / VECTORS))
        del dense
    finally:
        scratch.unlink(missing_ok=True)
    (folder / LEXICAL).mkdir()
    written = write_lexical_index(folder / LEXICAL, search.lexical_texts)
    if written != counts.passages:
        raise ValueError(f"{written} texts for the lexical index of {counts.passages} passages")
    return settings


def _write_vectors(folder: Path, search: SearchContents, counts: RowCounts) -> None:
    """The sentences' vectors (quantised, their file kept) and the passages' (float32, to the scratch file):
    moved into place when they are files already, else written block by block."""
    if isinstance(search.vectors, VectorFiles):
        search.vectors.move_to(folder / PASSAGE_SCRATCH, folder / SENTENCE_VECTORS)
        return
    dimension = search.dimension
    with (
        ArrayFileWriter(folder / PASSAGE_SCRATCH, np.dtype(np.float32), (counts.passages, dimension)) as passages,
        QuantizedRowsWriter(folder / SENTENCE_VECTORS, counts.sentences, dimension) as sentences,
    ):
        for block in search.vectors:
            passages.append(np.ascontiguousarray(block.passages, dtype=np.float32))
            sentences.append_records(block.sentences)


def describe_files(folder: Path) -> dict[str, FileCheck]:
    """Size and checksum of every file the index holds, so that damage is found on load."""
    return {
        path.relative_to(folder).as_posix(): FileCheck(size=path.stat().st_size, crc32=file_digest(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in (MANIFEST, MARKER, GITIGNORE_FILE)
    }
