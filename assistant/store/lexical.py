"""The words lexical matching compares: lower-cased, stemmed content words with their accents dropped
(BM25, answering, conversations)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
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


def _content_words(text: str) -> list[str]:
    """The words of ``text`` a search compares, before stemming: lower-cased, without their accents,
    stopwords dropped."""
    return [w for w in _WORD.findall(plain_letters(text)) if w not in STOPWORDS and w != "_"]


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed content words of ``text`` without their accents (stopwords dropped)."""
    words = _content_words(text)
    return _stemmer().stemWords(words) if words else []


# A word joining a name and its number: "GPLv3", "Apache2", "Python3.12", "COVID19" (a "v" between them
# is the version's).
_JOINED = re.compile(r"([^\W\d_]+?)[vV]?(\d+(?:[._]\d+)*)")


def joined_parts(word: str) -> list[str]:
    """The terms of a word that joins a name and its number, as the sources may write them apart
    ("GPLv3" -> gpl, 3 for "GPL-3" or "GPL version 3"; "Apache2" -> apach, 2); [] for any other word."""
    match = _JOINED.fullmatch(word)
    return tokenize(f"{match[1]} {match[2]}") if match else []


def terms_as_known(text: str, idf: Callable[[list[str]], dict[str, float]]) -> list[str]:
    """``tokenize(text)``, each word the index never saw (``idf`` gives the IDF of the terms it has) that
    joins a name and its number given as its parts where the index knows them all: a new user's "GPLv3"
    was a word the sources "never mention", their licence text writing "GPL-3" and "version 3"."""
    words = _content_words(text)
    if not words:
        return []
    terms = _stemmer().stemWords(words)
    parts = {k: split for k, w in enumerate(words) if any(c.isdigit() for c in w) and (split := joined_parts(w))}
    if not parts:
        return terms
    have = set(idf(sorted({terms[k] for k in parts} | {t for p in parts.values() for t in p})))
    out: list[str] = []
    for k, term in enumerate(terms):
        split = parts.get(k)
        out.extend(split if split and term not in have and set(split) <= have else [term])
    return out


# A word the sources never use that is rarer than this in English (a Zipf frequency: 0.1 in a million
# words) is taken as mistyped where words of the index lie an edit or two from it; a real word ("vet",
# "bought", "underpins" at 2.49) is another word, not a typo. Typos are mostly in no list (0), a common
# one below 2 ("parliment" 1.67, "presure" 1.53).
TYPO_ZIPF = 2.0
# At most this many words of a question are read as others (a word shorter than ``MISTYPED_FROM`` is
# read as written: one edit from "vet" is "yet").
SPELLED_AT_MOST = 3
_LETTERS = re.compile(r"[^\W\d_]+")


def spelled_as_known(text: str, idf: Callable[[list[str]], dict[str, float]]) -> str:
    """``text`` with each word the index never saw (``idf`` gives the IDF of the terms it has) that is no
    word of English (``TYPO_ZIPF``) nor a name (capitalised after the question's first word, or in
    capitals: "Who is Murtha?" is not asking about Martha) written as the word it was most likely meant
    as (``_meant``). A new user's "who is the landlaord" abstained (0.04), "Whats the rear tyre
    presure?" quoted another row's pressure: the search, the reader and the confidence read "landlord"
    and "pressure"."""
    spelled = [
        m for k, m in enumerate(_LETTERS.finditer(text))
        if len(m.group(0)) >= MISTYPED_FROM and not (m.group(0).isupper() or (k > 0 and m.group(0)[0].isupper()))
    ]
    unknown = [m for m in spelled if (terms := tokenize(m.group(0))) and not idf(terms)]
    if not unknown:
        return text
    from wordfreq import zipf_frequency

    out, cursor = [], 0
    for m in unknown[:SPELLED_AT_MOST]:
        word = m.group(0)
        meant = _meant(word, idf) if zipf_frequency(word, "en") < TYPO_ZIPF else None
        if meant is not None:
            out += [text[cursor : m.start()], meant[:1].upper() + meant[1:] if word[:1].isupper() else meant]
            cursor = m.end()
    return "".join(out) + text[cursor:]


def _meant(word: str, idf: Callable[[list[str]], dict[str, float]]) -> str | None:
    """The word ``word`` was most likely meant as, or None: of the words one edit from it whose terms
    the index has, or failing those two edits (``_near_words``), those of the term the index holds most
    commonly (the lowest IDF), and of these the most common in English ("packages", not "packageds",
    both "packag")."""
    own = set(tokenize(word))
    once = _near_words(word, edits=1)
    meant = _most_known(once, own, idf)
    if meant is None:
        taken = set(once)
        meant = _most_known([w for w in _near_words(word) if w not in taken], own, idf)
    return meant


def _most_known(words: list[str], own: set[str], idf: Callable[[list[str]], dict[str, float]]) -> str | None:
    """Of ``words``, those of the term (not one of ``own``) the index holds most commonly, the most
    common in English; None where the index has none of their terms."""
    if not words:
        return None
    from wordfreq import zipf_frequency

    stems = dict(zip(words, _stemmer().stemWords(words)))
    known = idf(sorted({t for t in stems.values() if t not in own}))
    if not known:
        return None
    term = min(known, key=lambda t: (known[t], t))
    return max((w for w, t in stems.items() if t == term), key=lambda w: (zipf_frequency(w, "en"), w))


# A word shorter than this is taken as written: one edit from "Iran" is "iron", from "Rome" "home".
MISTYPED_FROM = 5
# A word this long, and no longer, may be two edits from the word meant and still be that word mistyped
# (a longer word's two edits are too many to try on every question).
TWO_EDITS = range(7, 13)


def _edits(word: str) -> set[str]:
    """Every string one edit from ``word`` that keeps its first and last letters and its digits: a
    letter left out, added or changed (among the word's own letters, and a-z for a word in Latin
    letters), or two letters beside each other swapped. An edit of the last letter would make a name
    another word's stem ("Victoria" less its "a" is the stem of "victory"); a changed number is another
    thing ("iPhone12" is no "iPhone11")."""
    letters = {c for c in word if c.isalpha()} | (set("abcdefghijklmnopqrstuvwxyz") if word.isascii() else set())
    out: set[str] = set()
    last = len(word) - 1
    for i in range(1, last + 1):
        before, after = word[:i], word[i:]
        for letter in letters:
            out.add(before + letter + after)  # added before the letter at i
            if i < last and after[0].isalpha():
                out.add(before + letter + after[1:])
        if i < last and after[0].isalpha():
            out.add(before + after[1:])
            if i + 1 < last and after[1].isalpha():
                out.add(before + after[1] + after[0] + after[2:])
    out.discard(word)
    return out


def mistyped_as(word: str) -> set[str]:
    """The terms of the words ``word`` may be a typo of (``_near_words``). Its own term is not among
    them."""
    words = _near_words(word)
    own = set(tokenize(word))
    return {term for term in _stemmer().stemWords(words) if term not in own} if words else set()


def _near_words(word: str, edits: int = 2) -> list[str]:
    """The words ``word`` may be a typo of, lower-cased, in order (none for a word shorter than
    ``MISTYPED_FROM``): one edit from it (``_edits``), or, where its length is in ``TWO_EDITS`` and
    ``edits`` allows, two, one of them a letter left out ("Mannanose" for "Mannose")."""
    plain = plain_letters(word).lower()
    if len(plain) < MISTYPED_FROM:
        return []
    once = _edits(plain)
    near = set(once)
    if len(plain) in TWO_EDITS and edits > 1:
        # A letter left out, then any edit; or any edit, then a letter left out.
        shorter = {plain[:i] + plain[i + 1 :] for i in range(1, len(plain) - 1) if plain[i].isalpha()}
        near |= {w for gone in shorter for w in _edits(gone)}
        near |= {w[:i] + w[i + 1 :] for w in once for i in range(1, len(w) - 1) if w[i].isalpha()}
    return sorted(w for w in near if w.isalnum())
