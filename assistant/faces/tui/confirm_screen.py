"""A small modal that asks before something costly: y or enter goes ahead, n or escape does not."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; dismisses with True (y, enter) or False (n, escape)."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", tooltip="Go ahead", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", tooltip="Leave it as it is", id="confirm-no"),
    ]

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 100%; height: auto;
        border: round $warning; background: $surface; padding: 1 2;
    }
    ConfirmScreen #confirm-question { text-style: bold; }
    ConfirmScreen #confirm-detail { margin-top: 1; }
    ConfirmScreen #confirm-keys { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, question: Content, detail: Content) -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="confirm-question")
            yield Static(self.detail, id="confirm-detail")
            yield Static(Content("y / enter: yes    n / esc: no"), id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
