"""The source viewer: the whole file, the cited span selected and scrolled into view."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea
from textual.widgets.text_area import Selection

from ..models import Snippet
from .source_lines import SourceLines


class SourceScreen(Screen):
    """Shows one source file read-only, with the snippet's span highlighted; Escape returns."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to chat", tooltip="Close the source and return to the chat", id="close-source"),
    ]

    DEFAULT_CSS = """
    SourceScreen #source-title { height: 1; padding: 0 1; background: $panel; color: $text; }
    SourceScreen TextArea, SourceScreen TextArea:focus { height: 1fr; border: none; padding: 0 1; }
    """

    def __init__(self, snippet: Snippet, text: str) -> None:
        super().__init__()
        self.snippet = snippet
        self.lines = SourceLines.of(text)

    def compose(self) -> ComposeResult:
        citation = self.snippet.citation
        lines = (
            f"line {citation.line_start}"
            if citation.line_start == citation.line_end
            else f"lines {citation.line_start}-{citation.line_end}"
        )
        yield Static(
            Content.assemble(
                (citation.source, "bold"), "  quoted at ", (lines, "bold $accent"), ("  (esc: back to the chat)", "$text-muted")
            ),
            id="source-title",
        )
        yield TextArea(
            self.lines.display_text,
            read_only=True,
            show_line_numbers=True,
            soft_wrap=True,
            highlight_cursor_line=False,
            id="source-text",
        )
        yield Footer()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.cursor_blink = getattr(self.app, "cursor_blink", True)
        citation = self.snippet.citation
        # The cursor sits at the start of the span, so scrolling the cursor into view shows the cited line.
        area.selection = Selection(self.lines.location(citation.end), self.lines.location(citation.start))
        area.focus()
        self.call_after_refresh(area.scroll_cursor_visible, center=True, animate=False)

    @property
    def cited_row(self) -> int:
        """The 0-based row of the citation's first line."""
        return self.lines.location(self.snippet.citation.start)[0]
