"""The build's progress: what stage, how far, in a bar; hidden when no build runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label, ProgressBar

STAGE_NAMES = {
    "scan": "Reading sources",
    "embed": "Embedding passages",
    "export": "Exporting the question encoder",
    "write": "Writing the index",
}


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
    BuildPanel Label { width: auto; margin-right: 2; }
    BuildPanel #build-hint { color: $text-muted; margin-left: 2; }
    BuildPanel.-uncounted #percentage { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Label("Building the index", id="build-stage")
        yield ProgressBar(total=None, show_eta=False, id="build-bar")
        yield Label("esc cancels", id="build-hint")

    def start(self, label: str = "Building the index") -> None:
        self.query_one("#build-stage", Label).update(Content(f"{label}: {STAGE_NAMES['scan'].lower()}…"))
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
        self.query_one("#build-stage", Label).update(Content(f"{name} {done}/{total}"))
        bar.update(total=total, progress=done)
        self.remove_class("-uncounted")

    def stop(self) -> None:
        self.remove_class("-active")
