"""The chat follows the sources' edits while it is open (Pilot, the real model and a real watch): a quiet
notice after each update, a question asked meanwhile waiting for it, ctrl+r refused while it runs."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Static

from assistant import Assistant
from assistant.faces.tui.app import AssistantApp
from assistant.faces.tui.chat_log import SnippetCard, Turn
from assistant.faces.tui.question_input import QuestionInput
from assistant.faces.tui.source_screen import SourceScreen
from pilot_waits import chat_ready, wait_for
from projects import SAMPLE_FILE

SIZE = (160, 48)
VALID_FOR = "How long is the temporary Kosovo document valid?"
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


class RecordingApp(AssistantApp):
    """The chat, keeping what it told in toasts."""

    def __init__(self, assistant: Assistant) -> None:
        super().__init__(str(assistant.config.path), assistant=assistant, cursor_blink=False, watch=True)
        self.told: list[str] = []

    def notify(self, message, *args, **kwargs) -> None:
        self.told.append(str(message))
        super().notify(message, *args, **kwargs)


class HeldUpdates(Assistant):
    """The real assistant; a build waits after its first step until the test opens the gate."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.gate = threading.Event()
        self.holding = threading.Event()
        self.builds = 0

    def build_index(self, *, progress=None, **kwargs):
        self.builds += 1

        def held(step) -> None:
            if progress is not None:
                progress(step)
            self.holding.set()
            assert self.gate.wait(60)

        return super().build_index(progress=held, **kwargs)


def edit_sample(config) -> None:
    path = config.parent / "sources" / SAMPLE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace("valid for 90 days", "valid for 60 days"), encoding="utf-8")


def watching(app: AssistantApp) -> bool:
    return chat_ready(app) and app.watcher is not None and app.watcher.ready.is_set()


async def ask(pilot, question: str) -> Turn:
    box = pilot.app.screen.query_one(QuestionInput)
    box.focus()
    box.value = question
    await pilot.press("enter")
    await pilot.pause()
    return [t for t in pilot.app.screen.query(Turn) if t.question == question][-1]


async def test_the_chat_takes_an_edit_in_with_a_quiet_notice_and_answers_from_it(sample_project):
    app = RecordingApp(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: watching(app))
        edit_sample(sample_project)
        await wait_for(pilot, lambda: any(m.startswith("updated: ") for m in app.told))
        (notice,) = [m for m in app.told if m.startswith("updated: ")]
        assert notice.startswith("updated: 1 file changed, 1 passage embedded in ") and notice.endswith(f"({SAMPLE_FILE})")
        assert not app.building and app.index_size == (12, 1)
        turn = await ask(pilot, VALID_FOR)
        await wait_for(pilot, lambda: turn.answer is not None)
        assert "valid for 60 days" in turn.answer.snippets[0].text and not turn.answer.changed_sources
        watcher = app.watcher
    assert not watcher.running  # the watch ends with the chat


async def test_an_older_answer_s_quote_gone_after_an_update_is_asked_again_not_updated(sample_project):
    app = RecordingApp(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: watching(app))
        turn = await ask(pilot, VALID_FOR)
        await wait_for(pilot, lambda: turn.answer is not None)
        assert "valid for 90 days" in turn.answer.snippets[0].text
        edit_sample(sample_project)
        await wait_for(pilot, lambda: any(m.startswith("updated: ") for m in app.told))
        turn.query(SnippetCard).first().focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        title = " ".join(str(app.screen.query_one("#source-title", Static).render()).split())
        assert "the quote is no longer in it" in title
        assert "The index is up to date; ask again for a current answer." in title and "ctrl+r" not in title


async def test_a_question_during_an_update_waits_for_it_and_ctrl_r_is_refused_meanwhile(sample_project):
    assistant = HeldUpdates.open(sample_project)
    app = RecordingApp(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: watching(app))
        edit_sample(sample_project)
        await wait_for(pilot, lambda: assistant.holding.is_set() and app.building)
        turn = await ask(pilot, VALID_FOR)
        assert str(turn.query_one(".status", Static).render()) == "waiting for the index build to finish…"
        await pilot.press("ctrl+r")
        assert "A build is already running." in app.told
        assistant.gate.set()
        await wait_for(pilot, lambda: turn.answer is not None)
        assert "valid for 60 days" in turn.answer.snippets[0].text
        assert assistant.builds == 1 and not app.building
        assert any(m.startswith("updated: 1 file changed") for m in app.told)
