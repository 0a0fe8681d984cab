"""Find the files under the sources folder, read them (text, Markdown, HTML, PDF, Word), decode, and hash them."""

from __future__ import annotations

import bisect
import errno
import functools
import hashlib
import os
import stat as statmod
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import NamedTuple, Protocol

from ..config import SourcesSettings
from ..errors import SourcesError, UnreadableSourceError
from ..models import SkippedFile
from .outside_text import is_text, shown
from .decoding import UNICODE_ENCODINGS, binary_reason, decode_html_bytes, decode_source_bytes
from .delimited import delimited_text
from .docx import docx_text
from .formats import (
    DELIMITED_SUFFIXES, DOCX_SUFFIXES, HTML_SUFFIXES, MARKDOWN_SUFFIXES, PDF_SUFFIXES, ExtractedText, html_text, markdown_text, pdf_text,
)

@dataclass(frozen=True)
class FileStamp:
    """What a build remembers of a file it looked at, indexed or skipped: enough to tell if it changed.

    Size and modification time alone can be kept across an edit (``touch -r``, sync tools, coarse
    clocks); the inode change time cannot be set by anyone, and an editor that saves by renaming
    gives a new inode. A file whose stat differs in any of them is read and its hash compared.
    """

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    sha256: str | None  # None when the file was not read (too large, unreadable)

    @classmethod
    def of(cls, stat: os.stat_result, sha256: str | None) -> "FileStamp":
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, sha256)


class Stamped(Protocol):
    """A file's stat as it was: a ``FileStamp``, or the manifest's record of one."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int


def stat_unchanged(record: Stamped, stat: os.stat_result) -> bool:
    """Whether ``stat`` is the one ``record`` was taken from: the file is as it was then."""
    kept = (record.size, record.mtime_ns, record.ctime_ns, record.inode)
    return kept == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@dataclass(frozen=True)
class Document:
    """A decoded source file. ``source`` is its path relative to the sources folder, POSIX style.

    ``text`` is what offsets refer to: the decoded file, or for HTML, PDF and Word the extracted text.
    ``stamp`` is the file's stat taken before it was read, so that a file changed while it was read
    looks changed to the next build. ``page_starts`` holds, for a PDF, the offset in ``text`` where
    each page begins; ``file_lines``, for HTML, the file's line of each stretch of ``text``
    (``ExtractedText.file_lines``).
    """

    source: str
    text: str
    sha256: str
    encoding: str
    page_starts: tuple[int, ...] = ()
    stamp: FileStamp | None = None
    file_lines: tuple[tuple[int, int], ...] = ()
    # Where the format says which lines are headings (HTML's h1 to h6), their offsets; None: told by look.
    headings: tuple[int, ...] | None = None

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding ``offset``, or None for a format without pages."""
        if not self.page_starts:
            return None
        return max(bisect.bisect_right(self.page_starts, offset), 1)


class SourceScan:
    """The sources folder, read one file at a time as ``documents()`` is iterated (a folder of any size
    never sits in memory whole). As it goes it records the files it passed over, those read with a
    warning, every file's stamp, and how each indexed source was decoded."""

    def __init__(
        self, files: list[tuple[str, Path]], skipped: list[SkippedFile], max_bytes: int,
        progress: Callable[[int, int], None] | None = None, not_included: list[str] | None = None,
    ) -> None:
        self._files: list[tuple[str, Path]] | None = files
        self.not_included: tuple[str, ...] = tuple(not_included or ())
        self._max_bytes = max_bytes
        self._report = progress or (lambda _done, _total: None)
        self.skipped: list[SkippedFile] = list(skipped)
        self.warnings: list[SkippedFile] = []
        # Every file the scan stat'ed, indexed or passed over, by source; symlinks leading out are not here.
        self.stamps: dict[str, FileStamp] = {}
        self.encodings: dict[str, str] = {}  # each indexed source, in order, and how it was decoded

    def documents(self) -> Iterator[Document]:
        """Each readable document in path order, read when its turn comes; one bad file never stops
        the others. ``progress`` hears (files read, files found) before each file and at the end. Once:
        the notes would be recorded twice."""
        if self._files is None:
            raise RuntimeError("the sources of a scan are read once")
        files, self._files = self._files, None
        total = len(files)
        for done, (source, path) in enumerate(files):
            self._report(done, total)
            document, note, stamp = read_document(source, path, self._max_bytes)
            if stamp is not None:
                self.stamps[source] = stamp
            if document is None:
                if note is not None:
                    self.skipped.append(note)
                continue
            self.encodings[source] = document.encoding
            if note is not None:
                self.warnings.append(note)
            yield document
        self._report(total, total)


def content_hash(data: bytes) -> str:
    """The hex SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


@functools.lru_cache(maxsize=32)
def _matcher(patterns: tuple[str, ...]):
    """The patterns read as .gitignore reads them (pathspec): ``**`` crosses folders, ``*`` and ``?``
    do not, a pattern without a slash matches a name at any depth, a leading slash anchors it."""
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _matches(relative: str, patterns: tuple[str, ...]) -> bool:
    return _matcher(tuple(patterns)).match_file(relative)


def patterns_take(relative: str, settings: SourcesSettings) -> bool:
    """Whether the include and exclude patterns take the file at ``relative`` (its POSIX path in the
    sources folder): what a build reads, and what a watch of the sources reacts to."""
    return _matches(relative, settings.include) and not _matches(relative, settings.exclude)


def is_hidden(relative: str) -> bool:
    """Whether the file or folder at ``relative`` (its POSIX path in the sources folder), or a folder
    above it, is hidden (its name starts with a dot): a walk of the sources never reads it."""
    return any(part.startswith(".") for part in relative.split("/"))


def patterns_exclude(relative: str, settings: SourcesSettings) -> bool:
    """Whether the exclude patterns leave out ``relative``: a file, or a folder with all it holds."""
    return _matches(relative, settings.exclude)


def _resolved(path: Path) -> Path | None:
    """``path`` with every link followed, or None for a loop or a path that cannot be followed."""
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, on Python 3.11
        return None


def _link_problem(path: Path, error: OSError) -> str:
    if path.is_symlink():
        if error.errno == errno.ELOOP:
            return "symlink loop (the link leads back to itself)"
        return "dangling symlink (its target does not exist)"
    return f"cannot read: {error.strerror or error}"


class FoundSources(NamedTuple):
    """What a walk of the sources found: the files to index as (relative POSIX path, absolute path),
    sorted; those passed over, each with its reason; and the files no include pattern takes (neither
    hidden nor excluded), sorted: a type the patterns do not name, which a user may have meant to be read."""

    files: list[tuple[str, Path]]
    skipped: list[SkippedFile]
    not_included: list[str]


def find_source_files(root: Path, settings: SourcesSettings, skip: Iterable[Path] = ()) -> FoundSources:
    """The files to index, those passed over and those the patterns do not take (``FoundSources``).

    Every odd entry is a note, never an error: hidden files and folders are left out; a symlinked
    file is read only when it leads to a file inside ``root``; loops, dangling links and folders that
    cannot be read are reported. Symlinked folders are never descended into (os.walk does not follow
    them), which also rules out loops. A file reached twice (a link to a file of the tree, a hard
    link) is read once, at its own path where it has one. Folders in ``skip`` (the index, when it
    lives inside the sources) are left out.
    """
    walk = _SourceWalk(_resolved(root) or root.absolute(), settings, skip)
    for dirpath, dirnames, filenames in os.walk(walk.root, followlinks=False, onerror=walk.unreadable_folder):
        current = Path(dirpath)
        dirnames[:] = sorted(name for name in dirnames if walk.descends(current / name))
        for name in filenames:
            if not is_hidden(name):
                walk.consider(current / name)
    return FoundSources(walk.found(), walk.skipped, sorted(walk.not_included))


class _SourceWalk:
    """The files a walk of the sources found so far (each with its identity), and the notes on the rest."""

    def __init__(self, root: Path, settings: SourcesSettings, skip: Iterable[Path]) -> None:
        self.root, self.settings = root, settings
        self.skipped_dirs = {p for p in (_resolved(Path(s)) for s in skip) if p is not None}
        self.candidates: list[tuple[str, Path, tuple[int, int], bool]] = []
        self.skipped: list[SkippedFile] = []
        self.not_included: list[str] = []  # files no include pattern takes (``FoundSources.not_included``)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else str(path)

    def unreadable_folder(self, error: OSError) -> None:
        folder = Path(error.filename) if error.filename else self.root
        reason = f"cannot read this folder: {error.strerror or error}"
        self.skipped.append(SkippedFile(source=self.relative(folder) + "/", reason=reason))

    def _leads_outside(self, path: Path) -> bool:
        target = _resolved(path)
        if target is None or not target.is_relative_to(self.root):
            self.skipped.append(SkippedFile(source=self.relative(path), reason="symlink leads outside the sources folder"))
            return True
        return False

    def descends(self, folder: Path) -> bool:
        """Whether the walk goes into ``folder``: not hidden, not skipped, not a link (whose files
        inside the tree are reached at their own path)."""
        if is_hidden(folder.name) or folder in self.skipped_dirs:
            return False
        if folder.is_symlink():
            self._leads_outside(folder)
            return False
        return True

    def consider(self, path: Path) -> None:
        """Keep the file if the patterns take it and it can be read where it leads; else note why not."""
        rel = self.relative(path)
        if not patterns_take(rel, self.settings):
            if not _matches(rel, self.settings.include) and not _matches(rel, self.settings.exclude):
                self.not_included.append(shown(rel))  # a name that is not UTF-8 is said, never raw
            return
        if not is_text(rel):
            # Its name cannot be stored, cited or tokenized as text; the rest of the folder still is.
            self.skipped.append(SkippedFile(source=shown(rel), reason="its name is not UTF-8 (rename the file to index it)"))
            return
        try:
            stat = path.stat()
        except OSError as exc:
            self.skipped.append(SkippedFile(source=rel, reason=_link_problem(path, exc)))
            return
        is_link = path.is_symlink()
        if is_link and self._leads_outside(path):
            return
        self.candidates.append((rel, path, (stat.st_dev, stat.st_ino), is_link))

    def found(self) -> list[tuple[str, Path]]:
        """Each file once (at its own path before a link's), sorted by relative path."""
        chosen: dict[tuple[int, int], tuple[str, Path]] = {}
        for rel, path, identity, _is_link in sorted(self.candidates, key=lambda c: (c[3], c[0])):
            first = chosen.get(identity)
            if first is None:
                chosen[identity] = (rel, path)
            else:
                self.skipped.append(SkippedFile(source=rel, reason=f"the same file as {first[0]} (a link), indexed there"))
        return sorted(chosen.values(), key=lambda item: item[0])


def extract_text(source: str, data: bytes) -> tuple[ExtractedText, str]:
    """The indexed text of a file's bytes by its format, and how it was decoded.

    Raises ``UnreadableSourceError`` for a file that is binary or otherwise not text.
    """
    suffix = PurePosixPath(source).suffix.lower()
    if suffix in PDF_SUFFIXES:
        return pdf_text(data), "pdf"
    if suffix in DOCX_SUFFIXES:
        return docx_text(data), "docx"
    if (binary := binary_reason(data)) is not None:
        raise UnreadableSourceError(binary)
    declared = False
    if suffix in HTML_SUFFIXES:
        text, encoding, declared = decode_html_bytes(data)
        extracted = html_text(text)
    elif suffix in DELIMITED_SUFFIXES:
        text, encoding = decode_source_bytes(data)
        extracted = delimited_text(text, suffix)
    else:
        text, encoding = decode_source_bytes(data)
        extracted = ExtractedText(markdown_text(text) if suffix in MARKDOWN_SUFFIXES else text)
    # An encoding guessed is said (one a page declares is no guess: a new user's windows-1252 page was
    # "not UTF-8" at every build, read right as it said).
    if encoding not in UNICODE_ENCODINGS and not declared:
        extracted = replace(extracted, notes=(*extracted.notes, f"not UTF-8; read as {encoding}"))
    return extracted, encoding


def read_document(source: str, path: Path, max_bytes: int) -> tuple[Document | None, SkippedFile | None, FileStamp | None]:
    """Read one file: the document (or None when it is skipped), a note saying why or warning, its stamp."""
    try:
        stat = path.stat()
    except OSError as exc:
        return None, SkippedFile(source=source, reason=_link_problem(path, exc)), None
    if not statmod.S_ISREG(stat.st_mode):
        # Reading a named pipe or a device would block the build, or never end.
        note = SkippedFile(source=source, reason="not a regular file (a pipe or device)")
        return None, note, FileStamp.of(stat, None)
    if stat.st_size > max_bytes:
        note = SkippedFile(
            source=source, reason=f"larger than the {max_bytes / 1_000_000:g} MB cap (sources.max_file_mb); skipped"
        )
        return None, note, FileStamp.of(stat, None)
    try:
        data = path.read_bytes()
    except OSError as exc:
        note = SkippedFile(source=source, reason=f"cannot read: {exc.strerror or exc}")
        return None, note, FileStamp.of(stat, None)
    stamp = FileStamp.of(stat, content_hash(data))
    try:
        extracted, encoding = extract_text(source, data)
    except UnreadableSourceError as exc:
        return None, SkippedFile(source=source, reason=exc.message), stamp
    if not extracted.text.strip():
        reason = "no text in this PDF (a scanned one needs OCR first)" if encoding == "pdf" else "empty file (no text to index)"
        return None, SkippedFile(source=source, reason=reason), stamp
    document = Document(
        source=source,
        text=extracted.text,
        sha256=stamp.sha256 or "",
        encoding=encoding,
        stamp=stamp,
        page_starts=extracted.page_starts,
        file_lines=extracted.file_lines,
        headings=extracted.headings,
    )
    warning = SkippedFile(source=source, reason="; ".join(extracted.notes)) if extracted.notes else None
    return document, warning, stamp


def scan_sources(
    root: Path, settings: SourcesSettings, skip: Iterable[Path] = (), progress: Callable[[int, int], None] | None = None
) -> SourceScan:
    """The source files under ``root``, found now (none is read yet) and read one at a time as the
    scan's ``documents()`` are iterated; ``progress`` hears how far that has come."""
    found = find_source_files(root, settings, skip)
    return SourceScan(found.files, found.skipped, int(settings.max_file_mb * 1_000_000), progress, found.not_included)


def source_stat(root: Path, source: str) -> os.stat_result:
    """The stat of a source file now; ``SourcesError`` when it is gone or cannot be read."""
    try:
        return (root / source).stat()
    except OSError as exc:
        raise SourcesError(f"cannot read source {source}: {exc.strerror or exc}") from exc


def read_source_text(root: Path, source: str) -> str:
    """The text of one source file exactly as it was indexed: what citations' offsets slice."""
    return extracted_source(root, source).text


def extracted_source(root: Path, source: str) -> ExtractedText:
    """One source file as it was indexed: its text and, for HTML, the file's line of each stretch."""
    stat = source_stat(root, source)
    return _extracted_text(root / source, source, FileStamp.of(stat, None))


# The viewer and the quote check ask for the same file again and again; a PDF takes long to extract.
# The file's whole stat is part of the key, so an edited file is read afresh.
@functools.lru_cache(maxsize=16)
def _extracted_text(path: Path, source: str, stamp: FileStamp) -> ExtractedText:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourcesError(f"cannot read source {source}: {exc.strerror or exc}") from exc
    try:
        extracted, _ = extract_text(source, data)
    except UnreadableSourceError as exc:
        raise SourcesError(f"cannot read source {source}: {exc.message}") from exc
    return extracted
