"""The chat app through Textual's Pilot, on the real sample index and model (loaded once per session)."""

from __future__ import annotations

import os
import threading
import time

import pytest
from textual.geometry import Region
from textual.widget import Widget
from textual import events
from textual.widgets import Footer, TextArea

from assistant import Assistant, Overrides
from assistant.faces.tui.app import AssistantApp
from assistant.faces.tui.build_panel import BuildPanel
from assistant.faces.tui.chat_log import SnippetCard, Turn
from assistant.faces.tui.chat_screen import ChatScreen
from assistant.faces.tui.error_screen import ConfigErrorScreen
from assistant.faces.tui.help_screen import HelpScreen
from assistant.faces.tui.question_input import QuestionInput
from assistant.faces.tui.source_screen import SourceScreen
from assistant.faces.tui.states import IndexPhase, ModelState
from cli_runner import run_cli
from pdf_files import LIGHTHOUSE_FILE, LIGHTHOUSE_PDF, LIGHTHOUSE_QUESTION
from pilot_waits import chat_ready, cursor_in_view, wait_for
from projects import edit_manifest, write_project

SIZE = (160, 48)
# What the footer shows at every width (f2 besides, where a build skipped files).
FOOTER_KEYS = ("f1 Help", "^r Update", "^y Copy", "^s Save", "^n New", "^l Clear", "^p palette")
NINETY_DAYS = "How long is the temporary Kosovo document valid?"
WORLD_CUP = "Who won the 2018 FIFA World Cup?"
pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


MARKUP_LINES = ["[bold red]ZX-41[/]", "[link=https://x]y[/link]", "[/", "a[i]", "[@click=app.quit]q[/]"]


def _screen_strips(widget: Widget):
    """The strips the screen shows inside the widget's region (what a terminal would display there)."""
    region = widget.region
    strips = widget.screen._compositor.render_strips()
    return [strip.crop(region.x, region.right) for strip in strips[region.y : region.bottom]]


def rendered_text(widget: Widget) -> str:
    """What the widget puts on the screen, as plain text, line by line."""
    if isinstance(widget, TextArea):  # a line-API widget renders its own visible lines
        width, height = widget.size
        return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))
    return "\n".join(strip.text for strip in _screen_strips(widget))


def shown(widget: Widget) -> str:
    """The rendered text with line wrapping undone (runs of spaces and line ends become one space)."""
    return " ".join(rendered_text(widget).split())


def rendered_styles(widget: Widget) -> list:
    return [seg.style for strip in _screen_strips(widget) for seg in strip if seg.style]


async def ask(pilot, question: str) -> Turn:
    """Type the question into the box, press enter, and wait for its answer."""
    app = pilot.app
    box = app.screen.query_one(QuestionInput)
    box.focus()
    box.value = question
    await pilot.press("enter")
    await wait_for(pilot, lambda: any(t.question == question and t.answer for t in app.screen.query(Turn)))
    await pilot.pause()
    return [t for t in app.screen.query(Turn) if t.question == question][-1]


async def shown_notice(pilot) -> str:
    """Wait for the notice banner to appear; its text."""
    notice = pilot.app.screen.query_one("#notice")
    await wait_for(pilot, lambda: notice.has_class("-shown"))
    return shown(notice)


def sample_app(assistant) -> AssistantApp:
    return AssistantApp(str(assistant.config.path), assistant=assistant, cursor_blink=False)


async def open_first_snippet(pilot, turn: Turn):
    """Open the source of the turn's first snippet (enter on it); returns the viewer's text area once its
    cursor, at the quote, is in view."""
    turn.query(SnippetCard).first().focus()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SourceScreen))
    area = pilot.app.screen.query_one("#source-text")
    await wait_for(pilot, lambda: cursor_in_view(area))
    return area


async def test_asking_shows_a_cited_answer(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ChatScreen)
        assert app.focused is app.screen.query_one(QuestionInput)
        turn = await ask(pilot, NINETY_DAYS)
        assert not turn.answer.abstained
        cards = list(turn.query(SnippetCard))
        assert cards
        first = shown(cards[0])
        assert "kosovo-serbia-tensions.txt:8" in first
        assert "valid for 90 days." in first
        assert "model: ready" in app.screen.sub_title


async def test_the_header_takes_its_short_form_where_the_full_one_would_be_cut(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: chat_ready(app))
        assert app.screen.sub_title == "model: ready · index: 12 passages from 1 file"
        await pilot.resize_terminal(64, 24)
        await wait_for(pilot, lambda: app.screen.sub_title == "model ready · 12 passages, 1 file")


async def test_the_words_that_answer_are_marked_inside_the_quote(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, NINETY_DAYS)
        card = list(turn.query(SnippetCard))[0]
        assert card.snippet.answer is not None and card.snippet.answer.text == "90 days"
        segments = [seg for strip in _screen_strips(card) for seg in strip]
        mark = [seg for seg in segments if seg.text == "90 days"]
        quote = [seg for seg in segments if "valid for" in seg.text]
        assert len(mark) == 1 and quote
        # The mark is the quote's bold with a background of its own.
        assert mark[0].style.bold and mark[0].style.bgcolor != quote[0].style.bgcolor
        assert "valid for 90 days." in shown(card)


async def test_abstains_on_unanswerable_question(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, WORLD_CUP)
        assert turn.answer.abstained
        text = shown(turn)
        assert "The sources do not answer this." in text
        assert "Nearest passages:" in text
        assert all(card.has_class("-nearest") for card in turn.query(SnippetCard))


async def test_source_viewer_opens_at_the_cited_line_and_escape_returns(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, NINETY_DAYS)
        await pilot.press("tab")
        assert isinstance(app.focused, SnippetCard)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        viewer = app.screen
        area = viewer.query_one("#source-text")
        await wait_for(pilot, lambda: cursor_in_view(area))
        snippet = turn.answer.snippets[0]
        assert area.cursor_location[0] + 1 == snippet.citation.line_start == 8
        assert area.selected_text == snippet.text
        # The cited line is inside the visible window of the text area.
        row_y = area.wrapped_document.location_to_offset(area.cursor_location).y
        assert area.scroll_offset.y <= row_y < area.scroll_offset.y + area.scrollable_content_region.height
        assert "valid for 90 days" in shown(area)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_typing_on_a_snippet_starts_a_new_question(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, NINETY_DAYS)
        await pilot.press("tab")
        assert isinstance(app.focused, SnippetCard)
        await pilot.press("W", "h", "o")
        box = app.screen.query_one(QuestionInput)
        assert app.focused is box and box.value == "Who"


async def test_click_opens_source(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, NINETY_DAYS)
        card = turn.query(SnippetCard).last()
        await pilot.click(card)
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        assert app.screen.snippet == card.snippet


async def test_history_keys_recall_earlier_questions(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, NINETY_DAYS)
        await ask(pilot, WORLD_CUP)
        box = app.screen.query_one(QuestionInput)
        box.focus()
        await pilot.press("d", "r", "a", "f", "t")
        await pilot.press("up")
        assert box.value == WORLD_CUP
        await pilot.press("up")
        assert box.value == NINETY_DAYS
        await pilot.press("up")
        assert box.value == NINETY_DAYS
        await pilot.press("down")
        assert box.value == WORLD_CUP
        await pilot.press("down")
        assert box.value == "draft"


async def test_a_question_pasted_over_several_lines_arrives_whole(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: chat_ready(app))
        box = app.screen.query_one(QuestionInput)
        app.post_message(events.Paste("How long is the temporary\nKosovo document\r\nvalid?\n"))  # as the terminal sends it
        await wait_for(pilot, lambda: box.value == NINETY_DAYS)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(t.answer for t in app.screen.query(Turn)))
        [turn] = app.screen.query(Turn)
        assert turn.question == NINETY_DAYS and "kosovo-serbia-tensions.txt:8" in shown(turn)
        # Pasted while a snippet has focus: it goes to the question box, not nowhere.
        await pilot.press("tab")
        assert isinstance(app.focused, SnippetCard)
        app.post_message(events.Paste("Who won the 2018\nFIFA World Cup?"))
        await wait_for(pilot, lambda: box.value == WORLD_CUP)
        assert app.focused is box


async def test_a_question_too_long_to_ask_is_echoed_shortened_above_why(sample_assistant):
    question = "How long is parental leave? " + "And what else applies to it in this case? " * 92
    assert len(question.strip()) > 3800
    app = sample_app(sample_assistant)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: chat_ready(app))
        box = app.screen.query_one(QuestionInput)
        box.value = question
        await pilot.press("enter")
        [turn] = app.screen.query(Turn)
        await wait_for(pilot, lambda: turn.query(".error"))
        echo = turn.query_one(".question")
        assert len(rendered_text(echo).splitlines()) <= 4
        assert shown(echo).startswith("? How long is parental leave? And what else")
        assert shown(echo).endswith(f"… ({len(question.strip()):,} characters)")
        assert "Not answered: the question is longer than 2000 characters" in shown(turn)


async def test_the_chat_stays_at_its_newest_answer_when_the_terminal_shrinks(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=(120, 40)) as pilot:
        for question in (NINETY_DAYS, WORLD_CUP, "Who is the EU facilitator?"):
            await ask(pilot, question)
        log = app.screen.query_one("#chat-log")
        await wait_for(pilot, lambda: log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y)
        for size in ((80, 24), (40, 12)):
            await pilot.resize_terminal(*size)
            await wait_for(pilot, lambda: app.screen.size == size)
            assert log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y, (size, log.scroll_y, log.max_scroll_y)
        # Scrolled up to read an older answer, the view stays where the user left it.
        log.scroll_home(animate=False)
        await wait_for(pilot, lambda: log.scroll_y == 0)
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.screen.size == (80, 24))
        assert log.scroll_y == 0 < log.max_scroll_y


async def test_save_transcript_writes_markdown_with_citations(sample_project):
    assistant = Assistant.open(sample_project)
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, NINETY_DAYS)
        await ask(pilot, WORLD_CUP)
        await pilot.press("ctrl+s")
        await pilot.pause()
    files = list((sample_project.parent / "transcripts").glob("*.md"))
    assert len(files) == 1
    text = files[0].read_text(encoding="utf-8")
    assert f"## Q: {NINETY_DAYS}" in text
    assert "`kosovo-serbia-tensions.txt:8`" in text
    assert "temporary Kosovo document valid for 90 days." in text
    assert f"## Q: {WORLD_CUP}" in text
    assert "do not answer this" in text
    assert f"Sources: `{sample_project.parent / 'sources'}`" in text and f"Config: `{sample_project}`" in text


async def test_a_transcript_of_a_chat_over_a_sources_folder_names_the_folder_and_no_config(tmp_path, monkeypatch):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "note.txt").write_text("The harbour light is painted green.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no config.toml here: none is read
    app = AssistantApp(overrides=Overrides(sources=papers), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "What colour is the harbour light?")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: list((tmp_path / "transcripts").glob("*.md")))
    [transcript] = (tmp_path / "transcripts").glob("*.md")
    text = transcript.read_text(encoding="utf-8")
    assert f"Sources: `{papers}`" in text and "Config" not in text
    assert "`note.txt:1`" in text


async def test_copy_and_clear(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, NINETY_DAYS)
        await pilot.press("tab")
        await pilot.press("ctrl+y")
        assert "valid for 90 days." in app.clipboard
        assert app.clipboard.endswith("(kosovo-serbia-tensions.txt:8)")
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not app.screen.query(Turn)


async def test_rebuild_shows_progress_and_questions_wait(sample_project):
    sources = sample_project.parent / "sources"
    (sources / "extra.txt").write_text(
        "\n\n".join(f"Paragraph {n} says the lighthouse keeper counts {n} ships." for n in range(40)) + "\n",
        encoding="utf-8",
    )
    app = sample_app(Assistant.open(sample_project))
    events: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.model_state is ModelState.READY)
        await shown_notice(pilot)
        panel = app.screen.query_one(BuildPanel)
        chat = app.screen
        start, step, stop, launch_ask = panel.start, panel.step, panel.stop, chat.ask
        panel.start = lambda *a: (events.append("start"), start(*a))
        panel.step = lambda stage, done, total: (events.append(f"step:{stage}:{done}/{total}"), step(stage, done, total))
        panel.stop = lambda: (events.append("stop"), stop())
        chat.ask = lambda *a: (events.append("ask"), launch_ask(*a))
        await pilot.press("ctrl+r")
        box = app.screen.query_one(QuestionInput)
        box.value = NINETY_DAYS
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(t.answer for t in app.screen.query(Turn)))
        assert not app.building and not panel.has_class("-active")
        assert not app.screen.query_one("#notice").has_class("-shown")
        header = app.screen.sub_title
        assert "41 passages" in header or "passages from 2 files" in header
    assert events[0] == "start"
    assert any(e.startswith("step:embed:") for e in events)
    assert events.index("stop") < events.index("ask")


async def test_missing_index_is_built_on_start(tmp_path, sample_assistant):
    config = write_project(tmp_path / "fresh", sources={"note.txt": "The harbour light is painted green.\n"})
    assistant = Assistant.open(config)
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, "What colour is the harbour light?")
        assert "note.txt:1" in shown(turn)
    assert assistant.index_exists()


class StepRecordingApp(AssistantApp):
    """The app, noting every build step it shows (Textual calls the app's own handler after this one)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.steps: list[tuple[str, int, int]] = []
        self.panel_seen_active = False

    def on_build_step(self, message) -> None:
        self.steps.append((message.stage, message.done, message.total))
        self.panel_seen_active |= self.screen.query_one(BuildPanel).has_class("-active")


async def test_a_sources_override_builds_in_the_user_data_folder_with_progress_and_answers(tmp_path, monkeypatch):
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "note.txt").write_text("The harbour light is painted green.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no config.toml here: every setting its default
    app = StepRecordingApp(overrides=Overrides(sources=papers), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, "What colour is the harbour light?")
        assert "note.txt:1" in shown(turn)
        index_dir = app.assistant.config.index_dir
        assert not app.screen.query_one(BuildPanel).has_class("-active")  # the first build's bar is gone
    assert app.panel_seen_active
    assert any(stage == "embed" for stage, _, _ in app.steps) and app.steps[-1] == ("write", 1, 1)
    assert index_dir.is_relative_to(os.environ["XDG_DATA_HOME"]) and (index_dir / "manifest.json").exists()
    assert sorted(p.name for p in papers.iterdir()) == ["note.txt"]
    # A second run on the same folder finds that index: no build at all.
    again = StepRecordingApp(overrides=Overrides(sources=papers), cursor_blink=False)
    async with again.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, "What colour is the harbour light?")
        assert "note.txt:1" in shown(turn)
        assert again.assistant.config.index_dir == index_dir
    assert again.steps == []


async def test_stale_sources_show_a_notice(sample_project):
    (sample_project.parent / "sources" / "extra.txt").write_text("A new file.\n", encoding="utf-8")
    app = sample_app(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown_notice(pilot)
        assert "extra.txt" in text and "ctrl+r" in text


async def test_files_no_pattern_takes_are_said_when_the_chat_opens(sample_project):
    """A new user's timeline.org went unread, and a chat opened on an index built from the command
    line never said so (a build's summary does)."""
    (sample_project.parent / "sources" / "timeline.org").write_text("* 1140: the dam breaks\n", encoding="utf-8")
    app = sample_app(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown_notice(pilot)
        assert "1 file not read" in text and "timeline.org" in text and "assistant status" in text
    # Beside changes the index has not taken in, it is said too.
    (sample_project.parent / "sources" / "extra.txt").write_text("A new file.\n", encoding="utf-8")
    app = sample_app(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown_notice(pilot)
        assert "extra.txt" in text and "ctrl+r" in text and "1 file not read" in text


async def test_an_html_source_opens_at_its_quote_with_the_files_lines_in_the_title(tmp_path):
    """HTML's visible text has lines of its own: the viewer numbers none of them, and its title names
    the lines of the file, as the citation does."""
    page = "<html>\n<head><style>p { color: red }</style></head>\n<body>\n<h1>Harbour</h1>\n<p>The harbour light\nis painted green.</p>\n</body></html>\n"
    config = write_project(tmp_path / "web", sources={"harbour.html": page})
    assistant = Assistant.open(config)
    assistant.build_index()
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, "What colour is the harbour light?")
        assert "harbour.html:5-6" in shown(turn)
        card = turn.query(SnippetCard).first()
        card.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        area = app.screen.query_one("#source-text")
        assert not area.show_line_numbers
        assert area.selected_text == "The harbour light is painted green."
        assert "quoted at lines 5-6" in rendered_text(app.screen.query_one("#source-title"))


async def test_a_pdf_opens_with_its_pages_marked_and_each_pages_lines_numbered_from_its_top(tmp_path):
    """A new user looked for line 11 of page 2 where the viewer numbered the whole text: the viewer marks
    where each page begins and numbers a page's lines from its top, as the citation counts them."""
    config = write_project(tmp_path / "pdf", sources={LIGHTHOUSE_FILE: LIGHTHOUSE_PDF})
    assistant = Assistant.open(config)
    assistant.build_index()
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, LIGHTHOUSE_QUESTION)
        snippet = turn.answer.snippets[0]
        assert f"{LIGHTHOUSE_FILE}:p2:6-7" in shown(turn)
        area = await open_first_snippet(pilot, turn)
        assert "quoted at p2, lines 6-7" in shown(app.screen.query_one("#source-title"))
        assert area.selected_text == snippet.text  # the highlight is the quote, to the character
        # Each row as shown, its number (the gutter's, after the padding) apart from its text.
        gutter = area.styles.padding.left + area.gutter_width
        shown_rows = area.render_lines(Region(0, 0, *area.size))
        rows = [(strip.text[:gutter].strip(), strip.text[gutter:].rstrip()) for strip in shown_rows]
        marks = [index for index, (number, text) in enumerate(rows) if text in ("— page 1 —", "— page 2 —")]
        assert [rows[index] for index in marks] == [("", "— page 1 —"), ("", "— page 2 —")]
        # Page 2's lines, numbered from 1 under its mark, are the page's text; the quote stands on lines 6-7.
        page_two = rows[marks[1] + 1 : marks[1] + 8]
        assert [number for number, _ in page_two] == [str(n) for n in range(1, 8)]
        assert page_two[0][1] == "The last keeper" and page_two[5][1].startswith("The lamp was lit for the last time")
        cited = [text for number, text in page_two if snippet.citation.line_start <= int(number) <= snippet.citation.line_end]
        assert cited == snippet.text.splitlines()
        assert rows[marks[1] - 1] == ("11", "")  # the blank line after page 1's text is its 11th, not a line of page 2
        assert area.cursor_location[0] == app.screen.lines.row_of(snippet.citation.line_start, page=2)


async def test_a_source_gone_since_the_answer_is_a_notice_and_the_chat_stays(tmp_path):
    """The source is read off the UI thread when a citation is opened (a long PDF takes seconds); a file
    removed since the answer was given is said in a notice, and the chat stays where it was."""
    from textual.widgets._toast import Toast

    config = write_project(tmp_path / "gone", sources={"note.txt": "The harbour light is painted green.\n"})
    assistant = Assistant.open(config)
    assistant.build_index()
    app = sample_app(assistant)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        turn = await ask(pilot, "What colour is the harbour light?")
        (tmp_path / "gone" / "sources" / "note.txt").unlink()
        turn.query(SnippetCard).first().focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query(Toast))
        assert "Cannot open note.txt" in shown(app.screen.query_one(Toast))
        assert isinstance(app.screen, ChatScreen)


async def test_markup_in_sources_and_questions_is_shown_literally(tmp_path, sample_assistant):
    lines = [f"The code word {m} was printed on crate number seven." for m in MARKUP_LINES]
    config = write_project(tmp_path / "markup", sources={"[b]crates.txt": "\n".join(lines) + "\n"})
    assistant = Assistant.open(config)
    assistant.build_index()
    app = sample_app(assistant)
    question = "Which code word [bold]was[/] printed on crate number seven?"
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, question)
        text = shown(turn)
        assert question in text
        for markup in MARKUP_LINES:
            if any(markup in s.text for s in turn.answer.snippets):
                assert markup in text, markup
        assert "[b]crates.txt:" in text
        for style in rendered_styles(turn):
            assert not style.link and not (style.meta or {}).get("@click")
        # Every line, in the source viewer.
        area = await open_first_snippet(pilot, turn)
        viewer_text = shown(area)
        for markup in MARKUP_LINES:
            assert markup in viewer_text, markup
        assert "[b]crates.txt" in rendered_text(app.screen.query_one("#source-title"))
        await pilot.press("escape")
        assert app.is_running


async def test_broken_config_shows_error_screen(tmp_path):
    config = write_project(tmp_path / "broken", config_text="[retrieval]\nmode = 'psychic'\n")
    app = AssistantApp(str(config), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigErrorScreen))
        text = shown(app.screen)
        assert "The config cannot be used" in text
        assert "mode" in text
        assert "press r to try again" in text
        config.write_text("", encoding="utf-8")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        app.workers.cancel_all()


async def test_the_config_error_fits_an_80_column_terminal(tmp_path):
    """The box narrows to the terminal and wraps: every word of the error and of what to do is seen."""
    config = write_project(tmp_path / "broken", config_text="[retrieval]\nmode = 1\n")
    app = AssistantApp(str(config), cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigErrorScreen))
        assert "'hybrid', 'dense' or 'lexical'" in shown(app.screen.query_one("#error-message"))
        todo = shown(app.screen.query_one("#error-todo"))
        assert "paths are relative to the config's folder), then press r to try again. ctrl+q quits." in todo
        app.workers.cancel_all()


async def test_a_collection_whose_folder_is_gone_is_named_in_a_notice_and_the_chat_opens(tmp_path):
    from textual.widgets._toast import Toast

    config = write_project(tmp_path / "project", sources={"note.txt": "The harbour light is painted green.\n"})
    usb = tmp_path / "usb"
    usb.mkdir()
    assert run_cli("--config", str(config), "collections", "add", "usb", str(usb))[0] == 0
    usb.rmdir()
    app = AssistantApp(str(config), cursor_blink=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.screen.query(Toast))
        assert isinstance(app.screen, ChatScreen) and app.library.names == ["main"]
        notice = shown(app.screen.query_one(Toast))
        assert "Collection left out" in notice and "the collection 'usb' is left out" in notice and "bring it back" in notice
        app.workers.cancel_all()


async def test_an_answer_is_shown_from_its_question_where_it_does_not_fit_and_whole_where_it_does(sample_assistant):
    """Three long snippets do not fit 80x24: once answered, the log shows the turn from its question, the
    best snippet in view (before, it could stop at the first card's first lines, or show only the last
    snippet). Where the turn fits, the log is at its end and the whole turn in view."""
    app = sample_app(sample_assistant)
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.screen.query_one("ChatLog")
        for question in (NINETY_DAYS, "What did the EU facilitator signal?"):
            turn = await ask(pilot, question)
            await wait_for(pilot, lambda: turn.region.y == log.scrollable_content_region.y)
            first = list(turn.query(SnippetCard))[0]
            assert log.max_scroll_y > 0 and first.region.y < log.region.bottom
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        log = app.screen.query_one("ChatLog")
        turn = await ask(pilot, WORLD_CUP)
        await wait_for(pilot, lambda: log.scroll_y == log.max_scroll_y)
        assert turn.region.bottom <= log.region.bottom


async def test_help_lists_every_key(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = rendered_text(app.screen.query_one("#help-keys"))
        for key in ("f1", "ctrl+r", "f5", "f2", "ctrl+l", "ctrl+y", "ctrl+s", "ctrl+q", "up", "down", "enter", "escape", "tab", "shift+tab"):
            assert key in text, key
        for binding in app.help_groups()[0][1]:
            assert binding.id
        assert "escape, q or f1 closes" in text  # on the box's lower border, whatever is scrolled
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_command_palette_lists_the_actions(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Update the index", "Rebuild the index from scratch", "Clear the chat", "Copy the selected snippet",
            "Save the conversation", "Help: keys",
        ):
            assert title in titles
        assert "Show the skipped files" not in titles  # nothing was skipped


class BuildRecordingAssistant(Assistant):
    """The real assistant, noting each build it is asked for: (rebuild?, its report)."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.builds: list[tuple[bool, object]] = []

    def build_index(self, *, rebuild=False, progress=None, should_cancel=None):
        report = super().build_index(rebuild=rebuild, progress=progress, should_cancel=should_cancel)
        self.builds.append((rebuild, report))
        return report


async def test_ctrl_r_updates_and_f5_rebuilds_from_scratch_once_confirmed(sample_project):
    from assistant.faces.tui.confirm_screen import ConfirmScreen

    assistant = BuildRecordingAssistant.open(sample_project)
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: chat_ready(app))
        footer = shown(app.screen.query_one("Footer"))
        assert "^r Update" in footer
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(assistant.builds) == 1 and not app.building)
        rebuild, report = assistant.builds[0]
        assert not rebuild and report.passages_embedded == 0 and report.passages_reused == 12
        for cancel in ("n", "escape"):
            await pilot.press("f5")
            assert isinstance(app.screen, ConfirmScreen)
            assert "Rebuild the index from scratch?" in shown(app.screen)
            await pilot.press(cancel)
            assert isinstance(app.screen, ChatScreen) and not app.building
        for confirm in ("y", "enter"):
            await pilot.press("f5")
            await pilot.press(confirm)
            assert isinstance(app.screen, ChatScreen)
            await wait_for(pilot, lambda: not app.building)
        assert [(rebuild, report.passages_embedded) for rebuild, report in assistant.builds[1:]] == [(True, 12), (True, 12)]


async def test_tab_goes_to_the_newest_answer_and_shift_tab_back_to_the_question(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, NINETY_DAYS)
        newest = await ask(pilot, "Who is the EU facilitator?")
        await pilot.press("tab")
        assert app.focused is newest.query(SnippetCard).first()
        await pilot.press("tab")  # among the snippets, on to the next one
        assert app.focused is list(newest.query(SnippetCard))[1]
        await pilot.press("shift+tab")
        assert app.focused is app.screen.query_one(QuestionInput)


async def test_toasts_sit_under_the_header_clear_of_the_question_box(sample_assistant):
    from textual.widgets._toast import Toast

    app = sample_app(sample_assistant)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.notify("A toast to see where it lands.")
        await wait_for(pilot, lambda: app.screen.query(Toast))
        toast = app.screen.query_one(Toast).region
        box = app.screen.query_one(QuestionInput).region
        header = app.screen.query_one("Header").region
        assert not toast.overlaps(box)
        assert toast.y >= header.bottom and toast.bottom <= SIZE[1] // 2
        assert toast.right >= SIZE[0] - 2  # at the right edge, less the rack's scrollbar gutter


SKIPPED_SOURCES = {
    "note.txt": "The harbour light is painted green.\n",
    **{f"[b]empty-{n}.txt": "" for n in range(5)},
    **{f"blank-{n}.md": "   \n" for n in range(2)},
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "[@click=app.quit]q.txt": "",  # markup without a slash: a slash would make it a folder
}


async def test_a_build_that_skips_files_shows_one_toast_and_f2_lists_each_file_literally(tmp_path):
    from textual.widgets._toast import Toast

    from assistant.faces.tui.skipped_screen import SkippedFilesScreen

    config = write_project(tmp_path / "messy", sources=SKIPPED_SOURCES)
    app = sample_app(Assistant.open(config))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: app.index_phase is IndexPhase.READY and app.screen.query(Toast))
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 1
        toast_text = " ".join(shown(toasts[0]).replace("▌", " ").split())  # without the toast's edge
        assert "9 files skipped or read with a warning: f2 lists them" in toast_text
        assert "f2 Skipped" in shown(app.screen.query_one("Footer"))
        await pilot.press("f2")
        assert isinstance(app.screen, SkippedFilesScreen)
        listing = rendered_text(app.screen.query_one("#skipped-list"))
        for name in SKIPPED_SOURCES:
            if name != "note.txt":
                assert name in listing, name
        assert "empty file (no text to index)" in listing and "binary" in listing
        for style in rendered_styles(app.screen.query_one("#skipped-list")):
            assert not style.link and not (style.meta or {}).get("@click")
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_files_a_command_line_build_skipped_are_listed_by_f2_in_the_chat(tmp_path):
    from assistant.faces.tui.skipped_screen import SkippedFilesScreen

    config = write_project(tmp_path / "built", sources={"note.txt": "The ferry to Sark leaves at noon.\n", "binary.txt": b"\x00\x01\x02"})
    code, _, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    app = sample_app(Assistant.open(config))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.index_phase is IndexPhase.READY)
        # The footer offers f2 (it lists what that build passed over) with every other key a question
        # needs, none cut off, in 80 columns.
        footer = app.screen.query_one(Footer)
        await wait_for(pilot, lambda: "f2 Skipped" in rendered_text(footer))
        for key in FOOTER_KEYS:
            assert key in rendered_text(footer), (key, rendered_text(footer))
        await pilot.press("f2")
        assert isinstance(app.screen, SkippedFilesScreen)
        listing = rendered_text(app.screen.query_one("#skipped-list"))
        assert "binary.txt" in listing and "binary file" in listing and "note.txt" not in listing


async def test_help_wraps_long_descriptions_under_their_own_column(sample_assistant):
    app = sample_app(sample_assistant)
    async with app.run_test(size=(80, 48)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        [row] = [row for row in app.screen.query("KeyRow") if row.key_text == "ctrl+s"]
        lines = rendered_text(row).splitlines()
        assert len(lines) >= 2, lines  # it is long enough to wrap at this width
        column = lines[0].index("Save the conversation")
        for line in lines[1:]:
            assert line[:column].strip() == "" and line[column] != " ", lines
        assert "(transcripts/)" in shown(row)


async def test_the_source_viewer_header_shows_name_lines_and_hint_at_80_and_120_columns(tmp_path):
    name = "a-rather-long-file-name-about-the-kosovo-serbia-border-measures-2024.txt"
    config = write_project(tmp_path / "long", sources={name: "Intro line.\nThe temporary document is valid for 90 days.\n"})
    assistant = Assistant.open(config)
    assistant.build_index()
    source = config.parent / "sources" / name
    original = source.read_text(encoding="utf-8")
    for width in (80, 120):
        source.write_text(original, encoding="utf-8")
        app = sample_app(assistant)
        async with app.run_test(size=(width, 40)) as pilot:
            turn = await ask(pilot, "How long is the temporary document valid?")
            # Changed after the answer: the header also carries the note that the quote moved.
            source.write_text("A new first line.\n" + original, encoding="utf-8")
            turn.query(SnippetCard).first().focus()
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
            title = app.screen.query_one("#source-title")
            text = shown(title)
            for part in (name, "quoted at line 2", "(esc: back to the chat)", "ctrl+r updates the index, then ask again."):
                assert part in text, (width, part, rendered_text(title))
            footer = rendered_text(app.screen.query_one(Footer))
            for key in ("esc Back", "^y Copy", "f1 Help", "^p palette"):
                assert key in footer, (width, key, footer)


def gated_update(sample_project) -> tuple[GatedAssistant, AssistantApp]:
    """The sample with a new file to embed, its model free to load, its build held after reading the sources."""
    (sample_project.parent / "sources" / "extra.txt").write_text("A new file to embed.\n", encoding="utf-8")
    assistant = GatedAssistant.open(sample_project)
    assistant.model_gate.set()
    return assistant, sample_app(assistant)


async def press_update_and_wait_for_the_build_to_hold(pilot, assistant: GatedAssistant) -> None:
    await wait_for(pilot, lambda: pilot.app.model_state is ModelState.READY)
    await pilot.press("ctrl+r")
    await wait_for(pilot, assistant.build_waiting.is_set)


async def test_the_build_bar_says_what_it_does_before_it_can_count(sample_project):
    assistant, app = gated_update(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await press_update_and_wait_for_the_build_to_hold(pilot, assistant)
        panel = app.screen.query_one(BuildPanel)
        await pilot.pause()
        assert "Reading sources 2/2" in shown(panel) and "--%" not in shown(panel)  # files read, counted
        panel.start("Updating the index")  # a build that has not counted anything yet
        await pilot.pause()
        assert "reading sources…" in shown(panel) and "%" not in shown(panel)
        clock = iter([100.0, 103.0])
        panel.clock = lambda: next(clock)
        panel.step("embed", 5, 10)
        panel.step("embed", 8, 10)  # 3 passages in 3 seconds: 1 a second, 2 left
        await pilot.pause()
        assert "Embedding passages 8/10 · 1 passages/s · 2 s left" in shown(panel) and "80%" in shown(panel)
        assert panel.query_one("#percentage").content_size.width >= len("100%")  # room for the whole figure
        panel.clock = time.monotonic
        assistant.build_gate.set()
        await wait_for(pilot, lambda: not app.building)


async def test_damaged_index_offers_rebuild_and_ctrl_r_repairs_it(sample_project):
    vectors = sample_project.parent / "index" / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    app = sample_app(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        text = await shown_notice(pilot)
        notice = app.screen.query_one("#notice")
        assert "The index cannot be used" in text and "Press ctrl+r" in text
        # Its question encoder comes with the index: none until the rebuild makes one.
        await pilot.press("ctrl+r")
        turn = await ask(pilot, NINETY_DAYS)
        assert "kosovo-serbia-tensions.txt:8" in shown(turn)
        assert not notice.has_class("-shown")


async def test_a_question_asked_of_a_damaged_index_says_what_mends_it_and_is_answered_after(sample_project):
    """Opened as the command line opens it (the core loaded after the first paint): the footer offers
    ctrl+r, and a question waits for the mended index saying so, not for a model that never loads."""
    from textual.widgets import Footer

    vectors = sample_project.parent / "index" / "vectors.faiss"
    vectors.write_bytes(vectors.read_bytes()[:100])
    app = AssistantApp(str(sample_project), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await shown_notice(pilot)
        await wait_for(pilot, lambda: "^r Update" in shown(app.screen.query_one(Footer)))
        box = app.screen.query_one(QuestionInput)
        box.value = NINETY_DAYS
        await pilot.press("enter")
        await pilot.pause()
        turn = app.screen.query_one(Turn)
        assert "press ctrl+r" in shown(turn) and "model to load" not in shown(turn)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: turn.answer is not None)
        assert "kosovo-serbia-tensions.txt:8" in shown(turn)


async def test_model_that_cannot_load_is_a_notice_not_a_crash(tmp_path):
    config = write_project(
        tmp_path / "nomodel", config_text='[model]\nname = "/nonexistent/model"\n', sources={"a.txt": "Some text.\n"}
    )
    app = AssistantApp(str(config), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        notice = app.screen.query_one("#notice")
        await wait_for(pilot, lambda: notice.has_class("-shown") and app.model_state is ModelState.FAILED)
        assert "could not load" in shown(notice) or "could not be built" in shown(notice)
        box = app.screen.query_one(QuestionInput)
        box.value = "Anything?"
        await pilot.press("enter")
        await pilot.pause()
        assert "Not answered: the embedding model could not load" in shown(app.screen.query_one(Turn))
        assert app.is_running


class GatedAssistant(Assistant):
    """The real assistant, but the question encoder's load and a build's first step wait for the test to open a gate."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.model_gate = threading.Event()
        self.build_gate = threading.Event()
        self.build_waiting = threading.Event()

    def load_question_encoder(self):
        assert self.model_gate.wait(60)
        return super().load_question_encoder()

    def build_index(self, *, rebuild=False, progress=None, should_cancel=None):
        def gated(step) -> None:
            if progress is not None:
                progress(step)
            if step.stage == "scan" and step.done == step.total:
                self.build_waiting.set()
                assert self.build_gate.wait(60)

        return super().build_index(rebuild=rebuild, progress=gated, should_cancel=should_cancel)


async def test_first_paint_comes_before_the_model_and_a_question_waits_for_it(built_sample):
    assistant = GatedAssistant.open(built_sample)
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen) and app.model_state is ModelState.LOADING
        assert "Ask a question about your sources" in shown(app.screen.query_one("#welcome"))
        assert "model: loading" in app.screen.sub_title
        box = app.screen.query_one(QuestionInput)
        box.value = NINETY_DAYS
        await pilot.press("enter")
        await pilot.pause()
        turn = app.screen.query_one(Turn)
        assert "waiting for the model to load" in shown(turn)
        assistant.model_gate.set()
        await wait_for(pilot, lambda: turn.answer is not None)
        await pilot.pause()
        assert "kosovo-serbia-tensions.txt:8" in shown(turn)


async def test_escape_cancels_a_build_and_keeps_the_last_index(sample_project):
    assistant, app = gated_update(sample_project)
    async with app.run_test(size=SIZE) as pilot:
        await press_update_and_wait_for_the_build_to_hold(pilot, assistant)
        assert app.building
        await pilot.press("escape")
        assistant.build_gate.set()
        await wait_for(pilot, lambda: not app.building)
        assert not app.screen.query_one(BuildPanel).has_class("-active")
        assert app.is_running
    status = assistant.status()
    assert status.passages == 12 and status.changes.added == ("extra.txt",)


async def test_source_viewer_follows_a_quote_when_the_file_changed(sample_project):
    app = sample_app(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, NINETY_DAYS)
        source = sample_project.parent / "sources" / "kosovo-serbia-tensions.txt"
        source.write_text("A new first line.\n" + source.read_text(encoding="utf-8"), encoding="utf-8")
        turn.query(SnippetCard).first().focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        area = app.screen.query_one("#source-text")
        assert area.cursor_location[0] + 1 == 9
        assert area.selected_text == turn.answer.snippets[0].text
        title = shown(app.screen.query_one("#source-title"))
        assert "This file changed since the index was built: the quote moved; ctrl+r updates the index" in title


async def test_a_damaged_question_encoder_is_offered_a_rebuild_that_mends_it(sample_project):
    edit_manifest(
        sample_project.parent / "index",
        lambda m: m["question_encoder"].update(probe_vector=[-x for x in m["question_encoder"]["probe_vector"]]),
    )
    assistant = Assistant.open(sample_project)
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        text = await shown_notice(pilot)
        assert "question encoder" in text and "ctrl+r" in text
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not app.building and app.model_state is ModelState.READY)
        turn = await ask(pilot, NINETY_DAYS)
        assert "kosovo-serbia-tensions.txt:8" in shown(turn)


async def test_an_index_path_that_is_not_the_index_s_own_is_a_config_problem_and_nothing_is_touched(tmp_path):
    config = write_project(tmp_path / "thesis", config_text='[index]\npath = "."\n', sources={"ch1.txt": "Chapter one.\n"})
    (config.parent / "thesis.tex").write_text("years of work\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    app = AssistantApp(str(config), cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ConfigErrorScreen))
        text = shown(app.screen)
        assert "will not use" in text and "holds the sources folder" in text
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before
    assert (config.parent / "thesis.tex").read_text(encoding="utf-8") == "years of work\n"


async def test_a_symlink_loop_in_the_sources_is_a_warning_and_the_chat_answers(tmp_path, sample_assistant):
    config = write_project(tmp_path / "loops", sources={"note.txt": "The harbour light is painted green.\n"})
    sources = config.parent / "sources"
    (sources / "a.txt").symlink_to(sources / "b.txt")
    (sources / "b.txt").symlink_to(sources / "a.txt")
    assistant = Assistant.open(config)
    app = sample_app(assistant)
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, "What colour is the harbour light?")
        assert "note.txt:1" in shown(turn)
        assert app.is_running


async def test_a_file_edited_during_the_session_is_not_quoted_and_the_chat_says_so(sample_project):
    assistant = Assistant.open(sample_project)
    app = sample_app(assistant)
    path = sample_project.parent / "sources" / "kosovo-serbia-tensions.txt"
    async with app.run_test(size=SIZE) as pilot:
        turn = await ask(pilot, NINETY_DAYS)
        assert "valid for 90 days" in shown(turn)
        path.write_text(path.read_text(encoding="utf-8").replace("valid for 90 days", "good for 60 days"), encoding="utf-8")
        turn = await ask(pilot, "How long is the temporary document valid?")
        assert "90 days" not in shown(turn)
        text = await shown_notice(pilot)
        assert "kosovo-serbia-tensions.txt" in text and "ctrl+r" in text


async def test_the_chat_is_one_conversation_until_ctrl_n(sample_project):
    app = sample_app(Assistant.open(sample_project))
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "Who is the EU facilitator?")
        follow_up = await ask(pilot, "What did he signal?")
        assert follow_up.answer.read_with and "read with: Miroslav, Lajcak" in shown(follow_up)
        # "What did he signal?" cannot be read on its own: "he" is the man the question before was
        # answered with, and the reader reads it so
        assert "read with: Miroslav, Lajcak; asked as “What did Miroslav Lajcak signal?”" in shown(follow_up)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert "New conversation" in shown(app.screen.query_one("#chat-log"))
        fresh = await ask(pilot, "What did he say?")
        assert fresh.answer.read_with == () and "read with" not in shown(fresh)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: list((sample_project.parent / "transcripts").glob("*.md")))
        transcript = next((sample_project.parent / "transcripts").glob("*.md")).read_text(encoding="utf-8")
        assert "_Read with: Miroslav, Lajcak; asked as “What did Miroslav Lajcak signal?”_" in transcript
        await pilot.press("ctrl+l")  # clearing the chat starts afresh too
        assert app.screen.conversation.turns == ()
