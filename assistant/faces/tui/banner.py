"""A banner above the chat for states that need the user: stale sources, a damaged index, a failed model."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class Banner(Static):
    """A dismissable banner; ``kind`` is 'warning' or 'error'. Its text is given as Content, never markup."""

    DEFAULT_CSS = """
    Banner {
        display: none;
        height: auto;
        padding: 0 1;
        border-left: thick $warning;
        background: $warning-muted;
        color: $text;
    }
    Banner.-shown { display: block; }
    Banner.-error { border-left: thick $error; background: $error-muted; }
    """

    def show(self, content: Content, kind: str = "warning") -> None:
        self.update(content)
        self.set_class(kind == "error", "-error")
        self.add_class("-shown")

    def hide(self) -> None:
        self.remove_class("-shown")
        self.update("")
