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
    # A list's items a line each, numbered as Word numbers them (a bullet as Markdown marks one); then
    # the table, its header ruled off.
    assert (
        "1. Check the team calendar for clashes.\n2. Ask your manager in the HR portal at least two weeks ahead.\n"
        "3. Wait for approval before booking travel.\n- Bring a doctor's note after seven days of sickness." in text
    )
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


def _docx(document_xml: bytes, compression: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", document_xml)
    return out.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _body(inner: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{inner}</w:body></w:document>'.encode()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _corrupted(data: bytes) -> bytes:
    """A deflated .docx with its document's compressed bytes damaged (a bad download)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + 5
    return data[:at] + bytes(b ^ 0x5A for b in data[at : at + 40]) + data[at + 40 :]


def test_what_word_wraps_or_leaves_out_is_read_as_word_shows_it():
    """Content controls and custom XML (a company template's) are read in their place; tracked
    deletions and field codes are not read; a merged cell leaves its columns after it empty."""
    inner = (
        _p("Intro.")
        + f"<w:sdt><w:sdtPr><w:alias w:val='Policy'/></w:sdtPr><w:sdtContent>{_p('Leave is 25 days.')}</w:sdtContent></w:sdt>"
        + f"<w:customXml>{_p('Notice is one month.')}</w:customXml>"
        + "<w:p><w:r><w:t>Kept </w:t></w:r><w:del><w:r><w:delText>removed </w:delText></w:r></w:del>"
        + "<w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>words.</w:t></w:r></w:p>"
        + "<w:tbl><w:tr><w:tc>" + _p("A") + "</w:tc><w:tc>" + _p("B") + "</w:tc><w:tc>" + _p("C") + "</w:tc></w:tr>"
        + "<w:tr><w:tc><w:tcPr><w:gridSpan w:val='2'/></w:tcPr>" + _p("wide") + "</w:tc>"
        + "<w:sdt><w:sdtContent><w:tc>" + _p("z") + "</w:tc></w:sdtContent></w:sdt></w:tr></w:tbl>"
    )
    text = docx_text(_docx(_body(inner))).text
    assert text == "Intro.\n\nLeave is 25 days.\n\nNotice is one month.\n\nKept words.\n\n| A | B | C |\n| wide |  | z |\n"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "not a Word document that can be read"),  # an old .doc, renamed
        (HANDBOOK[: len(HANDBOOK) // 2], "not a Word document that can be read"),  # cut short
        (_docx(b"<w:document><w:body><w:p/></w:body></w:document>"), "damaged Word document"),  # no namespace
        (_docx(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d>&a;</d>'), "declares entities"),
        (_corrupted(_docx(_body(_p("Leave is 25 days. " * 200)), zipfile.ZIP_DEFLATED)), "damaged Word document"),
        (_docx(b'<?xml version="1.0" encoding="x-nope"?><d/>'), "damaged Word document"),
    ],
    # Named, not by their bytes: a zip holds the time it was written, so two test workers collecting a
    # second apart saw different tests ("Different tests were collected between gw0 and gw1").
    ids=["old-doc", "cut-short", "no-namespace", "entities", "corrupted", "unknown-encoding"],
)
def test_a_file_that_is_no_readable_word_document_is_one_reason(data, reason):
    with pytest.raises(UnreadableSourceError, match=reason):
        docx_text(data)


NUMBERING = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}>'
    '<w:abstractNum w:abstractNumId="0">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1.%2)"/></w:lvl>'
    '</w:abstractNum><w:abstractNum w:abstractNumId="1">'
    '<w:lvl w:ilvl="0"><w:start w:val="4"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="Part %1:"/></w:lvl>'
    '</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    "</w:numbering>"
)


def _item(text: str, list_id: str, level: int = 0) -> str:
    return f"<w:p><w:pPr><w:numPr><w:ilvl w:val='{level}'/><w:numId w:val='{list_id}'/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"


def test_a_word_list_s_items_are_numbered_as_word_numbers_them():
    """"Step 2" and "clause 1.b" are what a reader of the document asks about."""
    inner = (
        _item("Open the portal.", "1") + _item("Choose a date.", "1") + _item("A half day counts half.", "1", 1)
        + _item("Weekends do not count.", "1", 1) + _item("Submit.", "1") + _item("Again from a.", "1", 1)
        + _item("The fourth part.", "2") + _item("The fifth.", "2")
        + "<w:p><w:pPr><w:numPr><w:numId w:val='0'/></w:numPr></w:pPr><w:r><w:t>Not an item.</w:t></w:r></w:p>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("word/document.xml", _body(inner))
        package.writestr("word/numbering.xml", NUMBERING)
    assert docx_text(out.getvalue()).text == (
        "1. Open the portal.\n2. Choose a date.\n2.a) A half day counts half.\n2.b) Weekends do not count.\n"
        "3. Submit.\n3.a) Again from a.\nPart IV: The fourth part.\nPart V: The fifth.\n\nNot an item.\n"
    )


def test_a_merged_cell_of_an_absurd_span_is_one_cell():
    row = "<w:tr><w:tc><w:tcPr><w:gridSpan w:val='400000000'/></w:tcPr>" + _p("x") + "</w:tc><w:tc>" + _p("y") + "</w:tc></w:tr>"
    assert docx_text(_docx(_body(f"<w:tbl>{row}{row}</w:tbl>"))).text == "| x | y |\n| x | y |\n"


def test_a_broken_word_document_is_skipped_and_the_rest_indexed(tmp_path):
    config = write_project(
        tmp_path / "p", sources={"broken.docx": b"PK\x03\x04 not really", "note.txt": "The lighthouse was built in 1838.\n"}
    )
    report = Assistant.open(config).build_index()
    assert [(s.source, "not a Word document" in s.reason) for s in report.skipped] == [("broken.docx", True)]
    assert report.files == 1
