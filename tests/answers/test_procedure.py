"""A procedure asked for is quoted whole: its numbered steps, not one of them."""

from __future__ import annotations

import pytest

from assistant.answers.procedure import asks_how, numbered_steps
from assistant.sources.documents import Document
from assistant.sources.passages import split_passages

from projects import built_project

MANUAL = """# Brava BE-720 espresso machine

## 5.3 Descaling

The machine shows the CALC symbol when it needs descaling. Descaling takes about 25 minutes.

1. Remove the water filter cartridge from the water tank, if fitted.
2. Empty the water tank and pour in one bottle (250 ml) of Brava DescaleCare.
3. Add fresh water up to the 0.5 litre mark.
4. Press and hold the Menu button for 3 seconds and select "Descale", then press OK.
5. The machine pauses half-way. Rinse the water tank and fill it with fresh water up to MAX.
6. Press OK to start the rinse cycle.

If the descaling is interrupted, start again from step 1.

## 5.4 Water filter

Replace the AquaPure filter cartridge every 2 months or after 60 litres, whichever comes first.
"""


@pytest.mark.parametrize(
    ("question", "how"),
    [
        ("How do I descale the coffee machine?", True),
        ("how to reset the router", True),
        ("What are the steps to repressurise the boiler?", True),
        ("How long does descaling take?", False),
        ("How many litres does the filter last?", False),
        ("How does the filter work?", False),
        ("What should I do when BillingApiHighErrorRate fires?", True),  # a new user's runbook question
        ("What do I do if the ledger replication lag alert fires?", True),
        ("what to do if the descaling stops", True),
        ("What does the filter do?", False),
        ("What did I do wrong?", False),
    ],
)
def test_a_question_asking_how_to_do_something_is_told(question, how):
    assert asks_how(question) is how


def test_a_step_belongs_to_its_list_from_its_first_step_to_the_end_of_its_last():
    text = "Bleed the radiator:\n1. Switch off.\n2. Open the valve. Water hisses.\n3. Close it.\nCheck the pressure.\n"
    (passage,) = split_passages(Document("guide.txt", text, "x", "utf-8"), 1200)
    second = next(j for j, s in enumerate(passage.sentences) if s.text.startswith("Open the valve"))
    start, first, last = numbered_steps(passage, second)
    assert text[start:].startswith("1. Switch off.")
    assert passage.sentences[first].text == "Switch off." and passage.sentences[last].text == "Close it."
    after = next(j for j, s in enumerate(passage.sentences) if s.text.startswith("Check"))
    assert numbered_steps(passage, after) is None  # the text after the list is no step
    assert numbered_steps(passage, 0) is None  # nor is the line before it


def test_a_first_step_of_two_sentences_whose_number_stands_before_the_passage_is_a_step():
    """A new user's "How do I make a claim?" quoted the list from step 2: step 1, "Call the claims line
    on 0800 555 0199. It is open 24 hours a day.", holds two sentences, and its number stands before the
    passage, which starts at its text."""
    text = (
        "## How to make a claim\n\n1. Call the claims line on 0800 555 0199. It is open 24 hours a day.\n"
        "2. Have your policy number ready.\n3. Report theft to the police within 24 hours.\n"
    )
    passage = next(p for p in split_passages(Document("policy.md", text, "x", "utf-8"), 1200) if "Call" in p.text)
    assert passage.text.startswith("Call the claims line")
    third = next(j for j, s in enumerate(passage.sentences) if s.text.startswith("Report theft"))
    start, first, last = numbered_steps(passage, third)
    assert start == passage.start and first == 0 and passage.sentences[last].text.startswith("Report theft")


def test_how_to_do_it_is_answered_with_every_step_and_its_number(tmp_path):
    """A new user's "How do I descale the coffee machine?" got step 4 alone, its number gone."""
    manual = built_project(tmp_path, {"brava-manual.md": MANUAL})
    answer = manual.ask("How do I descale the coffee machine?")
    procedure = next(s for s in answer.snippets if "DescaleCare" in s.text)
    # (The first step's number stands before its passage, which starts at its text: it is not quoted.)
    assert procedure.text.startswith("Remove the water filter")
    assert "2. Empty the water tank" in procedure.text and procedure.text.endswith("6. Press OK to start the rinse cycle.")
    assert "interrupted" not in procedure.text  # the paragraph after the list is not a step
    source = (tmp_path / "sources" / "brava-manual.md").read_text(encoding="utf-8")
    assert source[procedure.citation.start : procedure.citation.end] == procedure.text
    assert sum("Press OK" in s.text for s in answer.snippets) == 1  # no step quoted twice
    # A question about the procedure, not how to do it, is answered by its sentence alone.
    long = manual.ask("How long does descaling take?")
    assert not any("2. Empty" in s.text for s in long.snippets)


def test_a_list_s_lead_in_quoted_with_its_first_step_is_widened_too_and_no_step_is_quoted_twice():
    from assistant.answers.procedure import whole_procedure
    from assistant.models import Citation, Snippet

    text = "To bleed a radiator:\n1. Switch off.\n2. Open the valve.\n3. Close it.\n"
    (passage,) = split_passages(Document("guide.txt", text, "x", "utf-8"), 1200)
    lead, step = passage.sentences[0], passage.sentences[1]
    citation = Citation(source="guide.txt", start=lead.start, end=step.end, line_start=1, line_end=2, passage_id=passage.id)
    snippet = Snippet(text=text[lead.start : step.end], score=0.5, citation=citation, passage=passage)
    whole = whole_procedure(snippet)
    assert whole.text == "To bleed a radiator:\n1. Switch off.\n2. Open the valve.\n3. Close it."
    assert text[whole.citation.start : whole.citation.end] == whole.text


def test_a_step_past_what_a_quote_may_hold_is_quoted_as_it_was():
    from assistant.answers.procedure import STEPS_MAX_CHARS, whole_procedure
    from assistant.models import Citation, Snippet

    long = " and then".join(["Turn the valve"] * 6)
    text = "".join(f"{n}. {long} {n}.\n" for n in range(1, 15))
    assert len(text) > STEPS_MAX_CHARS
    (passage,) = split_passages(Document("long.txt", text, "x", "utf-8"), 3000)
    last = passage.sentences[-1]
    citation = Citation(source="long.txt", start=last.start, end=last.end, line_start=8, line_end=8, passage_id=passage.id)
    assert whole_procedure(Snippet(text=last.text, score=0.5, citation=citation, passage=passage)) is None
    first = passage.sentences[0]
    citation = Citation(source="long.txt", start=first.start, end=first.end, line_start=1, line_end=1, passage_id=passage.id)
    whole = whole_procedure(Snippet(text=first.text, score=0.5, citation=citation, passage=passage))
    assert whole is not None and len(whole.text) <= STEPS_MAX_CHARS and whole.text.startswith(first.text)


def test_what_to_do_when_an_alert_fires_is_answered_with_its_steps_before_what_it_fires_on(tmp_path):
    """A new user's "What should I do when BillingApiHighErrorRate fires?" quoted the alert's "Fires when
    more than 2% of billing-api requests ..." first and step 1 alone second; "What do I do if ...?"
    quoted step 5 alone. What to do is asked as how to do it, and its steps come first."""
    from projects import DATA

    text = (DATA / "oncall" / "oncall_runbook.md").read_text(encoding="utf-8")
    runbook = built_project(tmp_path, {"oncall_runbook.md": text})
    first = runbook.ask("What should I do when BillingApiHighErrorRate fires?").snippets[0]
    assert "Grafana dashboard" in first.text and "page the Escalation contact." in first.text, first.text
    assert text[first.citation.start : first.citation.end] == first.text
    first = runbook.ask("What do I do if the ledger replication lag alert fires?").snippets[0]
    assert first.text.startswith("Run `tw db lag ledger`") and "back to true." in first.text, first.text
