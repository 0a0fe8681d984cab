"""Passages and sentences carry exact offsets and line numbers into the decoded file."""

import re
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from assistant.sources.decoding import decode_source_bytes
from assistant.sources.documents import Document
from assistant.sources.passages import (
    SENTENCE_MAX_CHARS,
    TABLE_PASSAGE_CHARS,
    LineTable,
    passages_of,
    sentence_spans,
    split_passages,
)
from assistant.sources.structure import NOT_ANSWERS

from projects import DATA, SAMPLE_SOURCES

ALL_FILES = sorted(SAMPLE_SOURCES.glob("*.txt")) + sorted(DATA.glob("*.txt"))


def document_of(path: Path) -> Document:
    text, encoding = decode_source_bytes(path.read_bytes())
    return Document(source=path.name, text=text, sha256="x", encoding=encoding)


def assert_exact(document: Document, max_chars: int) -> list:
    text = document.text
    passages = split_passages(document, max_chars)
    assert all(len(p.text) <= max_chars for p in passages)
    # Lines end at \n, \r\n or a lone \r (as editors count them), not at Unicode separators.
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)] + [len(text) + 1]
    for p in passages:
        assert text[p.start : p.end] == p.text
        assert p.text.strip() == p.text and p.text
        assert LineTable.of(text).line_of(p.start) == p.line_start
        for s in p.sentences:
            assert text[s.start : s.end] == s.text
            assert p.start <= s.start < s.end <= p.end
            assert line_starts[s.line_start - 1] <= s.start < line_starts[s.line_start]
            assert line_starts[s.line_end - 1] < s.end <= line_starts[s.line_end]
    return passages


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_passage_and_sentence_slices_its_file_exactly(path):
    passages = assert_exact(document_of(path), 1200)
    assert passages


def test_sample_has_one_passage_per_paragraph_line():
    passages = split_passages(document_of(SAMPLE_SOURCES / "kosovo-serbia-tensions.txt"), 1200)
    assert [p.line_start for p in passages] == list(range(1, 13))
    ninety = [s for p in passages for s in p.sentences if "90 days" in s.text]
    assert len(ninety) == 1 and ninety[0].text.startswith("Under Pristina")


def test_long_paragraphs_split_at_sentence_boundaries():
    document = document_of(DATA / "Normans.txt")
    small = assert_exact(document, 300)
    assert len(small) > len(split_passages(document, 5000))
    for p in small:
        assert len(p.text) <= 300


def test_headings_become_titles_not_passages():
    text = "# Guide\n\nIntro text here. More.\n\n## Install\n\nRun make. Then wait.\n"
    passages = split_passages(Document("g.md", text, "x", "utf-8"), 1200)
    assert [p.text for p in passages] == ["Intro text here. More.", "Run make. Then wait."]
    assert passages[0].title == "Guide" and passages[1].title == "Guide — Install"


def passage_titles(name: str, text: str) -> dict[str, str]:
    """Each passage's text with its title."""
    return {p.text: p.title for p in split_passages(Document(name, text, "x", "utf-8"), 1200)}


def test_a_markdown_passage_is_titled_by_every_heading_it_stands_under():
    """A changelog's bullet was titled "Changelog — Changed", never by the version and date it stands
    under; a heading closes those of its level and below."""
    text = (
        "# Changelog\n\n## [2.4.0] - 2024-11-05\n\n### Added\n- Support for Swiss francs.\n\n"
        "## [2.3.0] - 2024-08-27\n\n### Changed\n- Upgraded Postgres from 14 to 15.\n\n### Removed\n- The PayPal integration.\n\n"
        "## Unreleased\n\nNothing yet.\n"
    )
    titles = passage_titles("CHANGELOG.md", text)
    assert titles["Support for Swiss francs."] == "Changelog — [2.4.0] - 2024-11-05 — Added"
    assert titles["Upgraded Postgres from 14 to 15."] == "Changelog — [2.3.0] - 2024-08-27 — Changed"
    assert titles["The PayPal integration."] == "Changelog — [2.3.0] - 2024-08-27 — Removed"
    assert titles["Nothing yet."] == "Changelog — Unreleased"
    # A heading of no "#" stands under the Markdown headings above it; a heading holding the separator
    # is still the one a numbered subsection is told by.
    text = (
        "# Changelog\n\n## [2.3.0] - 2024-08-27\n\nBreaking changes\n\nThe API drops version 1.\n\n### Fixed\n- Retries.\n\n"
        "## 7. Tyres — and wheels\n\n7.1 Tyre pressures (cold)\nFront 2.2 bar, rear 2.4 bar.\n"
    )
    titles = passage_titles("CHANGELOG.md", text)
    assert titles["The API drops version 1."] == "Changelog — [2.3.0] - 2024-08-27 — Breaking changes"
    assert titles["Retries."] == "Changelog — [2.3.0] - 2024-08-27 — Fixed"
    assert titles["Front 2.2 bar, rear 2.4 bar."] == "Changelog — 7. Tyres — and wheels — 7.1 Tyre pressures (cold)"


@pytest.mark.parametrize("first, second", [("Chapter 1", "Chapter 10"), ("1. Introduction", "2. Methods"), ("Part I", "Part II")])
def test_a_numbered_first_heading_names_its_part_not_the_document(first, second):
    """A book whose text opens with "Chapter 1" titled every passage "Chapter 1 — Chapter 10": the
    first heading is the document's title only when it does not number one part among others."""
    text = f"{first}\n\nThe keeper rowed out at dawn.\n\n{second}\n\nThe lamp was lit at dusk.\n"
    passages = split_passages(Document("harbour-book.txt", text, "x", "utf-8"), 1200)
    assert [p.title for p in passages] == [f"harbour book — {first}", f"harbour book — {second}"]
    titled = split_passages(Document("b.txt", f"Harbour Tales\n\n{text}", "x", "utf-8"), 1200)
    assert [p.title for p in titled] == [f"Harbour Tales — {first}", f"Harbour Tales — {second}"]


@pytest.mark.parametrize("title", ["2024 Annual Report", "10 Tips for Better Sleep", "Section 230 and the Web", "Part Civil Procedure"])
def test_a_title_that_opens_with_a_number_or_a_parts_word_is_the_documents_title(title):
    passages = split_passages(Document("report.txt", f"{title}\n\nThe harbour was busy.\n", "x", "utf-8"), 1200)
    assert [p.title for p in passages] == [title]


def test_each_item_of_a_list_is_a_sentence_of_its_own_without_its_marker():
    """A new user's note quoted a whole list for a fact on its first line, cited over all its lines, and
    an agenda ran its items together ("Logger procurement 3. ICUC-12 abstract")."""
    text = (
        "Results of the summer campaign:\n"
        "- The peak surface temperature on roof B2 reached 71.4 °C on 19 August 2023.\n"
        "- On the same afternoon the sedum roof stayed\n  below 35 °C.\n"
        "Agenda:\n1. Logger procurement\n3. ICUC-12 abstract\n"
        "The loggers recorded a total of\n12. That was fewer than planned.\n"
    )
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == [
        "Results of the summer campaign:",
        "The peak surface temperature on roof B2 reached 71.4 °C on 19 August 2023.",
        "On the same afternoon the sedum roof stayed\n  below 35 °C.",  # degrees, no initial
        "Agenda:",
        "Logger procurement",
        "ICUC-12 abstract",
        "The loggers recorded a total of\n12.",  # an unindented line ends the list; a number in wrapped prose opens no item
        "That was fewer than planned.",
    ]
    (passage,) = split_passages(Document("notes.md", text, "x", "utf-8"), 1200)
    peak = next(s for s in passage.sentences if "71.4" in s.text)
    assert (peak.line_start, peak.line_end) == (2, 2)
    # Windows line breaks read alike; an item wrapped onto an indented line goes on to the next item;
    # a numbered list under a heading opens at its first line.
    crlf = [text.replace("\n", "\r\n")[s:e] for s, e in sentence_spans(text.replace("\n", "\r\n"))]
    assert [span.replace("\r\n", "\n") for span in crlf] == spans
    wrapped = "1. Order the loggers\n2. Write the abstract, which goes on\n   over a second line\n3. Book the rooms"
    assert [wrapped[s:e] for s, e in sentence_spans(wrapped)] == [
        "Order the loggers", "Write the abstract, which goes on\n   over a second line", "Book the rooms"
    ]
    under = split_passages(Document("agenda.md", "## Agenda\n1. Logger procurement\n2. Abstract\n", "x", "utf-8"), 1200)
    assert [s.text for p in under for s in p.sentences] == ["Logger procurement", "Abstract"]


def test_a_markdown_code_block_is_passages_of_its_own_lines_without_its_fences():
    """A new user's note quoted "THRESHOLD_K = 0.2 # ... ```" as the answer above the rule in prose, its
    closing fence in the quote; and a shell comment in a code block would read as a heading."""
    text = (
        "# Calibration\n\nReject any sensor whose residual exceeds 0.2 K after correction.\n\n"
        "```python\n# the rule in code\nTHRESHOLD_K = 0.2  # larger residuals are rejected\n\nfit(raw)\n```\n\n"
        "Then plot the residuals.\n"
    )
    document = Document("calibration.md", text, "x", "utf-8")
    passages = assert_exact(document, 1200)
    assert [(p.kind, [s.text for s in p.sentences]) for p in passages] == [
        ("body", ["Reject any sensor whose residual exceeds 0.2 K after correction."]),
        ("code", ["# the rule in code", "THRESHOLD_K = 0.2  # larger residuals are rejected"]),
        ("code", ["fit(raw)"]),
        ("body", ["Then plot the residuals."]),
    ]
    assert {p.title for p in passages} == {"Calibration"}  # "# the rule in code" is no heading
    assert not any("```" in p.text for p in passages)
    # Windows line breaks close a fence as others do; an empty block quotes no fence; a line of inline
    # code ("```x```") opens none.
    crlf = Document("calibration.md", text.replace("\n", "\r\n"), "x", "utf-8")
    assert [p.kind for p in assert_exact(crlf, 1200)] == ["body", "code", "code", "body"]
    odd = "# Notes\n\n```\n```\n\n```python``` is how a block opens.\n\nThe end.\n"
    assert [(p.kind, p.text) for p in split_passages(Document("n.md", odd, "x", "utf-8"), 1200)] == [
        ("body", "```python``` is how a block opens."), ("body", "The end.")
    ]
    # A plain text file's fences are its own text: only Markdown has code blocks.
    assert all(p.kind == "body" for p in split_passages(Document("calibration.txt", text, "x", "utf-8"), 1200))


def test_each_field_of_a_form_is_a_sentence_of_its_own():
    """A new user's home insurance summary opened with five fields and no full stop ("**Policy number:**
    HLC-4471902" among them), read and quoted as one sentence, so "What is our policy number?" marked
    nothing, and its "Period of cover" was the answer before, skipped, for "when does it expire?"."""
    text = (
        "**Policyholders:** Thomas Reid and Sarah Reid\n"
        "**Policy number:** HLC-4471902\n"
        "**Contents sum insured:** £40,000 for household goods\n  inside the home.\n"
        "Retailer: HomeElec Direct, Cribbs Causeway,\nBristol BS34 5DG\n"  # a PDF's wrapped value, unindented
        "Model number:       KDW-614X\n"
        "The survey was wrapped over lines and\n"
        "Smith and colleagues found two causes: damp and frost.\n"
    )
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == [
        "**Policyholders:** Thomas Reid and Sarah Reid",
        "**Policy number:** HLC-4471902",
        "**Contents sum insured:** £40,000 for household goods\n  inside the home.",  # an indented line runs it on
        "Retailer: HomeElec Direct, Cribbs Causeway,\nBristol BS34 5DG",  # so does one after a line left open
        "Model number:       KDW-614X\nThe survey was wrapped over lines and\n"
        # prose after a field runs it on; a line of prose with a colon is no field
        "Smith and colleagues found two causes: damp and frost.",
    ]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "Dr. Smith met J. R. Jones in the U.S. capital. They talked at 3.5 p.m. about it. Done."
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == ["Dr. Smith met J. R. Jones in the U.S. capital.", "They talked at 3.5 p.m. about it.", "Done."]


def test_windows_line_endings_keep_line_numbers():
    text = "First paragraph one.\r\n\r\nSecond paragraph. Still second.\r\n"
    passages = assert_exact(Document("w.txt", text, "x", "utf-8"), 1200)
    assert [(p.line_start, p.line_end) for p in passages] == [(1, 1), (3, 3)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600), st.integers(100, 400))
def test_arbitrary_unicode_always_slices_back(text, max_chars):
    assert_exact(Document("h.txt", text, "x", "utf-8"), max_chars)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["Word", "word.", " ", "\n", "\n\n", "Dr.", "?", "“Q.”", "\r\n", "# H", "é", "3.5"]), max_size=80))
def test_sentence_like_text_always_slices_back(parts):
    assert_exact(Document("h.txt", "".join(parts), "x", "utf-8"), 100)


@pytest.mark.parametrize(
    "text",
    [
        "word " * 40_000,  # 200 KB without one sentence end
        "x" * 5_000 + " tail",  # no space either: cut at the limit
        "one, two; three: four " * 2_000,  # clause marks: cut after one
        "A first sentence. " + "and then it went on " * 3_000 + "until the end.",
    ],
    ids=["no-sentence-end", "no-space", "clauses", "one-long-sentence"],
)
def test_text_without_sentence_ends_is_cut_to_the_caps(text):
    passages = assert_exact(Document("long.txt", text, "x", "utf-8"), 1200)
    assert len(passages) > 1
    assert max(len(p.text) for p in passages) <= 1200
    assert max(len(s.text) for p in passages for s in p.sentences) <= SENTENCE_MAX_CHARS
    covered = "".join(s.text for p in passages for s in p.sentences)
    assert covered.replace(" ", "") == text.replace(" ", "")  # nothing lost at the cuts


def test_a_small_passage_limit_caps_sentences_too():
    passages = assert_exact(Document("long.txt", "word " * 2_000, "x", "utf-8"), 200)
    assert max(len(s.text) for p in passages for s in p.sentences) <= 200


PAPER = """Role of S-Palmitoylation on IFITM5 in Osteoblast Cells

https://www.ncbi.nlm.nih.gov/pmc/articles/PMC0000000/

SHA: ef2b8f83d5a3ab8ae35e4b51fea6d3ed9eb49122

Authors: Tsukamoto, Takashi; Li, Xianglan
Date: 2013-09-18
DOI:10.1371/journal.pone.0075831
License:cc-by

Abstract: IFITM5 is a bone-specific protein. Its S-palmitoylation was measured in osteoblast cells.

Text: The interferon-induced transmembrane proteins are a family of small proteins.

2.1 Expression of IFITM5 in osteoblasts

The cells were cultured for seven days before the assay.

Figure 2: Fluorescence of IFITM5 in cells treated with 2-bromopalmitic acid.

x = a + b ~ (c / 2)

The signal fell by half after treatment, which shows that palmitoylation is needed.

References

[1] Smith J, Jones K. Membrane proteins of bone. J Bone Res. 2010;12:1-9.
[2] Brown A, White B. Palmitoylation in health. Cell. 2012;4:5-6.
"""


def test_a_paper_s_parts_are_recognised():
    passages = assert_exact(Document("paper.txt", PAPER, "x", "utf-8"), 1200)
    kinds = {p.text.split()[0]: p.kind for p in passages}
    assert kinds["https://www.ncbi.nlm.nih.gov/pmc/articles/PMC0000000/"] == "metadata"
    assert kinds["SHA:"] == "metadata" and kinds["Authors:"] == "metadata"
    assert kinds["Figure"] == "caption"
    assert kinds["[1]"] == "references"
    by_start = {p.text[:12]: p.title for p in passages}
    title = "Role of S-Palmitoylation on IFITM5 in Osteoblast Cells"
    assert by_start["Abstract: IF"] == f"{title} — Abstract"
    assert by_start["Text: The in"] == title  # "Text:" opens the body, no named section
    assert by_start["The cells we"] == f"{title} — 2.1 Expression of IFITM5 in osteoblasts"
    # An equation on a line of its own is not a heading: the section goes on.
    assert by_start["The signal f"] == f"{title} — 2.1 Expression of IFITM5 in osteoblasts"
    assert not any("SHA" in p.title or "cc-by" in p.title for p in passages)


def test_metadata_and_references_are_never_quoted_as_answers(tmp_path):
    from assistant import Assistant
    from projects import write_project

    config = write_project(tmp_path, "", {"paper.txt": PAPER})
    assistant = Assistant.open(config)
    assistant.build_index()
    for question in ("Who wrote Membrane proteins of bone?", "What is the DOI of the paper?", "What is the licence?"):
        for snippet in assistant.ask(question, k=5).snippets:
            assert snippet.passage.kind not in ("metadata", "references"), (question, snippet.text)
    answer = assistant.ask("What was seen in cells treated with 2-bromopalmitic acid?")
    assert any(s.passage.kind == "caption" for s in answer.snippets)  # a caption can answer


RUNBOOK = """<html><head><title>Runbook: Restore the billing database</title></head><body>
<h1>Runbook: Restore the billing database</h1>
<p>Author: Aiko Tanaka. Last reviewed on 20 February 2025.</p>
<h2>When to use</h2>
<p>Use this runbook when the billing database is corrupted or data was deleted by mistake.</p>
<p>A full restore takes about 40 minutes for the production database.</p>
</body></html>
"""


def test_a_header_answers_who_wrote_its_own_document_and_when(tmp_path):
    """A new user's "Who is the author of the runbook?" abstained over its own header; a question about
    a work the document cites still never gets its authors (above)."""
    from assistant.models import Conversation
    from projects import built_project

    runbook = built_project(tmp_path, {"runbook.html": RUNBOOK})
    first = runbook.ask("Who is the author of the runbook?").snippets[0]
    assert first.is_answer and first.passage.kind == "metadata" and "Aiko Tanaka" in first.text
    # A follow-up about the file the conversation stands on names it by "it".
    before = Conversation().then(runbook.ask("How long does a full restore take?"))
    reviewed = runbook.ask("When was it last reviewed?", conversation=before).snippets[0]
    assert reviewed.is_answer and reviewed.passage.kind == "metadata" and "20 February 2025" in reviewed.text


MANUAL = """libtasn1 manual

Contents

1 Introduction . . . . . . . . . . . . . . . . . . . . 1
2 The asn1Parser program . . . . . . . . . . . . . . 5
3 The asn1Coding program . . . . . . . . . . . . . . 7
4 Function reference . . . . . . . . . . . . . . . . . 9

The asn1Parser program

The asn1Parser program reads an ASN.1 definitions file and writes a C array of the definitions,
which a program then loads with asn1_array2tree instead of parsing the file at run time.
"""


def test_a_table_of_contents_is_searched_but_never_quoted():
    """Its dot leaders named every subject ("asn1Parser program . . . . 5") and it was quoted as the
    answer, tied with the section that answers."""
    passages = assert_exact(Document("manual.txt", MANUAL, "x", "utf-8"), 1200)
    (contents,) = [p for p in passages if "Introduction . ." in p.text]
    assert contents.kind == "contents" and contents.kind in NOT_ANSWERS
    assert [p.kind for p in passages if "reads an ASN.1" in p.text] == ["body"]


def _table(rows: int) -> str:
    lines = ["Ridership by station.", "", "| Station | Region | Opened |", "| --- | :---: | ---: |"]
    lines += [f"| Station {i} | {'North' if i % 2 else 'South'} | {1900 + i % 100} |" for i in range(rows)]
    return "\n".join(lines) + "\n\nAfter the table. It ends here.\n"


def test_a_long_table_is_cut_into_passages_of_rows_under_its_header():
    document = Document("stations.md", _table(300), "x", "utf-8")
    passages = assert_exact(document, 1200)
    table = [p for p in passages if p.kind == "table"]
    rows = [s.text for p in table for s in p.sentences]
    # Every row once, a row a sentence, in order; the header and its rule are the title, not a passage.
    assert rows == [f"| Station {i} | {'North' if i % 2 else 'South'} | {1900 + i % 100} |" for i in range(300)]
    assert len(table) > 10 and all(len(p.text) <= TABLE_PASSAGE_CHARS for p in table)
    assert all(p.title.endswith("Station · Region · Opened") for p in table)
    assert table[0].line_start == 5 and table[-1].line_end == 304
    prose = [p.text for p in passages if p.kind != "table"]
    assert prose == ["Ridership by station.", "After the table. It ends here."]


def test_a_table_of_two_rows_stays_prose():
    text = "| a | b |\n| 1 | 2 |\n"
    (passage,) = split_passages(Document("t.md", text, "x", "utf-8"), 1200)
    assert passage.kind == "body" and passage.text == text.strip()


def test_cutting_a_big_file_holds_a_passage_at_a_time_not_the_file():
    # 8 MB of short lines with no blank line between them: one "block" of the whole file, read as
    # blocks of at most BLOCK_MAX_CHARS, passage by passage.
    line = "A line of a log that goes on, with no full stop and no blank line after it 12345\n"
    text = line * (8_000_000 // len(line))
    document = Document("big.log", text, "x", "utf-8")
    tracemalloc.start()
    try:
        count = 0
        last_end = 0
        for passage in passages_of(document, 1200):
            assert passage.start >= last_end and text[passage.start : passage.end] == passage.text
            last_end = passage.end
            count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count > 6000 and last_end == len(text.rstrip())
    # The line table (8 bytes a line) and one block's spans, not a list of every passage (~100 MB here).
    assert peak < 20_000_000, f"peak {peak / 1e6:.0f} MB while cutting an 8 MB file"


def test_a_line_underlined_is_a_heading_and_the_line_under_it_no_text():
    """A licence's "5. Termination" over "--------------" was no heading: its §5.1 stood under §3.5's
    title, and the dashes were text. Underlined with "=" or "-" (Markdown's setext headings too)."""
    text = (
        "Mozilla Public License Version 2.0\n==================================\n\n"
        "3.5. Application of Additional Terms\n\nYou may choose to offer warranty.\n\n"
        "5. Termination\n--------------\n\n"
        "5.1. The rights granted under this License will terminate automatically if You fail to comply.\n\n"
        "A list follows:\n---\n"
    )
    document = Document("MPL-2.0", text, "x", "utf-8")
    passages = split_passages(document, 1200)
    rights = next(p for p in passages if "terminate automatically" in p.text)
    assert rights.title == "Mozilla Public License Version 2.0 — 5. Termination"
    assert not any("---" in p.text or "===" in p.text for p in passages[:-1])
    assert all(text[p.start : p.end] == p.text for p in passages)


def test_a_table_without_a_rule_opens_with_its_columns_names_where_they_read_so():
    """A manual's error codes, "Code | Meaning | What to do" over its rows with no rule under it (a text
    file, a PDF): the first row is the columns' names (the CLI printed "columns: 7. Error Codes", the
    section's title); a table of words alone has no row to tell its names by, and is read as rows."""
    text = (
        "7. Error Codes\n\nCode | Meaning | What to do\nE21 | Water container full | Empty the container\n"
        "E31 | Temperature sensor fault | Contact Service\n\nStaff\n\nAlice | Engineer\nBob | Manager\nCarol | Lead\n"
    )
    passages = split_passages(Document("dryer.txt", text, "x", "utf-8"), 1200)
    codes = next(p for p in passages if "E21" in p.text)
    assert codes.kind == "table" and codes.title.endswith("Code · Meaning · What to do")
    assert not any("What to do" in p.text for p in passages)
    staff = next(p for p in passages if "Alice" in p.text)
    assert staff.text.startswith("Alice | Engineer") and "·" not in staff.title
    from assistant.sources.structure import table_title

    assert table_title(staff.kind, staff.title) is None  # its section's title is no column's name


def test_a_subsection_s_numbered_title_heads_the_lines_under_it():
    """In a PDF, "7.1 Tyre pressures (cold)" stood over its table with no blank line, and was quoted
    as the answer to the front tyres' pressure, "7.1" marked; a list's "1. Remove ..." is no title."""
    text = (
        "7. Tyres and Wheels\n\n7.1 Tyre pressures (cold)\nTyre size | Load | Front | Rear\n"
        "205/55 R16 | Up to 3 persons | 2.3 bar | 2.2 bar\n205/55 R16 | Full load | 2.5 bar | 2.6 bar\n\n"
        "1. Remove the valve cap.\n2. Fit the gauge.\n"
    )
    passages = split_passages(Document("car.txt", text, "x", "utf-8"), 1200)
    assert not any(p.text.startswith("7.1") for p in passages)
    table = next(p for p in passages if p.kind == "table")
    assert table.title.endswith("7.1 Tyre pressures (cold) — Tyre size · Load · Front · Rear")
    steps = next(p for p in passages if "valve cap" in p.text)
    assert "Remove the valve cap" in steps.text and "Remove" not in steps.title
    # Only under its section's number: "1.5 Litres of water" under "3. Bread" is a line of text.
    bread = split_passages(Document("bread.txt", "3. Bread\n\n1.5 Litres of water\nMix it with the flour.\n", "x", "utf-8"), 1200)
    assert any(p.text.startswith("1.5 Litres of water") for p in bread)
