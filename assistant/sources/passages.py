"""Split a document into passages and sentences with exact character spans and line numbers."""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath

from ..models import Passage, Sentence
from . import structure
from .documents import Document
from .formats import MARKDOWN_SUFFIXES, FileLines
from .lines import LineTable, PageLines

# A paragraph whose lines are this long on average is one paragraph per line (unwrapped prose).
UNWRAPPED_LINE_CHARS = 160
# No sentence is longer than this (nor than the passage limit): text without sentence ends (a log,
# a table flattened to one line, a run of words with no full stop) is cut at a clause mark or a space
# near the limit, so that it neither swamps an answer nor ranks for everything.
SENTENCE_MAX_CHARS = 600
# A table's passage holds rows up to this many characters: rows are short and dense with digits and
# bars (a token every two or three characters), so a passage of prose's length would fill two or three
# of the model's windows, and one row among a dozen is still the passage's own.
TABLE_PASSAGE_CHARS = 400
# A run of non-blank lines longer than this is read as several blocks, cut at a line break: a log or an
# extracted text with no blank line in it is cut into passages as it is read, never held as one block.
BLOCK_MAX_CHARS = 100_000

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+")
# A line of text without its break (\r\n, \r or \n), and the break.
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|\r|\n|$)")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]*[\"'”’»)\]]*\s*$")
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft vs etc e.g i.e cf al fig figs no nos vol vols pp approx
    inc ltd co corp gen col lt sgt capt cmdr adm gov sen rep rev hon pres jan feb mar apr jun jul aug
    sep sept oct nov dec u.s u.k u.n e.u a.m p.m ca c op ed eds dept univ est""".split()
)


def is_abbreviation(before: str) -> bool:
    """Whether the full stop ending ``before`` ends an abbreviation ("Dr.", "U.S.", the "J." of "J.
    Smith"), not a sentence."""
    match = _WORD_BEFORE.search(before)
    if not match:
        return False
    if before[max(match.start() - 1, 0) : match.start()] in ("°", "º"):
        return False  # a unit of degrees ("34 °C."), not an initial nor "c." (circa)
    word = match.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # An initial such as the "J." in "J. Smith", or "U.S." spelled with dots.
    letters = word.replace(".", "")
    return len(letters) == 1 and letters.isalpha() or ("." in word and all(len(p) <= 1 for p in word.split(".")))


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence boundaries within ``text[start:end]`` as absolute (start, end) pairs, whitespace trimmed:
    each item of a list a sentence of its own (or more), its marker ("- ", "2. ") in none of them; each
    labelled line too ("Model number: KDW-614X")."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    before: str | None = None  # the line before, None at the paragraph's first
    in_list = False
    in_fields = False  # the lines so far a form's fields ("Model number: KDW-614X") and their run-ons
    for line in _LINE.finditer(text, start, end):
        line_start = line.start()
        if line_start >= end:
            break
        words = line.group(1)
        item = structure.list_item(words, before, in_list)
        if item is not None:
            spans += _prose_sentence_spans(text, cursor, line_start)
            cursor, in_list = line_start + item.end(), True
        elif in_list and words.strip() and not words[:1].isspace():
            # An unindented line that opens no item ends the list: prose again, from here.
            spans += _prose_sentence_spans(text, cursor, line_start)
            cursor, in_list = line_start, False
        elif not in_list and before and in_fields and structure.opens_field(words):
            # In a run of labelled lines each is a sentence of its own, whatever ends the line before:
            # a form's or a header's fields ("**Policy number:** HLC-4471902" under "**Insured
            # address:** ...") were one sentence, quoted and read as one.
            spans += _prose_sentence_spans(text, cursor, line_start)
            cursor = line_start + len(words) - len(words.lstrip())
        if words.strip() and not words[:1].isspace():
            # An indented line runs on the field above, and so does a line after one left open ("Retailer:
            # HomeElec Direct, Cribbs Causeway,\nBristol BS34 5DG": a PDF's text keeps no indent).
            run_on = in_fields and bool(before) and before.rstrip().endswith((",", ";", "&", "-", "–"))
            in_fields = structure.opens_field(words) or run_on
        before = words
    return spans + _prose_sentence_spans(text, cursor, end)


def _prose_sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence boundaries within ``text[start:end]``, a stretch of prose with no list item inside it."""
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        following = text[match.end() : match.end() + 2]
        if match.end() >= end or not following:
            break
        first = following[0]
        if first in "\"'“‘«([" and len(following) > 1:
            first = following[1]
        if not (first.isupper() or first.isdigit()):
            continue
        if text[match.start()] == "." and is_abbreviation(text[cursor : match.start() + 1]):
            continue
        stop = match.end()
        while stop > match.start() and text[stop - 1].isspace():
            stop -= 1
        if stop > cursor:
            spans.append((cursor, stop))
        cursor = match.end()
    tail_end = end
    while tail_end > cursor and text[tail_end - 1].isspace():
        tail_end -= 1
    if tail_end > cursor:
        spans.append((cursor, tail_end))
    return spans


_CLAUSE_END = re.compile(r"[;:,)\]]\s+")


def cap_spans(text: str, spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """The spans with every one longer than ``limit`` cut into pieces of at most ``limit`` characters:
    after a clause mark in the second half of the piece, else at the last space in its last two
    thirds, else (no space at all) at the limit itself. Pieces are trimmed of whitespace."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > limit:
            stop = start + limit
            clauses = [m.end() for m in _CLAUSE_END.finditer(text, start + limit // 2, stop)]
            space = max(text.rfind(" ", start + limit // 3, stop), text.rfind("\n", start + limit // 3, stop))
            cut = clauses[-1] if clauses else (space + 1 if space > start else stop)
            piece = _trim(text, start, cut)
            if piece[1] > piece[0]:
                out.append(piece)
            start = _trim(text, cut, end)[0]
        if end > start:
            out.append((start, end))
    return out


def _blocks(text: str) -> Iterator[list[tuple[int, int]]]:
    """Runs of non-blank lines, each line as its (start, end) span without the line break, one at a time;
    a run longer than ``BLOCK_MAX_CHARS`` comes as several, cut between lines."""
    current: list[tuple[int, int]] = []
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if match.start() == len(text) and match.end() == len(text):
            break
        line_end = match.start() + len(match.group(0).rstrip("\r\n"))
        if text[match.start() : line_end].strip():
            if current and line_end - current[0][0] > BLOCK_MAX_CHARS:
                yield current
                current = []
            current.append((match.start(), line_end))
        elif current:
            yield current
            current = []
    if current:
        yield current


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def passage_id(source: str, start: int, end: int) -> str:
    """A stable id: a hash of the source path and the passage's span."""
    return hashlib.sha1(f"{source}\x00{start}\x00{end}".encode()).hexdigest()[:16]


def heading_title(document: Document) -> str | None:
    """The document's first heading, or None when its text does not open with one, or opens with the
    heading of a numbered part ("Chapter 1", "1. Introduction"): that names one part among others, and
    as the document's title it stood over each of them ("Chapter 1 — Chapter 10")."""
    block = next(_blocks(document.text), None)
    if block is None:
        return None
    first = document.text[block[0][0] : block[0][1]]
    if document.headings is not None:  # the format says which lines are headings
        heading = first.strip() if block[0][0] in document.headings else None
    else:
        found = structure.block_heading([document.text[s:e] for s, e in block])
        heading = found[0] if found is not None else None
    return None if heading is None or structure.is_numbered_part(heading) else heading


def document_title(document: Document) -> str:
    """The document's own title: its first heading, else its file name in words."""
    heading = heading_title(document)
    if heading:
        return heading
    stem = PurePosixPath(document.source).stem
    return re.sub(r"[-_]+", " ", stem).strip()


def _chunk_sentences(
    spans: list[tuple[int, int]], max_chars: int, page_of: Callable[[int], int | None] = lambda _offset: None
) -> list[list[tuple[int, int]]]:
    """Runs of sentences of at most ``max_chars`` (a longer sentence alone); with ``page_of``, a run
    never holds a sentence starting on a later page than its first: a PDF's paragraph may run on over a
    page break, and a passage's page (its first's) is the page every citation of it names."""
    chunks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for span in spans:
        turned = current and page_of(span[0]) != page_of(current[0][0])
        if current and (span[1] - current[0][0] > max_chars or turned):
            chunks.append(current)
            current = []
        current.append(span)
    if current:
        chunks.append(current)
    return chunks


def split_passages(document: Document, max_chars: int) -> list[Passage]:
    """A document's passages (``passages_of``), all at once."""
    return list(passages_of(document, max_chars))


def passages_of(document: Document, max_chars: int) -> Iterator[Passage]:
    """Split a document into passages, one at a time as they are cut: paragraphs, long ones cut at
    sentence boundaries, tables cut into runs of rows.

    Headings are not passages; they become the ``title`` of the passages under them. Each passage has a
    kind (``structure``): body text, a caption, a table, the document's metadata header, or references.
    """
    text = document.text
    lines = FileLines(document.file_lines) if document.file_lines else LineTable.of(text)
    numbered = _Numbering(document, lines)
    doc_title = document_title(document)
    headings = None if document.headings is None else frozenset(document.headings)
    fences = structure.fenced_code(text) if document.source.lower().endswith(MARKDOWN_SUFFIXES) else []
    section = ""
    outline: list[tuple[int, str]] = []  # the headings the text stands under, each with its level
    innermost = ""  # the last of them, or the label a paragraph opened with ("Abstract:")
    in_references = False
    for number, (block, is_code) in enumerate(_blocks_and_code(text, fences)):
        if is_code:  # a code block's lines, each a record of its own (its fences are in no passage)
            yield from _record_passages(document, numbered, block, _titled(doc_title, section), "code", max_chars)
            continue
        block_lines = [text[s:e] for s, e in block]
        if number < structure.HEADER_ZONE_BLOCKS and structure.is_metadata(block_lines):
            kind = "metadata"
        else:
            head_lines = 1
            if headings is None:
                head, head_lines = structure.block_heading(block_lines, innermost) or (None, 1)
            else:  # the format says which lines are headings (HTML's h1 to h6)
                head = block_lines[0].strip() if block[0][0] in headings else None
            if head is not None:
                in_references = structure.is_references_title(head)
                outline = _outline(outline, structure.markdown_level(block_lines[0]) if head_lines == 1 else None, head, doc_title)
                section = structure.TITLE_PARTS.join(title for _, title in outline)
                innermost = head if head != doc_title else ""
                block, block_lines = block[head_lines:], block_lines[head_lines:]
                if not block:
                    continue
            kind = "references" if in_references or structure.is_citation_block(block_lines) else "body"
            if kind == "body" and structure.is_contents_block(block_lines):
                kind = "contents"
        for first, last, is_table in structure.table_runs(block_lines):
            run = block[first:last]
            if is_table and kind == "body":
                title = _titled(doc_title, section)
                yield from _table_passages(document, numbered, run, title, max_chars)
                continue
            for p_start, p_end in _paragraphs(text, run):
                if p_end <= p_start:
                    continue
                paragraph_kind = kind
                if kind == "body":
                    label = structure.section_label(text[p_start:p_end])
                    if label is not None:
                        section = innermost = label
                    if structure.is_caption(text[p_start:p_end]):
                        paragraph_kind = "caption"
                spans = cap_spans(text, sentence_spans(text, p_start, p_end), min(SENTENCE_MAX_CHARS, max_chars))
                title = _titled(doc_title, section)
                for chunk in _chunk_sentences(spans, max_chars, document.page_of):
                    yield _passage(document, numbered, chunk, title, paragraph_kind)


def _outline(outline: list[tuple[int, str]], level: int | None, head: str, doc_title: str) -> list[tuple[int, str]]:
    """The headings the text stands under after ``head``: a Markdown heading of ``level`` (its number of
    "#") closes those of its level and below and stands under the ones above ("## [2.3.0] -
    2024-08-27" over "### Changed": a changelog's bullet was titled "Changed", never by its version and
    date); a heading of no known level (plain text's, HTML's) stands under them, after none of its own
    kind; the document's title is none."""
    # One of no level stands under every Markdown heading above it, in place of another such heading.
    above = [(l, title) for l, title in outline if 0 < l and (level is None or l < level)]
    return above + [(level or 0, head)] if head != doc_title else above


def _titled(doc_title: str, section: str) -> str:
    """A passage's title: its document's, then its section's where it is in one."""
    return f"{doc_title}{structure.TITLE_PARTS}{section}" if section else doc_title


def _table_passages(document: Document, numbered: _Numbering, rows: list[tuple[int, int]], title: str, max_chars: int) -> list[Passage]:
    """A table's passages: its rows, a row a sentence, as many as ``TABLE_PASSAGE_CHARS`` holds; the
    header row joins the title of each, and neither it nor the rule under it is a passage."""
    text = document.text
    row_lines = [text[s:e] for s, e in rows]
    header = structure.table_header(row_lines)
    if header:
        title = f"{title}{structure.TITLE_PARTS}{structure.header_words(row_lines[0])}"
    body = [(s, e) for (s, e), line in zip(rows[header:], row_lines[header:]) if not structure.is_table_rule(line)]
    return _record_passages(document, numbered, body, title, "table", max_chars)


def _record_passages(
    document: Document, numbered: _Numbering, lines: list[tuple[int, int]], title: str, kind: str, max_chars: int
) -> list[Passage]:
    """Passages of records (a table's rows, a code block's lines, ``structure.RECORDS``): a line a
    sentence, trimmed, as many as ``TABLE_PASSAGE_CHARS`` holds; they may run on to the next page too."""
    text = document.text
    limit = min(TABLE_PASSAGE_CHARS, max_chars)
    spans = cap_spans(text, [span for span in (_trim(text, s, e) for s, e in lines) if span[1] > span[0]], min(SENTENCE_MAX_CHARS, limit))
    return [_passage(document, numbered, chunk, title, kind) for chunk in _chunk_sentences(spans, limit, document.page_of)]


def _blocks_and_code(text: str, fences: list[tuple[int, int, int, int]]) -> Iterator[tuple[list[tuple[int, int]], bool]]:
    """The text's blocks (``_blocks``), each cut where a fenced code block (``structure.fenced_code``)
    begins or ends: (lines, whether they are code). The fence lines are in neither: a "# comment" of a
    shell script is no heading, and "```" no part of a quote."""
    openings = [fence[0] for fence in fences]

    def kind(line: tuple[int, int]) -> str:
        at = bisect.bisect_right(openings, line[0]) - 1  # the last block opening at or before the line
        if at < 0:
            return "prose"
        opening, code_start, code_end, closing = fences[at]
        if code_start <= line[0] < code_end:
            return "code"
        return "fence" if line[0] < closing else "prose"

    for block in _blocks(text):
        if not fences:
            yield block, False
            continue
        run: list[tuple[int, int]] = []
        run_kind = ""
        for line in block:
            line_kind = kind(line)
            if line_kind != run_kind and run:
                yield run, run_kind == "code"
                run = []
            run_kind = line_kind
            if line_kind != "fence":
                run.append(line)
        if run:
            yield run, run_kind == "code"


def _paragraphs(text: str, block: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A block's paragraphs: each line of unwrapped prose (long lines), else the whole block."""
    mean_line = sum(e - s for s, e in block) / len(block)
    if len(block) > 1 and mean_line >= UNWRAPPED_LINE_CHARS:
        return [_trim(text, s, e) for s, e in block]
    return [_trim(text, block[0][0], block[-1][1])]


class _Numbering:
    """The line numbers a document's passages carry: the file's (HTML's through ``FileLines``), or for a
    paged document (a PDF) counted from the top of the passage's page as the viewer shows it (the blank
    lines between paragraphs count). A passage's sentences all start on its page, so one count serves
    them all; a sentence run on over the page break keeps counting from its own page's top (p10:40-42
    where page 10 has 41)."""

    def __init__(self, document: Document, lines: LineTable | FileLines) -> None:
        self.lines = lines
        self.pages = PageLines.of(lines, document.page_starts) if document.page_starts and isinstance(lines, LineTable) else None

    def line_of(self, offset: int, page: int | None) -> int:
        line = self.lines.line_of(offset)
        return self.pages.on_page(line, page) if self.pages is not None and page is not None else line


def _passage(document: Document, numbered: _Numbering, chunk: list[tuple[int, int]], title: str, kind: str) -> Passage:
    """The passage of a run of sentence spans, with its sentences, lines, page and kind."""
    text = document.text
    start, end = chunk[0][0], chunk[-1][1]
    page = document.page_of(start)
    sentences = tuple(
        Sentence(start=s, end=e, line_start=numbered.line_of(s, page), line_end=numbered.line_of(e - 1, page), text=text[s:e])
        for s, e in chunk
    )
    return Passage(
        id=passage_id(document.source, start, end),
        source=document.source,
        start=start,
        end=end,
        line_start=numbered.line_of(start, page),
        line_end=numbered.line_of(end - 1, page),
        text=text[start:end],
        title=title,
        sentences=sentences,
        page=page,
        kind=kind,
    )


def lexical_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: its title, then its text (the dense side embeds it too, but for a
    title made from the file name: see ``dense_texts``)."""
    return titled(passage.title, passage.text)


def titled(title: str, text: str) -> str:
    """A text under its title, as BM25 indexes a passage (``lexical_text``)."""
    return f"{title}\n{text}" if title else text


def dense_texts(document: Document, passages: Iterable[Passage]) -> list[str]:
    """What each passage's vector embeds (``dense_text_of``)."""
    vector_text = dense_text_of(document)
    return [vector_text(p) for p in passages]


def dense_text_of(document: Document) -> Callable[[Passage], str]:
    """What a passage of ``document`` embeds: its text under the titles the document's content gives it.

    A title made from the file's name is left out of the vector (the lexical index keeps it, through
    ``lexical_text``), so that a renamed file embeds the same texts and its vectors are reused.
    """
    if heading_title(document):
        return lexical_text
    named_title = document_title(document)

    def vector_text(passage: Passage) -> str:
        title = passage.title
        if title == named_title:
            title = ""
        elif title.startswith(f"{named_title}{structure.TITLE_PARTS}"):
            title = title[len(named_title) + len(structure.TITLE_PARTS) :]  # keep the section heading, drop the file's name
        return titled(title, passage.text)

    return vector_text
