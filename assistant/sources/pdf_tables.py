"""A PDF's tables drawn a cell at a time read back a row a line: pypdf gives such a table (reportlab's,
and many writers') a line a cell, in the order they were drawn, each with where it stands on the page
(``pdf_pages.PdfLine``). Cells side by side at one height are a row, written between bars as a text file
writes one ("| Bitumen | 16 | 44.6 |"), so that ``structure`` cuts the table into rows read under their
columns' names, and its first row is ruled off as the header where it names the columns.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from . import structure

if TYPE_CHECKING:
    from .pdf_pages import PdfLine

# A row's cells start within this many font sizes of the height of its first (aligned to the row's top,
# bottom or middle), each right of the one before it by more than CELL_X_TOLERANCE points.
ROW_SPAN = 3.0
CELL_X_TOLERANCE = 1.0
# A cell's wrapped lines start within this many font sizes of where its first does (centred lines
# shift), each at most CELL_LINE_GAP font sizes below the one before; a row's first cell wraps over at
# most FIRST_CELL_LINES lines before the next cell stands beside it.
WRAP_X_SHIFT = 2.0
CELL_LINE_GAP = 2.5
FIRST_CELL_LINES = 4
# The font sizes of one table's cells differ by no more than this many points.
SIZE_TOLERANCE = 0.5
# A table of two columns whose second column's cells do not start in one place (a line of prose drawn in
# two pieces, twice, looks like two such rows) needs this many rows.
LOOSE_TWO_COLUMN_ROWS = 3


def table_rows(lines: list[PdfLine]) -> list[PdfLine]:
    """A page's lines with each row of a table one line, its cells in order between bars ("| a | b |", a
    cell's wrapped lines joined with a space), as a text file writes a table: pypdf gives a table drawn
    a cell at a time (as reportlab and many writers draw them) as a line a cell, and a student's tables
    of results were read as "mean (°C) Bitumen 16 44.6 64.3 17.9 Gravel 8 ...", rows run together and
    no cell under its column. Only rows of one size in runs of two or more of as many cells, their
    columns in one order (``_aligned``), are a table, and of two columns only in one place or in three
    rows (``_is_table``): a line of prose drawn in two pieces is none."""
    rows: list[tuple[int, int, list[list[PdfLine]]]] = []  # (first line, after the last, cells)
    i = 0
    while i < len(lines):
        found = _row_at(lines, i)
        if found is None:
            i += 1
            continue
        cells, end = found
        rows.append((i, end, cells))
        i = end

    def next_to(end: int, start: int) -> bool:  # nothing but empty lines between
        return end <= start and not any(line.text for line in lines[end:start])

    kept: dict[int, tuple[int, list[list[PdfLine]]]] = {}
    for k, (start, end, cells) in enumerate(rows):
        above = rows[k - 1] if k > 0 else None
        below = rows[k + 1] if k + 1 < len(rows) else None
        if (above is not None and next_to(above[1], start) and _aligned(above[2], cells)) or (
            below is not None and next_to(end, below[0]) and _aligned(cells, below[2])
        ):
            kept[start] = (end, cells)
    out: list[PdfLine] = []
    i = 0
    while i < len(lines):
        if i not in kept:
            out.append(lines[i])
            i += 1
            continue
        table: list[list[list[PdfLine]]] = []
        start = i
        while i in kept:
            end, cells = kept[i]
            table.append(cells)
            i = end
            # The empty lines between two rows are none of the table's (a paragraph's break to pypdf).
            i = next((j for j in kept if j >= i and next_to(i, j)), i)
        if not _is_table(table):
            out += lines[start:i]
            continue
        texts = [[" ".join(line.text for line in cell) for cell in cells] for cells in table]
        for number, (cells, row) in enumerate(zip(table, texts)):
            # Written as Markdown writes a row, between bars: a row of two cells is a row too.
            out.append(replace(cells[0][0], text=f"| {' | '.join(row)} |", cells=len(row)))
            if number == 0 and _names_columns(texts):
                # The rule a text file writes under a header, so that its rows are read under its names.
                out.append(replace(cells[0][0], text="|" + " --- |" * len(row), cells=len(row)))
    return out


def _names_columns(rows: list[list[str]]) -> bool:
    """Whether a table's first row names its columns: none of its cells is a value, and every row under
    it holds one (a table's header in a PDF need not open with capitals, and its units hold digits:
    "Model | R² | RMSE (µg m-3) | MBE (µg m-3)" over "Linear | 0.66 | 15.8 | +0.9")."""
    first, rest = rows[0], rows[1:]
    return (
        bool(rest)
        and all(cell and not structure.is_value(cell) for cell in first)
        and all(any(structure.is_value(cell) for cell in row) for row in rest)
    )


def _row_at(lines: list[PdfLine], i: int) -> tuple[list[list[PdfLine]], int] | None:
    """The cells of a table's row that starts at line ``i``, and the line after it: a line further right
    within a few lines' height of the row's first is its next cell (cells aligned to the row's top, its
    bottom or its middle), a line under a cell's last, starting about where the cell does (a wrapped
    line, left-aligned or centred), that cell's; None where no second cell stands beside the first."""
    top = lines[i]
    if not top.text or top.y is None or top.x is None or structure.is_caption(top.text):
        return None
    cells = [[top]]
    j = i + 1
    while j < len(lines):
        line, cell = lines[j], cells[-1]
        if not line.text or line.y is None or line.x is None or cell[0].x is None or cell[-1].y is None:
            break
        if structure.is_caption(line.text):  # a table's caption ("Table 1. Sites.") is no cell of it
            break
        size = line.size or 10.0
        if not _same_size(line, top):  # a table's cells are set in one size: a heading above is none
            break
        if line.x > cell[0].x + CELL_X_TOLERANCE and abs(line.y - top.y) <= ROW_SPAN * size:
            cells.append([line])
        elif abs(line.x - cell[0].x) <= WRAP_X_SHIFT * size and 0 < cell[-1].y - line.y <= CELL_LINE_GAP * size:
            if len(cells) == 1 and len(cell) >= FIRST_CELL_LINES:
                return None  # lines of text one under the other, no cell beside them
            cell.append(line)
        else:
            break
        j += 1
    return (cells, j) if len(cells) >= 2 else None


def _same_size(line: PdfLine, other: PdfLine) -> bool:
    return line.size is None or other.size is None or abs(line.size - other.size) <= SIZE_TOLERANCE


def _is_table(rows: list[list[list[PdfLine]]]) -> bool:
    """Whether rows side by side are a table: of three columns or more, or of two whose second column
    starts in one place, or of two in three rows or more (prose drawn in two pieces a line is no table)."""
    if len(rows[0]) > 2 or len(rows) >= LOOSE_TWO_COLUMN_ROWS:
        return True
    starts = [row[1][0].x or 0.0 for row in rows]
    return max(starts) - min(starts) <= CELL_X_TOLERANCE


def _aligned(upper: list[list[PdfLine]], lower: list[list[PdfLine]]) -> bool:
    """Whether two rows are rows of one table: as many cells, each of the lower row's standing left of
    the upper row's next cell and right of its cell before (a column's cells may be aligned left,
    right or centred)."""
    if len(upper) != len(lower):
        return False
    xs_up = [cell[0].x or 0.0 for cell in upper]
    xs_low = [cell[0].x or 0.0 for cell in lower]
    return all(xs_low[k] < xs_up[k + 1] and xs_up[k] < xs_low[k + 1] for k in range(len(xs_up) - 1))
