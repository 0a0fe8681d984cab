"""A Word document's (.docx) text as a person reads it: its paragraphs apart, its headings known as
headings, the items of a list a line each under the number Word shows ("2.", "2.b)"; a bullet as
Markdown writes one), and a table written with "|" between its cells (a row a line,
the rule under its header row), as HTML's are read (``formats._Table``), so that it is cut into
passages of rows and each row is read under its columns' names.

A .docx is a zip of XML parts; the text is in ``word/document.xml``, the names of its paragraph
styles ("heading 1", "List Bullet") in ``word/styles.xml`` and how its lists are numbered in
``word/numbering.xml``. Only the standard library reads them. What
Word shows twice is read once (a drawing's fallback copy), and what it does not show is not read
(deleted text of tracked changes, field codes).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from xml.etree import ElementTree

from ..errors import UnreadableSourceError
from .formats import ExtractedText
from .structure import table_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# The part holding the text, and the one naming the styles.
_DOCUMENT = "word/document.xml"
_STYLES = "word/styles.xml"
_NUMBERING = "word/numbering.xml"
# A part larger than this, unpacked, is not read (a zip bomb would fill the memory).
MAX_PART_BYTES = 200_000_000
# Elements whose text Word does not show: deleted text, field codes, and what a tracked change removed.
_UNSHOWN = frozenset({f"{_W}del", f"{_W}delText", f"{_W}instrText", f"{_W}moveFrom", _FALLBACK})
# Wrappers whose content Word shows in their place: content controls, custom XML, smart tags.
_WRAPPERS = frozenset({f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"})
# A style whose name says it is a heading ("heading 1" ... "heading 9", "Title").
_HEADING_STYLE = re.compile(r"heading\s*\d|title", re.I)
# A style whose name says its paragraphs are list items ("List Bullet", "List Number 2", "List Paragraph").
_LIST_STYLE = re.compile(r"list\b", re.I)
# How an item of a bulleted list is written in the text (as Markdown writes a bullet: each item a sentence
# of its own); a numbered one's mark is its number (``ListNumbers``).
ITEM_MARK = "- "


def docx_text(data: bytes) -> ExtractedText:
    """The text of a Word document (paragraphs separated by a blank line; the items of a list, and
    the rows of a table, a line each), with the offset of each heading; ``UnreadableSourceError`` where
    it is not a .docx that can be read."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            document = _part(package, _DOCUMENT)
            styles = _part(package, _STYLES) if _STYLES in package.namelist() else None
            numbering = _part(package, _NUMBERING) if _NUMBERING in package.namelist() else None
    except zipfile.BadZipFile as exc:
        # An old binary .doc renamed, or a password-protected .docx (stored encrypted, not as a zip).
        raise UnreadableSourceError("not a Word document that can be read (a .docx is a zip; protected with a password, or a .doc renamed?)") from exc
    except KeyError as exc:
        raise UnreadableSourceError("not a Word document (it has no word/document.xml)") from exc
    except (OSError, RuntimeError, NotImplementedError, EOFError, zlib.error, ValueError) as exc:
        # A damaged (a truncated download: zlib's own error) or encrypted member.
        raise UnreadableSourceError(f"damaged Word document ({type(exc).__name__})") from exc
    style_names, style_lists = _styles(styles) if styles is not None else ({}, {})
    try:
        numbers = ListNumbers(_parsed(numbering) if numbering is not None else None, style_lists)
        return _document_text(_parsed(document).find(f"{_W}body"), style_names, numbers)
    except RecursionError as exc:  # content nested past Python's stack: no document Word writes
        raise UnreadableSourceError("damaged Word document (nested too deep)") from exc


def _document_text(body: ElementTree.Element | None, style_names: dict[str, str], numbers: "ListNumbers") -> ExtractedText:
    """The body's paragraphs, lists and tables as text, with the offset of each heading."""
    blocks: list[tuple[str, bool]] = []  # (text, heading)
    items: list[str] = []
    for element in _inside_controls(body if body is not None else ()):
        if element.tag == f"{_W}p":
            text = _paragraph_text(element).strip()
            kind = _paragraph_kind(element, style_names)
            if kind == "item" and text:
                items.append(numbers.mark(element) + text)
                continue
            if items:
                blocks.append(("\n".join(items), False))
                items = []
            if text:
                blocks.append((text, kind == "heading"))
        elif element.tag == f"{_W}tbl":
            if items:
                blocks.append(("\n".join(items), False))
                items = []
            blocks += [(text, False) for text in _table_blocks(element)]
    if items:
        blocks.append(("\n".join(items), False))
    headings, offset = [], 0
    for text, heading in blocks:
        if heading:
            headings.append(offset)
        offset += len(text) + 2
    text = "\n\n".join(text for text, _ in blocks) + ("\n" if blocks else "")
    return ExtractedText(text, headings=tuple(headings))


def _part(package: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes, refused when it would unpack larger than MAX_PART_BYTES."""
    if package.getinfo(name).file_size > MAX_PART_BYTES:
        raise UnreadableSourceError(f"too large a Word document ({name} unpacks past {MAX_PART_BYTES // 1_000_000} MB)")
    with package.open(name) as part:
        return part.read(MAX_PART_BYTES + 1)


def _parsed(xml: bytes) -> ElementTree.Element:
    """A part's XML; a part declaring a DTD (which Word never writes: entity expansion) is refused."""
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml:
        raise UnreadableSourceError("not a Word document (its XML declares entities)")
    try:
        return ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise UnreadableSourceError(f"damaged Word document (its XML: {exc})") from exc
    except (LookupError, ValueError) as exc:  # an encoding Python does not know, say
        raise UnreadableSourceError(f"damaged Word document (its XML: {type(exc).__name__})") from exc


def _inside_controls(elements) -> Iterator[ElementTree.Element]:
    """The elements, with what content controls, custom XML and smart tags wrap (common in a company's
    templates and forms) in their place, in document order: Word shows the content, not the wrapper."""
    for element in elements:
        if element.tag in _WRAPPERS:
            yield from _inside_controls(element)
        elif element.tag == f"{_W}sdtPr" or element.tag == f"{_W}sdtEndPr":
            continue
        else:
            yield element


def _styles(xml: bytes) -> tuple[dict[str, str], dict[str, tuple[str, int]]]:
    """Each paragraph style's name by its id ("Heading1" -> "heading 1"; a translated Word keeps the
    names English, whatever it shows), and the list each numbering style numbers its paragraphs in
    ("ListNumber" -> list 5, level 0)."""
    names, lists = {}, {}
    for style in _parsed(xml).iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId", "")
        name = style.find(f"{_W}name")
        if name is not None:
            names[style_id] = name.get(f"{_W}val", "")
        numbered = _list_of(style.find(f"{_W}pPr"))
        if numbered is not None:
            lists[style_id] = numbered
    return names, lists


def _list_of(properties: ElementTree.Element | None) -> tuple[str, int] | None:
    """The list (its numId) and level a paragraph's (or a style's) properties put it in; None where
    they name none, and ("0", 0) where they switch the numbering off."""
    numbered = properties.find(f"{_W}numPr") if properties is not None else None
    if numbered is None:
        return None
    list_id, level = numbered.find(f"{_W}numId"), numbered.find(f"{_W}ilvl")
    depth = level.get(f"{_W}val", "0") if level is not None else "0"
    return (list_id.get(f"{_W}val", "") if list_id is not None else "", int(depth) if depth.isdigit() and len(depth) < 2 else 0)


@dataclass
class _Level:
    """One level of a Word list: how its numbers are written ("decimal", "lowerLetter", "bullet"), its
    mark's pattern ("%1.", "%1.%2", "(%1)") and where it starts."""

    format: str
    pattern: str
    start: int


class ListNumbers:
    """The numbers Word shows before the items of its lists ("1.", "a)", "4.1"), counted as the items
    come, each list (numId) on its own and a level restarting under a new item of the level above; a
    bullet, or a list the document does not define, is written ITEM_MARK."""

    def __init__(self, numbering: ElementTree.Element | None, style_lists: dict[str, tuple[str, int]]) -> None:
        self.style_lists = style_lists
        self.levels: dict[str, dict[int, _Level]] = {}
        self.counts: dict[str, dict[int, int]] = {}
        if numbering is None:
            return
        abstract = {}
        for definition in numbering.iter(f"{_W}abstractNum"):
            levels = {}
            for level in definition.findall(f"{_W}lvl"):
                depth = level.get(f"{_W}ilvl", "0")
                form, text, start = (level.find(f"{_W}{tag}") for tag in ("numFmt", "lvlText", "start"))
                first = start.get(f"{_W}val", "1") if start is not None else "1"
                levels[int(depth) if depth.isdigit() and len(depth) < 2 else 0] = _Level(
                    format=form.get(f"{_W}val", "decimal") if form is not None else "decimal",
                    pattern=text.get(f"{_W}val", "") if text is not None else "",
                    start=int(first) if first.isdigit() and len(first) < 6 else 1,
                )
            abstract[definition.get(f"{_W}abstractNumId", "")] = levels
        for number in numbering.iter(f"{_W}num"):
            source = number.find(f"{_W}abstractNumId")
            if source is not None:
                self.levels[number.get(f"{_W}numId", "")] = abstract.get(source.get(f"{_W}val", ""), {})

    def mark(self, paragraph: ElementTree.Element) -> str:
        """The mark before a list item, with its space ("3. ", "b) ", "- "), counting it."""
        properties = paragraph.find(f"{_W}pPr")
        numbered = _list_of(properties)
        if numbered is None and properties is not None:
            style = properties.find(f"{_W}pStyle")
            numbered = self.style_lists.get(style.get(f"{_W}val", "") if style is not None else "")
        list_id, depth = numbered if numbered is not None else ("", 0)
        levels = self.levels.get(list_id, {})
        level = levels.get(depth)
        if level is None or level.format in ("bullet", "none") or not level.pattern:
            return ITEM_MARK
        counts = self.counts.setdefault(list_id, {})
        counts[depth] = counts.get(depth, level.start - 1) + 1
        for deeper in [d for d in counts if d > depth]:
            del counts[deeper]  # a new item restarts the levels under it
        def number(match: re.Match) -> str:
            at = int(match.group(1)) - 1
            shown = levels.get(at)
            value = counts.get(at, shown.start if shown is not None else 1)
            return _written(value, shown.format if shown is not None else "decimal")
        text = re.sub(r"%([1-9])", number, level.pattern).strip()
        return f"{text} " if text else ITEM_MARK


def _written(value: int, form: str) -> str:
    """A list's number as Word writes it in that format (decimal where it is another)."""
    if form in ("lowerLetter", "upperLetter"):
        letters = ""
        while value > 0:
            value, rest = divmod(value - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters.upper() if form == "upperLetter" else letters
    if form in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        roman = ""
        for amount, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            count, value = divmod(value, amount)
            roman += digits * count
        return roman.upper() if form == "upperRoman" else roman
    return str(value)


def _paragraph_kind(paragraph: ElementTree.Element, style_names: dict[str, str]) -> str:
    """"heading", "item" (of a list) or "text", by the paragraph's style and properties."""
    properties = paragraph.find(f"{_W}pPr")
    if properties is None:
        return "text"
    style = properties.find(f"{_W}pStyle")
    style_id = style.get(f"{_W}val", "") if style is not None else ""
    name = style_names.get(style_id, style_id)
    if _HEADING_STYLE.fullmatch(name) or _HEADING_STYLE.fullmatch(style_id) or properties.find(f"{_W}outlineLvl") is not None:
        return "heading"
    numbered = _list_of(properties)
    if numbered is not None:
        return "text" if numbered[0] == "0" else "item"  # numId 0: the style's numbering switched off
    if _LIST_STYLE.match(name):
        return "item"
    return "text"


def _paragraph_text(element: ElementTree.Element) -> str:
    """The text Word shows for a paragraph (or a cell): its runs' text, a tab as a space, a line break
    as a new line."""
    out: list[str] = []
    _collect(element, out)
    return re.sub(r"[ \t]+", " ", "".join(out)).replace(" \n", "\n").replace("\n ", "\n")


def _collect(element: ElementTree.Element, out: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in _UNSHOWN:
            continue
        if tag == f"{_W}t":
            out.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}ptab"):
            out.append(" ")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        elif tag == f"{_W}p" and out and not out[-1].endswith("\n"):  # a paragraph inside (a cell's next)
            out.append(" ")
            _collect(child, out)
        else:
            _collect(child, out)


def _table_blocks(table: ElementTree.Element) -> list[str]:
    """A table as text: a row a line, its cells between "|" (a merged cell's columns after its first
    left empty, so that each cell stands under its own header), the rule under the first row where Word
    marks it a header row (its "Header Row" look, on by default, or a row repeated as a header); a table
    of one column (a page laid out in a table) as the paragraphs of its cells."""
    rows: list[list[str]] = []
    for row in (r for r in _inside_controls(table) if r.tag == f"{_W}tr"):
        cells: list[str] = []
        for cell in (c for c in _inside_controls(row) if c.tag == f"{_W}tc"):
            text = " ".join(_paragraph_text(cell).split()).replace("|", "/")
            properties = cell.find(f"{_W}tcPr")
            span = properties.find(f"{_W}gridSpan") if properties is not None else None
            columns = span.get(f"{_W}val", "1") if span is not None else "1"
            columns = columns if re.fullmatch(r"[0-9]{1,2}", columns) else "1"  # Word's tables have at most 63
            merged_above = properties.find(f"{_W}vMerge") if properties is not None else None
            if merged_above is not None and merged_above.get(f"{_W}val", "continue") == "continue":
                text = ""
            cells.append(text)
            cells += [""] * (int(columns) - 1)
        if any(cells):
            rows.append(cells)
    if max((len(cells) for cells in rows), default=0) <= 1:
        return [cells[0] for cells in rows if cells and cells[0]]
    return [table_text(rows, _has_header_row(table))[0]]


def _has_header_row(table: ElementTree.Element) -> bool:
    """Whether Word shows the table's first row as its header: the table's look says so (w:firstRow,
    or the old hexadecimal w:val with bit 0x20), or the row repeats as a header on every page."""
    first = table.find(f"{_W}tr")
    if first is not None and first.find(f"{_W}trPr/{_W}tblHeader") is not None:
        return True
    look = table.find(f"{_W}tblPr/{_W}tblLook")
    if look is None:
        return False
    if look.get(f"{_W}firstRow") is not None:
        return look.get(f"{_W}firstRow") in ("1", "true", "on")
    value = look.get(f"{_W}val", "")
    return bool(re.fullmatch(r"[0-9A-Fa-f]{1,4}", value)) and bool(int(value, 16) & 0x20)
