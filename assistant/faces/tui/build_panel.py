"""The build's progress: what stage, how far, in a bar; hidden when no build runs. It runs the build in
a worker too: its steps come to it, and its end (done, failed, or the index checked) goes on up to the app."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar
from textual.worker import get_current_worker

from ...models import BuildStage
from .messages import BuildDone, BuildFailed, BuildStarted, BuildStep, IndexChecked

if TYPE_CHECKING:
    from ...api import Assistant
    from ...models import BuildProgress

STAGE_NAMES = {
    BuildStage.SCAN: "Reading sources",
    BuildStage.LOAD: "Loading the model",
    BuildStage.EMBED: "Embedding passages",
    BuildStage.EXPORT: "Exporting the question encoder",
    BuildStage.WRITE: "Writing the index",
}
FIRST_BUILD = "No index yet: building it from the sources"
# The pace of a stage (per second, time left) shows once it has run this long: earlier it is noise.
PACE_AFTER_SECONDS = 2.0


def _duration(seconds: float) -> str:
    """A time left as people say it: "40 s", "4 min", "1 h 20 min"."""
    if seconds < 60:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60)} min"


class BuildPanel(Horizontal):
    """A one-line progress bar for an index build; Escape cancels.

    Until a stage with a count begins (the embedding), the bar runs without a percentage: the stage's
    name says what is happening, and no ``--%`` stands for a number not known yet.
    """

    DEFAULT_CSS = """
    BuildPanel {
        height: 1;
        display: none;
        padding: 0 1;
        background: $boost;
    }
    BuildPanel.-active { display: block; }
    BuildPanel > Label { width: auto; margin-right: 2; }  /* its own labels, not the bar's percentage */
    BuildPanel #build-hint { color: $text-muted; margin-left: 2; }
    BuildPanel.-uncounted #percentage { display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._cancel = threading.Event()
        # The counted stage under way: its name, when its first count came, and that count.
        self._pace: tuple[str, float, int] | None = None
        self.clock: Callable[[], float] = time.monotonic

    def compose(self) -> ComposeResult:
        yield Label("Building the index", id="build-stage")
        yield ProgressBar(total=None, show_eta=False, id="build-bar")
        yield Label("esc cancels", id="build-hint")

    # -- the work -----------------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the running build at its next step; the last index stays."""
        self._cancel.set()

    def prepare(self, assistant: Assistant) -> None:
        """Get the index ready as the assistant sees fit on start: a missing one is built (with progress);
        a stale one answers until the user updates it. Ends in ``IndexChecked`` or ``BuildFailed``."""
        self._cancel.clear()
        self._prepare(assistant)

    def build(self, assistant: Assistant, rebuild: bool, label: str) -> None:
        """Update (or rebuild) the index, with progress; ends in ``BuildDone`` or ``BuildFailed``."""
        self.start(label)
        self._build(assistant, rebuild)

    @work(thread=True, exclusive=True, group="build")
    def _prepare(self, assistant: Assistant) -> None:
        try:
            check = assistant.ensure_index(
                update_stale=False,
                progress=self._post_step,
                should_cancel=self._cancelled(),
                starting=lambda _check: self.post_message(BuildStarted(FIRST_BUILD)),
            )
        except Exception as error:  # a failed first build, or a folder that is not the index's own
            self.post_message(BuildFailed(error))
        else:
            self.post_message(IndexChecked(check))

    @work(thread=True, exclusive=True, group="build")
    def _build(self, assistant: Assistant, rebuild: bool) -> None:
        try:
            report = assistant.build_index(rebuild=rebuild, progress=self._post_step, should_cancel=self._cancelled())
        except Exception as error:  # reported on screen by the app
            self.post_message(BuildFailed(error))
        else:
            self.post_message(BuildDone(report))

    def _post_step(self, step: BuildProgress) -> None:
        self.post_message(BuildStep(step.stage, step.done, step.total))

    def _cancelled(self) -> Callable[[], bool]:
        worker, cancel = get_current_worker(), self._cancel
        return lambda: cancel.is_set() or worker.is_cancelled

    def on_build_started(self, message: BuildStarted) -> None:
        self._show(message.label)

    def on_build_step(self, message: BuildStep) -> None:
        self.step(message.stage, message.done, message.total)

    def on_build_done(self) -> None:
        self.stop()

    def on_index_checked(self) -> None:  # the end of the opening check, and of its first build if any
        self.stop()

    def on_build_failed(self) -> None:
        self.stop()

    # -- the look -----------------------------------------------------------------------------------

    def start(self, label: str = "Building the index") -> None:
        """Show a build beginning, with the cancel flag down."""
        self._cancel.clear()
        self._pace = None
        self._show(label)

    def _show(self, label: str) -> None:
        self.query_one("#build-stage", Label).update(Content(f"{label}: {STAGE_NAMES[BuildStage.SCAN].lower()}…"))
        self.query_one("#build-bar", ProgressBar).update(total=None, progress=0)
        self.add_class("-active", "-uncounted")

    def step(self, stage: str, done: int, total: int) -> None:
        name = STAGE_NAMES.get(stage, stage)
        bar = self.query_one("#build-bar", ProgressBar)
        if total <= 1:  # a stage of one step (reading, exporting, writing): its name, and the bar running
            self.query_one("#build-stage", Label).update(Content(f"{name}…"))
            bar.update(total=None, progress=0)
            self.add_class("-uncounted")
            return
        self.query_one("#build-stage", Label).update(Content(f"{name} {done}/{total}{self._pace_text(stage, done, total)}"))
        bar.update(total=total, progress=done)
        self.remove_class("-uncounted")

    def _pace_text(self, stage: str, done: int, total: int) -> str:
        """ " · 14 passages/s · 4 min left" once the stage has gone on long enough to tell."""
        now = self.clock()
        if self._pace is None or self._pace[0] != stage:
            self._pace = (stage, now, done)
            return ""
        _, began, first = self._pace
        elapsed = now - began
        if elapsed < PACE_AFTER_SECONDS or done <= first:
            return ""
        rate = (done - first) / elapsed
        unit = "files" if stage == BuildStage.SCAN else "passages"
        return f" · {rate:.0f} {unit}/s · {_duration((total - done) / rate)} left"

    def stop(self) -> None:
        self._pace = None
        self.remove_class("-active")
