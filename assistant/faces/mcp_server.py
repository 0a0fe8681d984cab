"""``assistant mcp``: the same answers for agents, as an MCP server on stdin and stdout (``ask``, ``get``,
``status``): each result the CLI's JSON as structured content, with a short text for the model to read,
and our errors as tool errors in the CLI's one-line words."""

from __future__ import annotations

import functools
import logging
import sys
import threading
from collections import OrderedDict
from typing import Annotated, TextIO

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import Field

from .. import __version__
from ..api import checked_question
from ..errors import AssistantError, IndexMissingError, QuestionError
from ..models import Answer, Conversations, IndexStatus, cited_place
from ..sources.lines import with_page_marks
from .cli import answer_lines, ensure_index_saying, file_lines, printable, up_to_date, with_remedy

# The most snippets one ask may return: more would fill an agent's context rather than inform it.
MAX_SNIPPETS = 20
# Conversations kept by id; past this many, the one asked in longest ago is let go.
KEPT_CONVERSATIONS = 256
# How long an ask waits for an update of the index under way (an edit being taken in) before it goes on.
WAIT_FOR_UPDATE_SECONDS = 60.0
# Every tool reads: none changes the user's files (an ask may build the index, which is ours).
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False)

INSTRUCTIONS = (
    "Answers questions from the user's own documents with sentences quoted word for word, each cited to "
    "its file and lines (kosovo-serbia-tensions.txt:8); nothing is generated. When the sources do not "
    "answer, `ask` says so (abstained): that is the answer, not a failure. Read around a citation with "
    "`get`; see what is indexed with `status`."
)


class AssistantTools:
    """``ask``, ``get`` and ``status`` over a ``Library`` (every collection, or the one named), each
    giving a tool result. Questions are asked one at a time; a conversation is kept for each id a
    client names (and each collection it asks)."""

    def __init__(self, library, log: TextIO | None = None, command: str = "assistant") -> None:
        self.library = library
        # The command the server was started with, up to ``mcp``: what a remedy tells the user to run.
        self.command = command
        self._log = log or sys.stderr
        self._asking = threading.Lock()
        self._conversations: OrderedDict[str, Conversations] = OrderedDict()
        self._checked: set[str] = set()
        self.watchers: dict[str, object] = {}  # the watch of each collection's sources, once ``watch`` starts them

    def ask(
        self,
        question: Annotated[str, Field(description="The question, in the user's words.")],
        collection: Annotated[
            str | None, Field(description="A collection to ask alone (status lists them); leave it out to ask every one.")
        ] = None,
        k: Annotated[int | None, Field(description=f"How many snippets at most (1 to {MAX_SNIPPETS}).")] = None,
        conversation: Annotated[
            str | None,
            Field(description="An id of your choosing: questions with the same id are one conversation, "
                  "each read in the context of the ones before it (a follow-up such as 'When?')."),
        ] = None,
    ) -> CallToolResult:
        """Answer a question from the user's documents: the best snippets, ranked, each quoted word for word
        with its citation (collection, file and lines, character offsets, page), score, and the words that
        answer ("answer"), or abstained with the reason when the sources do not say."""
        try:
            checked_question(question)  # a question that cannot be asked is said before any build
            scope = self.library if collection is None else self.library.only(collection)
            if k is not None and not 1 <= k <= MAX_SNIPPETS:
                raise QuestionError(f"k must be between 1 and {MAX_SNIPPETS} (got {k})")
            if conversation is not None and not conversation.strip():
                raise QuestionError("the conversation id is empty")
            with self._asking:
                self._ready(scope.names)
                key = f"{collection or ''}\0{conversation}"
                before = None if conversation is None else self._conversations.get(key, Conversations())
                answer, turns = scope.ask(question, k=k, conversation=before)
                if before is not None:
                    self._remember(key, turns)
        except AssistantError as exc:
            return self._error(exc)
        return CallToolResult(content=[text_content(answer_text(answer))], structured_content=answer.to_json_dict())

    def get(
        self,
        source: Annotated[str, Field(description="The source file as a citation names it (its path in the sources folder), or a whole citation (faq.txt:12-14, paper.pdf:p3:12-14).")],
        line_start: Annotated[int | None, Field(description="First line, 1-based (default: the file's first; with a page, the page's).")] = None,
        line_end: Annotated[
            int | None, Field(description="Last line, inclusive (default: the file's end; with a page, the page's); with a page it may run on into the next.")
        ] = None,
        collection: Annotated[
            str | None, Field(description="The collection the citation names (default: the config's own sources, main).")
        ] = None,
        page: Annotated[
            int | None,
            Field(description="A PDF's page, 1-based, as its citations name it (p3): its lines count from the page's top. "
                  "A PDF's lines need their page; without one, its whole text, each page's start marked (— page 2 —)."),
        ] = None,
    ) -> CallToolResult:
        """The exact text of an indexed source file, or of its lines line_start..line_end (1-based,
        inclusive, numbered as citations are: a PDF's from the top of the page given), to read around a
        citation. A whole citation (faq.txt:12-14, papers:paper.pdf:p3:12) may stand for the source, its
        page and its lines."""
        try:
            cited = cited_place(source, self.library.names)
            if cited is not None and not self.library.assistant(collection or cited.collection).holds_source(source):
                # What is given beside the citation wins over what it says ("x.pdf:p2:6-7" with page=3).
                source, collection = cited.source, collection or cited.collection
                if line_start is None and line_end is None:
                    line_start, line_end = cited.line_start, cited.line_end
                page = cited.page if page is None else page
            assistant = self.library.assistant(collection)
            with self._asking:
                self._ready([collection or self.library.names[0]])
            if collection is None and not assistant.holds_source(source):
                holder = self._collection_holding(source)
                if holder is not None:  # a citation of another collection, asked without its name
                    raise QuestionError(
                        f"not an indexed source of {self.library.names[0]}: {source} (it is in the collection "
                        f"{holder!r}: pass collection={holder!r})"
                    )
            excerpt = assistant.read_source_lines(source, line_start, line_end, page)
        except AssistantError as exc:
            return self._error(exc)
        # A whole PDF is shown with its pages marked, its lines to be counted from each mark (as its
        # citations count them); the structured text stays the file's own, its offsets exact.
        shown = with_page_marks(excerpt.text, excerpt.page_starts) if excerpt.page_starts else excerpt.text
        return CallToolResult(content=[text_content(shown)], structured_content=excerpt.model_dump())

    def _collection_holding(self, source: str) -> str | None:
        """The first collection but the first whose index holds ``source`` (one whose index cannot be
        read holds nothing here)."""
        for name in self.library.names[1:]:
            try:
                if self.library.assistant(name).holds_source(source):
                    return name
            except AssistantError:
                continue
        return None

    def status(self) -> CallToolResult:
        """What is indexed, for each collection: its sources folder, how many files and passages, the
        model, when it was last built, which sources changed since (an ask updates them first), which
        files were skipped and why; and which collections are left out because their folder is gone."""
        try:
            statuses = {name: self.library.assistant(name).status() for name in self.library.names}
        except AssistantError as exc:
            return self._error(exc)
        several = len(statuses) > 1
        parts: list[str] = []
        for name, status in statuses.items():
            part = [f"collection: {name}"] if several else []
            parts.append("\n".join([*part, status_text(status, self.command), *self._watch_lines(name, status.exists)]))
        parts += [f"warning: {printable(note)}" for note in self.library.gone_notes]
        text = text_content("\n\n".join(parts))
        if not several:
            (status,) = statuses.values()
            return CallToolResult(content=[text], structured_content=status.model_dump(mode="json"))
        structured = {"collections": {name: status.model_dump(mode="json") for name, status in statuses.items()}}
        return CallToolResult(content=[text], structured_content=structured)

    def _error(self, exc: AssistantError) -> CallToolResult:
        return tool_error(exc, self.command)

    def _ready(self, names: list[str]) -> None:
        """Build a missing index or update a stale one first, as ``assistant ask`` does (its progress on
        stderr), for each of the collections ``names``. After the first full check of one, only a look
        at its sources' stats (under a millisecond)."""
        several = len(self.library.names) > 1
        for name in names:
            watcher = self.watchers.get(name)
            if watcher is not None:
                watcher.wait_idle(WAIT_FOR_UPDATE_SECONDS)  # an edit being taken in: answer from its update
            assistant = self.library.assistant(name)
            if name in self._checked and not self._sources_changed(assistant):
                continue
            ensure_index_saying(assistant, self._log, name if several else None)
            self._checked.add(name)

    @staticmethod
    def _sources_changed(assistant) -> bool:
        try:
            return assistant.changes().is_stale
        except IndexMissingError:  # removed while we served: build it again
            return True

    def watch(self) -> None:
        """Follow each collection's sources while serving: a second after an edit, its index is updated
        in the background (a line on stderr), so the next ask answers from the edited text at once."""
        from ..watcher import IndexWatcher

        for name in self.library.names:
            report = functools.partial(self._watched, name)
            self.watchers[name] = IndexWatcher(self.library.assistant(name), report).start(wait=None)

    def stop_watching(self) -> None:
        for watcher in self.watchers.values():
            watcher.stop()

    def _watched(self, name: str, result) -> None:
        from ..watcher import WatchUpdate

        which = f"collection {name}: " if len(self.library.names) > 1 else ""
        if isinstance(result, WatchUpdate):
            lines = [which + result.describe()] if result.files_changed else []
            lines += [f"warning: {which}{printable(item.source)}: {printable(item.reason)}" for item in result.warnings]
        else:
            lines = [f"assistant mcp: {which}{with_remedy(result.describe(), result.remedy, self.command)}"]
        for line in lines:
            self._log.write(printable(line) + "\n")
        self._log.flush()

    def _watch_lines(self, name: str, indexed: bool) -> list[str]:
        """What ``status`` adds while a collection's sources are watched: when its last update ran, and
        what it did. An edit updates an index; it never builds a missing one (the first ask does)."""
        watcher = self.watchers.get(name)
        if watcher is None:
            return []
        follows = "the index is updated a second after each edit" if indexed else "once the first ask has built the index, it is updated a second after each edit"
        lines = [f"watching: {'yes' if watcher.running else 'no (stopped)'}, {follows}"]
        last = watcher.last_update
        if last is not None:
            when = last.finished_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            lines.append(f"last update: {when}, {printable(last.describe())}")
        return lines

    def _remember(self, key: str, conversation: Conversations) -> None:
        self._conversations[key] = conversation
        self._conversations.move_to_end(key)
        while len(self._conversations) > KEPT_CONVERSATIONS:
            self._conversations.popitem(last=False)


def text_content(text: str) -> TextContent:
    return TextContent(type="text", text=text)


def tool_error(exc: AssistantError, command: str) -> CallToolResult:
    """The error as a tool error: the one line the CLI prints after ``assistant: error:``."""
    return CallToolResult(content=[text_content(printable(with_remedy(exc.message, exc.remedy, command)))], is_error=True)


def answer_text(answer: Answer) -> str:
    """The answer for a model to read: each snippet numbered, with its citation, score and quote."""
    lines = []
    if how := answer.how_read():
        lines.append(f"({printable(how)})")
    if answer.changed_sources:
        lines.append(
            f"note: {printable(', '.join(answer.changed_sources))} changed since the index was built; "
            "what it no longer says is not quoted"
        )
    return "\n".join([*lines, *answer_lines(answer, bold=False, answer_words=True, shown=False)])


def status_text(status: IndexStatus, command: str) -> str:
    """The index's state in a few lines, as ``assistant status`` words it."""
    lines = [f"sources:  {printable(status.sources_path)}", f"model:    {status.model}"]
    if status.building:
        lines.append(f"building: now, by {printable(status.building)} (questions are answered from the last built index)")
    if not status.exists:
        lines.append("state:    no index yet (the first ask builds it)")
    else:
        changes = status.changes
        lines += [
            f"built:    {status.built_at}",
            f"files:    {status.files}",
            f"passages: {status.passages}",
            f"stale:    {changes.describe() + ' (the next ask updates the index)' if changes.is_stale else up_to_date(status)}",
        ]
        lines += file_lines(status)
        if status.problem:
            lines.append(f"problem:  {printable(with_remedy(status.problem, status.remedy, command))}")
    return "\n".join(lines)


def build_server(tools: AssistantTools) -> MCPServer:
    """An MCP server offering the three tools, each marked read-only."""
    _log_warnings_to_stderr()
    server = MCPServer("assistant", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING")
    for tool, title in ((tools.ask, "Ask the sources"), (tools.get, "Read a source"), (tools.status, "Index status")):
        server.add_tool(tool, name=tool.__name__, title=title, annotations=READ_ONLY)
    return server


def _log_warnings_to_stderr() -> None:
    """Warnings and errors of any library as plain lines on stderr. The SDK would otherwise install its
    own root handler, which passes on every record a library logs, down to its debug lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("assistant mcp: %(levelname)s: %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])  # a no-op where a handler is set already


def serve(library, command: str = "assistant") -> int:
    """Serve the tools over stdin and stdout until the client closes them; returns the exit code.
    The model and the indexes load on the first question, once; the sources are watched meanwhile."""
    tools = AssistantTools(library, command=command)
    tools.watch()
    try:
        build_server(tools).run("stdio")
    finally:
        tools.stop_watching()
    return 0
