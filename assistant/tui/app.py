"""The Textual app: owns the Assistant, runs the model load, index builds and questions in workers."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.worker import get_current_worker

from ..errors import AssistantError, BuildCancelled, ConfigError, IndexCorruptError, IndexMissingError
from ..models import Conversation
from .chat_log import SnippetCard, Turn
from .chat_screen import ChatScreen
from .confirm_screen import ConfirmScreen
from .error_screen import ConfigErrorScreen
from .help_screen import HelpScreen
from .messages import (
    Answered,
    AssistantOpened,
    ConfigFailed,
    AskFailed,
    BuildDone,
    BuildFailed,
    BuildStep,
    IndexChecked,
    EncoderDamaged,
    IndexDamaged,
    ModelFailed,
    ModelReady,
    SnippetChosen,
    SnippetSelected,
)
from .notices import (
    build_failed_notice,
    build_summary,
    changed_sources_notice,
    model_failed_notice,
    no_index_notice,
    stale_sources_notice,
    unusable_index_notice,
)
from .question_input import QuestionInput
from .skipped_screen import SkippedFilesScreen
from .snippet_content import snippet_clipboard_text
from .source_screen import SourceScreen
from .transcript import save_transcript

if TYPE_CHECKING:
    from ..api import Assistant
    from ..config import Overrides
    from ..models import SkippedFile, Snippet


def _describe(error: Exception) -> str:
    """A user-facing line for an error: our own messages as they are, anything else with its type."""
    if isinstance(error, AssistantError):
        return error.message
    return f"unexpected {type(error).__name__}: {error}"


class AssistantApp(App[int]):
    """Ask questions of your sources; answers are quoted snippets cited to file and line."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "assistant"

    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="Show this list of keys", id="help"),
        Binding("ctrl+n", "new_conversation", "New conversation", tooltip="Start a new conversation: the next question is read on its own", priority=True, id="new-conversation"),
        Binding("ctrl+r", "update_index", "Update index", tooltip="Bring the index up to date with the sources: only new or changed text is embedded", priority=True, id="update-index"),
        Binding("f5", "rebuild_index", "Rebuild index", tooltip="Rebuild the index from scratch, every passage embedded again (asks first)", priority=True, id="rebuild-index"),
        Binding("f2", "show_skipped", "Skipped files", tooltip="List the files the last build skipped or read with a warning, and why", id="skipped-files"),
        Binding("ctrl+l", "clear_chat", "Clear", tooltip="Clear the chat (and start a new conversation)", priority=True, id="clear-chat"),
        Binding("ctrl+y", "copy_snippet", "Copy snippet", tooltip="Copy the selected snippet with its citation", priority=True, id="copy-snippet"),
        Binding("ctrl+s", "save_transcript", "Save", tooltip="Save the conversation as Markdown with citations (transcripts/)", priority=True, id="save-transcript"),
        Binding("escape", "cancel_build", "Cancel build", tooltip="Cancel the running index build (the last index stays)", id="cancel-build"),
        Binding("ctrl+q", "quit", "Quit", tooltip="Quit the assistant", priority=True, id="quit"),
    ]

    def __init__(
        self,
        config_path: str | None = None,
        assistant: Assistant | None = None,
        *,
        overrides: Overrides | None = None,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.config_path = config_path
        self.overrides = overrides
        self.assistant = assistant
        self.cursor_blink = cursor_blink
        self.model_state = "not loaded"
        self.index_state = "checking the index…"
        self.building = False
        self.index_problem: str | None = None
        self._index_state_before_build = self.index_state
        self.selected_snippet: Snippet | None = None
        # What the last build of this session skipped or read with a warning (f2 lists them).
        self.skipped: tuple[SkippedFile, ...] = ()
        self._cancel_build = threading.Event()
        self._pending: deque[tuple[int, str]] = deque()
        # The chat is one conversation (each question read in the context of the answers before it)
        # until the user starts a new one.
        self.conversation = Conversation()
        self._turns: dict[int, Turn] = {}
        self._asking: int | None = None
        self._tickets = 0

    # -- start-up ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(ChatScreen(cursor_blink=self.cursor_blink))
        if self.assistant is None:
            self._show_state()
            self.open_assistant()
        else:
            self._start()

    @work(thread=True, exclusive=True, group="open")
    def open_assistant(self) -> None:
        """Import the core and read the config off the UI thread, so the chat paints first."""
        from ..api import Assistant

        try:
            self.post_message(AssistantOpened(Assistant.open(self.config_path, self.overrides)))
        except ConfigError as error:
            self.post_message(ConfigFailed(error))

    def on_assistant_opened(self, message: AssistantOpened) -> None:
        self.assistant = message.assistant
        self._start()

    def on_config_failed(self, message: ConfigFailed) -> None:
        self.switch_screen(ConfigErrorScreen(message.error, self.config_path))

    def retry_config(self) -> None:
        """Open the config again after the user fixed it; on success, the chat replaces the error."""
        from ..api import Assistant

        try:
            self.assistant = Assistant.open(self.config_path, self.overrides)
        except ConfigError as error:
            self.switch_screen(ConfigErrorScreen(error, self.config_path))
            self.notify("The config still has a problem.", severity="error")
            return
        self.switch_screen(ChatScreen(cursor_blink=self.cursor_blink))
        self._start()

    def _start(self) -> None:
        self._show_state()
        if self.assistant.question_encoder_loaded:
            self.model_state = "ready"
        else:
            self.model_state = "loading…"
            self.load_model()
        self._show_state()
        self.check_index()

    @property
    def chat(self) -> ChatScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        return None

    def _show_state(self) -> None:
        chat = self.chat
        if chat is not None:
            chat.sub_title = f"model: {self.model_state} · index: {self.index_state}"

    # -- workers ------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="model")
    def load_model(self) -> None:
        try:
            self.assistant.load_question_encoder()
        except IndexMissingError:  # the encoder comes with the index: loaded once it is built
            self.post_message(EncoderDamaged(None))
        except IndexCorruptError as error:  # the index's export is damaged: the rebuild offer mends it
            self.post_message(EncoderDamaged(error))
        except Exception as error:  # shown to the user as the model's state, not swallowed
            self.post_message(ModelFailed(error))
        else:
            self.post_message(ModelReady())

    @work(thread=True, exclusive=True, group="check")
    def check_index(self) -> None:
        try:
            status = self.assistant.status()
        except AssistantError as error:  # the index folder turned out not to be the index's own
            self.post_message(IndexDamaged(error))
            return
        self.post_message(IndexChecked(status))
        if status.exists and not status.problem:
            # Reading the whole index finds damage the manifest alone does not show.
            try:
                self.assistant.load_index()
            except Exception as error:  # shown as the index's problem, with the rebuild offered
                self.post_message(IndexDamaged(error))

    @work(thread=True, exclusive=True, group="build")
    def build(self, rebuild: bool) -> None:
        worker = get_current_worker()
        cancel = self._cancel_build

        def progress(step) -> None:
            self.post_message(BuildStep(step.stage, step.done, step.total))

        try:
            report = self.assistant.build_index(
                rebuild=rebuild, progress=progress, should_cancel=lambda: cancel.is_set() or worker.is_cancelled
            )
        except Exception as error:  # reported on screen by BuildFailed
            self.post_message(BuildFailed(error))
        else:
            self.post_message(BuildDone(report))

    @work(thread=True, exclusive=True, group="ask")
    def ask(self, ticket: int, question: str, conversation: Conversation) -> None:
        try:
            answer = self.assistant.ask(question, conversation=conversation)
        except Exception as error:  # shown in the question's turn by AskFailed
            self.post_message(AskFailed(ticket, error))
        else:
            self.post_message(Answered(ticket, answer))

    # -- the model and the index ------------------------------------------------------------------

    def on_model_ready(self, message: ModelReady) -> None:
        self.model_state = "ready"
        self._show_state()
        self._pump()

    def on_model_failed(self, message: ModelFailed) -> None:
        self.model_state = "failed"
        self._show_state()
        self._show_notice(model_failed_notice(_describe(message.error)), "error")
        self._pump()

    def on_index_checked(self, message: IndexChecked) -> None:
        status = message.status
        if not status.exists:
            self.index_state = "none yet"
            self._show_state()
            self.start_build(rebuild=False, label="No index yet: building it from the sources")
            return
        self.index_state = f"{status.passages} passages from {status.files} files"
        self._show_state()
        if status.problem:
            self._index_unusable(status.problem)
        elif status.changes.is_stale:
            self._show_notice(stale_sources_notice(status.changes), "warning")

    def on_index_damaged(self, message: IndexDamaged) -> None:
        self._index_unusable(_describe(message.error))

    def on_encoder_damaged(self, message: EncoderDamaged) -> None:
        self.model_state = "not loaded"  # loaded again once a build has made the export afresh
        self._show_state()
        if message.error is not None:
            self._index_unusable(_describe(message.error))

    def _index_unusable(self, problem: str) -> None:
        self.index_problem = problem
        self.index_state = "unusable"
        self._show_state()
        self._show_notice(unusable_index_notice(problem), "error")

    def _show_notice(self, content: Content, kind: str) -> None:
        if self.chat is not None:
            self.chat.notice.show(content, kind)

    def start_build(self, rebuild: bool, label: str = "Building the index") -> None:
        """Build (or update) the index in a worker; questions wait for it to end."""
        if self.building:
            self.notify("A build is already running.", severity="warning")
            return
        self.building = True
        self._cancel_build.clear()
        if self.chat is not None:
            self.chat.build_panel.start(label)
        self._index_state_before_build = self.index_state
        self.index_state = "building…"
        self._show_state()
        self.build(rebuild)

    def on_build_step(self, message: BuildStep) -> None:
        if self.chat is not None:
            self.chat.build_panel.step(message.stage, message.done, message.total)

    def on_build_done(self, message: BuildDone) -> None:
        report = message.report
        self._build_ended()
        self.index_problem = None
        self.index_state = f"{report.passages} passages from {report.files} files"
        if self.model_state in ("not loaded", "failed"):
            self.model_state = "loading…"
            self.load_model()
        self._show_state()
        if self.chat is not None:
            self.chat.notice.hide()
        self.skipped = report.skipped
        # One toast for the whole build: a file a toast would stack nine deep over the chat; f2 lists them.
        self.notify(build_summary(report), title="Index ready", severity="warning" if report.skipped else "information", markup=False)
        self.refresh_bindings()
        self._pump()

    def on_build_failed(self, message: BuildFailed) -> None:
        self._build_ended()
        if isinstance(message.error, BuildCancelled):
            self.notify(_describe(message.error), title="Build cancelled", severity="warning", markup=False)
        else:
            self._show_notice(build_failed_notice(_describe(message.error)), "error")
        self.index_state = self._index_state_before_build
        self._show_state()
        self._pump()

    def _build_ended(self) -> None:
        self.building = False
        if self.chat is not None:
            self.chat.build_panel.stop()

    # -- questions ----------------------------------------------------------------------------------

    def submit_question(self, question: str) -> None:
        """Add the question to the chat and answer it as soon as the model and the index are ready."""
        chat = self.chat
        if chat is None:
            return
        self._tickets += 1
        self._turns[self._tickets] = chat.log_view.add_turn(question)
        self._pending.append((self._tickets, question))
        self._pump()

    def _pump(self) -> None:
        """Start the next queued question if nothing stands in its way; else say what it waits for."""
        if self._asking is not None or not self._pending:
            return
        if self.model_state == "failed":
            while self._pending:
                ticket, _ = self._pending.popleft()
                self._fail_turn(ticket, "Not answered: the embedding model could not load (see the notice above).")
            return
        if self.model_state != "ready" or self.building:
            why = "waiting for the index build to finish…" if self.building else "waiting for the model to load…"
            for ticket, _ in self._pending:
                self._turn_status(ticket, why)
            return
        ticket, question = self._pending.popleft()
        self._asking = ticket
        self._turn_status(ticket, "searching…")
        self.ask(ticket, question, self.conversation)

    def _turn_status(self, ticket: int, text: str) -> None:
        turn = self._turns.get(ticket)
        if turn is not None and turn.is_attached:
            turn.set_status(text)

    def _fail_turn(self, ticket: int, text: str) -> None:
        turn = self._turns.pop(ticket, None)
        if turn is not None and turn.is_attached:
            turn.show_error(text)

    def on_answered(self, message: Answered) -> None:
        self._asking = None
        self.conversation = self.conversation.then(message.answer)
        turn = self._turns.pop(message.ticket, None)
        if turn is not None and turn.is_attached:
            turn.show_answer(message.answer)
            if self.chat is not None:
                log = self.chat.log_view
                log.call_after_refresh(log.scroll_end, animate=False)
        if message.answer.changed_sources:
            self._show_notice(changed_sources_notice(message.answer.changed_sources), "warning")
        self._pump()

    def on_ask_failed(self, message: AskFailed) -> None:
        self._asking = None
        error = message.error
        self._fail_turn(message.ticket, f"Not answered: {_describe(error)}")
        if isinstance(error, IndexCorruptError):
            self._index_unusable(error.message)
        elif isinstance(error, IndexMissingError):
            self._show_notice(no_index_notice(), "error")
        self._pump()

    # -- snippets -----------------------------------------------------------------------------------

    def on_snippet_selected(self, message: SnippetSelected) -> None:
        self.selected_snippet = message.snippet

    def on_snippet_chosen(self, message: SnippetChosen) -> None:
        self.selected_snippet = message.snippet
        source = message.snippet.citation.source
        try:
            text = self.assistant.read_source(source)
        except (AssistantError, OSError) as error:
            self.notify(f"Cannot open {source}: {error}", severity="error", markup=False)
            return
        screen = SourceScreen(message.snippet, text)
        self.push_screen(screen)

    def _snippet_to_copy(self) -> Snippet | None:
        if isinstance(self.screen, SourceScreen):
            return self.screen.snippet
        if isinstance(self.focused, SnippetCard):
            return self.focused.snippet
        if self.selected_snippet is not None:
            return self.selected_snippet
        answers = self.chat.log_view.answers() if self.chat is not None else []
        if answers and answers[-1].snippets:
            return answers[-1].snippets[0]
        return None

    # -- actions ------------------------------------------------------------------------------------

    def action_update_index(self) -> None:
        if self.assistant is None:
            return
        # An unusable index cannot be updated, only made again.
        if self.index_problem is not None:
            self.start_build(rebuild=True, label="Rebuilding the index")
        else:
            self.start_build(rebuild=False, label="Updating the index")

    def action_rebuild_index(self) -> None:
        if self.assistant is None or isinstance(self.screen, ConfirmScreen):
            return
        if self.building:
            self.notify("A build is already running.", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.start_build(rebuild=True, label="Rebuilding the index from scratch")

        self.push_screen(
            ConfirmScreen(
                Content("Rebuild the index from scratch?"),
                Content(
                    "Every passage is read and embedded again, which takes as long as the first build. "
                    "To take in new or changed files only, ctrl+r updates the index instead."
                ),
            ),
            confirmed,
        )

    def action_show_skipped(self) -> None:
        if not self.skipped:
            self.notify("The last build skipped no files.")
            return
        if not isinstance(self.screen, SkippedFilesScreen):
            self.push_screen(SkippedFilesScreen(self.skipped))

    def action_cancel_build(self) -> None:
        self._cancel_build.set()
        self.notify("Cancelling the build…")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_build":
            return self.building
        if action in ("update_index", "rebuild_index", "clear_chat", "copy_snippet", "save_transcript", "new_conversation"):
            return self.assistant is not None and self.chat is not None
        if action == "show_skipped":
            return bool(self.skipped)
        return True

    def action_clear_chat(self) -> None:
        if self.chat is not None:
            self.chat.log_view.clear()
            self.selected_snippet = None
            self.conversation = Conversation()
            self.chat.query_one(QuestionInput).focus()

    def action_new_conversation(self) -> None:
        """Forget the conversation so far: the next question is read on its own."""
        if not self.conversation.turns:
            self.notify("This is already a new conversation.")
            return
        self.conversation = Conversation()
        if self.chat is not None:
            self.chat.log_view.add_divider("New conversation: the next question is read on its own.")

    def action_copy_snippet(self) -> None:
        snippet = self._snippet_to_copy()
        if snippet is None:
            self.notify("No snippet to copy yet.", severity="warning")
            return
        self.copy_to_clipboard(snippet_clipboard_text(snippet))
        self.notify(f"Copied the snippet from {snippet.citation.label()}", markup=False)

    def action_save_transcript(self) -> None:
        answers = self.chat.log_view.answers() if self.chat is not None else []
        if not answers:
            self.notify("Nothing to save yet: ask a question first.", severity="warning")
            return
        try:
            path = save_transcript(answers, self.assistant.config.transcripts_dir, self.assistant.config.path)
        except OSError as error:
            self.notify(f"Could not save the conversation: {error}", severity="error", markup=False)
            return
        self.notify(f"Saved the conversation to {path}", title="Transcript saved", markup=False)

    def help_groups(self) -> list[tuple[str, list[Binding]]]:
        """The key bindings by where they apply, for the help screen."""
        return [
            ("Everywhere", list(AssistantApp.BINDINGS)),
            ("The chat", list(ChatScreen.BINDINGS)),
            ("Question box", list(QuestionInput.BINDINGS)),
            ("A focused snippet", list(SnippetCard.BINDINGS)),
            ("Source viewer", list(SourceScreen.BINDINGS)),
        ]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_groups()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New conversation", "Read the next question on its own, not as a follow-up (ctrl+n)", self.action_new_conversation)
        yield SystemCommand("Update the index", "Embed only what is new or changed in the sources (ctrl+r)", self.action_update_index)
        yield SystemCommand("Rebuild the index from scratch", "Read and embed every source again; asks first (f5)", self.action_rebuild_index)
        if self.skipped:
            yield SystemCommand("Show the skipped files", "The files the last build skipped, and why (f2)", self.action_show_skipped)
        yield SystemCommand("Clear the chat", "Remove every question and answer from the screen (ctrl+l)", self.action_clear_chat)
        yield SystemCommand("Copy the selected snippet", "Copy the snippet and its citation (ctrl+y)", self.action_copy_snippet)
        yield SystemCommand("Save the conversation", "Write it as Markdown with citations to transcripts/ (ctrl+s)", self.action_save_transcript)
        yield SystemCommand("Help: keys", "List every key (f1)", self.action_help)
        if self.building:
            yield SystemCommand("Cancel the build", "Stop the index build; the last index stays (esc)", self.action_cancel_build)


def run_chat(config_path: str | None, overrides: Overrides | None = None) -> int:
    """Run the chat app until the user quits; returns the exit code."""
    app = AssistantApp(config_path, overrides=overrides)
    app.run()
    if app.assistant is None:  # quit from the config error screen: the config is still broken
        return 2
    return app.return_code or 0
