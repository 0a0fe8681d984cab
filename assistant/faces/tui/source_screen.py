"""The source viewer: the whole file, the cited span selected and scrolled into view; a PDF's pages marked,
its lines numbered from each page's top as its citations count them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.widgets.text_area import Selection

from ...sources.formats import lines_are_the_files
from .numbered_text_area import NumberedTextArea
from .source_lines import SourceLines, cited_span

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ...models import Snippet


class SourceScreen(Screen):
    """Shows one source file read-only, with the snippet's span highlighted; Escape returns."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", tooltip="Close the source and return to the chat", id="close-source"),
    ]

    DEFAULT_CSS = """
    /* height auto: a long file name, or the note that the file changed, wraps instead of being cut. */
    SourceScreen #source-title { height: auto; max-height: 6; padding: 0 1; background: $panel; color: $text; }
    SourceScreen TextArea, SourceScreen TextArea:focus { height: 1fr; border: none; padding: 0 1; }
    """

    def __init__(self, snippet: Snippet, text: str, index_is_current: bool = False, page_starts: Sequence[int] = ()) -> None:
        """``index_is_current``: the index holds the file as it is now (updated since the answer was
        given), so where the quote is not at its citation, asking again is what helps, not ctrl+r.
        ``page_starts``: where each page of a paged source (a PDF) begins in ``text``."""
        super().__init__()
        self.snippet = snippet
        self.index_is_current = index_is_current
        self.lines = SourceLines.of(text, page_starts)
        citation = snippet.citation
        self.span = cited_span(text, citation.start, citation.end, snippet.text)

    def compose(self) -> ComposeResult:
        citation = self.snippet.citation
        lines = (
            f"line {citation.line_start}"
            if citation.line_start == citation.line_end
            else f"lines {citation.line_start}-{citation.line_end}"
        )
        if citation.page is not None:  # a PDF's lines are counted from the top of the page
            lines = f"p{citation.page}, {lines}"
        title = Content.assemble(
            (citation.source, "bold"), "  quoted at ", (lines, "bold $accent"), ("  (esc: back to the chat)", "$text-muted")
        )
        if self.span != (citation.start, citation.end):
            # On a line of its own, so that it never pushes the name, the lines or the hint out of sight.
            title = Content.assemble(title, "\n", (self._changed_note(), "bold $warning"))
        yield Static(title, id="source-title")
        yield NumberedTextArea(
            self.lines.display_text,
            labels=self.lines.labels,
            read_only=True,
            # HTML's visible text has lines of its own; the title says the file's.
            show_line_numbers=lines_are_the_files(self.snippet.citation.source),
            soft_wrap=True,
            highlight_cursor_line=False,
            id="source-text",
        )
        yield Footer()

    def _changed_note(self) -> str:
        """What is true of a file whose quote is not at its citation, and what to do about it."""
        moved = "the quote moved" if self.span else "the quote is no longer in it"
        if self.index_is_current:
            return f"This file changed since this answer was given: {moved}. The index is up to date; ask again for a current answer."
        return f"This file changed since the index was built: {moved}; ctrl+r updates the index, then ask again."

    def on_mount(self) -> None:
        area = self.query_one(NumberedTextArea)
        area.cursor_blink = getattr(self.app, "cursor_blink", True)
        # The cursor sits at the start of the span, so scrolling the cursor into view shows the cited line.
        if self.span is not None:
            start, end = self.span
            area.selection = Selection(self.lines.location(end), self.lines.location(start))
        elif lines_are_the_files(self.snippet.citation.source):
            citation = self.snippet.citation
            area.selection = Selection.cursor((self.lines.row_of(citation.line_start, citation.page), 0))
        else:
            area.selection = Selection.cursor(self.lines.location(min(self.snippet.citation.start, len(self.lines.display_text))))
        area.focus()
        self.call_after_refresh(area.scroll_cursor_visible, center=True, animate=False)
