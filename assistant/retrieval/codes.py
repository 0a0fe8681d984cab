"""Codes a question names: an error's, a version, a standard's number ("QM-103", "2.4.0", "SARS-CoV-2"),
each as its terms in order, and whether a text holds one whole."""

from __future__ import annotations

import re

from ..store.lexical import tokenize

# A code: parts joined by "-", ".", "_" or ":", to the last part holding a digit ("QM-103", "2.4.0",
# "SARS-CoV-2", "ISO-8601", a time "14:52"; "COVID-19" of "COVID-19-related"); a "v" before a version
# is no part of it.
_CODE = re.compile(r"(?<![\w.:-])(?:[vV](?=\d))?((?=[\w.:-]*\d)[^\W_]+(?:[-._:][^\W_]+)*?[-._:][^\W_]*\d[^\W_]*)(?!\w|[-._:][^\W_]*\d)")


def codes_in(question: str) -> tuple[tuple[str, ...], ...]:
    """The question's codes (``_CODE``) that are several terms, each as its terms in order: an error
    code, a version, a standard's number is one thing ("What does error QM-103 mean?" quoted "Unknown
    option names are an error, reported as code QM-104." for its "error" and "QM", over "QM-103: The
    preview port is already in use.")."""
    found = (tuple(tokenize(code)) for code in _CODE.findall(question))
    return tuple(dict.fromkeys(code for code in found if len(code) > 1))


def holds_run(terms: list[str], run: tuple[str, ...]) -> bool:
    """Whether ``run`` stands in ``terms`` as it is, one term after the other."""
    width = len(run)
    return any(tuple(terms[i : i + width]) == run for i in range(len(terms) - width + 1))


