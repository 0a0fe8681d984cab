"""The TUI's pure parts, without an app: line mapping, snippet rendering, notices, transcripts."""

from __future__ import annotations

from datetime import datetime

from assistant.faces.tui.notices import stale_sources_notice, unusable_index_notice
from assistant.faces.tui.question_input import pasted_question
from assistant.faces.tui.snippet_content import snippet_body, snippet_clipboard_text, snippet_heading
from assistant.faces.tui.source_lines import SourceLines, cited_span
from assistant.faces.tui.transcript import save_transcript, transcript_markdown
from assistant.models import Answer, AnswerPhrase, Citation, Passage, Snippet, SourceChanges

MARKUP = "[bold red]ZX-41[/] [link=https://x]y[/link] [/ a[i] [@click=app.quit]q[/]"


def make_snippet(text: str, before: str = "Before it. ", after: str = " After it.", source: str = "notes.txt") -> Snippet:
    passage_text = before + text + after
    start = len(before)
    passage = Passage(id="p1", source=source, start=0, end=len(passage_text), line_start=3, line_end=3, text=passage_text)
    citation = Citation(source=source, start=start, end=start + len(text), line_start=3, line_end=3, passage_id="p1")
    return Snippet(text=text, score=0.8, citation=citation, passage=passage)


def test_source_lines_match_the_cores_line_numbers():
    text = "one\r\ntwo\rthree\nfour\u2028still four\x0cand more\nfive"
    lines = SourceLines.of(text)
    assert lines.lines[3] == "four↵still four↵and more"
    assert lines.display_text.split("\n") == list(lines.lines)
    assert lines.location(text.index("three")) == (2, 0)
    assert lines.location(text.index("still")) == (3, 5)
    assert lines.location(text.index("five")) == (4, 0)
    assert lines.location(len(text)) == (4, 4)
    # The display text is what str.splitlines sees as the same rows (TextArea splits that way).
    assert len(lines.display_text.splitlines()) == 5


def test_a_paged_texts_lines_are_numbered_from_each_pages_top_under_its_mark_as_the_core_counts_them():
    from assistant.sources.lines import LineTable, PageLines

    # Page 1 "a" and a blank line, page 2 with no text, page 3 "b" and "c", page 4 with no text at the end.
    text, page_starts = "a\n\nb\nc\n", (0, 3, 3, 6)
    lines = SourceLines.of(text, page_starts)
    assert lines.lines == ("— page 1 —", "a", "", "— page 2 —", "— page 3 —", "b", "c", "— page 4 —", "")
    assert lines.labels == ("", "1", "2", "", "", "1", "2", "", "")
    assert lines.display_text.split("\n") == list(lines.lines)
    assert lines.location(text.index("c")) == (6, 0) and lines.location(len(text) - 1) == (6, 1)
    assert lines.row_of(2, page=3) == 6 and lines.row_of(1) == 1
    # The core's count of each page's lines is the viewer's.
    pages = PageLines.of(LineTable.of(text), page_starts)
    assert [pages.lines_on(page) for page in (1, 2, 3, 4)] == [2, 0, 2, 0]
    assert pages.on_page(LineTable.of(text).line_of(text.index("c")), 3) == 2


def test_snippet_content_is_literal_and_marks_the_sentence():
    snippet = make_snippet(f"The code is {MARKUP}.", source="[b]notes.txt")
    body = snippet_body(snippet)
    assert body.plain == f"Before it. The code is {MARKUP}. After it."
    bold = [span for span in body.spans if "bold" in str(span.style)]
    assert [body.plain[s.start : s.end] for s in bold] == [f"The code is {MARKUP}."]
    heading = snippet_heading(1, snippet)
    assert "[b]notes.txt:3" in heading.plain and "0.80" in heading.plain
    assert snippet_clipboard_text(snippet) == f"“The code is {MARKUP}.” ([b]notes.txt:3)"


def test_a_table_s_row_is_shown_alone():
    row = make_snippet("| 28 April 2025 | Grace Thompson | Daniel Cho |", before="| 21 April 2025 | Lukas Weber | Grace Thompson |\n", after="\n| 5 May 2025 | Ravi Patel | Aisha Bello |")
    titled = {"kind": "table", "title": "Rota — On-call rota — Week starting · Primary · Secondary"}
    table = row.model_copy(update={"passage": row.passage.model_copy(update=titled)})
    assert snippet_body(table).plain == "Week starting · Primary · Secondary\n| 28 April 2025 | Grace Thompson | Daniel Cho |"
    heading = snippet_heading(1, table).plain
    assert "Rota — On-call rota" in heading and "Primary" not in heading
    assert "Lukas Weber" in snippet_body(row).plain  # prose keeps its context


def test_a_quote_on_a_line_of_its_own_is_shown_between_the_lines_around_it():
    """A new user's price notice showed "Croissant: was £2.60, now £2.85 Pain au chocolat: was £2.90, …"
    run onto one line: where one item ended and the next began was lost."""
    item = make_snippet("Croissant: was £2.60, now £2.85", before="Prices change on Monday.\n\nTart: was £3, now £3.20\n", after="\nPain au chocolat: was £2.90, now £3.20\nFlat white: was £3.30, now £3.50")
    assert snippet_body(item).plain == "Tart: was £3, now £3.20\nCroissant: was £2.60, now £2.85\nPain au chocolat: was £2.90, now £3.20"
    windows = make_snippet("Croissant: was £2.60, now £2.85", before="Tart: was £3\r\n", after="\r\nFlat white: was £3.30\r\n")
    assert snippet_body(windows).plain == "Tart: was £3\nCroissant: was £2.60, now £2.85\nFlat white: was £3.30"  # a file saved on Windows
    first = make_snippet("Croissant: was £2.60, now £2.85", before="", after="\n\nPain au chocolat: was £2.90")
    assert snippet_body(first).plain.startswith("Croissant: was £2.60, now £2.85\nPain au chocolat")


def test_a_long_title_keeps_the_section_the_passage_stands_in():
    """A student's notes showed "Reading notes — chapter 2 literature (urban heat & air…" on every card."""
    titled = {"title": "Reading notes — chapter 2 literature (urban heat & air quality) — Alvarez & Chen 2020 (Phoenix green roofs)"}
    note = make_snippet("Only 9 green roofs, 52 sensors, one season.")
    note = note.model_copy(update={"passage": note.passage.model_copy(update=titled)})
    assert snippet_heading(1, note).plain.endswith("Reading notes… — Alvarez & Chen 2020 (Phoenix green roofs)")


def test_long_context_is_cut_at_words_with_ellipses():
    snippet = make_snippet("The answer.", before="word " * 100, after=" tail" * 100)
    plain = snippet_body(snippet).plain
    assert plain.startswith("…word") and plain.endswith("tail…")
    assert len(plain) < 300


def test_notices_show_names_and_problems_literally():
    changes = SourceChanges(added=("[red]a.txt",), changed=("b[i].md",))
    notice = stale_sources_notice(changes)
    assert "[red]a.txt, b[i].md" in notice.plain and "ctrl+r" in notice.plain
    assert "[/] broken." in unusable_index_notice("[/] broken").plain


def test_files_this_version_reads_another_way_are_no_edit_of_the_users():
    """After an upgrade every file whose format is read anew showed as "Sources changed since the last
    build", edited by no one."""
    upgraded = stale_sources_notice(SourceChanges(changed=("a.txt", "b.md"), reread=("a.txt", "b.md")))
    assert upgraded.plain.startswith("This version reads 2 sources another way (a.txt, b.md).") and "ctrl+r" in upgraded.plain
    edited = stale_sources_notice(SourceChanges(changed=("a.txt", "b.md"), reread=("b.md",)))
    assert edited.plain.startswith("Sources changed since the last build (1 changed, 1 read anew by this version: a.txt, b.md)")


def test_transcript_markdown_has_questions_quotes_and_citations(tmp_path):
    snippet = make_snippet("The code is 7.\nReally.")
    start = snippet.citation.start + len("The code is ")
    marked = snippet.model_copy(update={"answer": AnswerPhrase(text="7", start=start, end=start + 1)})
    answered = Answer(question="What is the code?", snippets=(marked,))
    abstained = Answer(question="Who won?", snippets=(), abstained=True, reason="nothing close")
    when = datetime(2026, 1, 2, 3, 4, 5)
    text = transcript_markdown([answered, abstained], when, ["/p/sources"], "/p/config.toml")
    assert text.startswith("# Conversation, 2026-01-02 03:04:05\n\nSources: `/p/sources`\n\nConfig: `/p/config.toml`\n")
    assert "## Q: What is the code?" in text
    assert "1. `notes.txt:3` (score 0.80)" in text
    assert "> The code is 7. Really.\n\nAnswer: **7**\n" in text  # the words the chat marks
    assert "_The sources do not answer this (nothing close)._" in text
    first = save_transcript([answered], tmp_path / "t", ["/p/sources"], "/p/config.toml", when)
    second = save_transcript([answered], tmp_path / "t", ["/p/sources"], "/p/config.toml", when)
    assert first.name == "2026-01-02_03-04-05.md" and second.name == "2026-01-02_03-04-05-2.md"
    assert first.read_text(encoding="utf-8") == text.split("## Q: Who won?")[0].rstrip() + "\n"


def test_a_transcript_without_a_config_names_only_its_sources_folders():
    answer = Answer(question="What is the code?", snippets=(make_snippet("The code is 7."),))
    text = transcript_markdown([answer], datetime(2026, 1, 2, 3, 4, 5), ["/tmp/papers", "/tmp/notes"], None)
    assert "Sources: `/tmp/papers`, `/tmp/notes`" in text and "Config" not in text


def test_pasted_lines_become_one_question():
    assert pasted_question("How long is\r\n  parental leave\n\nfor fathers?\n") == "How long is parental leave for fathers?"
    assert pasted_question("\n \n") == ""


def test_cited_span_finds_a_quote_that_moved():
    text = "Intro.\nThe quote here.\nEnd."
    start = text.index("The quote")
    assert cited_span(text, start, start + 15, "The quote here.") == (start, start + 15)
    edited = "A new first line.\n" + text
    assert cited_span(edited, start, start + 15, "The quote here.") == (start + 18, start + 33)
    assert cited_span("Nothing left.", start, start + 15, "The quote here.") is None
