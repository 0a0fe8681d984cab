"""The field of a quote's labelled lines that the question names by its label is the one marked: a new
user's "Who is the escalation contact for LedgerReplicationLag?" had the owner's name marked in
"Owner: Tomás Ortega / Escalation: Marcus Webb (SRE lead) / Severity: SEV2"."""

from __future__ import annotations

import pytest

from assistant.answers.form_field import asked_field
from assistant.models import Citation, Passage, Snippet
from projects import DATA, built_project

FIELDS = "Owner: Tomás Ortega\nEscalation: Marcus Webb (SRE lead)\n**Severity:** SEV2 "


def snippet_of(text: str, at: int = 100) -> Snippet:
    """A snippet quoting ``text`` whole, standing at file offset ``at``."""
    passage = Passage(id="p", source="runbook.md", text=text, start=at, end=at + len(text), line_start=1, line_end=3)
    citation = Citation(source="runbook.md", start=at, end=at + len(text), line_start=1, line_end=3, passage_id="p")
    return Snippet(text=text, score=1.0, citation=citation, passage=passage)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("Who is the escalation contact for LedgerReplicationLag?", "Marcus Webb (SRE lead)"),
        ("What is the severity of the alert?", "SEV2"),  # its label in bold, a space after its value
        ("Who is the owner?", "Tomás Ortega"),
        ("Who owns it?", None),  # "owns" is no label's word
        ("Who are the owner and the escalation?", None),  # two named: which one?
        ("Who do I call if the owner is unreachable?", None),  # the owner is the condition, not what is asked
    ],
)
def test_the_field_a_question_names_by_its_label_is_its_value(question, value):
    snippet = snippet_of(FIELDS)
    field = asked_field(question, snippet)
    assert (field.text if field else None) == value
    if field is not None:
        assert FIELDS[field.start - 100 : field.end - 100] == value  # file offsets


def test_of_labels_named_the_one_holding_the_others_words_is_asked():
    text = "Contact: Dev Patel\nContact email: dev@example.com"
    assert asked_field("What is the contact email?", snippet_of(text)).text == "dev@example.com"


def test_a_line_alone_or_a_note_is_no_form():
    assert asked_field("What is the severity?", snippet_of("Severity: SEV2")) is None
    assert asked_field("What is the note?", snippet_of("Note: read this first.\nTip: then this.")) is None


def test_a_runbook_s_escalation_contact_is_marked_in_its_alert_s_lines(tmp_path):
    text = (DATA / "oncall" / "oncall_runbook.md").read_text(encoding="utf-8")
    runbook = built_project(tmp_path, {"oncall_runbook.md": text})
    first = runbook.ask("Who is the escalation contact for LedgerReplicationLag?").snippets[0]
    assert "Escalation: Marcus Webb" in first.text
    assert first.answer is not None and first.answer.text.startswith("Marcus Webb")
    assert text[first.answer.start : first.answer.end] == first.answer.text
