"""The index follows the sources' edits: a real watch (watchfiles) of a real folder, real updates with the
real model, and `assistant index --watch` as a user runs it. Every wait polls with a deadline."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from assistant import Assistant
from assistant.config import SourcesSettings
from assistant.models import IndexState
from assistant.sources.watching import SourceEdits, SourceWatch
from assistant.watcher import IndexWatcher, ProblemKind, WatchProblem, WatchUpdate

from projects import REPO, SAMPLE_FILE

VALID_FOR = "How long is the temporary Kosovo document valid?"
SIXTY_DAYS = "temporary Kosovo document valid for 60 days"
DEADLINE = 60.0
# The quiet wait of the tests that are not about its length (the first test keeps the real one).
QUIET = 0.4


def wait_until(condition, timeout: float = DEADLINE, what: str = "the watch") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class Heard:
    """What a watcher told: its reports, and how many updates it began."""

    def __init__(self) -> None:
        self.results: list[WatchUpdate | WatchProblem] = []
        self.started = 0

    def report(self, result) -> None:
        self.results.append(result)

    def starting(self) -> None:
        self.started += 1

    @property
    def updates(self) -> list[WatchUpdate]:
        return [r for r in self.results if isinstance(r, WatchUpdate)]

    @property
    def problems(self) -> list[WatchProblem]:
        return [r for r in self.results if isinstance(r, WatchProblem)]

    def wait_for_updates(self, count: int) -> WatchUpdate:
        wait_until(lambda: len([u for u in self.updates if u.has_news]) >= count, what=f"update {count}")
        return [u for u in self.updates if u.has_news][count - 1]


def watching(assistant: Assistant, heard: Heard, **options) -> IndexWatcher:
    options.setdefault("quiet_seconds", QUIET)
    watcher = IndexWatcher(assistant, heard.report, starting=heard.starting, **options).start()
    assert watcher.ready.wait(DEADLINE)
    return watcher


def sample_path(config: Path) -> Path:
    return config.parent / "sources" / SAMPLE_FILE


def edit_sample(config: Path, old: str = "valid for 90 days", new: str = "valid for 60 days") -> None:
    path = sample_path(config)
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def watch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("watch ")]


def test_an_update_says_which_files_were_added_changed_or_removed():
    from datetime import datetime

    from assistant.models import BuildReport, SourceChanges
    from assistant.watcher import WatchUpdate

    def said(**changes) -> str:
        report = BuildReport(
            files=3, passages=9, passages_embedded=2, passages_reused=7, changes=SourceChanges(**changes), seconds=0.24
        )
        return WatchUpdate(report=report, finished_at=datetime.now()).describe()

    assert said(added=("border.md",)) == "updated: 1 file added, 2 passages embedded in 0.2 s (border.md)"
    assert said(removed=("bikes.md",)) == "updated: 1 file removed, 2 passages embedded in 0.2 s (bikes.md)"
    assert said(added=("a.md",), changed=("b.md", "c.md"), removed=("d.md",)) == (
        "updated: 1 file added, 2 files changed, 1 file removed, 2 passages embedded in 0.2 s (a.md, b.md, c.md and 1 more)"
    )


def test_a_file_edited_while_watched_is_taken_in_and_quoted_as_it_now_reads(sample_project):
    assistant = Assistant.open(sample_project)
    assert "90 days" in assistant.ask(VALID_FOR).snippets[0].text  # the question encoder is loaded
    heard = Heard()
    watcher = watching(assistant, heard, quiet_seconds=1.0)
    try:
        edit_sample(sample_project)
        update = heard.wait_for_updates(1)
        # Only the edited paragraph is embedded again: an update, not a rebuild.
        assert update.report.changes.changed == (SAMPLE_FILE,) and update.report.passages_embedded == 1
        assert update.report.passages_reused == 11 and update.warnings == ()
        assert update.describe().startswith(f"updated: 1 file changed, 1 passage embedded in ")
        assert update.describe().endswith(f" s ({SAMPLE_FILE})")
        assert assistant.question_encoder_loaded  # loaded again by the watch: the next question does not wait
        assert SIXTY_DAYS in assistant.ask(VALID_FOR).snippets[0].text
        assert watcher.last_update == update and heard.problems == []
    finally:
        watcher.stop()


def test_stopping_leaves_no_thread_and_a_stopped_update_leaves_the_index_whole(sample_project):
    class HeldAssistant(Assistant):
        """The real assistant; its update stays in its first step until the watch is told to stop."""

        def build_index(self, *, should_cancel=None, **kwargs):
            def held(step) -> None:
                in_build.set()
                wait_until(should_cancel, what="the stop")

            return super().build_index(progress=held, should_cancel=should_cancel, **kwargs)

    before = watch_threads()
    in_build = threading.Event()
    assistant = HeldAssistant.open(sample_project)
    heard = Heard()
    watcher = watching(assistant, heard, prepare_model=False)
    assert watcher.running and len(watch_threads()) == len(before) + 1
    edit_sample(sample_project)
    assert in_build.wait(DEADLINE)
    watcher.stop()
    assert not watcher.running and watch_threads() == before
    (cancelled,) = heard.results
    assert cancelled.kind is ProblemKind.FAILED and "cancelled" in cancelled.message
    # The index is the one from before the edit, whole: its check finds the edit still to take in.
    check = Assistant.open(sample_project).check_index()
    assert check.state is IndexState.STALE and check.status.changes.changed == (SAMPLE_FILE,)


def test_a_burst_of_writes_is_one_update(sample_project):
    assistant = Assistant.open(sample_project)
    heard = Heard()
    watcher = watching(assistant, heard)
    notes = sample_project.parent / "sources" / "notes.txt"
    try:
        for n in range(8):  # a save every 50 ms: never a quiet second between them
            notes.write_text("".join(f"Note {i}: the lighthouse keeper counts {i} ships.\n\n" for i in range(n + 1)), encoding="utf-8")
            if n == 3:
                edit_sample(sample_project, "valid for", "good for")
            time.sleep(0.05)
        first = heard.wait_for_updates(1)
        assert set(first.report.changes.added) == {"notes.txt"} and first.report.changes.changed == (SAMPLE_FILE,)
        assert first.report.passages_embedded == 8 + 1
        # Then one more edit: its update is the second the watch began, so the burst was one.
        edit_sample(sample_project, "good for", "valid for")
        heard.wait_for_updates(2)
        assert heard.started == 2
    finally:
        watcher.stop()


def test_excluded_files_hidden_files_and_the_index_inside_the_sources_are_not_watched(tmp_path):
    root = tmp_path / "project"
    sources = root / "sources"
    (sources / "drafts").mkdir(parents=True)
    (sources / "keep.txt").write_text("The ferry to Sark leaves at noon.\n", encoding="utf-8")
    settings = SourcesSettings(exclude=("drafts/", "*.log"))
    index = sources / "index"
    watch = SourceWatch(sources, settings, skip=[index], quiet_seconds=0.2)
    for path, seen in [
        ("keep.txt", True), ("sub/new.md", True), ("drafts/plan.txt", False), ("notes.log", False),
        ("index/manifest.json", False), ("index/passages.txt", False), (".index.tmp-123/vectors.txt", False),
        (".index.lock", False), (".hidden.txt", False), ("picture.png", False),
    ]:
        assert watch.concerns(False, str(sources / path)) is seen, path
    assert watch.concerns(True, str(sources / "gone-folder"))  # it may have held sources
    assert not watch.concerns(True, str(sources / "drafts"))  # excluded with all it holds

    # Live: writes the patterns leave out come to nothing; the edit after them is a batch of its own.
    batches: queue.Queue[SourceEdits] = queue.Queue()
    stop, live = threading.Event(), threading.Event()
    thread = threading.Thread(target=lambda: [batches.put(b) for b in watch.batches(stop, started=live.set)])
    thread.start()
    try:
        assert live.wait(DEADLINE)
        index.mkdir()
        (index / "manifest.json").write_text("{}", encoding="utf-8")
        (sources / ".index.tmp-1").mkdir()
        (sources / ".index.tmp-1" / "vectors.faiss").write_bytes(b"x" * 100)
        (sources / ".index.lock").write_text("{}", encoding="utf-8")
        (sources / "drafts" / "plan.txt").write_text("Not yet.\n", encoding="utf-8")
        (sources / "notes.log").write_text("log\n", encoding="utf-8")
        (sources / "keep.txt").write_text("The ferry to Sark leaves at one.\n", encoding="utf-8")
        assert batches.get(timeout=DEADLINE) == SourceEdits(("keep.txt",))
    finally:
        stop.set()
        thread.join(DEADLINE)
    assert not thread.is_alive() and batches.empty()


def test_an_edit_to_an_excluded_file_starts_no_update(sample_project):
    sample_project.write_text('[sources]\nexclude = ["drafts/"]\n', encoding="utf-8")
    sources = sample_project.parent / "sources"
    assistant = Assistant.open(sample_project)
    heard = Heard()
    watcher = watching(assistant, heard)
    try:
        (sources / "drafts").mkdir()
        (sources / "drafts" / "plan.txt").write_text("The ferry to Herm is cancelled.\n", encoding="utf-8")
        edit_sample(sample_project)
        update = heard.wait_for_updates(1)
        assert update.report.changes.changed == (SAMPLE_FILE,) and update.report.files == 1
        assert heard.started == 1
    finally:
        watcher.stop()


def test_a_binary_file_is_a_warning_a_failed_update_one_line_and_the_watch_goes_on(sample_project):
    assistant = Assistant.open(sample_project)
    heard = Heard()
    watcher = watching(assistant, heard)
    path = sample_path(sample_project)
    text = path.read_text(encoding="utf-8")
    try:
        (sample_project.parent / "sources" / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
        warned = heard.wait_for_updates(1)
        assert warned.files_changed == 0
        assert [(w.source, w.reason) for w in warned.warnings] == [("photo.txt", "binary file (NUL byte in the first 8 KiB)")]
        path.unlink()  # nothing readable left to index: the update fails, the old index stays
        wait_until(lambda: heard.problems, what="the failure")
        (failed,) = heard.problems
        assert failed.kind is ProblemKind.FAILED and failed.describe().startswith("update failed: nothing to index under ")
        assert "\n" not in failed.describe()
        path.write_text(text.replace("valid for 90 days", "valid for 60 days"), encoding="utf-8")
        update = heard.wait_for_updates(2)
        assert update.report.passages_embedded == 1 and update.warnings == ()
        assert SIXTY_DAYS in assistant.ask(VALID_FOR).snippets[0].text
        assert watcher.running
    finally:
        watcher.stop()


def test_a_build_running_elsewhere_holds_the_edit_until_it_is_done(sample_project, monkeypatch):
    import assistant.watcher as watcher_module
    from assistant.store.folder import lock_path

    monkeypatch.setattr(watcher_module, "LOCKED_RETRY_SECONDS", 0.3)
    assistant = Assistant.open(sample_project)
    lock = lock_path(assistant.config.index_dir)
    # Another process holds the build lock, as `assistant index` in another terminal would.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from assistant.store.lock import BuildLock\n"
         f"with BuildLock(__import__('pathlib').Path({str(lock)!r})):\n    print('held', flush=True); sys.stdin.readline()"],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    heard = Heard()
    watcher = watching(assistant, heard)
    try:
        assert holder.stdout.readline() == "held\n"
        edit_sample(sample_project)
        wait_until(lambda: heard.problems, what="the lock to be seen")
        (locked,) = heard.problems
        assert locked.kind is ProblemKind.LOCKED and f"another build is running (pid {holder.pid} on " in locked.message
        assert heard.started == 0
        holder.communicate("\n", timeout=DEADLINE)  # the other build ends: the held edit goes in by itself
        update = heard.wait_for_updates(1)
        assert update.report.changes.changed == (SAMPLE_FILE,) and len(heard.problems) == 1
    finally:
        watcher.stop()
        if holder.poll() is None:
            holder.kill()


def test_index_watch_prints_a_line_an_update_and_ends_with_0_on_ctrl_c(sample_project):
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--config", str(sample_project), "index", "--watch"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
        # As from a terminal: ctrl+c's default. A child inherits an ignored SIGINT (as a test runner that
        # ran a Textual app or a Ray may leave it), and Python then never turns it into KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: dict[str, queue.Queue[str]] = {"out": queue.Queue(), "err": queue.Queue()}
    for name, stream in (("out", process.stdout), ("err", process.stderr)):
        threading.Thread(target=lambda s=stream, q=lines[name]: [q.put(line) for line in s], daemon=True).start()

    def next_line(name: str, starting: str) -> str:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                line = lines[name].get(timeout=0.1)
            except queue.Empty:
                continue
            if line.startswith(starting):
                return line
        raise AssertionError(f"no line starting {starting!r} on std{name}")

    try:
        assert next_line("out", "Indexed 1 file, 12 passages")
        assert next_line("err", "Watching ").endswith("for edits (ctrl+c stops).\n")
        edit_sample(sample_project)
        line = next_line("out", "updated: ")
        assert line.startswith("updated: 1 file changed, 1 passage embedded in ") and line.endswith(f"({SAMPLE_FILE})\n")
        process.send_signal(signal.SIGINT)
        assert process.wait(DEADLINE) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert next_line("err", "Stopped watching.")
    # The index is whole and holds the edit.
    assistant = Assistant.open(sample_project)
    assert assistant.check_index().state is IndexState.READY
    assert SIXTY_DAYS in assistant.ask(VALID_FOR).snippets[0].text
