"""The help screen (f1): every key the app answers to, gathered from the bindings themselves."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

EXTRA_KEYS = [
    ("enter", "Ask the question in the box"),
    ("tab / shift+tab", "Move between the question box and the snippets"),
    ("click", "Open a snippet's source"),
    ("ctrl+p", "Command palette: every action by name"),
    ("pgup / pgdn", "Scroll the source viewer"),
]


def key_rows(groups: list[tuple[str, list[Binding]]]) -> Content:
    """A table of keys and what they do, one line a key, under each group's name."""
    lines: list[Content] = []
    for title, bindings in groups:
        lines.append(Content.styled(title, "bold $accent"))
        for binding in bindings:
            if binding.system:
                continue
            key = binding.key_display or binding.key.replace(",", " / ")
            lines.append(Content.assemble(("  " + key.ljust(18), "bold"), binding.tooltip or binding.description))
        lines.append(Content(""))
    lines.append(Content.styled("Elsewhere", "bold $accent"))
    for key, description in EXTRA_KEYS:
        lines.append(Content.assemble(("  " + key.ljust(18), "bold"), description))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """A modal listing the keys; Escape, q or f1 closes it."""

    BINDINGS = [
        Binding("escape,q,f1", "dismiss", "Close help", id="close-help"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 80; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, groups: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(key_rows(self.groups), id="help-keys")

    def action_dismiss(self) -> None:
        self.dismiss(None)
