"""The parts of a document's text: headings, a metadata header, figure captions, reference lists.

Papers, reports and manuals are not encyclopedia prose: a header block (URL, hash, authors, date, DOI,
licence), "Abstract:" and "Text:" labels, numbered headings, figure and table captions, equations on
lines of their own, and pages of references. Each block of lines (a run of non-blank lines) is read as
one of these, by its own look only: no model, no list of words from any sample.

- A heading names the section of the passages under it (it becomes their title, in both the vector and
  the lexical text). It is a single short line that reads like a title: a letter first (after an
  optional section number), mostly letters, no sentence end, not an equation, a URL or a "Key: value".
- Metadata ("Authors: …", "DOI: …", a bare URL) at the top of a document is a passage of its own kind:
  searchable, never quoted as an answer, never a heading.
- A caption ("Figure 2: …", "Table 1. …") is a passage of its own, answerable, never a heading.
- After a "References" heading (or for a block of numbered citations) passages are references:
  searchable, never quoted as an answer.
- A table of contents or an index (most lines end in a dot leader and a page number: "asn1Coding
  program . . . . 5") is contents: searchable, never quoted as an answer (it names every subject a
  question may ask about, and answers none).
- A paragraph opening with a section label ("Abstract: …", "Methods: …") starts that section.
- A table (a run of lines cut into cells by "|", as Markdown writes one) is cut into passages of rows,
  a row a sentence; its header row (the line above a "| --- |" rule) is not a passage but part of the
  title of each, as a heading is, so that every slice of a long table still says what its columns are.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..models import Passage

PassageKind = Literal["body", "metadata", "caption", "references", "contents", "table", "code"]
# Kinds whose sentences are never quoted as an answer (they stay searchable).
NOT_ANSWERS: frozenset[str] = frozenset({"metadata", "references", "contents"})
# Kinds whose sentences are records of their own (a table's rows, a code block's lines): each is read,
# quoted and marked alone, never run together with its neighbours.
RECORDS: frozenset[str] = frozenset({"table", "code"})

HEADING_MAX_CHARS = 120
# A heading is mostly letters: an equation or a row of numbers on a line of its own is not one.
HEADING_MIN_LETTERS = 0.6
# A title is short: a longer line, or a long one broken by a comma, is prose cut by a line break.
HEADING_MAX_WORDS = 14
HEADING_MAX_WORDS_WITH_COMMA = 8
# Metadata is looked for only among the first lines of a document.
HEADER_ZONE_BLOCKS = 12

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SECTION_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-Z]\.)\s+")
_URL = re.compile(r"^\s*(?:https?://|www\.|doi:\s*10\.)\S+\s*$", re.I)
# "Key: value" with a short key ("DOI:10.1371/…" too): a metadata line when the key is one of _METADATA_KEYS.
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z]*(?:[ -][A-Za-z]+){0,2})\s*:\s*\S")
_WEB = re.compile(r"https?://|www\.", re.I)
_DATE = re.compile(r"^\s*\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\s*$")
_METADATA_KEYS = frozenset(
    """url sha doi pmid pmcid issn isbn authors author date published received accepted revised license licence
    copyright journal citation cite keywords key words volume issue pages publisher affiliations affiliation
    correspondence email editor editors funding source""".split()
)
_CAPTION = re.compile(r"^\s*(?:supplementary\s+|extended\s+data\s+)?(?:figure|fig\.|table|scheme|chart|plate)\s*[A-Z]?\d+[A-Za-z]?\s*[.:|—–-]", re.I)
_REFERENCES_TITLE = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s+)?(?:references?|bibliography|literature cited|works cited|cited literature|reference list)\s*$", re.I)
# A line that is a numbered citation: "[12] Smith J, …", "12. Smith, J. (2019)", "Smith J, Jones K. (2019)".
# A numbered citation: "[12] ...", or a number and an author's surname with a comma or initials after it
# ("1. Smith, J.", "2. Doe JA, ..."); not a numbered step that names a product ("1. Install GlobalProtect").
_CITATION = re.compile(r"^\s*(?:\[\d+\]|\d+\.\s+[A-Z][A-Za-z'’-]+(?:,\s+[A-Z]|\s+[A-Z]{1,3}[,.]))")
# A paragraph that opens with a section label: "Abstract: …", "Methods: …".
_SECTION_LABEL = re.compile(
    r"^\s*(abstract|background|introduction|objectives?|aims?|purpose|methods?|materials and methods|methodology|"
    r"results|findings|discussion|conclusions?|interpretation|summary|text|main text)\s*:\s*",
    re.I,
)
# Labels that only say "the body starts here": they open no named section.
_BODY_LABELS = frozenset({"text", "main text"})
# A table row: cells between "|" (at least two cells, or one line opening and closing with "|").
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|^[^|]+\|[^|]+\|")
# The rule under a table's header: "| --- | :---: |", "---|---".
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)+\|?\s*$|^\s*\|\s*:?-{2,}:?\s*\|\s*$")
# A line opening an item of a list, up to its text: a bullet ("- ", "* ", "• ") or a number or letter
# ("2. ", "b) "). Each item is a sentence of its own: run together, a list was one quote cited over all
# its lines ("… roof B2 reached 71.4 °C on 19 August 2023. - On the same afternoon, …"), and items ran
# into each other ("Logger procurement 3. ICUC-12 abstract").
LIST_ITEM = re.compile(r"[ \t]*(?:(?P<bullet>[-*+•‣◦▪])|\d{1,3}[.)]|[a-z][.)])[ \t]+(?=\S)")
# What the line before a numbered item ends with, where the item does not open its paragraph or follow
# another: a number at the start of a line of wrapped prose ("… a total of\n12. The keepers …") is no item.
_ENDS_CLAUSE = re.compile(r"[.:;!?)\]]\s*$")


def list_item(line: str, before: str | None, in_list: bool) -> re.Match[str] | None:
    """The marker of the list item ``line`` opens, or None: a bullet always; a number or letter where
    it opens its paragraph (``before`` None), follows an item or its continuation (``in_list``), or the
    line ``before`` it ends a sentence or a clause."""
    item = LIST_ITEM.match(line)
    if item is None or item.group("bullet") or before is None or in_list or _ENDS_CLAUSE.search(before):
        return item
    return None


# A line that opens a field of its own: a capitalised label of a few words (FIELD_LABEL_WORDS at most,
# no comma or stop among them), in Markdown's bold or not, then a colon and the value ("Landlord:
# Margaret Ellison, ...", "**Policy number:** HLC-4471902", "Standard warranty expires:   2 November
# 2025"; not a wrapped line of prose, "Smith and colleagues found two causes: ...").
FIELD_LINE = re.compile(r"[ \t]*[*_]{0,2}(?P<label>[^\W\d_][^:,.;!?\r\n]{0,40}?)[*_]{0,2}:[*_]{0,2}[ \t]+\S")
FIELD_LABEL_WORDS = 5
# The labels of a line that goes with what stands before it, no field of its own: a question's answer,
# a note on the line above.
ATTACHED_LABELS = frozenset("q a question answer note notes warning caution tip important".split())


def field_opened(line: str, start: int = 0) -> re.Match[str] | None:
    """The field the line at ``start`` of ``line`` opens (``FIELD_LINE``; its label the group
    ``label``, capitalised: "Émile:" too), or None."""
    found = FIELD_LINE.match(line, start)
    if found is None or not found.group("label")[0].isupper():
        return None
    return found if len(found.group("label").split()) <= FIELD_LABEL_WORDS else None


def opens_field(line: str) -> bool:
    """Whether ``line`` opens a labelled field (``field_opened``)."""
    return field_opened(line) is not None


def label_of(found: re.Match[str]) -> str:
    """A field's label (``field_opened``), lower-cased."""
    return found.group("label").strip().lower()


def line_start(text: str, at: int) -> int:
    """Where the line holding offset ``at`` of ``text`` starts (any line break: \n, \r\n, \r)."""
    return max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1


def item_opened(text: str, start: int) -> re.Match[str] | None:
    """The marker of the list item the sentence at ``start`` of ``text`` opens (it starts its line, with
    what stands before the sentence there), or None: the sentence opens no item."""
    item = LIST_ITEM.match(text, line_start(text, start))
    return item if item is not None and item.end() == start else None


def opens_with_item(text: str, start: int) -> bool:
    """Whether the sentence at ``start`` of ``text`` is a list's item: what stands before it on its line
    is an item's marker alone."""
    return item_opened(text, start) is not None


# Fewer rows than this are left as prose: a table is worth cutting only when it is long.
TABLE_MIN_ROWS = 3


# A Markdown code block between fences (``` or ~~~, three or more; a backtick fence's line holds no other
# backtick, or it is inline code), indented or not (as in a list item), to a closing fence at least as
# long; one never closed runs to the end of the file, as CommonMark reads it. Any line break (\r\n too).
FENCED_CODE = (
    r"^[ \t]*(?P<fence>`{3,}(?=[^`\r\n]*\r?$)|~{3,})[^\r\n]*(?:\r\n|\r|\n|\Z)"
    r"(?P<body>.*?)(?:^[ \t]*(?P=fence)[`~]*[ \t]*\r?$|\Z)"
)
_FENCED = re.compile(FENCED_CODE, re.M | re.S)


def fenced_code(text: str) -> list[tuple[int, int, int, int]]:
    """Each fenced code block of a Markdown text: where its opening fence line starts, where its code
    starts and ends (the lines between the fences), and where its closing fence line ends."""
    return [(m.start(), m.start("body"), m.end("body"), m.end()) for m in _FENCED.finditer(text)]


# The line under a heading that underlines it (Markdown's setext headings, and plain text's: "5.
# Termination" over "--------------"): three or more of "=" or "-", nothing else.
_UNDERLINE = re.compile(r"[ \t]{0,3}(?:={3,}|-{3,})[ \t]*")


def underlined_heading(lines: list[str]) -> str | None:
    """The heading a block's first two lines are, where the second underlines the first ("Mozilla Public
    License Version 2.0" over "====", "5. Termination" over "----"): the first as ``heading`` reads a line
    alone; else None. A licence's "5. Termination" was no heading, and its §5.1 stood under §3.5's."""
    if len(lines) < 2 or not _UNDERLINE.fullmatch(lines[1]) or _MARKDOWN_HEADING.match(lines[0]):
        return None
    return heading(lines[0], single_line=True)


# A subsection's number opening a line: "7.1 ", "3.5. ", "2.1.4 " (a list's item is numbered "1." or "1)").
_SUBSECTION = re.compile(r"\s*(\d+)\.\d+(?:\.\d+)*\.?[ \t]+\S")
# The number a section's title opens with ("7. Tyres and Wheels", "7 Tyres", "7.1 Tyre pressures").
_SECTION_OPENS = re.compile(r"\s*(\d+)[.\s]")


def block_heading(lines: list[str], section: str = "") -> tuple[str, int] | None:
    """The heading a block opens with, and how many of its lines it takes: a line alone that reads as a
    title (``heading``), a line underlined (``underlined_heading``), or, under a numbered ``section``, a
    numbered title of its subsection over the text it heads with no blank line between ("7.1 Tyre
    pressures (cold)" under "7. Tyres and Wheels", over its table, in a PDF: it was quoted as the
    answer to "What tyre pressure should the front tyres have?", "7.1" marked; "1.5 Litres of water"
    under "3. Recipes" is no title); else None."""
    if (title := heading(lines[0], single_line=len(lines) == 1)) is not None:
        return title, 1
    if (title := underlined_heading(lines)) is not None:
        return title, 2
    sub, opens = _SUBSECTION.match(lines[0]), _SECTION_OPENS.match(section)
    if sub and opens and sub.group(1) == opens.group(1) and (title := heading(lines[0], single_line=True)) is not None:
        return title, 1
    return None


def markdown_level(line: str) -> int | None:
    """A Markdown heading's level (its number of "#"), or None for a line that is none."""
    markdown = _MARKDOWN_HEADING.match(line)
    return len(markdown.group(1)) if markdown else None


def heading(line: str, *, single_line: bool) -> str | None:
    """The heading a block's first line is, or None: a Markdown heading, or a single short line that
    reads like a title."""
    markdown = _MARKDOWN_HEADING.match(line)
    if markdown:
        return markdown.group(2).strip()
    stripped = line.strip()
    if not single_line or not stripped or len(stripped) > HEADING_MAX_CHARS:
        return None
    if stripped[-1] in ".!?:;,…\"”" or stripped.startswith(("-", "*", "+", "|", ">", "(", "[")):
        return None
    if _URL.match(stripped) or _is_metadata_line(stripped) or is_caption(stripped) or _WEB.search(stripped):
        return None
    words_count = len(stripped.split())
    if words_count > HEADING_MAX_WORDS or ("," in stripped and words_count > HEADING_MAX_WORDS_WITH_COMMA):
        return None
    words = _SECTION_NUMBER.sub("", stripped)
    if not words or not (words[0].isupper() or words[0].isdigit()):
        return None
    letters = sum(c.isalpha() for c in words)
    return stripped if letters >= HEADING_MIN_LETTERS * len(words.replace(" ", "")) else None


# A heading that numbers a part of the document: "1. Introduction", "2.3 Methods", "IV. Results",
# "Chapter 1", "Part II: The Sea", "Appendix A". Not a title that opens with a number or such a word
# ("2024 Annual Report", "10 Tips for Sleep", "Section 230 and the Web", "Part Civil Procedure").
_NUMBERED_PART = re.compile(
    r"^(?:(?i:chapter|part|section|book|volume|article|appendix|annex|lesson|unit|act|scene)[ \t]+"
    r"(?:[0-9]+|[IVXLC]+|[A-Z])(?=[ \t]*(?:$|[.:—–-]))"
    r"|\d+\.(?:\d+\.?)*[ \t]|\d+(?:\.\d+)+[ \t]|[IVXLC]+\.[ \t])"
)


def is_numbered_part(title: str) -> bool:
    """Whether a heading numbers one part among others ("Chapter 1", "2. Methods"): the title of that
    part, never of the whole document (the next one, "Chapter 10", is its sibling, not its child)."""
    return bool(_NUMBERED_PART.match(title.strip().lstrip("#").strip()))


def _is_metadata_line(line: str) -> bool:
    key = _KEY_VALUE.match(line)
    return bool(_URL.match(line) or _DATE.match(line) or (key and key.group(1).lower() in _METADATA_KEYS))


def is_metadata(lines: list[str]) -> bool:
    """Whether a block is a metadata header: at least half its lines a URL, a date, or a "Key: value"
    with a metadata key (authors, DOI, licence, …); a line of author names may stand among them."""
    marked = sum(1 for line in lines if _is_metadata_line(line))
    return bool(lines) and marked * 2 >= len(lines)


def is_caption(text: str) -> bool:
    """Whether the text opens as a figure or table caption ("Figure 2: …", "Table 1. …")."""
    return bool(_CAPTION.match(text))


def is_references_title(title: str) -> bool:
    """Whether a heading opens a reference list."""
    return bool(_REFERENCES_TITLE.match(title.strip()))


# A line of a table of contents or an index: a dot leader (". . . ." or "....") and a page number.
_LEADER_LINE = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$")


def is_contents_block(lines: list[str]) -> bool:
    """Whether most lines of a block end in a dot leader and a page number (a table of contents)."""
    led = sum(1 for line in lines if _LEADER_LINE.search(line))
    return led >= max(2, (len(lines) + 1) // 2)


def is_citation_block(lines: list[str]) -> bool:
    """Whether most lines of a block are numbered citations."""
    cited = sum(1 for line in lines if _CITATION.match(line))
    return cited >= max(2, (len(lines) + 1) // 2)


def section_label(paragraph: str) -> str | None:
    """The section a paragraph opens with its label ("Abstract: …" → "Abstract"), "" for a label that
    only marks the body ("Text: …"), or None for a paragraph without one."""
    match = _SECTION_LABEL.match(paragraph)
    if match is None:
        return None
    label = match.group(1)
    return "" if label.lower() in _BODY_LABELS else label[:1].upper() + label[1:].lower()


def is_table_row(line: str) -> bool:
    """Whether a line is a row of a table written with "|" between its cells."""
    return bool(_TABLE_ROW.match(line))


def is_table_rule(line: str) -> bool:
    """Whether a line is the rule under a table's header ("| --- | --- |")."""
    return bool(_TABLE_RULE.match(line))


def table_runs(lines: list[str]) -> list[tuple[int, int, bool]]:
    """A block's lines as runs (first, last + 1, is a table): each run of at least ``TABLE_MIN_ROWS``
    table rows is a table, the lines between are not."""
    runs: list[tuple[int, int, bool]] = []
    start = 0
    i = 0
    while i < len(lines):
        if not is_table_row(lines[i]) and not is_table_rule(lines[i]):
            i += 1
            continue
        end = i
        while end < len(lines) and (is_table_row(lines[end]) or is_table_rule(lines[end])):
            end += 1
        if end - i >= TABLE_MIN_ROWS:
            if i > start:
                runs.append((start, i, False))
            runs.append((i, end, True))
            start = end
        i = end
    if start < len(lines):
        runs.append((start, len(lines), False))
    return runs


def table_header(lines: list[str]) -> int:
    """How many of a table's first lines are its header: the row above the rule and the rule (2); a
    first row that reads as columns' names over rows of data, with no rule under it (1: ``_names_row``);
    else 0."""
    if len(lines) > 2 and is_table_rule(lines[1]) and not is_table_rule(lines[0]):
        return 2
    return 1 if _names_row(lines) else 0


# A column's name is at most this many words.
COLUMN_NAME_WORDS = 4


def _names_row(lines: list[str]) -> bool:
    """Whether a table written without a rule under its header (a manual's "Code | Meaning | What to do"
    over "E21 | Water container full | Empty the container", in a text file or a PDF) opens with its
    columns' names: two or more cells, each a few words holding no digit, most opening with a capital
    (a count's "n" may not), over two rows or more of as many cells, some holding a digit (a table of
    words alone, "Alice | Engineer", has no row to tell its names by, and is read as rows)."""
    if len(lines) < 3 or any(is_table_rule(line) for line in lines):
        return False
    cells = [lines[0][a:b] for a, b in row_cells(lines[0])]
    if len(cells) < 2 or any(not c or len(c.split()) > COLUMN_NAME_WORDS or any(ch.isdigit() for ch in c) for c in cells):
        return False
    # Most of the names open with a capital; a count's may not ("Roof type | n | Daytime mean (°C)").
    if sum(c[0].isupper() for c in cells) * 2 <= len(cells):
        return False
    rows = [row_cells(line) for line in lines[1:]]
    return all(len(r) == len(cells) for r in rows) and any(any(ch.isdigit() for ch in line) for line in lines[1:])


# How a passage's title joins its parts (the document's title, its section, a table's header), and a
# table's header its columns' names: "Stations — Station · Region · Opened".
TITLE_PARTS = " — "
HEADER_CELLS = " · "


# The characters of a table's cell holding a value and nothing else: a number, a share, an amount, a
# date, a time, a range, a sign or a significance's stars ("1,250.00", "-0.21", "2025-03-14", "+0.9",
# "5.0-7.2", "0.66**", "< 0.001").
_VALUE_CHARS = re.compile(r"[\s\d.,:;/%+\-−–±<>≈~*$€£¥()]+")


def is_value(cell: str) -> bool:
    """Whether a table's cell holds a value and nothing else (no column's name does)."""
    return bool(_VALUE_CHARS.fullmatch(cell)) and any(c.isdigit() for c in cell)


def row_cells(line: str) -> list[tuple[int, int]]:
    """The cells of a table's row as (start, end) offsets into ``line``, each trimmed, the bars at its
    ends left out ("| B3 | 8 |" → the offsets of "B3" and "8")."""
    bars = [i for i, c in enumerate(line) if c == "|"]
    edges = [-1, *bars, len(line)]
    cells = []
    for left, right in zip(edges, edges[1:]):
        start, end = left + 1, right
        while start < end and line[start].isspace():
            start += 1
        while end > start and line[end - 1].isspace():
            end -= 1
        cells.append((start, end))
    # The empty stretches before a leading bar and after a closing one are no cells.
    if line.lstrip().startswith("|"):
        cells = cells[1:]
    if line.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def table_text(rows: list[list[str]], header: bool) -> tuple[str, list[list[int]]]:
    """Rows of cells written as a table is written with "|" between its cells (a row a line, the rule
    under the first row where it is the header, as Markdown writes one): what HTML's and Word's tables
    are read as, so that they are cut into passages of rows as Markdown's are. With the text, where each
    cell's text starts in it, row by row."""
    lines: list[str] = []
    starts: list[list[int]] = []
    offset = 0
    for number, cells in enumerate(rows):
        at, row_starts = offset + 2, []  # after "| "
        for text in cells:
            row_starts.append(at)
            at += len(text) + 3  # and " | "
        line = "| " + " | ".join(cells) + " |"
        if number == 0 and header and len(rows) > 1:
            line += "\n|" + " --- |" * len(cells)
        lines.append(line)
        starts.append(row_starts)
        offset += len(line) + 1
    return "\n".join(lines), starts


def table_title(kind: str, title: str) -> tuple[str, str] | None:
    """A table passage's title as its two parts: what stands above the table, and its header's words
    (``header_words``: "Stations — Station · Region · Opened" -> ("Stations", "Station · Region ·
    Opened")); None for another kind of passage, or a table whose title carries no header (the CLI
    printed a manual's "columns: 7. Error Codes")."""
    if kind != "table" or TITLE_PARTS not in title:
        return None
    above, header = title.rsplit(TITLE_PARTS, 1)
    # A table without a header row ends its title with its section's ("Manual — 7. Error Codes"), which
    # is no column's name: a header names two columns or more.
    return (above, header) if HEADER_CELLS in header else None


def column_cells(kind: str, title: str, row: str) -> list[tuple[str, tuple[int, int]]] | None:
    """A table's row as its cells under their columns' names: (the name as words, "amount_gbp" as
    "amount gbp"; the cell's start and end in ``row``) each; None for a passage of another kind, or where
    the header in its title (``table_title``) does not name as many columns as the row has cells."""
    table = table_title(kind, title)
    if table is None:
        return None
    names = table[1].split(HEADER_CELLS)
    cells = row_cells(row)
    if len(names) != len(cells):
        return None
    return [(name.replace("_", " "), cell) for name, cell in zip(names, cells)]


def header_words(line: str) -> str:
    """A header row as words for a title: its cells, without the bars ("Station · Region · Opened")."""
    return HEADER_CELLS.join(line[start:end] for start, end in row_cells(line) if end > start)[:HEADING_MAX_CHARS]


def section_heading(passage: Passage) -> str:
    """The heading of the section a passage stands in (``heading_of_section``)."""
    return heading_of_section(passage.kind, passage.title)


def heading_of_section(kind: str, title: str) -> str:
    """The heading of the section a passage of ``kind`` under ``title`` stands in, where its title holds
    one below the document's ("Changelog — billing-api — 3.2.0 - 2025-04-14" -> "3.2.0 - 2025-04-14");
    "" for none, and for a table's (whose title ends in its columns' names)."""
    if kind in RECORDS:
        return ""
    parts = title.split(TITLE_PARTS)
    return parts[-1] if len(parts) >= 2 else ""
