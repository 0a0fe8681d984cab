"""The index's manifest as a frozen typed model: reading it (a pure read), whether it suits the config,
and the checks of the files it lists.

Nothing here needs numpy, FAISS or the model, so that ``assistant status`` stays quick. Reading never
takes a lock or moves a folder: recovering from a build that died mid-swap is ``folder``'s step, which
the build and the API take before they read.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import IndexCorruptError, IndexMismatchError, IndexMissingError, Remedy
from ..models import SkippedFile
from .layout import ENCODER_FILE, ENCODER_FILES, MANIFEST, PASSAGES, SENTENCE_VECTORS, VECTORS

if TYPE_CHECKING:
    from ..config import Config

# Files larger than this are checked by size only (a checksum would cost a full read at every load).
CHECKSUM_MAX_BYTES = 64 * 1024 * 1024

# 2: the passage table moved from passages.jsonl to passages.sqlite.
# 3: the folder carries its marker, the manifest its own checksum, every source its ctime and inode,
#    and the question encoder's entry.
# 4: passages have a kind (body, caption, metadata, references).
# 5: a passage and its sentences are embedded in one pass of the model (late chunking).
# 6: sentence vectors stored as int8 with a float32 scale a row (quantized_rows); beyond the exact
#    limit, an IVF index of 4-bit PQ codes re-ranked on 8-bit codes (IndexRefine).
# 7: sentence vectors stored as 4-bit codes with a float32 scale a row.
FORMAT_VERSION = 7


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileRecord(Record):
    """What a build remembers of a source file it looked at: enough to tell whether it changed."""

    size: int = Field(ge=0)
    mtime_ns: int
    ctime_ns: int
    inode: int
    sha256: str | None = None  # None when the file was not read (too large, unreadable)


class IndexedSource(FileRecord):
    encoding: str
    # How its format's text was read out of it (``formats.reading_of``): a source indexed by an older
    # reading (HTML's before its lines were the file's and its tables rows; Markdown's before its
    # comments were left out) is read again by the next update.
    reading: int = 0
    # What reading it had to guess or repair ("not UTF-8; read as cp1252"), said again by ``status``.
    note: str = ""


class PassedOver(FileRecord):
    """A file the build looked at and did not index (binary, empty, too large), and why."""

    reason: str = ""


class FileCheck(Record):
    """An index file's size and CRC32 (None for a file too large to checksum at every load)."""

    size: int = Field(ge=0)
    crc32: str | None = None


class ModelRecord(Record):
    name: str
    dimension: int = Field(gt=0)
    normalized: bool = True


class BuildSettings(Record):
    """The settings an index must have been built with to serve a config."""

    model: str
    max_passage_chars: int


class Counts(Record):
    passages: int = Field(ge=0)
    sentences: int = Field(ge=0)
    files: int = Field(ge=0)


class DenseSettings(Record):
    """The FAISS index chosen (``factory``: its faiss factory string), and for an IVF index its lists,
    search depth (lists probed, candidates re-ranked per result) and the recall they reached."""

    type: Literal["IndexFlatIP", "IndexRefine"]
    metric: Literal["inner_product"] = "inner_product"
    factory: str | None = None
    nlist: int | None = None
    nprobe: int | None = None
    k_factor: int | None = None
    calibration_recall_at_10: float | None = None
    calibration_queries: int | None = None


class EncoderExport(Record):
    """The index's ONNX export of the model, for questions: its files, inputs, pooling, and a probe
    text with the vector the model gave it (checked again when the export is opened)."""

    available: Literal[True] = True
    file: str = ENCODER_FILE
    tokenizer: str
    inputs: tuple[str, ...]
    pooling: Literal["mean", "cls"]
    max_length: int = Field(gt=0)
    probe: str
    probe_vector: tuple[float, ...]


class NoEncoderExport(Record):
    """Why the index has no export: questions then go to the model itself. ``final`` when the model
    cannot be exported at all (updates need not try again); else a failure that may pass."""

    available: Literal[False] = False
    reason: str
    final: bool


class Manifest(Record):
    """What an index holds and how it was built (README, "The index")."""

    format_version: int
    model: ModelRecord
    settings: BuildSettings
    counts: Counts
    faiss: DenseSettings
    built_at: str
    sources: dict[str, IndexedSource]
    skipped: dict[str, PassedOver] = Field(default_factory=dict)
    question_encoder: EncoderExport | NoEncoderExport
    files: dict[str, FileCheck]
    checksum: str = ""

    def skipped_files(self) -> tuple[SkippedFile, ...]:
        """The files the build passed over, and why."""
        return tuple(SkippedFile(source=source, reason=record.reason) for source, record in self.skipped.items())

    def noted_files(self) -> tuple[SkippedFile, ...]:
        """The files indexed with a warning (an encoding guessed, a PDF repaired), and what it said."""
        return tuple(SkippedFile(source=source, reason=record.note) for source, record in self.sources.items() if record.note)

    def to_json(self) -> dict:
        """The manifest as its file holds it, with its own checksum."""
        data = self.model_dump(mode="json", exclude_none=True, exclude={"checksum"})
        data["checksum"] = manifest_checksum(data)
        return data


def read_manifest(index_dir: Path) -> Manifest:
    """The index's manifest; ``IndexMissingError`` when there is none, ``IndexCorruptError`` when it is
    damaged, ``IndexMismatchError`` when it is of another format. Reads, and nothing else."""
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexMissingError(f"no index at {index_dir} yet")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _damaged(path) from exc
    return _parsed(path, raw)


def _parsed(path: Path, raw: bytes) -> Manifest:
    """The manifest in ``raw``, the bytes of its file at ``path``, checked as ``read_manifest`` says."""
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        raise _damaged(path) from exc
    if data.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"the index has format version {data.get('format_version')}, this version reads {FORMAT_VERSION}"
        )
    if data.get("checksum") != manifest_checksum(data):
        raise _damaged(path)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise _damaged(path) from exc


class ManifestReads:
    """The manifest of one index folder, parsed again only when its file's bytes changed. An MCP ``get``
    asks for it three to five times, and a folder of 5,000 files has a manifest of a megabyte: 39 ms a
    parse and check (2-core EPYC), against well under a millisecond to read and compare its bytes."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._last: tuple[bytes, Manifest] | None = None

    def read(self) -> Manifest:
        """The manifest as ``read_manifest`` reads it, from memory while its file holds the same bytes."""
        try:
            data = (self.index_dir / MANIFEST).read_bytes()
        except OSError:
            return read_manifest(self.index_dir)  # says what is missing or unreadable
        last = self._last
        if last is not None and last[0] == data:
            return last[1]
        manifest = _parsed(self.index_dir / MANIFEST, data)
        self._last = (data, manifest)
        return manifest


def _damaged(path: Path) -> IndexCorruptError:
    return IndexCorruptError(f"the index manifest is damaged ({path})")


def expected_settings(config: Config, model_name: str) -> BuildSettings:
    """The settings an index must have been built with to serve this config."""
    return BuildSettings(model=model_name, max_passage_chars=config.settings.chunking.max_passage_chars)


def check_compatible(manifest: Manifest, config: Config, model_name: str) -> None:
    """Refuse an index built by another model or chunking than the config asks for."""
    if manifest.model.name != model_name:
        raise IndexMismatchError(
            f"the index was built with model {manifest.model.name!r} but the config asks for {model_name!r}"
        )
    for key, wanted in expected_settings(config, model_name):
        built = getattr(manifest.settings, key)
        if built != wanted:
            raise IndexMismatchError(f"the index was built with {key} = {built!r} but the config asks for {wanted!r}")


def manifest_checksum(data: dict) -> str:
    """The CRC32 of the manifest's content without its own checksum: a hand edit or damage that still
    parses (a model name changed, a count) is caught on load."""
    content = {key: value for key, value in data.items() if key != "checksum"}
    return f"{zlib.crc32(json.dumps(content, sort_keys=True, ensure_ascii=False).encode('utf-8')):08x}"


def file_digest(path: Path) -> str | None:
    """The file's CRC32, or None for a file too large to read at every load."""
    # The question encoder is always checked (90 MB, 50 ms): a damaged weight may change only the
    # vectors of some words, which its probe question would not show.
    if path.stat().st_size > CHECKSUM_MAX_BYTES and path.name != ENCODER_FILE:
        return None
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


def file_matches(path: Path, check: FileCheck) -> bool:
    """Whether the file exists with the size and checksum the manifest recorded."""
    if not path.is_file() or path.stat().st_size != check.size:
        return False
    return check.crc32 is None or file_digest(path) == check.crc32


def verify_files(folder: Path, manifest: Manifest, names: Iterable[str], remedy: Remedy = Remedy.REBUILD) -> None:
    """Each of ``names`` is listed in the manifest and exists with its recorded size and checksum;
    else ``IndexCorruptError`` with ``remedy`` (an update mends the question encoder's files alone)."""
    for name in names:
        check = manifest.files.get(name)
        if check is None:
            raise IndexCorruptError(f"the index manifest does not list {name}", remedy)
        path = folder / name
        if not path.exists():
            raise IndexCorruptError(f"the index is missing {name}", remedy)
        if not file_matches(path, check):
            raise IndexCorruptError(f"the index file {name} is damaged", remedy)


def core_files(manifest: Manifest) -> list[str]:
    """The files a load checks: the three every index has, and whatever else it lists, except the
    question encoder's, which ``LoadedIndex.question_encoder`` checks when it opens them (damage to
    them alone needs only an update, which keeps every vector)."""
    names = dict.fromkeys([VECTORS, SENTENCE_VECTORS, PASSAGES, *manifest.files])
    return [name for name in names if name not in ENCODER_FILES]


def check_usable(index_dir: Path, manifest: Manifest, config: Config, model_name: str) -> None:
    """The index suits the config and every file a load reads is whole (stat and zlib only, no numpy or
    FAISS); else the ``AssistantError`` that says why and what mends it."""
    check_compatible(manifest, config, model_name)
    verify_files(index_dir, manifest, core_files(manifest))


def check_encoder_files(index_dir: Path, manifest: Manifest) -> None:
    """The index's ONNX export of the model, where it has one, is whole; else ``IndexCorruptError``
    (an update mends it). What a question's first use checks, and what ``status`` checks too."""
    if isinstance(manifest.question_encoder, EncoderExport):
        verify_files(index_dir, manifest, ENCODER_FILES, Remedy.UPDATE)


def encoder_state(manifest: Manifest) -> Literal["onnx", "model"]:
    """How the index's questions are encoded: by its ONNX export, or by the model itself."""
    return "onnx" if manifest.question_encoder.available else "model"
