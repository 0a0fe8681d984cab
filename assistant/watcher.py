"""The index following its sources while a face runs: one assistant's sources watched in a thread of its
own, each quiet batch of edits an update of the index (only new or changed text embedded; never a
rebuild), and what each update did told to the face as a typed result. It knows nothing of the faces:
the chat, ``assistant mcp`` and ``assistant index --watch`` each say it their own way."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone
from enum import StrEnum
from typing import TYPE_CHECKING

from .errors import AssistantError, BuildCancelled, IndexLockedError, Remedy, SourcesError
from .models import BuildReport, Frozen, IndexCheck, IndexState, SkippedFile, counted
from .sources.watching import QUIET_SECONDS, SourceEdits, SourceWatch
from .store.folder import lock_path
from .store.lock import held_here

if TYPE_CHECKING:
    from .api import Assistant

# Seconds before edits whose update another build held off are tried again, if no edit comes first.
LOCKED_RETRY_SECONDS = 3.0
# How long ``start`` waits for the OS to watch the folder, and ``stop`` for the thread to end (an
# update under way is cancelled, and ends at its next step).
START_SECONDS = 10.0
STOP_SECONDS = 30.0
# Names an update's line lists before "and N more".
NAMES_SHOWN = 3


class WatchUpdate(Frozen):
    """An update the watch ran: the build's report, the files it skipped or read with a warning that
    the index before it did not, and when it ended."""

    report: BuildReport
    warnings: tuple[SkippedFile, ...] = ()
    finished_at: datetime

    @property
    def files_changed(self) -> int:
        return sum(len(files) for _, files in self.report.changes.kinds)

    @property
    def has_news(self) -> bool:
        """Whether it changed what the index holds, or found a file it could not read: else (a file
        touched but the same, the question encoder made again) there is nothing to tell."""
        return self.files_changed > 0 or bool(self.warnings)

    def describe(self) -> str:
        """``updated: 2 files changed, 14 passages embedded in 0.4 s (a.txt, b.txt)``; a file added or
        removed is said so (``1 file added, 1 file removed, ...``)."""
        report, changes = self.report, self.report.changes
        names = [name for _, files in changes.kinds for name in files]
        listed = ", ".join(names[:NAMES_SHOWN]) + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
        files = ", ".join(f"{counted(len(files), 'file')} {kind}" for kind, files in changes.kinds if files) or "0 files changed"
        return (
            f"updated: {files}, {counted(report.passages_embedded, 'passage')} "
            f"embedded in {report.seconds:.1f} s" + (f" ({listed})" if listed else "")
        )


class ProblemKind(StrEnum):
    FAILED = "failed"  # the update failed (its error's message); the watch goes on
    LOCKED = "locked"  # another build holds the index: the edits are tried again after the next one
    NOT_UPDATED = "not-updated"  # no index, or one an update cannot mend: that needs the user's build
    STOPPED = "stopped"  # the watch itself ended (the sources folder cannot be watched)


PROBLEM_WORDS = {
    ProblemKind.FAILED: "update failed",
    ProblemKind.LOCKED: "not updated yet",
    ProblemKind.NOT_UPDATED: "not updated",
    ProblemKind.STOPPED: "watching stopped",
}


class WatchProblem(Frozen):
    """Why edits were not taken into the index, in the words of the error behind it, and its remedy."""

    kind: ProblemKind
    message: str
    remedy: Remedy | None = None

    def describe(self) -> str:
        """``update failed: cannot write the index beside …``"""
        return f"{PROBLEM_WORDS[self.kind]}: {self.message}"


WatchResult = WatchUpdate | WatchProblem


class IndexWatcher:
    """Keeps one assistant's index following its sources until stopped. ``report`` hears each update
    that ran (``has_news`` says whether it changed anything) and each problem, a lasting one once;
    ``starting`` hears of an update before it begins, and a report always follows it. Both are called
    on the watch's thread. Sources found stale with no edit (before the watch began) are left alone.

    With ``prepare_model``, the embedding model is loaded as the watch begins, so that the first
    update does not wait seconds for it (torch and the model: a few hundred MB of memory). One build
    at a time: an update of the same assistant waits for a build it is running in another thread;
    another process's build makes the edits wait for the next edit, or ``LOCKED_RETRY_SECONDS``."""

    def __init__(
        self,
        assistant: Assistant,
        report: Callable[[WatchResult], None],
        *,
        starting: Callable[[], None] | None = None,
        quiet_seconds: float = QUIET_SECONDS,
        prepare_model: bool = True,
    ) -> None:
        config = assistant.config
        self.assistant = assistant
        self._report = report
        self._starting = starting or (lambda: None)
        self._prepare_model = prepare_model
        self._watch = SourceWatch(config.sources_dir, config.settings.sources, skip=[config.index_dir], quiet_seconds=quiet_seconds)
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._told: str | None = None  # the last problem told: a lasting one is told once
        # Set once the OS watches the folder and the model is loaded (if asked): an edit from then on
        # is followed as fast as it can be.
        self.ready = threading.Event()
        self.last_update: WatchUpdate | None = None  # the last that changed something
        self.error: AssistantError | None = None  # why the watch ended by itself, if it did

    # -- the thread ---------------------------------------------------------------------------------

    def start(self, wait: float | None = START_SECONDS, look_now: bool = False) -> "IndexWatcher":
        """Begin watching; with ``wait``, return once the OS watches the folder (or the watch failed).
        With ``look_now``, the sources are looked at once at the start, as after an edit (edits made
        between a build and the watch's start)."""
        if self._thread is not None:
            raise RuntimeError("a watcher is started once")
        if look_now:
            self._watch.hold(SourceEdits(()), 0.0)
        self._watching = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"watch {self.assistant.config.sources_dir}", daemon=True)
        self._thread.start()
        if wait is not None:
            self._watching.wait(wait)
        return self

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop watching, cancelling an update under way (the index stays as it was); returns once the
        thread has ended (or ``timeout`` has passed)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> "IndexWatcher":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def updating(self) -> bool:
        return not self._idle.is_set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the watch to end (it ends by itself only when it cannot go on); True once it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait for an update under way to end; True when none runs."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        try:
            for edits in self._watch.batches(self._stop, started=self._began):
                self._update(edits)
        except AssistantError as exc:
            self._ended(exc)
        except Exception as exc:  # the folder gone, the OS's watch limit reached (OSError), watchfiles' own errors
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            self._ended(SourcesError(f"cannot watch {self.assistant.config.sources_dir} ({reason})"))
        finally:
            self._watching.set()
            self.ready.set()

    def _ended(self, error: AssistantError) -> None:
        self.error = error
        self._tell(WatchProblem(kind=ProblemKind.STOPPED, message=error.message, remedy=error.remedy))

    def _began(self) -> None:
        self._watching.set()
        if self._prepare_model:
            try:
                from .vectors.embedding import import_library

                import_library()  # outside the assistant's lock: a question is not kept waiting for it
                self.assistant.load_model()
            except AssistantError as exc:  # the update that needs it says so again, if it comes
                self._tell(WatchProblem(kind=ProblemKind.FAILED, message=exc.message, remedy=exc.remedy))
        self.ready.set()

    # -- an update ----------------------------------------------------------------------------------

    def _update(self, edits: SourceEdits) -> None:
        """Bring the index up to date with the sources, if an update can and must."""
        try:
            check = self.assistant.check_index()  # a look at the sources' stats: no model, no build
        except AssistantError as exc:
            self._tell(WatchProblem(kind=ProblemKind.FAILED, message=exc.message, remedy=exc.remedy))
            return
        except Exception as exc:  # as an update's own failure: told in one line, watched on
            self._tell(WatchProblem(kind=ProblemKind.FAILED, message=f"unexpected {type(exc).__name__}: {exc}"))
            return
        if check.state is IndexState.READY:
            return  # saved but the same, a file the build passed over as before: nothing to do
        if check.state is IndexState.MISSING:
            self._tell(WatchProblem(kind=ProblemKind.NOT_UPDATED, message="there is no index yet", remedy=Remedy.UPDATE))
            return
        if check.state is IndexState.UNUSABLE and check.remedy is not Remedy.UPDATE:
            # An edit never makes a build of the whole collection: that is the user's to start.
            problem = f"the index cannot be used ({check.problem})"
            self._tell(WatchProblem(kind=ProblemKind.NOT_UPDATED, message=problem, remedy=check.remedy))
            return
        holder = check.status.building if check.status is not None else None
        if holder is not None and not held_here(lock_path(self.assistant.config.index_dir)):
            self._held_off(edits, f"another build is running ({holder})")
            return
        self._idle.clear()
        try:
            self._starting()
            result = self._build(check, edits)
        finally:
            self._idle.set()
        if isinstance(result, WatchUpdate):
            self._told = None
            self._report(result)
        else:
            self._told = result.describe()
            self._report(result)

    def _build(self, check: IndexCheck, edits: SourceEdits) -> WatchResult:
        """The update, and the question encoder loaded again where it was (the next question does not
        wait for it)."""
        encoder_was_loaded = self.assistant.question_encoder_loaded
        try:
            report = self.assistant.build_index(should_cancel=self._stop.is_set)
        except BuildCancelled as exc:
            return WatchProblem(kind=ProblemKind.FAILED, message=exc.message, remedy=exc.remedy)
        except IndexLockedError as exc:
            self._watch.hold(edits, LOCKED_RETRY_SECONDS)
            return WatchProblem(kind=ProblemKind.LOCKED, message=exc.message, remedy=exc.remedy)
        except AssistantError as exc:
            return WatchProblem(kind=ProblemKind.FAILED, message=exc.message, remedy=exc.remedy)
        except Exception as exc:  # an update's bug must not end the watch: told in one line, watched on
            return WatchProblem(kind=ProblemKind.FAILED, message=f"unexpected {type(exc).__name__}: {exc}")
        if encoder_was_loaded and not self._stop.is_set():
            try:
                self.assistant.load_question_encoder()
            except AssistantError:
                pass  # the next question loads it itself, and reports what is wrong
        known = {(item.source, item.reason) for item in (check.status.skipped if check.status else ())}
        warnings = tuple(item for item in report.skipped if (item.source, item.reason) not in known)
        update = WatchUpdate(report=report, warnings=warnings, finished_at=datetime.now(timezone.utc))
        if update.has_news:
            self.last_update = update
        return update

    def _held_off(self, edits: SourceEdits, message: str) -> None:
        self._watch.hold(edits, LOCKED_RETRY_SECONDS)
        self._tell(WatchProblem(kind=ProblemKind.LOCKED, message=message, remedy=Remedy.WAIT))

    def _tell(self, problem: WatchProblem) -> None:
        """Report a problem, unless it is the one told last (a lasting state is told once)."""
        said = problem.describe()
        if said == self._told:
            return
        self._told = said
        self._report(problem)
