"""The chat screen: the notice banner, the log of turns, the build's progress and the question box."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input

from .build_panel import BuildPanel
from .chat_log import ChatLog, SnippetCard
from .notice import Notice
from .question_input import QuestionInput


class ChatScreen(Screen):
    """Where questions are asked and answers read; the question box has focus at start."""

    AUTO_FOCUS = "QuestionInput"

    # Tab from the question box goes to the answer just given, not to the oldest one at the top.
    BINDINGS = [
        Binding("tab", "focus_newest_answer", "To the answer", tooltip="From the question box: to the first snippet of the newest answer", show=False, id="focus-newest-answer"),
        Binding("shift+tab", "focus_question", "To the question box", tooltip="From a snippet: back to the question box", show=False, id="focus-question"),
    ]

    DEFAULT_CSS = """
    ChatScreen QuestionInput { margin: 0 1; }
    """

    def __init__(self, cursor_blink: bool = True) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        yield Header()
        yield Notice(id="notice")
        yield ChatLog(id="chat-log")
        yield BuildPanel(id="build-panel")
        yield QuestionInput(placeholder="Ask about your sources… (enter to ask, up/down for earlier questions)", id="question")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QuestionInput).cursor_blink = self.cursor_blink

    def on_input_submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        box = self.query_one(QuestionInput)
        box.remember(question)
        box.value = ""
        self.app.submit_question(question)  # type: ignore[attr-defined]

    def on_key(self, event: events.Key) -> None:
        # Typing while a snippet has focus starts a new question instead of being lost.
        box = self.query_one(QuestionInput)
        if event.is_printable and event.character and self.focused is not box:
            event.stop()
            box.focus()
            box.insert_text_at_cursor(event.character)

    def action_focus_newest_answer(self) -> None:
        if isinstance(self.focused, SnippetCard):
            self.focus_next()  # among the snippets, tab moves on as everywhere
            return
        card = self.log_view.newest_answer_card()
        if card is not None:
            card.focus()
            card.scroll_visible(animate=False)

    def action_focus_question(self) -> None:
        box = self.query_one(QuestionInput)
        if self.focused is box:
            self.focus_previous()
        else:
            box.focus()

    @property
    def log_view(self) -> ChatLog:
        return self.query_one(ChatLog)

    @property
    def notice(self) -> Notice:
        return self.query_one(Notice)

    @property
    def build_panel(self) -> BuildPanel:
        return self.query_one(BuildPanel)
