"""Lines of a source's text read back as its citations count them: a text's own lines, an HTML file's
lines (through the text standing on them), a PDF's counted from the top of a page."""

from __future__ import annotations

from ..errors import QuestionError
from ..models import SourceExcerpt, counted
from .formats import ExtractedText, FileLines
from .lines import LineTable, PageLines


def source_excerpt(
    source: str, extracted: ExtractedText, line_start: int | None = None, line_end: int | None = None, page: int | None = None
) -> SourceExcerpt:
    """Lines ``line_start``..``line_end`` (1-based, inclusive) of a source's text, the whole text with
    neither; with ``page``, a PDF's lines counted from its top. ``QuestionError`` for lines the text does
    not have, a page of a source without pages, or a PDF's lines without their page."""
    if page is not None and not extracted.page_starts:
        raise QuestionError(f"{source} has no pages: leave out the page")
    if page is None and extracted.page_starts and (line_start is not None or line_end is not None):
        # Its lines are counted from each page's top: a line number alone names a line on every page.
        asked = "-".join(str(n) for n in dict.fromkeys(n for n in (line_start, line_end) if n is not None))
        raise QuestionError(f"{source} counts its lines from the top of each page: pass the page with them (page=2 for {source}:p2:{asked})")
    if extracted.file_lines:  # HTML's lines are the file's (a line of markup alone reads as no text)
        return _file_lines_excerpt(source, extracted, line_start, line_end)
    return _text_lines_excerpt(source, extracted, line_start, line_end, page)


def _checked_lines(source: str, line_start: int | None, line_end: int | None, lines: int, within: bool = True) -> tuple[int, int]:
    """The lines asked for, ``lines`` the default end; ``QuestionError`` for lines out of order, or
    ``within`` the text's ``lines``, past them (a page's were checked against the page and the rest)."""
    first = 1 if line_start is None else line_start
    last = lines if line_end is None else line_end
    if first < 1:
        raise QuestionError(f"line_start must be at least 1 (got {first})")
    if within and max(first, last) > lines:
        raise QuestionError(f"{source} has {counted(lines, 'line')}: line {max(first, last)} is past its end")
    if last < first:
        raise QuestionError(f"line_end {last} is before line_start {first}")
    return first, last


def _file_lines_excerpt(source: str, extracted: ExtractedText, line_start: int | None, line_end: int | None) -> SourceExcerpt:
    """The text standing on an HTML file's lines ``line_start``..``line_end``."""
    text, lines = extracted.text, extracted.file_line_count
    first, last = _checked_lines(source, line_start, line_end, lines)
    start, end = FileLines(extracted.file_lines).span_of(first, last, len(text))
    end = start + len(text[start:end].rstrip())
    return SourceExcerpt(source=source, text=text[start:end], start=start, end=end, line_start=first, line_end=last, lines=lines)


def _text_lines_excerpt(
    source: str, extracted: ExtractedText, line_start: int | None, line_end: int | None, page: int | None
) -> SourceExcerpt:
    """Lines of a text whose lines are its own, counted from the top of ``page`` where one is given."""
    text = extracted.text
    table = LineTable.of(text)
    before, lines = 0, table.count
    if page is not None:
        pages = PageLines.of(table, extracted.page_starts)
        if not 1 <= page <= pages.pages:
            raise QuestionError(
                f"page must be at least 1 (got {page})" if page < 1 else f"{source} has {counted(pages.pages, 'page')}: page {page} is past its end"
            )
        before, lines = pages.before[page - 1], pages.lines_on(page)
        if lines == 0:
            raise QuestionError(f"page {page} of {source} has no text")
        if line_start is not None and line_start > lines:  # a line of the page, though the end may run on
            raise QuestionError(f"page {page} of {source} has {counted(lines, 'line')}: line {line_start} is past its end")
        if line_end is not None and line_end > table.count - before:
            raise QuestionError(f"{source} has {counted(table.count - before, 'line')} from the top of page {page}: line {line_end} is past its end")
        first, last = _checked_lines(source, line_start, line_end, lines, within=False)
    else:
        first, last = _checked_lines(source, line_start, line_end, lines)
    starts = table.starts
    end = len(text)
    if (line_end is not None or page is not None) and before + last < len(starts):  # up to the last line's break, not through it
        at = starts[before + last]
        end = at - (2 if text[at - 2 : at] == "\r\n" else 1)
    start = starts[before + first - 1]
    # The whole of a paged text (a PDF's lines are asked with their page): where its pages begin.
    whole = page is None and line_start is None and line_end is None
    return SourceExcerpt(
        source=source, text=text[start:end], start=start, end=end, line_start=first, line_end=last, lines=lines, page=page,
        page_starts=tuple(extracted.page_starts) if whole else (),
    )
