"""Edits to the sources as they happen (watchfiles, on the OS's file events): the files the include and
exclude patterns take, handed on in batches once the folder has been quiet for a moment. Never the
index's own files, its build folders or its lock, even where the index lives inside the sources."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..config import SourcesSettings
from .documents import is_hidden, patterns_exclude, patterns_take

# Seconds the sources must stay quiet after the last edit before its batch is handed on: a save, a
# burst of saves or a checkout is one batch, and a file is not read while it is still being written.
QUIET_SECONDS = 1.0
# How often (ms) the watch wakes with nothing to tell, to look at its stop flag and its clock.
WAKE_MS = 100
# watchfiles hands on the events of a moment once this long (ms) passes without a new one.
STEP_MS = 50


@dataclass(frozen=True)
class SourceEdits:
    """What was edited since the last batch: paths relative to the sources folder (POSIX) of files
    added, changed or removed, or of folders moved in or out. Empty for a batch handed on again."""

    paths: tuple[str, ...]


class SourceWatch:
    """The sources folder watched for edits to what a build would read. Hidden files and folders are
    never read by a build, so never watched either: the index's build folders (``.index.tmp-*``), its
    backups and its lock are hidden, beside the index folder; the folders in ``skip`` (the index
    itself) are left out wherever they are."""

    def __init__(
        self, root: Path, settings: SourcesSettings, skip: Iterable[Path] = (), quiet_seconds: float = QUIET_SECONDS
    ) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.skip = tuple(Path(folder).resolve() for folder in skip)
        self.quiet_seconds = quiet_seconds
        # Edits handed on once whose update could not run (another build held the index): handed on
        # again with the next batch, or by themselves once ``_held_until`` has passed.
        self._held: set[str] | None = None
        self._held_until = 0.0

    def concerns(self, deleted: bool, path: str) -> bool:
        """Whether an event at ``path`` may change what a build reads: a file the patterns take, or a
        folder (moved in, or gone: the files in it may be taken) whose name the excludes leave in."""
        absolute = Path(path)
        if any(absolute == folder or absolute.is_relative_to(folder) for folder in self.skip):
            return False
        if not absolute.is_relative_to(self.root):
            return False
        parts = absolute.relative_to(self.root).parts
        relative = "/".join(parts)
        if not parts or is_hidden(relative):
            return False
        # Something gone that the includes do not take by name may have been a folder of sources; a
        # folder an exclude leaves out is asked of first, as the includes take a name without a type
        # ("drafts") as a file.
        folder = deleted or absolute.is_dir()
        if folder and patterns_exclude(relative + "/", self.settings):
            return False
        if patterns_take(relative, self.settings):
            return True
        if patterns_exclude(relative, self.settings):
            return False
        return folder

    def hold(self, edits: SourceEdits, seconds: float) -> None:
        """Hand ``edits`` on again: with the next batch, or by themselves after ``seconds``."""
        self._held = (self._held or set()) | set(edits.paths)
        self._held_until = time.monotonic() + seconds

    def batches(self, stop: threading.Event, started: Callable[[], None] | None = None) -> Iterator[SourceEdits]:
        """Each batch of edits, once the sources have been quiet for ``quiet_seconds`` since its last;
        ends when ``stop`` is set. ``started`` is called once the OS watches the folder (edits from
        then on are seen, even those made while the caller is busy with a batch). ``FileNotFoundError``
        when the sources folder is not there."""
        import watchfiles  # its Rust watcher is loaded only by a face that watches

        def concerned(change: watchfiles.Change, path: str) -> bool:
            return self.concerns(change is watchfiles.Change.deleted, path)

        pending: set[str] = set()
        due: float | None = None
        for changes in watchfiles.watch(
            self.root, watch_filter=concerned, step=STEP_MS, rust_timeout=WAKE_MS, yield_on_timeout=True,
            stop_event=stop, raise_interrupt=False,
        ):
            if started is not None:
                started()
                started = None
            now = time.monotonic()
            if changes:
                pending.update(self._relative(path) for _, path in changes)
                due = now + self.quiet_seconds
            if self._held is not None and (changes or now >= self._held_until):
                pending |= self._held
                self._held = None
                if due is None:
                    due = now
            if due is not None and now >= due:
                batch = SourceEdits(tuple(sorted(pending)))
                pending, due = set(), None
                yield batch
            if stop.is_set():
                return

    def _relative(self, path: str) -> str:
        return Path(path).relative_to(self.root).as_posix()
