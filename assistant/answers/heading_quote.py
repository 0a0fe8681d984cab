"""A section's heading quoted with the line under it, where the heading says what was asked: a
changelog's "## 2.0.0 - 2023-06-12" holds the version and the date its bullets never name. "Which version
removed the --legacy-fonts flag?" quoted "Removed the `--legacy-fonts` flag." and marked nothing, and
"When did the default page size change to A4?" marked "US Letter".

Where the question asks when (``expected_answer_kind``) or which version, an answer's quote holds no
date or version (or none it marks), and its passage's section heading (``structure.section_heading``) holds one and stands
in the file above the quote (HEADING_REACH characters at most, no other heading between), the quote
starts at the heading instead, and the heading's date or version is the marked answer. Every offset is
still the file's; a paged source (a PDF, whose lines count from each page's top) is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..models import Answer, AnswerPhrase, Passage, Snippet
from ..retrieval.codes import MONTHS, asks_version
from ..sources.structure import section_heading
from .answer_kind import expected_answer_kind

# A heading further above the quote than this is not quoted with it.
HEADING_REACH = 400
_MONTHS = "|".join(MONTHS)
# A date whole: "2023-06-12", "5 February 2024", "February 5, 2024", "February 2024" (a year alone is as
# often a section's subject as its date: "2019-nCoV outbreak").
_DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}\b|\b(?:{_MONTHS})(?:\s+\d{{1,2}},?)?\s+\d{{4}}\b"
)
# A version: numbers joined by dots ("2.4.0", "v3.2"), not inside a date or a longer code.
_VERSION = re.compile(r"(?<![\w.-])v?\d+(?:\.\d+)+(?![\w.-]*\d)")
# A line opening a Markdown heading, or any line's start, before the heading's words.
_HEADING_LINE = re.compile(r"[ \t]*#*[ \t]*$")


def asked_of_heading(question: str) -> re.Pattern[str] | None:
    """What a heading must hold to answer the question: a version for "which version ...", a date for a
    question asking when; None for any other question."""
    if asks_version(question):
        return _VERSION
    return _DATE if expected_answer_kind(question) == "time" else None


def with_section_headings(question: str, answer: Answer, read: Callable[[str], str | None]) -> Answer:
    """The answer with each answering quote that its section's heading answers quoted from the heading
    (``heading_quote``); ``read`` gives a source's text, or None."""
    pattern = asked_of_heading(question)
    if pattern is None or answer.abstained:
        return answer
    snippets: list[Snippet] = []
    for snippet in answer.snippets:
        widened = heading_quote(snippet, pattern, read) or snippet
        c = widened.citation
        if not any(s.citation.source == c.source and s.citation.start < c.end and c.start < s.citation.end for s in snippets):
            snippets.append(widened)  # two lines under one heading: the first quoted from it, not both
    return answer.model_copy(update={"snippets": tuple(snippets)})


def heading_quote(snippet: Snippet, pattern: re.Pattern[str], read: Callable[[str], str | None]) -> Snippet | None:
    """The snippet quoted from its section's heading, the heading's match of ``pattern`` marked, where
    the quote itself holds none and the heading stands just above it; else None."""
    passage, citation = snippet.passage, snippet.citation
    if not snippet.is_answer or passage.page is not None or (snippet.answer is not None and pattern.search(snippet.text)):
        return None  # the quote says it itself, and its words are marked
    heading = section_heading(passage)
    found = pattern.search(heading) if heading else None
    text = read(citation.source) if found is not None else None
    at = heading_at(text, snippet.passage, citation.start) if text else None
    if at is None:
        return None
    widened = citation.model_copy(update={"start": at, "line_start": citation.line_start - text[at : citation.start].count("\n")})
    mark = AnswerPhrase(text=found.group(), start=at + found.start(), end=at + found.end())
    return snippet.model_copy(update={"text": text[at : citation.end], "citation": widened, "answer": mark, "also": ()})


def heading_at(text: str, passage: Passage, start: int) -> int | None:
    """Where the passage's section heading (``structure.section_heading``) stands in its file's ``text``,
    on its own line above offset ``start`` (HEADING_REACH characters at most, no other heading between);
    None where it does not."""
    heading = section_heading(passage)
    if not heading:
        return None
    at = text.rfind(heading, max(0, start - HEADING_REACH - len(heading)), passage.start)
    if at < 0:
        return None
    line_start = text.rfind("\n", 0, at) + 1
    between = text[at + len(heading) : start]
    if not _HEADING_LINE.match(text, line_start, at) or re.search(r"\n[ \t]*#", between):
        return None  # not the heading's own line, or another heading between
    return at
