"""A spreadsheet saved as delimited text (``.csv``, ``.tsv``) read as a table: a record a row written
with "|" between its cells, the rule under the first row where it names the columns, as HTML's and
Word's tables are read (``structure.table_text``), so that it is cut into passages of rows and each row
is read under its columns' names ("| INV-1042 | Acme Ltd | 1,250.00 |" under "Invoice · Customer ·
Amount"). Read as plain text, a row was a line of commas whose cells nobody could tell apart.

The text indexed is the table, not the file's bytes (quotes, delimiters and a cell's line breaks are the
file's way of writing cells), so citations carry the file's line of each record as HTML's do
(``ExtractedText.file_lines``): a record quoted in the answer is cited at the line it starts on.
"""

from __future__ import annotations

import csv
import re

from .formats import ExtractedText
from .structure import is_value, table_text

TSV_SUFFIXES = (".tsv",)
# The delimiters a .csv may use: a comma, a semicolon (where the comma is the decimal point), a tab, a bar.
_DELIMITERS = ",;\t|"
# How much of the file is looked at to tell its delimiter.
_SAMPLE_CHARS = 65_536
# A year, which a column may be named by.
_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")
# A bar inside a cell would cut it in two in a row written with bars.
_BAR_IN_CELL = "¦"


def _records(text: str, suffix: str) -> tuple[list[list[str]], list[int]]:
    """The file's records that hold a cell with text, each with the line it starts on; ``csv.Error``
    where the csv module cannot read them."""
    # The file's lines as every other reading counts them: ended by "\n" ("\r\n" is the csv module's).
    file_lines = (line + "\n" for line in text.split("\n"))
    reader = csv.reader(file_lines, delimiter=delimiter_of(text, suffix.lower()), strict=False)
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    for record in reader:
        cells = [_cell(cell) for cell in record]
        if any(cells):
            rows.append(cells)
            lines.append(start)
        start = reader.line_num + 1
    return rows, lines


def delimiter_of(text: str, suffix: str) -> str:
    """The character between a file's cells: a tab for .tsv; for .csv the one of ``_DELIMITERS`` its
    first lines use alike (a comma where none does, as in a file of one column)."""
    if suffix in TSV_SUFFIXES:
        return "\t"
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only: a cut record would mislead the sniffer
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _cell(text: str) -> str:
    """A cell's text on one line: its line breaks and runs of spaces one space, a bar a broken bar."""
    return " ".join(text.split()).replace("|", _BAR_IN_CELL)


def names_columns(rows: list[list[str]]) -> bool:
    """Whether a file's first row names its columns: there are rows under it, and none of its cells is
    empty, the name of another column, or a value (a number, a date, an amount) but a year over a column
    of other values ("Country,2019,2020" over "France,1.2,1.3")."""
    if len(rows) < 2:
        return False
    first, second = rows[0], rows[1]
    named = [cell for cell in first if cell]
    return (
        len(named) == len(first)
        and len(set(named)) == len(named)
        and all(not is_value(cell) or _is_year_over_values(cell, below) for cell, below in zip(first, second))
    )


def _is_year_over_values(cell: str, below: str) -> bool:
    return bool(_YEAR.match(cell)) and not _YEAR.match(below)


def delimited_text(text: str, suffix: str) -> ExtractedText:
    """A delimited file's records as a table's rows, with the file's line each record starts on. A
    record of empty cells is no row, nor a column empty in every record (a spreadsheet's trailing
    delimiters); a file of one column is read as its lines of text. A file the csv module cannot read
    as records (a quote never closed that swallows the rest past its field limit, lines ended by "\r"
    alone) is read as plain text, with a note saying so: one odd file never stops a build."""
    line_count = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    try:
        rows, lines = _records(text, suffix)
    except csv.Error as error:
        return ExtractedText(text, notes=(f"not read as a table ({error}); read as plain text",))
    if not rows:
        return ExtractedText("", file_line_count=line_count)
    width = max(len(cells) for cells in rows)
    rows = [cells + [""] * (width - len(cells)) for cells in rows]  # a short record's last cells are empty
    used = [k for k in range(width) if any(cells[k] for cells in rows)]
    rows = [[cells[k] for k in used] for cells in rows]
    if len(used) == 1:  # one column, or one and a trailing delimiter on each line ("Buy milk,")
        body = "\n\n".join(cells[0] for cells in rows) + "\n"
        marks, offset = [], 0
        for cells, line in zip(rows, lines):
            marks.append((offset, line))
            offset += len(cells[0]) + 2
        return ExtractedText(body, file_lines=tuple(marks), file_line_count=line_count)
    body, starts = table_text(rows, names_columns(rows))
    # Each row's "| " stands on the line its record starts on (the rule under the header on the header's).
    marks = tuple((row_starts[0] - 2, line) for row_starts, line in zip(starts, lines))
    return ExtractedText(body + "\n", file_lines=marks, file_line_count=line_count)
