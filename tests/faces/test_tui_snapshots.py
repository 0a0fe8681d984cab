"""Snapshots of the chat with an answer and of the source viewer, at a fixed size with the cursor still.

The answer is fixed (real passages of the sample, fixed scores), so changes in ranking cannot change a
snapshot; nothing else on these screens varies (no timings, dates or paths are shown).
"""

from __future__ import annotations

from assistant.answers.answer_phrase import answer_phrase
from assistant.faces.tui.app import AssistantApp
from assistant.faces.tui.chat_log import ChatLog, SnippetCard, Turn
from assistant.faces.tui.source_screen import SourceScreen
from assistant.models import Answer, Citation, Snippet

from pilot_waits import chat_ready, cursor_in_view, laid_out, wait_for

SIZE = (160, 48)
QUESTION = "How long is the temporary Kosovo document valid?"


class FixedAnswer:
    """The real assistant, except that ``ask`` returns a fixed answer built from the real index.

    The snippets are the 90-days sentence of the sample and the sentence after it, with fixed scores, so
    a change in ranking or scoring elsewhere does not change these pictures of the UI; the words that
    answer ("90 days") are marked by the real finder.
    """

    def __init__(self, inner) -> None:
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def ask(self, question: str, k=None, mode=None, conversation=None) -> Answer:
        index = self._inner.load_index()
        passage = next(p for p in index.passages if "valid for 90 days" in p.text)
        text = self._inner.read_source(passage.source)
        snippets = []
        for sentence, score in zip(passage.sentences, (0.8, 0.5)):
            assert text[sentence.start : sentence.end] == sentence.text
            citation = Citation(
                source=passage.source, start=sentence.start, end=sentence.end,
                line_start=sentence.line_start, line_end=sentence.line_end, passage_id=passage.id,
            )
            snippet = Snippet(text=sentence.text, score=score, citation=citation, passage=passage)
            snippets.append(snippet.model_copy(update={"answer": answer_phrase(question, snippet)}))
        return Answer(question=question, snippets=tuple(snippets))


def _answer_shown(app) -> bool:
    """The answer's snippets are laid out and the log is scrolled down to them."""
    answered = [turn for turn in app.screen.query(Turn) if turn.answer]
    if not answered:
        return False
    cards = list(answered[-1].query(SnippetCard))
    log = app.screen.query_one(ChatLog)
    return bool(cards) and all(laid_out(card) for card in cards) and log.scroll_y == log.max_scroll_y


async def _ask(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: chat_ready(app))
    await pilot.press(*QUESTION, "enter")
    await wait_for(pilot, lambda: _answer_shown(app))


def test_snapshot_chat_with_answer(snap_compare, sample_assistant):
    app = AssistantApp(str(sample_assistant.config.path), assistant=FixedAnswer(sample_assistant), cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_ask)


def test_snapshot_source_viewer(snap_compare, sample_assistant):
    async def open_source(pilot) -> None:
        await _ask(pilot)
        await pilot.press("tab")
        assert isinstance(pilot.app.focused, SnippetCard)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SourceScreen))
        await wait_for(pilot, lambda: cursor_in_view(pilot.app.screen.query_one("#source-text")))

    app = AssistantApp(str(sample_assistant.config.path), assistant=FixedAnswer(sample_assistant), cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_source)
