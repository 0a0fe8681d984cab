"""The help screen (f1): every key the app answers to, gathered from the bindings themselves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA_KEYS = [
    ("enter", "Ask the question in the box"),
    ("click", "Open a snippet's source"),
    ("ctrl+p", "Command palette: every action by name"),
    ("pgup / pgdn", "Scroll the source viewer"),
]


def help_rows(groups: list[tuple[str, list[Binding]]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each group's title and its (key, what it does) rows, the keys Textual itself adds left out."""
    rows = [
        (
            title,
            [
                (binding.key_display or binding.key.replace(",", " / "), binding.tooltip or binding.description)
                for binding in bindings
                if not binding.system
            ],
        )
        for title, bindings in groups
    ]
    return [*rows, ("Elsewhere", list(EXTRA_KEYS))]


class KeyRow(Horizontal):
    """A key and what it does; a long description wraps under itself, not under the key."""

    DEFAULT_CSS = """
    KeyRow { height: auto; }
    KeyRow .key { width: 20; padding-left: 2; text-style: bold; }
    KeyRow .does { width: 1fr; }
    """

    def __init__(self, key: str, does: str) -> None:
        super().__init__()
        self.key_text, self.does_text = key, does

    def compose(self) -> ComposeResult:
        yield Static(Content(self.key_text), classes="key")
        yield Static(Content(self.does_text), classes="does")


class HelpScreen(ModalScreen[None]):
    """A modal listing the keys; Escape, q or f1 closes it."""

    BINDINGS = [
        Binding("escape,q,f1", "dismiss", "Close help", id="close-help"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 1 2;
    }
    HelpScreen .group { color: $accent; text-style: bold; }
    HelpScreen .group.-later { margin-top: 1; }
    """

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-keys") as keys:
            keys.border_subtitle = "escape, q or f1 closes"
            for number, (title, rows) in enumerate(help_rows(self.groups)):
                yield Static(Content(title), classes="group -later" if number else "group")
                for key, does in rows:
                    yield KeyRow(key, does)

    def action_dismiss(self) -> None:
        self.dismiss(None)
