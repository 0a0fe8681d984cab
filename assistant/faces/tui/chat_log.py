"""The chat log: turns of a question and its answer, each snippet a focusable card that opens its source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from .messages import SnippetChosen, SnippetSelected
from .snippet_content import snippet_also, snippet_body, snippet_heading

if TYPE_CHECKING:
    from pathlib import Path

    from textual.widget import AwaitMount

    from ...models import Answer, Snippet


# A question longer than the assistant reads is refused; its echo shows this much of its start, not the
# whole of it (a pasted page would push the refusal under it out of sight).
ECHO_CHARS = 200


def question_echo(question: str) -> str:
    """The question as its turn shows it: whole, or, when too long to be asked, its start cut at a word,
    with "…" and its length."""
    # Imported here: the core's API module is read off the UI thread at start (app.open_assistant).
    from ...api import MAX_QUESTION_CHARS

    if len(question) <= MAX_QUESTION_CHARS:
        return question
    start = question[:ECHO_CHARS]
    cut = start.rfind(" ")
    if cut > ECHO_CHARS // 2:
        start = start[:cut]
    return f"{start.rstrip()} … ({len(question):,} characters)"


class SnippetCard(Static, can_focus=True):
    """One cited snippet: heading (rank, citation, score) and the sentence in its context."""

    BINDINGS = [
        Binding("enter", "open_source", "Open", tooltip="Open the source file at the cited lines", id="open-source"),
        Binding("up", "app.focus_previous", "Previous", tooltip="Move to the previous snippet", show=False, id="snippet-previous"),
        Binding("down", "app.focus_next", "Next", tooltip="Move to the next snippet", show=False, id="snippet-next"),
    ]

    DEFAULT_CSS = """
    SnippetCard {
        height: auto;
        padding: 0 1;
        margin: 0 0 1 2;
        border-left: blank;
    }
    SnippetCard:hover { background: $boost; }
    SnippetCard:focus { border-left: thick $accent; background: $boost; }
    SnippetCard.-nearest { opacity: 70%; }
    """

    def __init__(self, rank: int, snippet: Snippet, nearest: bool = False) -> None:
        lines = [snippet_heading(rank, snippet), snippet_body(snippet)]
        also = snippet_also(snippet)
        if also is not None:
            lines.append(also)
        super().__init__(Content("\n").join(lines), classes="-nearest" if nearest or not snippet.is_answer else "")
        self.snippet = snippet

    def action_open_source(self) -> None:
        self.post_message(SnippetChosen(self.snippet))

    def on_click(self) -> None:
        self.post_message(SnippetChosen(self.snippet))

    def on_focus(self) -> None:
        self.post_message(SnippetSelected(self.snippet))


class Turn(Vertical):
    """A question and, once it comes, its answer."""

    DEFAULT_CSS = """
    Turn { height: auto; margin-bottom: 1; }
    Turn .question { color: $text; text-style: bold; padding: 0 1; background: $primary-muted; }
    Turn .status { color: $text-muted; padding: 0 1 0 2; }
    Turn .read-with { color: $text-muted; text-style: italic; padding: 0 1 0 2; }
    Turn .abstained { color: $warning; padding: 0 1 0 2; }
    Turn .error { color: $error; padding: 0 1 0 2; }
    """

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        self.answer: Answer | None = None
        # The sources folder it is asked of (the collection answering then): the transcript names it.
        self.sources_dir: Path | None = None
        # Made here, not in compose, so the status can change before the turn is mounted.
        self._status = Static(Content("waiting…"), classes="status")

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("? ", "$accent"), question_echo(self.question)), classes="question")
        yield self._status

    def set_status(self, text: str) -> None:
        self._status.update(Content(text))

    def show_error(self, message: str) -> None:
        self._status.set_classes("error")
        self._status.update(Content(message))

    def show_answer(self, answer: Answer) -> AwaitMount:
        """Show the answer's cards in place of the status; awaiting the result waits until they are mounted."""
        self.answer = answer
        t = answer.timings
        self.tooltip = f"answered in {t.embed + t.search + t.answer:.0f} ms (embed {t.embed:.0f}, search {t.search:.0f}, answer {t.answer:.0f})"
        self._status.remove()
        cards: list[Static] = []
        if how := answer.how_read():
            cards.append(Static(Content(how), classes="read-with"))
        if answer.abstained:
            cards.append(Static(Content("The sources do not answer this."), classes="abstained"))
            if answer.reason:
                cards.append(Static(Content("Why: " + answer.reason), classes="status"))
            if answer.snippets:
                cards.append(Static(Content("Nearest passages:"), classes="status"))
        cards += [
            SnippetCard(rank, snippet, nearest=answer.abstained)
            for rank, snippet in enumerate(answer.snippets, start=1)
        ]
        return self.mount_all(cards)


class ChatLog(VerticalScroll, can_focus=False):
    """The scrolling list of turns, newest at the bottom (tab moves between snippets, not to the log)."""

    DEFAULT_CSS = """
    ChatLog { height: 1fr; padding: 1 1 0 1; }
    ChatLog #welcome { color: $text-muted; padding: 0 1; margin-bottom: 1; }
    ChatLog .divider { color: $text-muted; border-top: dashed $primary-muted; padding: 0 1; margin-bottom: 1; }
    """

    # Whether the view is at the log's end, the newest answer in sight: a resize keeps it there. Noted
    # where the view moves, as by the time of a Resize the new size has already moved the end.
    # (Textual's anchor() would do it, but it pushes a log shorter than the screen down to its bottom.)
    at_end = True

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.at_end = new >= self.max_scroll_y

    def on_resize(self) -> None:
        if self.at_end:
            self.scroll_end(animate=False)

    def compose(self) -> ComposeResult:
        yield Static(
            Content("Ask a question about your sources. Answers are sentences quoted from them, each cited to file and line; "
                    "press tab to reach a snippet and enter to open its source. f1 lists every key."),
            id="welcome",
        )

    def add_turn(self, question: str) -> Turn:
        turn = Turn(question)
        self.mount(turn)
        self.scroll_end(animate=False)
        return turn

    def show_turn(self, turn: Turn) -> None:
        """Scroll so the answered turn is read from its question: all of it where it fits (the log's end),
        else its top at the top, its best snippet first, the rest below."""
        if turn.outer_size.height >= self.scrollable_content_region.height:
            self.scroll_to_widget(turn, top=True, animate=False)
        else:
            self.scroll_end(animate=False)

    def clear(self) -> None:
        for turn in self.query(Turn):
            turn.remove()
        for divider in self.query(".divider"):
            divider.remove()

    def add_divider(self, text: str) -> None:
        """A quiet line across the log: what follows starts afresh."""
        self.mount(Static(Content(text), classes="divider"))
        self.scroll_end(animate=False)

    def newest_answer_card(self) -> SnippetCard | None:
        """The first snippet of the newest turn that has snippets (nearest passages count)."""
        for turn in reversed(list(self.query(Turn))):
            cards = turn.query(SnippetCard)
            if cards:
                return cards.first()
        return None

    def answered_turns(self) -> list[Turn]:
        """The turns that have their answer, oldest first."""
        return [turn for turn in self.query(Turn) if turn.answer is not None]

    def answers(self) -> list[Answer]:
        """The answered turns' answers, oldest first."""
        return [turn.answer for turn in self.answered_turns()]
