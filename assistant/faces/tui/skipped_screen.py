"""The files the last build skipped or read with a warning, each with its reason, shown literally."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...models import counted

if TYPE_CHECKING:
    from ...models import SkippedFile


class SkippedFilesScreen(ModalScreen[None]):
    """A scrolling list: each file's name on a line, its reason indented under it; escape, q or f2 closes."""

    BINDINGS = [
        Binding("escape,q,f2", "dismiss", "Close", tooltip="Close the list of skipped files", id="close-skipped"),
    ]

    DEFAULT_CSS = """
    SkippedFilesScreen { align: center middle; }
    SkippedFilesScreen > VerticalScroll {
        width: 100; max-width: 100%; height: auto; max-height: 90%;
        border: round $warning; background: $surface; padding: 0 2;
    }
    SkippedFilesScreen #skipped-title { text-style: bold; margin: 1 0; }
    SkippedFilesScreen .skipped-source { text-style: bold; }
    SkippedFilesScreen .skipped-reason { padding-left: 2; color: $text-muted; margin-bottom: 1; }
    """

    def __init__(self, skipped: tuple[SkippedFile, ...]) -> None:
        super().__init__()
        self.skipped = skipped

    def compose(self) -> ComposeResult:
        count = len(self.skipped)
        with VerticalScroll(id="skipped-list"):
            yield Static(
                Content(f"{counted(count, 'file')} skipped or read with a warning by the last build"),
                id="skipped-title",
            )
            for item in self.skipped:
                # File names and reasons are the user's text: Content, never markup.
                yield Static(Content(item.source), classes="skipped-source")
                yield Static(Content(item.reason), classes="skipped-reason")

    def action_dismiss(self) -> None:
        self.dismiss(None)
