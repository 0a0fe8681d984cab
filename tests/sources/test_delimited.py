"""Spreadsheets saved as text (.csv, .tsv): read as tables, a record a row under its columns' names, and
cited at the file's line each record starts on."""

from __future__ import annotations

import pytest

from assistant.sources.delimited import delimited_text, names_columns
from assistant.sources.documents import extracted_source, read_source_text
from assistant.sources.formats import FileLines, lines_are_the_files

from projects import built_project

INVOICES = (
    "invoice_id,customer,issued,amount_gbp,status,notes\n"
    "INV-1040,Acme Ltd,2025-01-14,\"1,250.00\",paid,\n"
    "INV-1041,Blue Heron Cafe,2025-02-03,380.50,overdue,\"Reminder sent 3 March;\nsecond reminder 17 March\"\n"
    "\n"
    "INV-1042,Acme Ltd,2025-03-10,\"2,100.00\",paid,Paid by bank transfer\n"
    "INV-1043,Northwind Traders,2025-03-28,975.00,unpaid,Due 27 April\n"
)


def _lines(extracted) -> list[tuple[str, int]]:
    """Each line of the table's text with the file's line it stands on."""
    lines, offset, file_lines = [], 0, FileLines(extracted.file_lines)
    for line in extracted.text.splitlines():
        lines.append((line, file_lines.line_of(offset)))
        offset += len(line) + 1
    return lines


def test_a_csv_file_is_a_table_its_records_on_the_lines_they_start_on():
    extracted = delimited_text(INVOICES, ".csv")
    assert _lines(extracted) == [
        ("| invoice_id | customer | issued | amount_gbp | status | notes |", 1),
        ("| --- | --- | --- | --- | --- | --- |", 1),
        ("| INV-1040 | Acme Ltd | 2025-01-14 | 1,250.00 | paid |  |", 2),
        # A cell's line break is a space: a record is one row, cited where it starts.
        ("| INV-1041 | Blue Heron Cafe | 2025-02-03 | 380.50 | overdue | Reminder sent 3 March; second reminder 17 March |", 3),
        # The blank line is no row, and the lines after it keep their numbers.
        ("| INV-1042 | Acme Ltd | 2025-03-10 | 2,100.00 | paid | Paid by bank transfer |", 6),
        ("| INV-1043 | Northwind Traders | 2025-03-28 | 975.00 | unpaid | Due 27 April |", 7),
    ]
    assert extracted.file_line_count == 7
    assert not lines_are_the_files("invoices.csv") and not lines_are_the_files("air.TSV")


@pytest.mark.parametrize(
    "text, suffix, rows",
    [
        # A semicolon where the comma is the decimal point; a tab in a .tsv; a bar in a cell is no edge.
        ("Name;Salary (EUR)\nAnna Weber;52.000,50\n", ".csv", ["| Name | Salary (EUR) |", "| --- | --- |", "| Anna Weber | 52.000,50 |"]),
        ("site\tno2\nMitte\t44\n", ".tsv", ["| site | no2 |", "| --- | --- |", "| Mitte | 44 |"]),
        ("part,note\nP-1,\"left | right\"\n", ".csv", ["| part | note |", "| --- | --- |", "| P-1 | left ¦ right |"]),
        # A first row of values names no columns; a short record's last cells are empty.
        ("2025-01-14,1250.00,paid\n2025-02-03,380.50\n", ".csv", ["| 2025-01-14 | 1250.00 | paid |", "| 2025-02-03 | 380.50 |  |"]),
    ],
    ids=["semicolon", "tab", "bar-in-cell", "no-header"],
)
def test_delimiters_headers_and_cells_are_read_as_written(text, suffix, rows):
    assert delimited_text(text, suffix).text.splitlines() == rows


def test_a_file_of_one_column_is_read_as_its_lines_of_text():
    extracted = delimited_text("Buy milk before Friday.\n\nCall the plumber about the boiler.\n", ".csv")
    assert extracted.text == "Buy milk before Friday.\n\nCall the plumber about the boiler.\n"
    assert [line for text, line in _lines(extracted) if text] == [1, 3]
    # A spreadsheet's trailing delimiter makes no second column: still the lines of text.
    trailing = delimited_text("Buy milk before Friday,\nCall the plumber about the boiler,\n", ".csv")
    assert trailing.text == "Buy milk before Friday\n\nCall the plumber about the boiler\n"
    assert [line for text, line in _lines(trailing) if text] == [1, 2]


def test_a_header_names_columns_once_each_and_holds_no_values():
    assert names_columns([["Name", "Start date", "Salary (EUR)"], ["Anna Weber", "01.03.2021", "52.000"]])
    assert names_columns([["Country", "2019", "2020"], ["France", "1.2", "1.3"]])  # years over values
    assert not names_columns([["Name", "Start date"]])  # nothing under it
    assert not names_columns([["Anna Weber", "01.03.2021"], ["Jonas Keller", "15.08.2019"]])
    assert not names_columns([["Anna Weber", "2021"], ["Jonas Keller", "2019"]])  # a year over years
    assert not names_columns([["Name", ""], ["a", "b"]])
    assert not names_columns([["x", "x"], ["a", "b"]])


def test_a_spreadsheet_row_is_answered_under_its_columns_and_cited_at_its_line(tmp_path):
    assistant = built_project(
        tmp_path / "accounts", {"invoices.csv": INVOICES, "staff.tsv": "Name\tRole\tStart date\nJonas Keller\tWarehouse lead\t15.08.2019\n"}
    )
    root = tmp_path / "accounts" / "sources"
    answer = assistant.ask("What is the status of Northwind's invoice?")
    first = answer.snippets[0]
    assert first.citation.source == "invoices.csv"
    assert first.text == "| INV-1043 | Northwind Traders | 2025-03-28 | 975.00 | unpaid | Due 27 April |"
    assert first.citation.line_start == 7  # the file's own line, past the record of two lines
    assert first.answer is not None and first.answer.text == "unpaid"
    text = read_source_text(root, "invoices.csv")
    assert text[first.citation.start : first.citation.end] == first.text
    assert text[first.answer.start : first.answer.end] == "unpaid"
    assert extracted_source(root, "invoices.csv").text == text
    # The JSON says which columns the row's cells stand under, as the CLI prints them.
    passage = answer.to_json_dict()["snippets"][0]["passage"]
    assert passage["kind"] == "table" and passage["title"].endswith("invoice_id · customer · issued · amount_gbp · status · notes")

    started = assistant.ask("When did Jonas Keller start?").snippets[0]
    assert (started.citation.source, started.citation.line_start) == ("staff.tsv", 2)
    assert started.answer is not None and started.answer.text == "15.08.2019"


def test_a_binary_file_named_csv_is_skipped_and_a_windows_one_read_with_a_note(tmp_path):
    from assistant import Assistant
    from projects import write_project

    config = write_project(
        tmp_path / "p",
        sources={"export.csv": b"\x00\x01\x02PK\x03\x04" * 50, "prices.csv": "item,price\ncaf\xe9 cr\xe8me,\xa33.20\n".encode("cp1252")},
    )
    report = Assistant.open(config).build_index()
    notes = {note.source: note.reason for note in report.skipped}
    assert notes["export.csv"].startswith("binary file")
    assert notes["prices.csv"] == "not UTF-8; read as cp1252"  # a warning: it is indexed
    assert "| café crème | £3.20 |" in read_source_text(tmp_path / "p" / "sources", "prices.csv")


def test_a_file_the_csv_module_cannot_read_is_plain_text_with_a_warning_and_the_build_goes_on(tmp_path):
    from assistant import Assistant
    from projects import write_project

    unclosed = "id,note\n1,\"Acme, never closed\n" + "2,row\n" * 22_000  # the rest one field, past the csv module's limit
    config = write_project(tmp_path / "p", sources={"export.csv": unclosed, "mac.csv": "a,b\r1,2\r", "notes.txt": "The backup runs at night.\n"})
    assistant = Assistant.open(config)
    report = assistant.build_index()
    notes = {note.source: note.reason for note in report.skipped}
    assert notes["export.csv"].startswith("not read as a table (field larger than field limit")
    assert notes["mac.csv"].startswith("not read as a table (new-line character seen in unquoted field")
    assert notes["export.csv"].endswith("read as plain text") and report.files == 3
    assert assistant.ask("When does the backup run?").snippets[0].citation.source == "notes.txt"


def test_columns_empty_in_every_record_are_none_and_values_are_told_in_linear_time():
    from assistant.sources.structure import is_value

    # Excel's trailing delimiter on every line left an empty last column: the header was no header.
    assert delimited_text("name,role,\nAlice,Engineer,\nBob,Chef,\n", ".csv").text.splitlines()[:2] == ["| name | role |", "| --- | --- |"]
    assert is_value("1,250.00") and is_value("2025-03-14") and not is_value("R2") and not is_value("-")
    assert not is_value("1" * 100_000 + "x")  # a regular expression that backtracked took seconds
