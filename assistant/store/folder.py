"""The index folder: ours alone, written beside the old one, swapped in with a rename, recovered after a crash.

The rule, kept here where every rename and removal happens: a folder is written into, swapped out or
removed only when it carries the index's marker (or, for an index built before the marker existed,
holds nothing but an index's own files), does not exist yet, or is empty. Anything else at the
configured path is refused before anything is touched: an ``index.path`` of ``"."`` or of the sources
folder is a typo, not a request to delete the user's files. Nothing outside the index folder and the
temporaries and backups beside it (which carry the marker themselves) is ever moved or deleted.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from ..errors import IndexFolderError, IndexLockedError
from .lock import BuildLock
from .layout import DISTINCTIVE_NAMES, GITIGNORE, GITIGNORE_FILE, INDEX_NAMES, MANIFEST, MARKER

MARKER_TEXT = "This folder is an index built by `assistant`. It is rebuilt from the sources on demand.\n"
# How long a reader waits for a live build to finish swapping its new index in.
SWAP_WAIT_SECONDS = 5.0


def lock_path(index_dir: Path) -> Path:
    """The build lock: a file beside the index folder, so that it survives the folder's swap."""
    return index_dir.with_name(f".{index_dir.name}.lock")


def why_not_ours(folder: Path) -> str | None:
    """None when ``folder`` may be written, swapped or removed by a build; else why not, in words."""
    try:
        if not folder.exists() and not folder.is_symlink():
            return None
        if folder.is_symlink() or not folder.is_dir():
            return "it is a file, not a folder" if folder.is_file() else "it is not a plain folder"
        names = {entry.name for entry in os.scandir(folder)}
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if MARKER in names or not names:
        return None
    if names == {GITIGNORE_FILE} and _reads(folder / GITIGNORE_FILE) == GITIGNORE:
        return None
    if names <= INDEX_NAMES and names & DISTINCTIVE_NAMES:
        return None
    others = sorted(names - INDEX_NAMES)
    example = ", ".join(repr(name) for name in others[:3]) + (", …" if len(others) > 3 else "")
    return f"it holds files that are not an index's ({example})"


def claim(folder: Path) -> None:
    """Refuse, before anything is touched, a folder that is not the index's own."""
    reason = why_not_ours(folder)
    if reason is not None:
        raise _refusal(folder, reason)


def check_location(index_dir: Path, sources_dir: Path) -> None:
    """The index may not be the sources folder nor hold it (the scan leaves an index inside it out)."""
    if index_dir == sources_dir:
        raise _refusal(index_dir, "it is the sources folder")
    if sources_dir.is_relative_to(index_dir):
        raise _refusal(index_dir, f"it holds the sources folder ({sources_dir})")
    claim(index_dir)


def _refusal(folder: Path, reason: str) -> IndexFolderError:
    return IndexFolderError(
        f"will not use {folder} as the index folder: {reason}; the index needs a folder of its own "
        "(a new or empty one)"
    )


def new_build_folder(index_dir: Path) -> Path:
    """A fresh folder beside the index for a build to write into, marked as ours from its first moment."""
    folder = index_dir.with_name(f".{index_dir.name}.tmp-{os.getpid()}")
    remove_if_ours(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    (folder / GITIGNORE_FILE).write_text(GITIGNORE, encoding="utf-8")
    return folder


def remove_if_ours(folder: Path) -> None:
    """Remove a folder the build made (a temporary or a backup); anything else stays where it is."""
    if (folder.exists() or folder.is_symlink()) and why_not_ours(folder) is None:
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def swap_in(new_folder: Path, index_dir: Path) -> None:
    """Replace ``index_dir`` by ``new_folder``: the old index is renamed aside, then removed.

    The caller holds the build lock. ``index_dir`` is claimed again here, right before it moves.
    """
    claim(index_dir)
    backup = index_dir.with_name(f".{index_dir.name}.old-{os.getpid()}")
    if index_dir.exists():
        os.rename(index_dir, backup)
    try:
        os.rename(new_folder, index_dir)
    except OSError:
        if backup.exists() and not index_dir.exists():
            os.rename(backup, index_dir)  # put the last good index straight back
        raise
    fsync_directory(index_dir.parent)
    remove_if_ours(backup)


def backups(index_dir: Path) -> list[Path]:
    """Previous indexes a build renamed aside and did not get to remove, newest first."""
    found = []
    for path in index_dir.parent.glob(f".{index_dir.name}.old-*"):
        try:
            found.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue  # removed by the build that made it, between the glob and the stat
    return [path for _, path in sorted(found, reverse=True)]


def restore_backup(index_dir: Path) -> None:
    """Put the newest complete backup back as the index; the caller holds the build lock."""
    if (index_dir / MANIFEST).exists():
        return
    for backup in backups(index_dir):
        if (backup / MANIFEST).exists() and why_not_ours(backup) is None:
            if index_dir.exists():
                if why_not_ours(index_dir) is not None or (index_dir / MARKER).exists():
                    return  # someone's files, or an index being written: leave them be
                shutil.rmtree(index_dir)  # empty, or only our .gitignore
            os.rename(backup, index_dir)
            return


def recover_interrupted_swap(index_dir: Path) -> None:
    """If a build died between its two renames, put the previous index back in place.

    The restore happens under the build lock: a live build between its renames looks the same as a
    dead one, and restoring under its feet would make its second rename fail. When a live build holds
    the lock, wait a moment for its new index to appear instead.
    """
    if (index_dir / MANIFEST).exists() or not backups(index_dir):
        return
    try:
        with BuildLock(lock_path(index_dir)):
            restore_backup(index_dir)
    except IndexLockedError:
        deadline = time.monotonic() + SWAP_WAIT_SECONDS
        while time.monotonic() < deadline and not (index_dir / MANIFEST).exists():
            time.sleep(0.05)


def remove_dead_temporaries(index_dir: Path) -> None:
    """Temporaries and backups of builds that died; the caller holds the build lock, so none is live."""
    for pattern in (f".{index_dir.name}.tmp-*", f".{index_dir.name}.old-*"):
        for leftover in index_dir.parent.glob(pattern):
            remove_if_ours(leftover)


def fsync_directory(folder: Path) -> None:
    """Make a folder's entries (new files, renames) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Make every file of a folder, and the folder's entries, durable."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    fsync_directory(folder)


def _reads(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None

