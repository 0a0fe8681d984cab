"""The chat screen: the notice banner, the log of turns, the build's progress and the question box.

It holds the conversation: questions wait in its queue until the app's model and index states (bound
to its own) let them go, one at a time, and it answers them in a worker. What the app must know of
(an index found unusable while answering) it posts up as a message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Input
from textual.worker import get_current_worker

from ...errors import AssistantError, IndexMissingError, IndexUnusableError
from ...models import Conversation
from .banner import Banner
from .build_panel import BuildPanel
from .chat_log import ChatLog, SnippetCard, Turn
from .messages import Answered, AskFailed, IndexUnusable, SnippetChosen, SnippetSelected
from .notices import changed_sources_notice, describe_error, no_index_notice
from .question_input import QuestionInput
from .question_queue import MODEL_FAILED, QuestionQueue, waiting_reason
from .source_screen import SourceScreen
from .states import IndexPhase, ModelState, index_label
from .transcript import save_transcript

if TYPE_CHECKING:
    from pathlib import Path

    from ...api import Assistant
    from ...models import Snippet
    from ...sources.formats import ExtractedText


# Columns of the header that its title cannot use (the icon at its left, and as much again at its right).
HEADER_MARGIN = 16


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

    # The app's states, bound to these (``data_bind``): the header shows them, and a change lets
    # waiting questions go.
    model_state: reactive[ModelState] = reactive(ModelState.NOT_LOADED, init=False)
    index_phase: reactive[IndexPhase] = reactive(IndexPhase.CHECKING, init=False)
    index_size: reactive[tuple[int, int]] = reactive((0, 0), init=False)

    def __init__(self, cursor_blink: bool = True) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.assistant: Assistant | None = None  # given by the app once the config is read
        self.questions: QuestionQueue[Turn] = QuestionQueue()
        # The chat is one conversation (each question read in the context of the answers before it)
        # until the user starts a new one.
        self.conversation = Conversation()
        self.selected_snippet: Snippet | None = None  # the snippet last focused: ctrl+y copies it
        # The collection answering, where there are several (ctrl+o moves on); "" where there is one.
        self.collection = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(id="notice")
        yield ChatLog(id="chat-log")
        yield BuildPanel(id="build-panel")
        yield QuestionInput(placeholder="Ask about your sources… (enter to ask, up/down for earlier questions)", id="question")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QuestionInput).cursor_blink = self.cursor_blink
        self._show_state()

    def _show_state(self) -> None:
        """The header's line: the collection answering (where there are several), the model's state and
        the index's; in a narrow terminal, the short form, so that the index's size is not cut off."""
        index = index_label(self.index_phase, *self.index_size)
        collection = f"collection: {self.collection} · " if self.collection else ""
        full = f"{collection}model: {self.model_state.label} · index: {index}"
        if cell_len(f"{self.app.title} — {full}") <= self.size.width - HEADER_MARGIN:  # cells: a CJK name is wide
            self.sub_title = full
        else:
            short = index_label(self.index_phase, *self.index_size, short=True)
            self.sub_title = " · ".join(part for part in (self.collection, f"model {self.model_state.label}", short) if part)

    def on_resize(self, event: events.Resize) -> None:
        self._show_state()

    def show_collection(self, name: str) -> None:
        """Name the collection answering in the title (where there are several)."""
        self.collection = name
        self._show_state()

    # -- questions ----------------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        box = self.query_one(QuestionInput)
        box.remember(question)
        box.value = ""
        self.questions.add(question, self.log_view.add_turn(question))
        self.pump()

    def watch_model_state(self) -> None:
        self._show_state()
        self.pump()

    def watch_index_phase(self) -> None:
        self._show_state()
        self.pump()

    def watch_index_size(self) -> None:
        self._show_state()

    def pump(self) -> None:
        """Start the next queued question if nothing stands in its way; else say what it waits for."""
        if self.questions.asking:
            return
        if self.model_state is ModelState.FAILED:
            for turn in self.questions.drain():
                if turn.is_attached:
                    turn.show_error(MODEL_FAILED)
            return
        why = waiting_reason(self.model_state, self.index_phase)
        if why is not None or self.assistant is None:
            for turn in self.questions.waiting():
                if turn.is_attached:
                    turn.set_status(why or "waiting…")
            return
        started = self.questions.start_next()
        if started is not None:
            ticket, question, turn = started
            turn.sources_dir = self.assistant.config.sources_dir
            if turn.is_attached:
                turn.set_status("searching…")
            self.ask(ticket, question, self.conversation)

    @work(thread=True, exclusive=True, group="ask")
    def ask(self, ticket: int, question: str, conversation: Conversation) -> None:
        assistant, library = self.assistant, self.app.library
        try:
            answer = assistant.ask(question, conversation=conversation)
        except Exception as error:  # shown in the question's turn by AskFailed
            self.post_message(AskFailed(ticket, error))
        else:
            if library is not None:  # each citation names its collection where there are several
                answer = library.with_collection(answer, assistant.config.collection)
            self.post_message(Answered(ticket, answer))

    async def on_answered(self, message: Answered) -> None:
        self.conversation = self.conversation.then(message.answer)
        turn = self.questions.finish(message.ticket)
        if turn is not None and turn.is_attached:
            # Scrolled once the cards are mounted and laid out: scrolled before, the log could stop at
            # the first card's first lines, the rest of the answer below the view.
            await turn.show_answer(message.answer)
            self.log_view.call_after_refresh(self.log_view.show_turn, turn)
        if message.answer.changed_sources:
            self.banner.show(changed_sources_notice(message.answer.changed_sources), "warning")
        self.pump()

    def on_ask_failed(self, message: AskFailed) -> None:
        error = message.error
        turn = self.questions.finish(message.ticket)
        if turn is not None and turn.is_attached:
            turn.show_error(f"Not answered: {describe_error(error)}")
        if isinstance(error, IndexUnusableError):
            self.post_message(IndexUnusable(error))  # the app offers what mends it
        elif isinstance(error, IndexMissingError):
            self.banner.show(no_index_notice(), "error")
        self.pump()

    # -- snippets -----------------------------------------------------------------------------------

    def on_snippet_selected(self, message: SnippetSelected) -> None:
        self.selected_snippet = message.snippet

    def on_snippet_chosen(self, message: SnippetChosen) -> None:
        self.selected_snippet = message.snippet
        self.open_source(message.snippet)

    @work(thread=True, exclusive=True, group="open-source")
    def open_source(self, snippet: Snippet) -> None:
        """Read the snippet's source and show it, off the UI thread: a long PDF takes seconds to read
        (its layout pass), and the chat keeps answering keys meanwhile. Opening another snippet first
        cancels this one (its screen is never shown)."""
        citation = snippet.citation
        source = citation.source
        if citation.page is not None:  # a PDF's layout pass takes seconds: say it is under way
            self.app.call_from_thread(self.notify, f"Opening {source}…", timeout=3, markup=False)
        try:
            # An answer of another collection (asked before ctrl+o) is read from that collection's sources.
            library = self.app.library
            assistant = library.assistant(citation.collection) if library is not None and citation.collection else self.assistant
            read = assistant.read_source_paged(source)
            moved = read.text[citation.start : citation.end] != snippet.text
            # Updated since the answer was given: asking again finds the quote, not updating the index.
            current = moved and assistant.holds_as_it_stands(source)
        except (AssistantError, OSError) as error:
            self.app.call_from_thread(self.notify, f"Cannot open {source}: {error}", severity="error", markup=False)
            return
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self.show_source, snippet, read, current)

    def show_source(self, snippet: Snippet, read: ExtractedText, index_is_current: bool) -> None:
        if self.app.screen is not self:  # another screen came up meanwhile (help, another source): not over it
            return
        self.app.push_screen(SourceScreen(snippet, read.text, index_is_current=index_is_current, page_starts=read.page_starts))

    def snippet_to_copy(self) -> Snippet | None:
        """The focused snippet, else the one last focused, else the newest answer's first."""
        if isinstance(self.focused, SnippetCard):
            return self.focused.snippet
        if self.selected_snippet is not None:
            return self.selected_snippet
        answers = self.log_view.answers()
        return answers[-1].snippets[0] if answers and answers[-1].snippets else None

    # -- the conversation ---------------------------------------------------------------------------

    def clear(self) -> None:
        """Remove every turn, and start a new conversation."""
        self.log_view.clear()
        self.selected_snippet = None
        self.conversation = Conversation()
        self.query_one(QuestionInput).focus()

    def new_conversation(self) -> bool:
        """Forget the conversation so far: the next question is read on its own. False if it was new."""
        if not self.conversation.turns:
            return False
        self.conversation = Conversation()
        self.log_view.add_divider("New conversation: the next question is read on its own.")
        return True

    def save_transcript(self) -> Path | None:
        """Write the answered turns as Markdown; None when there is nothing to save yet."""
        turns = self.log_view.answered_turns()
        if not turns or self.assistant is None:
            return None
        config = self.assistant.config
        sources = list(dict.fromkeys(turn.sources_dir for turn in turns if turn.sources_dir is not None))
        read = config.path if config.from_file else None  # `--sources DIR` alone reads no config file
        return save_transcript([turn.answer for turn in turns], config.transcripts_dir, sources, read)

    # -- focus ----------------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        # Typing while a snippet has focus starts a new question instead of being lost.
        box = self.query_one(QuestionInput)
        if event.is_printable and event.character and self.focused is not box:
            event.stop()
            box.focus()
            box.insert_text_at_cursor(event.character)

    def on_paste(self, event: events.Paste) -> None:
        # A paste while a snippet has focus is a question too (the box takes its own pastes first).
        event.stop()
        box = self.query_one(QuestionInput)
        box.focus()
        box.paste(event.text)

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
    def banner(self) -> Banner:
        return self.query_one(Banner)

    @property
    def build_panel(self) -> BuildPanel:
        return self.query_one(BuildPanel)
