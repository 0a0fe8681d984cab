"""Turn a source file's bytes into the plain text that is indexed: plain text, HTML and PDF.

Whatever these functions return is the text every offset and line number refers to, so the viewer
and the citations must get it from here too (``documents.read_source_text``), never from the raw file.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser

from ..errors import UnreadableSourceError

HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)

# Elements whose content a browser never shows as text.
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "math", "head", "title", "iframe", "object"})
# Elements that start a new paragraph: their text must not run into the text around them.
_BLOCKS = frozenset(
    """address article aside blockquote body caption dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul""".split()
)
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


@dataclass(frozen=True)
class ExtractedText:
    """The text of a source file and, for paged formats, the offset where each page begins."""

    text: str
    page_starts: tuple[int, ...] = ()
    # What the reader had to repair or guess on the way (a PDF's broken cross-references, say).
    notes: tuple[str, ...] = ()


class _VisibleText(HTMLParser):
    """Collects the text a browser would show, one paragraph per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._words: list[str] = []
        # Tags of open elements whose content is hidden; text is dropped while this is not empty.
        self._hidden: list[str] = []
        self._pre = 0

    def _break(self) -> None:
        if self._words:
            joined = "".join(self._words)
            paragraph = joined.strip("\n") if self._pre else " ".join(joined.split())
            if paragraph.strip():
                self.paragraphs.append(paragraph)
            self._words = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden:
            if tag not in _VOID:
                self._hidden.append(tag)
            return
        attributes = dict(attrs)
        hidden = (
            tag in _INVISIBLE
            or "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or bool(_DISPLAY_NONE.search(attributes.get("style") or ""))
        )
        if hidden and tag not in _VOID:
            self._hidden.append(tag)
            return
        if tag in _BLOCKS:
            self._break()
        if tag == "pre":
            self._pre += 1
        elif tag == "br":
            self._words.append("\n" if self._pre else " ")
            if not self._pre:
                # A line break inside a paragraph: keep the lines apart as the page shows them.
                self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden:
            # Close up to the matching open tag; HTML in the wild leaves tags unclosed.
            if tag in self._hidden:
                while self._hidden and self._hidden.pop() != tag:
                    pass
            return
        if tag == "pre" and self._pre:
            self._break()
            self._pre -= 1
        if tag in _BLOCKS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._words.append(data)

    def close(self) -> None:
        super().close()
        self._break()


def html_visible_text(markup: str) -> str:
    """The visible text of an HTML page: paragraphs separated by a blank line, scripts and styles left out."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return "\n\n".join(parser.paragraphs) + ("\n" if parser.paragraphs else "")


def pdf_text(data: bytes) -> ExtractedText:
    """The text of every page of a PDF, pages separated by a blank line; ``UnreadableSourceError`` if broken."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with _pypdf_complaints() as complaints:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise UnreadableSourceError("encrypted PDF (needs a password)")
            pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableSourceError:
        raise
    except PyPdfError as exc:
        raise UnreadableSourceError(f"damaged PDF ({exc})") from exc
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError) as exc:
        # pypdf lets these through on malformed files rather than wrapping them in PyPdfError.
        raise UnreadableSourceError(f"damaged PDF ({type(exc).__name__})") from exc
    parts: list[str] = []
    starts: list[int] = []
    offset = 0
    for page in pages:
        # A blank line between pages keeps every paragraph, and so every passage, on one page.
        cleaned = page.replace("\x00", "").strip()
        starts.append(offset)
        parts.append(cleaned)
        offset += len(cleaned) + 2
    notes = (f"PDF read with repairs ({complaints[0]}{' and more' if len(complaints) > 1 else ''})",) if complaints else ()
    return ExtractedText(text="\n\n".join(parts) + "\n", page_starts=tuple(starts), notes=notes)


@contextlib.contextmanager
def _pypdf_complaints() -> Iterator[list[str]]:
    """What pypdf says about a damaged file, collected instead of written to stderr around our output."""
    complaints: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            complaints.append(" ".join(record.getMessage().split())[:120])

    logger = logging.getLogger("pypdf")
    handler, propagate = Collect(level=logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield complaints
        complaints.extend(" ".join(str(w.message).split())[:120] for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
