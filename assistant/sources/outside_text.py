"""Text from outside the program (file names, command-line arguments, lines on stdin) that may hold
bytes that are not UTF-8: told apart, recovered as text where they decode, shown escaped where not.

Python hands such bytes over as lone surrogates (its ``surrogateescape``): a string that cannot be
encoded, stored in JSON or SQLite, or tokenized, so each is dealt with at the door.
"""

from __future__ import annotations

from .decoding import decode_source_bytes


def is_text(text: str) -> bool:
    """Whether ``text`` is all characters: no undecoded byte (a lone surrogate) in it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def recovered(text: str) -> str:
    """``text`` with its undecoded bytes read the way a source file's are (cp1252 for Western text,
    else what is detected): ``'W\\udcf6rk'`` (the Latin-1 bytes of "Wörk") becomes ``'Wörk'``."""
    if is_text(text):
        return text
    decoded, _encoding = decode_source_bytes(text.encode("utf-8", "surrogateescape"))
    return decoded


def shown(name: str) -> str:
    """``name`` with each undecoded byte written ``\\xNN``: the name as it can be printed and stored."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
