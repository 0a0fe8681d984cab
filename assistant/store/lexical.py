"""The words lexical matching compares: lower-cased, stemmed content words (BM25, answering, conversations)."""

from __future__ import annotations

import re
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


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` (stopwords dropped)."""
    words = [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and w != "_"]
    return _stemmer().stemWords(words) if words else []
