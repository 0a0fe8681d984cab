"""A source file's bytes as text: the encoding they are read in (a byte-order mark, UTF-8, cp1252,
or what charset-normalizer detects), and binary files told from text."""

from __future__ import annotations

import codecs
import re

BINARY_SNIFF_BYTES = 8192
# Control codes text never holds (tab, line and page breaks, carriage return and escape it may): random
# bytes hold one in nine; a file with more than one in twenty of its first 8 KiB (and at least four)
# is binary.
_CONTROL_BYTES = bytes(code for code in (*range(32), 127) if code not in (9, 10, 11, 12, 13, 27))
BINARY_CONTROL_SHARE = 0.05
BINARY_CONTROL_MIN = 4

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
UNICODE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"})
# Characters a Western text read as cp1252 plausibly holds beyond ASCII: accented Latin letters and
# typographic punctuation. A text whose non-ASCII letters are a minority and all of these is taken as
# cp1252, because charset-normalizer guesses poorly on short Western texts (cp1257 for French, say).
_WESTERN = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝßàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿŒœŠšŽžŸ"
    "‘’“”„–—…•€£¥¢©®°§¶«»¿¡·×÷±½¼¾ªº\xa0"
)


def _bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def _looks_western(text: str) -> bool:
    others = [c for c in text if ord(c) > 127]
    if not others or any(c not in _WESTERN for c in others):
        return False
    letters = sum(1 for c in text if c.isalpha())
    return len(others) <= 0.3 * max(letters, 1)


def decode_source_bytes(data: bytes) -> tuple[str, str]:
    """Decode a source file's bytes; returns the text and the encoding used.

    A byte-order mark decides first (UTF-8, UTF-16, UTF-32); then UTF-8; then cp1252 when the text
    reads as Western European; then the encoding charset-normalizer detects; finally latin-1, which
    decodes anything. Offsets everywhere refer to this text, and the same bytes always decode the same.
    """
    marked = _bom_encoding(data)
    if marked is not None:
        encoding, skip = marked
        try:
            return data[skip:].decode(encoding.removesuffix("-sig")), encoding
        except UnicodeDecodeError:
            pass  # a mark followed by something else: decode it as if it had none
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _looks_western(western):
        return western, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    if western is not None:
        return western, "cp1252"
    return data.decode("latin-1"), "latin-1"


# An HTML page's own word on its encoding: <meta charset="windows-1252">, or the older
# <meta http-equiv="Content-Type" content="text/html; charset=windows-1252">, near its top.
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.I)
CHARSET_SNIFF_BYTES = 4096
# windows-1252's undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D), decoded with surrogateescape, to the
# Latin-1 characters a browser reads them as.
_UNDEFINED_IN_CP1252 = {0xDC00 + byte: byte for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}


def declared_charset(data: bytes) -> str | None:
    """The encoding an HTML page declares in a <meta> near its top (as Python names it), if it is one
    Python knows."""
    match = _META_CHARSET.search(data[:CHARSET_SNIFF_BYTES])
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    # A browser reads a page labelled Latin-1 or ASCII as windows-1252 (the WHATWG encoding standard):
    # its 0x93 is a curly quote, not a control code. A label of UTF-16 or UTF-32 in the page's own bytes
    # cannot be true (the label would not read as ASCII): a browser takes it for UTF-8.
    if name.startswith(("utf-16", "utf-32")):
        return None
    return "cp1252" if name in ("iso8859-1", "ascii") else name


def decode_html_bytes(data: bytes) -> tuple[str, str, bool]:
    """An HTML page's bytes as text: as ``decode_source_bytes`` decodes them, but a page that is not
    UTF-8 is read in the encoding it declares, where its bytes are of that encoding (a browser reads
    it so, and it is no guess); with whether it was read so."""
    if _bom_encoding(data) is None:
        try:
            return data.decode("utf-8"), "utf-8", False
        except UnicodeDecodeError:
            declared = declared_charset(data)
            if declared == "cp1252":
                # The five bytes windows-1252 leaves undefined read as their Latin-1 characters (WHATWG).
                return data.decode("cp1252", errors="surrogateescape").translate(_UNDEFINED_IN_CP1252), declared, True
            if declared is not None:
                try:
                    return data.decode(declared), declared, True
                except UnicodeDecodeError:
                    pass
    return (*decode_source_bytes(data), False)


def binary_reason(data: bytes) -> str | None:
    """Why the file is binary, not text, or None for text: a NUL byte in its first 8 KiB, or more than
    BINARY_CONTROL_SHARE of those bytes control codes no text holds (random or compressed data without
    a NUL, which any legacy encoding would otherwise decode into garbage). A file with a byte-order mark
    is text."""
    # A UTF-16 or UTF-32 file is full of NUL bytes, so its mark is looked at before the binary sniff.
    if _bom_encoding(data) is not None:
        return None
    head = data[:BINARY_SNIFF_BYTES]
    if b"\x00" in head:
        return "binary file (NUL byte in the first 8 KiB)"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls >= BINARY_CONTROL_MIN and controls > BINARY_CONTROL_SHARE * len(head):
        return f"binary file ({controls} control bytes in the first {len(head)} bytes)"
    return None
