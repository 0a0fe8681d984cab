"""The Textual app: owns the Assistant, runs the model load, index builds and questions in workers."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen

from ...errors import AssistantError, BuildCancelled, ConfigError, IndexMissingError, IndexUnusableError, ModelLoadError, ReaderError, Remedy
from ...models import IndexState
from . import terminal
from .chat_log import SnippetCard
from .chat_screen import ChatScreen
from .confirm_screen import ConfirmScreen
from .error_screen import ConfigErrorScreen
from .help_screen import HelpScreen
from .messages import (
    AssistantOpened,
    BuildDone,
    BuildFailed,
    ConfigFailed,
    ConfigRetried,
    IndexChecked,
    IndexUnusable,
    ModelAwaitsIndex,
    ModelFailed,
    ModelReady,
    WatchReported,
    WatchStarting,
)
from .notices import (
    REBUILD_DETAIL,
    REBUILD_QUESTION,
    build_failed_notice,
    build_summary,
    describe_error,
    model_failed_notice,
    not_read_notice,
    reader_failed_notice,
    stale_sources_notice,
    unusable_index_notice,
    watch_problem_text,
)
from .question_input import QuestionInput
from .skipped_screen import SkippedFilesScreen
from .snippet_content import snippet_clipboard_text
from .source_screen import SourceScreen
from .states import IndexPhase, ModelState

if TYPE_CHECKING:
    from ...api import Assistant, Library
    from ...watcher import IndexWatcher
    from ...config import Overrides
    from ...models import BuildReport, IndexCheck, SkippedFile


# Seconds the quiet notice of an update stays up.
WATCH_NOTICE_SECONDS = 4
# A collection left out because its folder is gone: long enough to read the folder's path.
GONE_NOTICE_SECONDS = 12


class AssistantApp(App[int]):
    """Ask questions of your sources; answers are quoted snippets cited to file and line."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    TITLE = "assistant"

    # The footer shows these in this order and cuts off what does not fit at the right: the most
    # needed first (esc, f2 and ctrl+o only while they apply), each described in a word, so that at 80
    # columns every key a question-and-answer session needs is in sight. The help (f1) says what each
    # does from its tooltip; f5 and ctrl+q are shown only there and in the palette (Textual leaves
    # its own quit out of the footer too).
    BINDINGS = [
        Binding("f1", "help", "Help", tooltip="Show this list of keys", id="help"),
        Binding("escape", "cancel_build", "Cancel", tooltip="Cancel the running index build (the last index stays)", id="cancel-build"),
        Binding("ctrl+r", "update_index", "Update", tooltip="Bring the index up to date with the sources: only new or changed text is embedded", priority=True, id="update-index"),
        Binding("f2", "show_skipped", "Skipped", tooltip="List the files the last build skipped or read with a warning, and why", id="skipped-files"),
        Binding("ctrl+o", "next_collection", "Collection", tooltip="Answer from the next collection (the title at the top names the one answering)", priority=True, id="next-collection"),
        Binding("ctrl+y", "copy_snippet", "Copy", tooltip="Copy the selected snippet with its citation", priority=True, id="copy-snippet"),
        Binding("ctrl+s", "save_transcript", "Save", tooltip="Save the conversation as Markdown with citations (transcripts/)", priority=True, id="save-transcript"),
        Binding("ctrl+n", "new_conversation", "New", tooltip="Start a new conversation: the next question is read on its own", priority=True, id="new-conversation"),
        Binding("ctrl+l", "clear_chat", "Clear", tooltip="Clear the chat (and start a new conversation)", priority=True, id="clear-chat"),
        Binding("f5", "rebuild_index", "Rebuild", tooltip="Rebuild the index from scratch, every passage embedded again (asks first)", show=False, priority=True, id="rebuild-index"),
        Binding("ctrl+q", "quit", "Quit", tooltip="Quit the assistant", show=False, priority=True, id="quit"),
    ]

    # What the chat waits on, bound to the chat screen's own: its header shows them, and a change lets
    # waiting questions go. ``index_size`` (passages, files) is shown once the index answers.
    model_state: reactive[ModelState] = reactive(ModelState.NOT_LOADED, init=False)
    index_phase: reactive[IndexPhase] = reactive(IndexPhase.CHECKING, init=False)
    index_size: reactive[tuple[int, int]] = reactive((0, 0), init=False)
    # What the last build skipped or read with a warning (f2 lists them): this session's, else the
    # index's own record of the files it passed over. A change shows or hides f2 in the footer, whichever
    # path set it (a build here, the watch, or the check of an index built by the command line).
    skipped: reactive[tuple[SkippedFile, ...]] = reactive((), init=False, bindings=True)

    def __init__(
        self,
        config_path: str | None = None,
        assistant: Assistant | None = None,
        *,
        overrides: Overrides | None = None,
        collection: str | None = None,
        cursor_blink: bool = True,
        watch: bool = False,
    ) -> None:
        super().__init__()
        # Whether the chat follows the sources' edits (``run_chat`` does; a test asks for it).
        self.watch_sources = watch
        self.watcher: IndexWatcher | None = None
        self._watch_building = False  # the build under way is the watch's update
        self.config_path = config_path
        self.overrides = overrides
        self.assistant = assistant
        self.cursor_blink = cursor_blink
        # The collection the chat answers from (-c NAME); None: the config's own sources. ctrl+o moves
        # to the next of the library's collections.
        self.collection = collection
        self.library: Library | None = None
        # What mends the index while it cannot be used (ctrl+r does it).
        self.index_remedy: Remedy | None = None
        self._phase_before_build = IndexPhase.CHECKING

    @property
    def building(self) -> bool:
        return self.index_phase is IndexPhase.BUILDING

    # -- start-up ---------------------------------------------------------------------------------

    def _chat_screen(self) -> ChatScreen:
        """A new chat screen, its model and index states bound to the app's."""
        bound = (AssistantApp.model_state, AssistantApp.index_phase, AssistantApp.index_size)
        return ChatScreen(cursor_blink=self.cursor_blink).data_bind(*bound)

    async def on_mount(self) -> None:
        await self.push_screen(self._chat_screen())  # mounted before _start gives it the assistant
        if not self.is_headless:
            self.set_interval(terminal.CHECK_SECONDS, self._quit_if_terminal_gone)
        if self.assistant is None:
            self.open_assistant()
        else:
            self._start()

    def _quit_if_terminal_gone(self) -> None:
        """Quit when the terminal has gone away without a hang-up signal (``terminal``)."""
        if terminal.terminal_gone(sys.__stdout__.fileno()):
            terminal.end_soon()
            self.exit(return_code=1)

    @work(thread=True, exclusive=True, group="open")
    def open_assistant(self) -> None:
        """Import the core and read the config off the UI thread, so the chat paints first."""
        from ...api import open_library

        try:
            library, assistant = open_library(self.config_path, self.overrides, self.collection)
            self.post_message(AssistantOpened(assistant, library))
        except ConfigError as error:
            self.post_message(ConfigFailed(error))

    def on_assistant_opened(self, message: AssistantOpened) -> None:
        self.assistant, self.library = message.assistant, message.library
        self._start()

    def on_config_failed(self, message: ConfigFailed) -> None:
        self.switch_screen(ConfigErrorScreen(message.error, self.config_path))

    async def on_config_retried(self, message: ConfigRetried) -> None:
        """Open the config again after the user fixed it; on success, the chat replaces the error."""
        from ...api import open_library

        try:
            self.library, self.assistant = open_library(self.config_path, self.overrides, self.collection)
        except ConfigError as error:
            self.switch_screen(ConfigErrorScreen(error, self.config_path))
            self.notify("The config still has a problem.", severity="error")
            return
        await self.switch_screen(self._chat_screen())
        self._start()

    def _start(self) -> None:
        if self.chat is not None:
            self.chat.assistant = self.assistant
            several = self.library is not None and len(self.library.names) > 1
            self.chat.show_collection(self.assistant.config.collection if several else "")
        for note in self.library.gone_notes if self.library is not None else ():
            self.notify(note, title="Collection left out", severity="warning", markup=False, timeout=GONE_NOTICE_SECONDS)
        if self.assistant.question_encoder_loaded:
            self.model_state = ModelState.READY
        else:
            self._load_model()
        if self.chat is not None:
            self.chat.build_panel.prepare(self.assistant)
        self.refresh_bindings()  # the keys that need the assistant (ctrl+r among them) show from now

    @property
    def chat(self) -> ChatScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        return None

    # -- workers ------------------------------------------------------------------------------------

    def _load_model(self) -> None:
        self.model_state = ModelState.LOADING
        self.load_model()

    @work(thread=True, exclusive=True, group="model")
    def load_model(self) -> None:
        try:
            self.assistant.load_question_encoder()
            self.assistant.load_word_frequencies()  # the chat is a conversation: its first follow-up needs them
            self.assistant.load_reader()
        except IndexMissingError:
            self.post_message(ModelAwaitsIndex())
        except IndexUnusableError as error:  # the index (or its export) is damaged: the rebuild offer mends it
            self.post_message(IndexUnusable(error))
        except Exception as error:  # shown to the user as the model's state, not swallowed
            self.post_message(ModelFailed(error))
        else:
            self.post_message(ModelReady())

    # -- the model and the index ------------------------------------------------------------------

    def on_model_ready(self, message: ModelReady) -> None:
        self.model_state = ModelState.READY
        self._start_watching()

    def on_model_awaits_index(self, message: ModelAwaitsIndex) -> None:
        self.model_state = ModelState.NOT_LOADED  # loaded once a build has made the index

    def on_model_failed(self, message: ModelFailed) -> None:
        notice = reader_failed_notice if isinstance(message.error, ReaderError) else model_failed_notice
        self._show_notice(notice(describe_error(message.error)), "error")
        self.model_state = ModelState.FAILED

    def on_index_checked(self, message: IndexChecked) -> None:
        check: IndexCheck = message.check
        if check.report is not None:
            self._build_succeeded(check.report)
            return
        status = check.status
        if status is not None and status.exists:
            self.index_size = (status.passages, status.files)
            if not self.skipped:  # built elsewhere (the command line): f2 lists what that build passed over
                self.skipped = status.skipped
        if check.state is IndexState.UNUSABLE:
            self._index_unusable(check.problem or "", check.remedy)
            return
        if self.index_phase is not IndexPhase.UNUSABLE:  # opening it may already have found damage
            self.index_phase = IndexPhase.READY
        if check.state is IndexState.STALE and status is not None:
            notice = stale_sources_notice(status.changes)
            if status.changes.not_included:  # said too, not hidden by it
                notice = Content.assemble(notice, " ", not_read_notice(status.changes.not_included))
            self._show_notice(notice, "warning")
        elif status is not None and status.changes.not_included:
            self._show_notice(not_read_notice(status.changes.not_included), "warning")
        self._start_watching()

    def on_index_unusable(self, message: IndexUnusable) -> None:
        self.model_state = ModelState.NOT_LOADED  # loaded again once a build has mended the index
        error = message.error
        self._index_unusable(describe_error(error), error.remedy if isinstance(error, AssistantError) else Remedy.REBUILD)

    def _index_unusable(self, problem: str, remedy: Remedy | None) -> None:
        self.index_remedy = remedy or Remedy.REBUILD
        self.index_phase = IndexPhase.UNUSABLE
        self._show_notice(unusable_index_notice(problem, self.index_remedy), "error")

    def _show_notice(self, content: Content, kind: str) -> None:
        if self.chat is not None:
            self.chat.banner.show(content, kind)

    def start_build(self, rebuild: bool, label: str = "Building the index") -> None:
        """Build (or update) the index in a worker; questions wait for it to end."""
        if self.building:
            self.notify("A build is already running.", severity="warning")
            return
        if self.chat is not None:
            self._build_began()
            self.chat.build_panel.build(self.assistant, rebuild, label)

    def on_build_started(self) -> None:
        self._build_began()

    def _build_began(self) -> None:
        self._phase_before_build = self.index_phase
        self.index_phase = IndexPhase.BUILDING

    def on_build_done(self, message: BuildDone) -> None:
        self._build_succeeded(message.report)

    def _build_succeeded(self, report: BuildReport) -> None:
        self.index_remedy = None
        self.index_size = (report.passages, report.files)
        if self.model_state in (ModelState.NOT_LOADED, ModelState.FAILED):
            self._load_model()
        if self.chat is not None:
            self.chat.banner.hide()
        self.skipped = report.skipped
        # One toast for the whole build: a file a toast would stack nine deep over the chat; f2 lists them.
        self.notify(build_summary(report), title="Index ready", severity="warning" if report.skipped else "information", markup=False)
        self.refresh_bindings()
        self.index_phase = IndexPhase.READY
        self._start_watching()

    def on_build_failed(self, message: BuildFailed) -> None:
        error = message.error
        if isinstance(error, BuildCancelled):
            self.notify(describe_error(error), title="Build cancelled", severity="warning", markup=False)
        else:
            remedy = error.remedy if isinstance(error, AssistantError) else None
            self._show_notice(build_failed_notice(describe_error(error), remedy), "error")
        if isinstance(error, ModelLoadError):
            self.model_state = ModelState.FAILED
        # Back to where it stood; a first build that failed leaves no index.
        before = self._phase_before_build
        self.index_phase = IndexPhase.MISSING if before is IndexPhase.CHECKING else before

    # -- the watch of the sources -------------------------------------------------------------------

    def _start_watching(self) -> None:
        """Follow the sources once the chat answers (model loaded, index read): a second after an edit
        the index is updated in the background, a question asked meanwhile waiting for it."""
        if not self.watch_sources or self.watcher is not None or self.assistant is None:
            return
        if self.model_state is not ModelState.READY or self.index_phase is not IndexPhase.READY:
            return
        from ...watcher import IndexWatcher

        self.watcher = IndexWatcher(
            self.assistant, lambda result: self.post_message(WatchReported(result)),
            starting=lambda: self.post_message(WatchStarting()),
        ).start(wait=None)

    def on_watch_starting(self, message: WatchStarting) -> None:
        # Questions wait for it as for ctrl+r's; a build of the user's under way is waited for instead.
        if not self.building:
            self._build_began()
            self._watch_building = True

    def on_watch_reported(self, message: WatchReported) -> None:
        from ...watcher import ProblemKind, WatchUpdate

        result, ours = message.result, self._watch_building
        self._watch_building = False
        if isinstance(result, WatchUpdate):
            report = result.report
            self.index_remedy = None
            self.index_size = (report.passages, report.files)
            self.skipped = report.skipped
            if self.model_state in (ModelState.NOT_LOADED, ModelState.FAILED):
                self._load_model()
            if result.has_news:
                if self.chat is not None and not self.chat.banner.has_class("-error"):
                    self.chat.banner.hide()  # the stale or changed sources it told of are taken in
                for item in result.warnings:
                    self.notify(f"{item.source}: {item.reason}", title="Skipped", severity="warning", markup=False)
                if result.files_changed:
                    self.notify(result.describe(), timeout=WATCH_NOTICE_SECONDS, markup=False)
            self.refresh_bindings()
            if ours:
                self.index_phase = IndexPhase.READY
            return
        if ours:
            self.index_phase = self._phase_before_build
        severity = "error" if result.kind in (ProblemKind.FAILED, ProblemKind.STOPPED) else "warning"
        self.notify(watch_problem_text(result), severity=severity, markup=False)

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()  # an update under way is cancelled: the index stays as it was

    # -- actions ------------------------------------------------------------------------------------

    def action_update_index(self) -> None:
        if self.assistant is None:
            return
        # An index that cannot be used is mended as its problem says: made again, or updated.
        if self.index_phase is IndexPhase.UNUSABLE and self.index_remedy is Remedy.REBUILD:
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

        self.push_screen(ConfirmScreen(REBUILD_QUESTION, REBUILD_DETAIL), confirmed)

    def action_show_skipped(self) -> None:
        if not self.skipped:
            self.notify("The last build skipped no files.")
            return
        if not isinstance(self.screen, SkippedFilesScreen):
            self.push_screen(SkippedFilesScreen(self.skipped))

    def action_cancel_build(self) -> None:
        if self.chat is not None:
            self.chat.build_panel.cancel()
        self.notify("Cancelling the build…")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_build":
            return self.building
        if action in ("update_index", "rebuild_index", "clear_chat", "copy_snippet", "save_transcript", "new_conversation"):
            return self.assistant is not None and self.chat is not None
        if action == "show_skipped":
            return bool(self.skipped)
        if action == "next_collection":
            return self.library is not None and len(self.library.names) > 1 and self.chat is not None
        return True

    def action_next_collection(self) -> None:
        """Answer from the next collection: its index is checked (built if missing) as at the start,
        its sources watched, and a new conversation begins (a follow-up of another collection's)."""
        if self.library is None or self.assistant is None:
            return
        if self.building:
            self.notify("A build is running: switch when it is done.", severity="warning")
            return
        names = self.library.names
        name = names[(names.index(self.assistant.config.collection) + 1) % len(names)]
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        self.assistant = self.library.assistant(name)
        self.collection = name
        if self.chat is not None:
            self.chat.new_conversation()
        self.index_phase = IndexPhase.CHECKING
        self._start()
        self.notify(f"Answering from the collection {name} ({names.index(name) + 1} of {len(names)}).", markup=False)

    def action_clear_chat(self) -> None:
        if self.chat is not None:
            self.chat.clear()

    def action_new_conversation(self) -> None:
        """Forget the conversation so far: the next question is read on its own."""
        if self.chat is not None and not self.chat.new_conversation():
            self.notify("This is already a new conversation.")

    def action_copy_snippet(self) -> None:
        if isinstance(self.screen, SourceScreen):
            snippet = self.screen.snippet
        else:
            snippet = self.chat.snippet_to_copy() if self.chat is not None else None
        if snippet is None:
            self.notify("No snippet to copy yet.", severity="warning")
            return
        self.copy_to_clipboard(snippet_clipboard_text(snippet))
        self.notify(f"Copied the snippet from {snippet.citation.label()}", markup=False)

    def action_save_transcript(self) -> None:
        try:
            path = self.chat.save_transcript() if self.chat is not None else None
        except OSError as error:
            self.notify(f"Could not save the conversation: {error}", severity="error", markup=False)
            return
        if path is None:
            self.notify("Nothing to save yet: ask a question first.", severity="warning")
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


def run_chat(config_path: str | None, overrides: Overrides | None = None, collection: str | None = None) -> int:
    """Run the chat app until the user quits; returns the exit code."""
    app = AssistantApp(config_path, overrides=overrides, collection=collection, watch=True)
    app.run()
    if app.assistant is None:  # quit from the config error screen: the config is still broken
        return 2
    return app.return_code or 0
