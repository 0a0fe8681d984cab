"""The index's manifest: reading and validating it, whether it suits the config, what changed since.

Nothing here needs numpy, FAISS or the model, so that ``assistant status`` stays quick.
"""

from __future__ import annotations

import json
import os
import shutil
import stat as stat_module
import time
from pathlib import Path

from pydantic import BaseModel, Field

from .config import Config
from .documents import content_hash, find_source_files
from .errors import IndexCorruptError, IndexLockedError, IndexMissingError
from .locking import BuildLock
from .models import SourceChanges

# 2: the passage table moved from passages.jsonl to passages.sqlite.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
# How long a reader waits for a live build to finish swapping its new index in.
SWAP_WAIT_SECONDS = 5.0


def lock_path(index_dir: Path) -> Path:
    return index_dir.with_name(f".{index_dir.name}.lock")


def expected_manifest_settings(config: Config, model_name: str) -> dict:
    """The settings an index must have been built with to serve this config."""
    return {
        "model": model_name,
        "max_passage_chars": config.settings.chunking.max_passage_chars,
    }


class _Record(BaseModel):
    size: int = Field(ge=0)
    mtime_ns: int
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


def _backups(index_dir: Path) -> list[Path]:
    found = []
    for path in index_dir.parent.glob(f".{index_dir.name}.old-*"):
        try:
            found.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue  # removed by the build that made it, between the glob and the stat
    return [path for _, path in sorted(found, reverse=True)]


def _restore_backup(index_dir: Path) -> None:
    """Put the newest complete backup back as the index; the caller holds the build lock."""
    if (index_dir / MANIFEST).exists():
        return
    for backup in _backups(index_dir):
        if (backup / MANIFEST).exists():
            if index_dir.exists():
                leftovers = [p for p in index_dir.iterdir() if p.name != ".gitignore"]
                if leftovers:
                    return  # someone's files, not a half-swapped index: leave them be
                shutil.rmtree(index_dir)
            os.rename(backup, index_dir)
            return


def recover_interrupted_swap(index_dir: Path) -> None:
    """If a build died between its two renames, put the previous index back in place.

    The restore happens under the build lock: a live build between its renames looks the same as a
    dead one, and restoring under its feet would make its second rename fail. When a live build holds
    the lock, wait a moment for its new index to appear instead.
    """
    if (index_dir / MANIFEST).exists() or not _backups(index_dir):
        return
    try:
        with BuildLock(lock_path(index_dir)):
            _restore_backup(index_dir)
    except IndexLockedError:
        deadline = time.monotonic() + SWAP_WAIT_SECONDS
        while time.monotonic() < deadline and not (index_dir / MANIFEST).exists():
            time.sleep(0.05)


def read_manifest(index_dir: Path) -> dict:
    """The index's manifest; ``IndexMissingError`` when there is no index, corrupt when unreadable."""
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
    files, _ = find_source_files(config.sources_dir, config.settings.sources)
    added, changed, unchanged = [], [], []
    seen = set()
    for source, path in files:
        try:
            stat = path.stat()
        except OSError:
            continue  # gone or unreadable now: as good as absent (removed, if it was indexed)
        seen.add(source)
        old = indexed.get(source) or passed_over.get(source)
        if old and old.get("size") == stat.st_size and old.get("mtime_ns") == stat.st_mtime_ns:
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


def encoder_state(manifest: dict) -> str:
    """How an index's questions are encoded: 'onnx' (its export), 'model' (the model cannot be
    exported, or the export failed), or 'missing' (built before there was an export)."""
    entry = manifest.get("question_encoder")
    if not entry:
        return "missing"
    return "onnx" if entry.get("available") else "model"
