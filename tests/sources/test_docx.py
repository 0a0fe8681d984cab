"""Word documents (.docx): read as a person reads them, cited in the text read out of them, and a file
that is not one skipped with a reason."""

from __future__ import annotations

import io
import zipfile

import pytest

from assistant import Assistant
from assistant.errors import UnreadableSourceError
from assistant.sources.docx import docx_text
from assistant.sources.documents import read_source_text

from projects import DATA, write_project

HANDBOOK = (DATA / "handbook.docx").read_bytes()


def test_a_word_document_reads_as_paragraphs_headings_items_and_a_table():
    extracted = docx_text(HANDBOOK)
    text = extracted.text
    headings = [text[h : text.index("\n", h)] for h in extracted.headings]
    assert headings == ["Staff Handbook: Leave", "Annual leave", "How to book leave", "Entitlements"]
    # The bold run is the sentence's, not a paragraph of its own.
    assert "Full-time UK employees receive 25 days of annual leave per year, plus bank holidays." in text
    # A list's items a line each, marked as Markdown marks them; then the table, its header ruled off.
    assert "- Check the team calendar for clashes.\n- Ask your manager in the HR portal at least two weeks ahead.\n" in text
    assert "| Leave type | UK entitlement | US entitlement |\n| --- | --- | --- |\n| Annual leave | 25 days | 15 days |" in text
    # A line break inside a paragraph is a new line of it.
    assert "Questions go to Priya Nair in Operations.\nPhone: 0161 555 0199" in text


def test_a_word_document_is_answered_and_cited_in_its_text(tmp_path):
    config = write_project(tmp_path / "handbook", sources={"handbook.docx": HANDBOOK})
    assistant = Assistant.open(config)
    report = assistant.build_index()
    assert not report.skipped
    text = read_source_text(tmp_path / "handbook" / "sources", "handbook.docx")
    answer = assistant.ask("How many sick days do US employees get?")
    first = answer.snippets[0]
    assert first.citation.source == "handbook.docx"
    assert first.text.startswith("| Sick leave |"), first.text
    # The table's row is read under its columns' names: the US cell, not the UK one, is the mark.
    assert first.answer is not None and first.answer.text in ("6", "6 days")
    assert text[first.citation.start : first.citation.end] == first.text
    assert text[first.answer.start : first.answer.end] == first.answer.text
    assert text.index("| 6 days |", first.citation.start) + 2 == first.answer.start
    lines = text.splitlines()
    assert lines[first.citation.line_start - 1].startswith("| Sick leave |")


def _docx(document_xml: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", document_xml)
    return out.getvalue()


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "not a Word document that can be read"),  # an old .doc, renamed
        (HANDBOOK[: len(HANDBOOK) // 2], "not a Word document that can be read"),  # cut short
        (_docx(b"<w:document><w:body><w:p/></w:body></w:document>"), "damaged Word document"),  # no namespace
        (_docx(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'), "declares entities"),
    ],
)
def test_a_file_that_is_no_readable_word_document_is_one_reason(data, reason):
    with pytest.raises(UnreadableSourceError, match=reason):
        docx_text(data)


def test_a_broken_word_document_is_skipped_and_the_rest_indexed(tmp_path):
    config = write_project(
        tmp_path / "p", sources={"broken.docx": b"PK\x03\x04 not really", "note.txt": "The lighthouse was built in 1838.\n"}
    )
    report = Assistant.open(config).build_index()
    assert [(s.source, "not a Word document" in s.reason) for s in report.skipped] == [("broken.docx", True)]
    assert report.files == 1
