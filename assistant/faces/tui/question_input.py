"""The question box: an Input that recalls earlier questions with up and down."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input


def pasted_question(text: str) -> str:
    """Pasted text as one line of the question: its lines joined with spaces, blank ones dropped."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


class QuestionInput(Input):
    """An Input with a history of submitted questions (up: older, down: newer)."""

    BINDINGS = [
        Binding("up", "history_previous", "Previous question", tooltip="Recall the previous question", show=False, id="history-previous"),
        Binding("down", "history_next", "Next question", tooltip="Recall the next question (past the last: your draft)", show=False, id="history-next"),
        # An Enter typed ahead, before the terminal entered raw mode, arrives as a line feed.
        Binding("ctrl+j", "submit", "Ask", show=False, system=True, id="submit-typeahead"),
    ]

    def __init__(self, **kwargs) -> None:
        # Coming back to the box must not select the draft: the next key would wipe it.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._position: int | None = None  # index into history while browsing; None: editing a draft
        self._draft = ""

    def remember(self, question: str) -> None:
        """Add a submitted question to the history (not twice in a row) and stop browsing."""
        if not self.history or self.history[-1] != question:
            self.history.append(question)
        self._position = None
        self._draft = ""

    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # Input's own handler would insert the first line again
        event.stop()
        self.paste(event.text)

    def paste(self, text: str) -> None:
        """Put pasted text in at the cursor (over the selection), its lines joined into one.

        Input keeps a paste's first line only (it holds one line), so a question copied from a document,
        where it wraps over several, would lose its end without a word: it arrives whole instead."""
        line = pasted_question(text)
        if not line:
            return
        if self.selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *self.selection)

    def _show(self, text: str) -> None:
        self.value = text
        self.cursor_position = len(text)

    def action_history_previous(self) -> None:
        if not self.history:
            return
        if self._position is None:
            self._draft = self.value
            self._position = len(self.history) - 1
        else:
            self._position = max(self._position - 1, 0)
        self._show(self.history[self._position])

    def action_history_next(self) -> None:
        if self._position is None:
            return
        if self._position + 1 < len(self.history):
            self._position += 1
            self._show(self.history[self._position])
        else:
            self._position = None
            self._show(self._draft)
