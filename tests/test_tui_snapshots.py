"""Snapshots of the chat with an answer and of the source viewer, at a fixed size with the cursor still.

Scores are rounded to one place before display, so a last-digit wobble in the model cannot change a
snapshot; nothing else on these screens varies (no timings, dates or paths are shown).
"""

from __future__ import annotations

import time

from assistant.models import Answer
from assistant.tui.app import AssistantApp
from assistant.tui.chat_log import SnippetCard, Turn
from assistant.tui.source_screen import SourceScreen

SIZE = (160, 48)
QUESTION = "How long is the temporary Kosovo document valid?"


class FixedScores:
    """The real assistant, with each snippet's score rounded so snapshots do not depend on float noise."""

    def __init__(self, inner) -> None:
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def ask(self, question: str, k=None, mode=None) -> Answer:
        answer = self._inner.ask(question, k, mode)
        snippets = tuple(s.model_copy(update={"score": round(s.score, 1)}) for s in answer.snippets)
        return answer.model_copy(update={"snippets": snippets})


async def _until(pilot, condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the app"
        await pilot.pause(0.05)


async def _ask(pilot) -> None:
    app = pilot.app
    await _until(pilot, lambda: app.model_state == "ready" and app.index_state.endswith("files"))
    await pilot.press(*QUESTION, "enter")
    await _until(pilot, lambda: any(t.answer for t in app.screen.query(Turn)))
    await pilot.pause(0.2)


def test_snapshot_chat_with_answer(snap_compare, sample_assistant):
    app = AssistantApp(str(sample_assistant.config.path), assistant=FixedScores(sample_assistant), cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_ask)


def test_snapshot_source_viewer(snap_compare, sample_assistant):
    async def open_source(pilot) -> None:
        await _ask(pilot)
        await pilot.press("tab")
        assert isinstance(pilot.app.focused, SnippetCard)
        await pilot.press("enter")
        await _until(pilot, lambda: isinstance(pilot.app.screen, SourceScreen))
        await pilot.pause(0.3)

    app = AssistantApp(str(sample_assistant.config.path), assistant=FixedScores(sample_assistant), cursor_blink=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=open_source)
