"""The index opened for answering: every file checked against the manifest and the config, each side
(dense, sentences, passages, lexical) ready to be read by row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..config import Config
from ..errors import IndexCorruptError
from .bm25 import LexicalIndex
from .dense import open_dense, search_one
from .file_dates import yearly_files
from .layout import LEXICAL, PASSAGES, SENTENCE_VECTORS, VECTORS
from .manifest import EncoderExport, Manifest, check_encoder_files, check_usable, read_manifest
from .passage_table import PassageTable
from .quantized_rows import QuantizedRows
from .question_encoder import QuestionEncoder
from .source_names import SourceNames


@dataclass
class LoadedIndex:
    """An index read from disk: the passages, their vectors, their sentences' vectors, BM25, the manifest."""

    folder: Path
    manifest: Manifest
    passages: PassageTable  # a sequence of Passage, row i read from disk when asked for
    vectors: object  # faiss.Index
    sentence_vectors: QuantizedRows  # read by row as float32; a passage's sentences are the rows sentence_ranges gives
    lexical: LexicalIndex
    _question_encoder: QuestionEncoder | None = field(default=None, init=False, repr=False)
    _source_names: SourceNames | None = field(default=None, init=False, repr=False)
    _yearly_files: dict[str, int] | None = field(default=None, init=False, repr=False)

    def search(self, query_vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` passages nearest a question vector: their cosine similarities and rows."""
        return search_one(self.vectors, query_vector, k)

    def question_encoder(self) -> QuestionEncoder | None:
        """The index's ONNX export of the model, opened and checked on first use; None if it has none."""
        record = self.manifest.question_encoder
        if not isinstance(record, EncoderExport):
            return None
        if self._question_encoder is None:
            check_encoder_files(self.folder, self.manifest)
            self._question_encoder = QuestionEncoder.load(self.folder, record)
        return self._question_encoder

    def source_names(self) -> SourceNames:
        """The words of each indexed file's name (which files a question names), made on first use."""
        if self._source_names is None:
            self._source_names = SourceNames.of(self.manifest.sources)
        return self._source_names

    def yearly_files(self) -> dict[str, int]:
        """The year of each indexed file named alike but for the year as another is (``file_dates``),
        made on first use."""
        if self._yearly_files is None:
            self._yearly_files = yearly_files(self.manifest.sources)
        return self._yearly_files

    def close(self) -> None:
        """Let go of the open files (the vectors stay until the index is dropped)."""
        self.passages.close()
        self.sentence_vectors.close()


def load_index(config: Config, model_name: str) -> LoadedIndex:
    """Read and validate the index folder against the config; ``IndexMissingError``, or an
    ``IndexUnusableError`` (damaged, or built otherwise) for every fault."""
    try:
        return _load_index_once(config, model_name)
    except IndexCorruptError:
        # A build may have swapped a new index in while this one was being read: the files then
        # disagree with the manifest read first. Read once more; real damage fails the same way again.
        return _load_index_once(config, model_name)


def _load_index_once(config: Config, model_name: str) -> LoadedIndex:
    folder = config.index_dir
    manifest = read_manifest(folder)
    check_usable(folder, manifest, config, model_name)
    counts = manifest.counts
    damaged = f"the index in {folder} is damaged"
    try:
        index = LoadedIndex(
            folder=folder,
            manifest=manifest,
            passages=PassageTable(folder / PASSAGES, counts.passages),
            vectors=open_dense(folder / VECTORS, manifest.faiss),
            sentence_vectors=QuantizedRows(folder / SENTENCE_VECTORS, manifest.model.dimension),
            lexical=LexicalIndex.load(folder / LEXICAL, counts.passages),
        )
    except IndexCorruptError:
        raise
    except Exception as exc:  # faiss, numpy, sqlite3 and json each raise their own types
        raise IndexCorruptError(f"{damaged} ({type(exc).__name__})") from exc
    dim = manifest.model.dimension
    if (
        index.vectors.ntotal != counts.passages
        or len(index.passages) != counts.passages
        or index.sentence_vectors.shape != (counts.sentences, dim)
        or index.vectors.d != dim
    ):
        raise IndexCorruptError(f"{damaged} (row counts disagree)")
    return index
