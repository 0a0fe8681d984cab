"""The index's manifest: reading and validating it, whether it suits the config, what changed since.

Nothing here needs numpy, FAISS or the model, so that ``assistant status`` stays quick.
"""

from __future__ import annotations

import json
import stat as stat_module
import zlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from .config import Config
from .documents import content_hash, find_source_files, stat_unchanged
from .errors import IndexCorruptError, IndexMissingError
from .models import SourceChanges
from .store.folder import claim, lock_path, recover_interrupted_swap  # noqa: F401 (lock_path: API)
from .store.layout import ENCODER_FILE, ENCODER_FILES, MANIFEST, PASSAGES, SENTENCE_VECTORS, VECTORS

# Files larger than this are checked by size only (a checksum would cost a full read at every load).
CHECKSUM_MAX_BYTES = 64 * 1024 * 1024

# 2: the passage table moved from passages.jsonl to passages.sqlite.
# 3: the folder carries its marker, the manifest its own checksum, every source its ctime and inode.
# 4: passages have a kind (body, caption, metadata, references).
FORMAT_VERSION = 4


def expected_manifest_settings(config: Config, model_name: str) -> dict:
    """The settings an index must have been built with to serve this config."""
    return {
        "model": model_name,
        "max_passage_chars": config.settings.chunking.max_passage_chars,
    }


class _Record(BaseModel):
    size: int = Field(ge=0)
    mtime_ns: int
    ctime_ns: int = 0
    inode: int = 0
    sha256: str | None = None


class _FileRecord(BaseModel):
    size: int = Field(ge=0)
    crc32: str | None = None


class _ModelRecord(BaseModel):
    name: str
    dimension: int = Field(gt=0)


class _Counts(BaseModel):
    passages: int = Field(ge=0)
    sentences: int = Field(ge=0)
    files: int = Field(ge=0)


class _ManifestShape(BaseModel):
    """What a manifest of this format must hold, so that a damaged one fails here, not deep in a load."""

    format_version: int
    model: _ModelRecord
    settings: dict[str, object]
    counts: _Counts
    sources: dict[str, _Record]
    skipped: dict[str, _Record] = Field(default_factory=dict)
    files: dict[str, _FileRecord]
    question_encoder: dict[str, object] | None = None


def read_manifest(index_dir: Path) -> dict:
    """The index's manifest; ``IndexMissingError`` when there is no index, corrupt when unreadable.

    A folder that is not the index's own is refused before anything in or beside it is touched.
    """
    claim(index_dir)
    recover_interrupted_swap(index_dir)
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexMissingError(f"no index at {index_dir}; run `assistant index` to build it")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
        # Another format version may have another shape: check_compatible reports it by its version.
        if manifest.get("format_version") == FORMAT_VERSION:
            _ManifestShape.model_validate(manifest)
            if manifest.get("checksum") != manifest_checksum(manifest):
                raise ValueError("the manifest's checksum does not match its content")
    except (OSError, ValueError) as exc:  # json's and pydantic's errors are ValueErrors
        raise IndexCorruptError(
            f"the index manifest is damaged ({path}); run `assistant index --rebuild`"
        ) from exc
    return manifest


def check_compatible(manifest: dict, config: Config, model_name: str) -> None:
    """Refuse an index built by another format, model or chunking than the config asks for."""
    rebuild = "run `assistant index --rebuild`"
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexCorruptError(
            f"the index has format version {manifest.get('format_version')}, this version reads {FORMAT_VERSION}; {rebuild}"
        )
    built = manifest.get("settings", {})
    if manifest.get("model", {}).get("name") != model_name:
        raise IndexCorruptError(
            f"the index was built with model {manifest.get('model', {}).get('name')!r} but the config asks for {model_name!r}; {rebuild}"
        )
    for key, wanted in expected_manifest_settings(config, model_name).items():
        if built.get(key) != wanted:
            raise IndexCorruptError(
                f"the index was built with {key} = {built.get(key)!r} but the config asks for {wanted!r}; {rebuild}"
            )


def detect_changes(config: Config, manifest: dict) -> SourceChanges:
    """Which source files were added, changed or removed since the index was built (no model needed).

    Files the build passed over (binary, empty, too large) are remembered in the manifest too, so
    that they do not look new, and trigger an update, on every run.
    """
    indexed: dict[str, dict] = manifest.get("sources", {})
    passed_over: dict[str, dict] = manifest.get("skipped", {})
    files, _ = find_source_files(config.sources_dir, config.settings.sources, skip=[config.index_dir])
    added, changed, unchanged = [], [], []
    seen = set()
    for source, path in files:
        try:
            stat = path.stat()
        except OSError:
            continue  # gone or unreadable now: as good as absent (removed, if it was indexed)
        seen.add(source)
        old = indexed.get(source) or passed_over.get(source)
        if old and stat_unchanged(old, stat):
            if source in indexed:
                unchanged.append(source)
            continue
        if old is None:
            added.append(source)
            continue
        digest = None
        if old.get("sha256") and stat_module.S_ISREG(stat.st_mode):  # never block reading a pipe
            try:
                digest = content_hash(path.read_bytes())
            except OSError:
                digest = None
        if digest is not None and digest == old["sha256"]:
            if source in indexed:
                unchanged.append(source)
        elif source in indexed:
            changed.append(source)
        else:
            added.append(source)  # passed over last time and different now: it may be readable
    removed = sorted(s for s in indexed if s not in seen)
    return SourceChanges(added=tuple(added), changed=tuple(changed), removed=tuple(removed), unchanged=tuple(unchanged))


def manifest_checksum(manifest: dict) -> str:
    """The CRC32 of the manifest's content without its own checksum: a hand edit or damage that still
    parses (a model name changed, a count) is caught on load."""
    content = {key: value for key, value in manifest.items() if key != "checksum"}
    return f"{zlib.crc32(json.dumps(content, sort_keys=True, ensure_ascii=False).encode('utf-8')):08x}"


def encoder_state(manifest: dict) -> str:
    """How an index's questions are encoded: 'onnx' (its export), 'model' (the model cannot be
    exported, or the export failed), or 'missing' (built before there was an export)."""
    entry = manifest.get("question_encoder")
    if not entry:
        return "missing"
    return "onnx" if entry.get("available") else "model"


def file_digest(path: Path) -> str | None:
    # The question encoder is always checked (90 MB, 50 ms): a damaged weight may change only the
    # vectors of some words, which its probe question would not show.
    if path.stat().st_size > CHECKSUM_MAX_BYTES and path.name != ENCODER_FILE:
        return None
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


def verify_files(folder: Path, manifest: dict, names: Iterable[str], fix: str) -> None:
    """Each of ``names`` is listed in the manifest and exists with its recorded size and checksum."""
    listed = manifest["files"]
    for name in names:
        if name not in listed:
            raise IndexCorruptError(f"the index manifest does not list {name}; run `{fix}`")
        path, info = folder / name, listed[name]
        if not path.exists():
            raise IndexCorruptError(f"the index is missing {name}; run `{fix}`")
        if path.stat().st_size != info["size"] or (info.get("crc32") and file_digest(path) != info["crc32"]):
            raise IndexCorruptError(f"the index file {name} is damaged; run `{fix}`")


def core_files(manifest: dict) -> list[str]:
    """The files a load checks: the three every index has, and whatever else it lists, except the
    question encoder's, which ``LoadedIndex.question_encoder`` checks when it opens them (damage to
    them alone needs only an update, which keeps every vector)."""
    names = dict.fromkeys([VECTORS, SENTENCE_VECTORS, PASSAGES, *manifest["files"]])
    return [name for name in names if name not in ENCODER_FILES]
