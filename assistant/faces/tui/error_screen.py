"""The screen shown when the config cannot be read: the problem, and what to do about it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ...errors import AssistantError
from .messages import ConfigRetried


class ConfigErrorScreen(Screen):
    """Names the broken config and the error; r tries again after the user fixes the file."""

    BINDINGS = [
        Binding("r", "retry", "Try again", id="retry-config"),
    ]

    DEFAULT_CSS = """
    ConfigErrorScreen { align: center middle; }
    ConfigErrorScreen > Vertical {
        width: 100; max-width: 100%; height: auto; border: round $error; padding: 1 2; background: $surface;
    }
    ConfigErrorScreen #error-title { text-style: bold; color: $error; margin-bottom: 1; }
    ConfigErrorScreen #error-todo { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, error: AssistantError, config_path: str | None) -> None:
        super().__init__()
        self.error = error
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        where = self.config_path or "./config.toml (or $ASSISTANT_CONFIG)"
        yield Header()
        with Vertical():
            yield Static(Content("The config cannot be used"), id="error-title")
            yield Static(Content(self.error.message), id="error-message")
            yield Static(
                Content.assemble(
                    "What to do: fix or create the config at ", (where, "bold"),
                    " (every key is optional; remove a bad key to use its default; paths are relative to the config's folder), "
                    "then press r to try again. ctrl+q quits.",
                ),
                id="error-todo",
            )
        yield Footer()

    def action_retry(self) -> None:
        self.post_message(ConfigRetried())
