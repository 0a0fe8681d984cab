"""The field of a quote of labelled lines that the question names by its label: "Who is the escalation
contact for LedgerReplicationLag?" over a runbook's "Owner: Tomás Ortega / Escalation: Marcus Webb (SRE
lead) / Severity: SEV2" asks for the Escalation line's value. The reader, reading the lines as sentences
("The Owner is Tomás Ortega. The Escalation is Marcus Webb ..."), marked the owner.

A field is named where every word of its label is in the question before any condition it sets ("Who
do I call if the owner is unreachable?" asks for no owner); where one of a quote's two fields or more is
named, or one whose label holds every other named one's words ("Contact email" over "Contact"), its
value is the answer, unless the words found lie inside it already.
"""

from __future__ import annotations

import re

from ..models import AnswerPhrase, Snippet
from ..sources.structure import ATTACHED_LABELS, field_opened, label_of
from ..store.lexical import tokenize
from .table_cell import widest_named

# Where a question's condition starts: a label named after it is no field asked for.
_CONDITION = re.compile(r"\b(?:if|when|unless|because|while|after|before|once)\b", re.I)
# Marks at a value's edges that are no part of it (Markdown's bold, a trailing space).
_EDGES = " \t*_"


def asked_field(question: str, snippet: Snippet) -> AnswerPhrase | None:
    """The value of the one field of the snippet's lines whose label the question names whole, as words
    of the file; None where the snippet holds fewer than two fields, or the question names none or
    several."""
    fields = []
    for line in re.finditer(r"[^\r\n]+", snippet.text):
        found = field_opened(line.group())
        if found is not None and label_of(found) not in ATTACHED_LABELS:
            fields.append((line, found))
    if len(fields) < 2:
        return None
    asked = set(tokenize(_CONDITION.split(question)[0]))  # "Who do I call if the owner is unreachable?" asks no owner
    labels = [set(tokenize(found.group("label"))) for _, found in fields]
    named = [k for k, label in enumerate(labels) if label and label <= asked]
    widest = widest_named(labels, named)  # "Contact email" over "Contact"
    if len(widest) != 1:
        return None
    line, found = fields[widest[0]]
    start, end = line.start() + found.end() - 1, line.end()  # from the value's first character
    while start < end and snippet.text[start] in _EDGES:
        start += 1
    while end > start and snippet.text[end - 1] in _EDGES:
        end -= 1
    if start == end:
        return None
    return AnswerPhrase.in_quote(snippet, start, end)
