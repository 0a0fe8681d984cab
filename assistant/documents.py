"""Find the files under the sources folder, read and decode them, and hash their content."""

from __future__ import annotations

import fnmatch
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import SourcesSettings
from .models import SkippedFile

BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Document:
    """A decoded source file. ``source`` is its path relative to the sources folder, POSIX style."""

    source: str
    text: str
    sha256: str
    encoding: str


@dataclass(frozen=True)
class SourceScan:
    """What a scan of the sources folder found: readable documents and the files it passed over."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    warnings: list[SkippedFile] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    """The hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def decode_source_bytes(data: bytes) -> tuple[str, str]:
    """Decode a source file's bytes; returns the text and the encoding used.

    UTF-8 (with or without a BOM) first; otherwise the encoding charset-normalizer detects; cp1252 and
    finally latin-1 (which decodes anything) as the last resort. Offsets everywhere refer to this text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None and best.encoding:
            return str(best), best.encoding
    except ImportError:  # optional: the fallbacks below still decode
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def looks_binary(data: bytes) -> bool:
    """True when the file has a NUL byte in its first 8 KiB."""
    return b"\x00" in data[:BINARY_SNIFF_BYTES]


def _matches(relative: str, patterns: tuple[str, ...]) -> bool:
    path = PurePosixPath(relative)
    for pattern in patterns:
        if path.match(pattern) or fnmatch.fnmatch(relative, pattern):
            return True
        # "**/*.txt" should match a top-level "a.txt" too.
        if pattern.startswith("**/") and fnmatch.fnmatch(relative, pattern[3:]):
            return True
    return False


def find_source_files(root: Path, settings: SourcesSettings) -> tuple[list[tuple[str, Path]], list[SkippedFile]]:
    """The files to index as (relative POSIX path, absolute path), sorted; plus those passed over.

    Hidden files and folders are skipped; symlinks are followed only when they stay inside ``root``.
    """
    root = root.resolve()
    found: list[tuple[str, Path]] = []
    skipped: list[SkippedFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        current = Path(dirpath)
        kept_dirs = []
        for name in dirnames:
            if name.startswith("."):
                continue
            full = current / name
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(root):
                    rel = full.relative_to(root).as_posix()
                    skipped.append(SkippedFile(source=rel, reason="symlink leads outside the sources folder"))
                    continue
            kept_dirs.append(name)
        dirnames[:] = sorted(kept_dirs)
        for name in filenames:
            if name.startswith("."):
                continue
            full = current / name
            rel = full.relative_to(root).as_posix()
            if not _matches(rel, settings.include) or _matches(rel, settings.exclude):
                continue
            if full.is_symlink():
                target = full.resolve()
                if not target.is_relative_to(root):
                    skipped.append(SkippedFile(source=rel, reason="symlink leads outside the sources folder"))
                    continue
            found.append((rel, full))
    found.sort(key=lambda item: item[0])
    return found, skipped


def read_document(source: str, path: Path, max_bytes: int) -> tuple[Document | None, SkippedFile | None]:
    """Read one file: the document (or None when it must be skipped) and a warning, if any."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, SkippedFile(source=source, reason=f"cannot read: {exc.strerror or exc}")
    if size > max_bytes:
        return None, SkippedFile(
            source=source, reason=f"larger than the {max_bytes / 1_000_000:g} MB cap (sources.max_file_mb)"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, SkippedFile(source=source, reason=f"cannot read: {exc.strerror or exc}")
    if not data.strip():
        return None, SkippedFile(source=source, reason="empty file")
    if looks_binary(data):
        return None, SkippedFile(source=source, reason="binary file (NUL byte in the first 8 KiB)")
    text, encoding = decode_source_bytes(data)
    document = Document(source=source, text=text, sha256=content_hash(data), encoding=encoding)
    warning = None
    if encoding not in ("utf-8", "utf-8-sig", "ascii"):
        warning = SkippedFile(source=source, reason=f"not UTF-8; read as {encoding}")
    return document, warning


def scan_sources(root: Path, settings: SourcesSettings) -> SourceScan:
    """Read every source file under ``root``; one bad file never stops the others."""
    files, skipped = find_source_files(root, settings)
    scan = SourceScan(skipped=list(skipped))
    max_bytes = int(settings.max_file_mb * 1_000_000)
    for source, path in files:
        document, note = read_document(source, path, max_bytes)
        if document is None:
            if note is not None:
                scan.skipped.append(note)
            continue
        scan.documents.append(document)
        if note is not None:
            scan.warnings.append(note)
    return scan


def hash_sources(root: Path, settings: SourcesSettings) -> dict[str, str]:
    """Each indexable file's content hash, without decoding: what ``status`` compares to the manifest."""
    files, _ = find_source_files(root, settings)
    max_bytes = int(settings.max_file_mb * 1_000_000)
    hashes: dict[str, str] = {}
    for source, path in files:
        try:
            if path.stat().st_size > max_bytes:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if not data.strip() or looks_binary(data):
            continue
        hashes[source] = content_hash(data)
    return hashes


def read_source_text(root: Path, source: str) -> str:
    """The decoded text of one source file, exactly as it was decoded for indexing."""
    text, _ = decode_source_bytes((root / source).read_bytes())
    return text
