"""One ONNX export of a model for every index that uses it: ten collections cost ten indexes, not ten
90 MB exports of the same model.

A build that must export the question encoder first looks in the per-user data folder's ``encoders/``
for an export of the same model: a folder named by the checksum of the model's own files (and of the
exporting torch), holding the export's files and their record. Found and whole (sizes and CRC32s as
recorded), its files are hard-linked into the new index, which then holds them as if it had made them
(and checks them on load as ever). Else the build exports as before and leaves a link of its files
there for the next. The shared folder is a cache: a damaged entry is removed and made again, and a
folder that cannot be written (another disk, read-only) only costs the export."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import platformdirs
from pydantic import ValidationError

from ..config import APP_NAME
from .encoder_export import link_question_encoder
from .layout import ENCODER_FILES
from .manifest import EncoderExport, FileCheck, file_digest

STORE_FOLDER = "encoders"
RECORD_FILE = "export.json"
# Bumped when the export's making changes, so that an older export is not taken for a new one.
EXPORT_FORMAT = 1


def store_root() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / STORE_FOLDER


def model_key(location: str) -> str | None:
    """The checksum that names a model's export: its files' names and bytes, the export's format and
    the torch that exports it; None for a model that is not a folder here (a hub id)."""
    folder = Path(location)
    if not folder.is_dir():
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        torch_version = ""
    digest = hashlib.sha256(f"{EXPORT_FORMAT}\0{torch_version}\0".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:32]


def link_stored(key: str, folder: Path) -> EncoderExport | None:
    """Link the stored export of model ``key`` into ``folder`` and return its record; None when there is
    none, or it is damaged (then it is removed, to be made again)."""
    entry = store_root() / key
    try:
        raw = json.loads((entry / RECORD_FILE).read_text(encoding="utf-8"))
        record = EncoderExport.model_validate(raw["record"])
        checks = {name: FileCheck.model_validate(raw["files"][name]) for name in ENCODER_FILES}
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        if entry.exists():
            shutil.rmtree(entry, ignore_errors=True)
        return None
    for name, check in checks.items():
        path = entry / name
        try:
            whole = path.stat().st_size == check.size and file_digest(path) == check.crc32
        except OSError:
            whole = False
        if not whole:
            shutil.rmtree(entry, ignore_errors=True)
            return None
    try:
        link_question_encoder(entry, folder)
    except OSError:
        for name in ENCODER_FILES:
            (folder / name).unlink(missing_ok=True)
        return None
    return record


def keep(key: str, folder: Path, record: EncoderExport) -> None:
    """Leave links of ``folder``'s fresh export under the model's key for the next build (best effort)."""
    entry = store_root() / key
    if entry.exists():
        return
    partial = entry.with_name(f".{key}.tmp-{os.getpid()}")
    try:
        partial.mkdir(parents=True, exist_ok=True)
        link_question_encoder(folder, partial)
        files = {}
        for name in ENCODER_FILES:
            files[name] = FileCheck(size=(partial / name).stat().st_size, crc32=file_digest(partial / name)).model_dump()
        data = {"record": record.model_dump(mode="json"), "files": files}
        (partial / RECORD_FILE).write_text(json.dumps(data), encoding="utf-8")
        os.replace(partial, entry)
    except OSError:
        pass
    finally:
        if partial.exists():
            shutil.rmtree(partial, ignore_errors=True)
