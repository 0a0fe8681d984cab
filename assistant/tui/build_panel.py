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
    """A one-line progress bar for an index build; Escape cancels."""

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
    """

    def compose(self) -> ComposeResult:
        yield Label("Building the index", id="build-stage")
        yield ProgressBar(total=None, show_eta=False, id="build-bar")
        yield Label("esc cancels", id="build-hint")

    def start(self, label: str = "Building the index: waiting for the model") -> None:
        self.query_one("#build-stage", Label).update(Content(label))
        self.query_one("#build-bar", ProgressBar).update(total=None, progress=0)
        self.add_class("-active")

    def step(self, stage: str, done: int, total: int) -> None:
        name = STAGE_NAMES.get(stage, stage)
        self.query_one("#build-stage", Label).update(Content(f"{name} {done}/{total}"))
        self.query_one("#build-bar", ProgressBar).update(total=max(total, 1), progress=done)

    def stop(self) -> None:
        self.remove_class("-active")
