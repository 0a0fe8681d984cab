"""The words lexical matching compares: lower-cased, stemmed content words with their accents dropped
(BM25, answering, conversations)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does doing for from had has have having
    he her here hers him his how i if in into is it its itself me my of on or our ours she so than that
    the their theirs them then there these they this those to too was we were what when where which
    while who whom whose why will with would you your yours s t d ll m o re ve y""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


# The accents a decomposition separates from Latin letters ("ü" is "u" and U+0308; other scripts keep
# theirs: Russian's "й" is not "и"), and the Latin letters it does not take apart, spelt as people
# without them on their keyboard type them.
_MARKS = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")
_FOREIGN = re.compile(r"[^\x00-\x7f\u2000-\u206f]")
_UNDECOMPOSED = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def plain_letters(text: str) -> str:
    """``text`` lower-cased, its letters without their accents: "Søren Kjær" and "Soren Kjaer", "Zürich"
    and "Zurich" are the same words to a search (names are often typed without them). Ligatures and
    other compatibility forms a PDF's text holds read as their letters ("ﬁ" as "fi")."""
    text = text.lower()
    if not _FOREIGN.search(text):  # English with its curly quotes and dashes: nothing to do
        return text
    # NFC again after the marks are gone: scripts whose syllables NFKD takes apart (Hangul) are whole again.
    return unicodedata.normalize("NFC", _MARKS.sub("", unicodedata.normalize("NFKD", text))).translate(_UNDECOMPOSED)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` without their accents (stopwords dropped)."""
    words = [w for w in _WORD.findall(plain_letters(text)) if w not in STOPWORDS and w != "_"]
    return _stemmer().stemWords(words) if words else []
