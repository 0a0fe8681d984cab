"""Write an index's files into a folder, the manifest last: what the build swaps in, and what the
benchmark lays out for synthetic corpora."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..models import Passage
from .bm25 import write_lexical_index
from .dense import dense_index
from .folder import MARKER_TEXT
from .layout import GITIGNORE, GITIGNORE_FILE, LEXICAL, MANIFEST, MARKER, PASSAGES, SENTENCE_VECTORS, VECTORS
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
from .passage_table import write_passage_table


@dataclass(frozen=True)
class IndexContents:
    """What an index holds, row for row: the passages, their vectors and their sentences' vectors,
    the texts BM25 indexes, and the hash of the text each passage vector embeds (for reuse)."""

    passages: Iterable[Passage]
    passage_matrix: np.ndarray
    sentence_matrix: np.ndarray
    lexical_texts: Iterable[str]
    vector_keys: Iterable[str]


@dataclass(frozen=True)
class IndexRecord:
    """What the manifest says beside the contents: the model, settings, sources and question encoder."""

    model_name: str
    settings: BuildSettings
    files: int
    sources: dict[str, IndexedSource]
    question_encoder: EncoderExport | NoEncoderExport
    skipped: dict[str, PassedOver] | None = None


def write_index_folder(folder: Path, contents: IndexContents, record: IndexRecord) -> Manifest:
    """Write every file of an index into ``folder`` (which must exist), manifest last; returns the manifest.

    The question encoder's files, if any, must already be in ``folder``. No swap and no fsync: the
    build does those.
    """
    dense = write_index_files(folder, contents)
    passages, dimension = contents.passage_matrix.shape
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        model=ModelRecord(name=record.model_name, dimension=int(dimension)),
        settings=record.settings,
        counts=Counts(passages=int(passages), sentences=int(contents.sentence_matrix.shape[0]), files=record.files),
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


def write_index_files(folder: Path, contents: IndexContents) -> DenseSettings:
    """The dense index, the sentence vectors, the passage table and BM25; returns the dense settings."""
    import faiss

    sentence_matrix = contents.sentence_matrix
    dense, settings = dense_index(contents.passage_matrix, sentence_matrix)
    faiss.write_index(dense, str(folder / VECTORS))
    np.save(folder / SENTENCE_VECTORS, sentence_matrix, allow_pickle=False)
    sentences = write_passage_table(folder / PASSAGES, contents.passages, contents.vector_keys)
    if sentences != sentence_matrix.shape[0]:
        raise ValueError(f"{sentences} sentences in the passage table, {sentence_matrix.shape[0]} vectors")
    (folder / LEXICAL).mkdir()
    write_lexical_index(folder / LEXICAL, contents.lexical_texts)
    return settings


def describe_files(folder: Path) -> dict[str, FileCheck]:
    """Size and checksum of every file the index holds, so that damage is found on load."""
    return {
        path.relative_to(folder).as_posix(): FileCheck(size=path.stat().st_size, crc32=file_digest(path))
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name not in (MANIFEST, MARKER, GITIGNORE_FILE)
    }
