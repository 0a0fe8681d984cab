"""The words of each indexed file's name, for telling which files a question names
(``retrieval.named_sources``): "What does MPL 2.0 say about patents?" over a folder holding
``MPL-2.0.txt`` asks about that file.

A file is named as much as the question's names hold the words of its name (``_share``): all of
"MPL-2.0" is named by "MPL 2.0", half by "MPL", a seventh of a paper called "Demographic Variations of
MERS-CoV Infection among ..." by "MERS". A word of a name counts only where few files' names hold it (``DISTINCTIVE``), and a number
only beside such a word: "2" names no file of a folder of licences at version 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .lexical import joined_parts, tokenize

# A word of a file's name is distinctive when at most this share of the files' names hold it (and
# always when only this many do).
DISTINCTIVE = 0.05
DISTINCTIVE_FILES = 2
# A file's type, as its name's suffix ("notes.md"); a suffix of digits is a version ("LGPL-2.1").
_TYPE = re.compile(r"\.[^\W\d_]\w*$")
_WORDS = re.compile(r"[^\W_]+")
# A name joined to a year, as papers are named by their first author ("okafor2023_lagos.pdf"): two words,
# the name and its year, so that "Okafor et al." names it as "MPL" names "MPL-2.0" (a model number,
# "wm3400", stays one word: "WM" alone names no washing machine).
_AUTHOR_YEAR = re.compile(r"(?<![^\W\d_])([^\W\d_]{3,})(19\d\d|20[0-4]\d)[a-z]?(?![^\W_])")


def name_of(source: str) -> str:
    """The name a file is known by: its file name without folders or type ("texts/GPL-3.0.txt" -> "GPL-3.0")."""
    return _TYPE.sub("", PurePosixPath(source).name)


# A word of a file's name as a question may hold it: its own terms, or, where it joins a name and its
# number ("wm3400"), those parts ("WM-3400": wm, 3400).
NameWord = tuple[frozenset[str], frozenset[str]]


@dataclass(frozen=True)
class SourceNames:
    """The words of each file's name (``words``), the files whose name holds each distinctive term
    (``holding``), and those holding each term of them all (``files_of``; a number too)."""

    words: dict[str, tuple[NameWord, ...]]
    holding: dict[str, tuple[str, ...]]
    files_of: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def every(self):
        """Every term of any file's name, distinctive or not: a name a file is named by is mentioned."""
        return self.files_of.keys()

    @classmethod
    def of(cls, sources: Iterable[str]) -> "SourceNames":
        # Each word read once for every file it names (10,000 files named by title: 0.28 s -> 0.13 s).
        read: dict[str, NameWord] = {}
        words: dict[str, tuple[NameWord, ...]] = {}
        for source in sources:
            written = _WORDS.findall(_AUTHOR_YEAR.sub(r"\1 \2", name_of(source).replace("_", " ")))
            for word in written:
                if word not in read:
                    read[word] = (frozenset(tokenize(word)), frozenset(joined_parts(word)))
            words[source] = tuple(read[w] for w in dict.fromkeys(written) if read[w][0])
        holding: dict[str, list[str]] = {}
        for source, name in words.items():
            for term in {t for own, parts in name for t in own | parts}:
                holding.setdefault(term, []).append(source)
        most = max(DISTINCTIVE_FILES, int(DISTINCTIVE * len(words)))
        distinctive = {t: tuple(s) for t, s in holding.items() if len(s) <= most and not t.isdigit()}
        return cls(words, distinctive, {t: tuple(s) for t, s in holding.items()})

    def named(self, asked: set[str]) -> dict[str, float]:
        """Each file named by a question whose names' terms are ``asked``, with the share of its name's
        words they hold (0..1)."""
        sources = {source for term in asked if term in self.holding for source in self.holding[term]}
        return {source: _share(self.words[source], asked) for source in sorted(sources)}


    def named_holding(self, term: str, asked: set[str]) -> dict[str, float]:
        """Each file whose name holds ``term`` (a number too: "2024" of ``budget_2024.csv``), with the
        share of its name's words ``asked`` holds (``named``'s measure)."""
        return {source: _share(self.words[source], asked) for source in self.files_of.get(term, ())}


def _share(name: tuple[NameWord, ...], asked: set[str]) -> float:
    """How much of a file's name the question's names hold: the share of its words (a word held by its
    terms or by its parts), halved where the name has numbers and the question none of them ("Apache
    License" holds half of "Apache-2.0", "Apache 2.0" all of it; "GPL-3" three quarters of "GPL-3.0"
    and half of "GPL-2"; "WM-3400" half of "veltro-wm3400-manual")."""
    held = [bool(own <= asked or (parts and parts <= asked)) for own, parts in name]
    number = [all(t.isdigit() for t in own) for own, _ in name]
    words = [h for h, n in zip(held, number) if not n]
    numbers = [h for h, n in zip(held, number) if n]
    share = sum(words) / len(words) if words else 0.0
    return share * (0.5 + 0.5 * sum(numbers) / len(numbers)) if numbers else share
