"""Round trip on the real model: questions a person would ask get the answering sentence in the top three."""

import pytest

from assistant.errors import QuestionError

from projects import SAMPLE_FILE, write_project

QUESTIONS = [
    ("How long is the temporary Kosovo document valid?", "valid for 90 days"),
    ("Who is the EU facilitator in the talks?", "Miroslav Lajcak"),
    ("When does Pristina's ban on Serbian identity cards take effect?", "September 1"),
    ("What did NATO's KFOR mission do?", "increased its presence in the north of Kosovo"),
    ("Since when have the normalization talks been under EU auspices?", "since 2011"),
    ("Who met in Brussels in the middle of the month?", "Aleksandar Vucic"),
    ("What do the license plates in Serb-majority municipalities need?", "replaced with official Kosovo identifiers"),
]


@pytest.mark.parametrize("question, expected", QUESTIONS)
def test_answering_sentence_is_in_the_top_three(sample_assistant, question, expected):
    answer = sample_assistant.ask(question)
    assert not answer.abstained, answer.reason
    texts = [s.text for s in answer.snippets]
    assert any(expected in t for t in texts[:3]), texts


def test_every_citation_slices_its_file_to_the_snippet(sample_assistant):
    text = sample_assistant.read_source(SAMPLE_FILE)
    lines = text.split("\n")
    for question, _ in QUESTIONS:
        for snippet in sample_assistant.ask(question, k=5).snippets:
            c = snippet.citation
            assert text[c.start : c.end] == snippet.text
            assert snippet.text in "\n".join(lines[c.line_start - 1 : c.line_end])
            assert c.passage_id == snippet.passage.id
            assert text[snippet.passage.start : snippet.passage.end] == snippet.passage.text


def test_first_snippet_is_the_90_days_sentence(sample_assistant):
    answer = sample_assistant.ask("How long is the temporary Kosovo document valid?")
    assert "90 days" in answer.snippets[0].text
    assert answer.snippets[0].citation.label() == f"{SAMPLE_FILE}:8"


@pytest.mark.parametrize(
    "question",
    ["Who won the 2018 FIFA World Cup?", "What is the boiling point of nitrogen?", "How do I bake sourdough bread?"],
)
def test_questions_the_article_does_not_touch_abstain(sample_assistant, question):
    answer = sample_assistant.ask(question)
    assert answer.abstained and answer.reason
    # The nearest passages are still offered, best first, none of them as an answer.
    scores = [s.score for s in answer.snippets]
    assert scores and scores == sorted(scores, reverse=True)
    assert not any(s.is_answer for s in answer.snippets)


def test_snippets_are_ranked_and_distinct(sample_assistant):
    answer = sample_assistant.ask("What happened at the border crossings?", k=5)
    scores = [s.score for s in answer.snippets]
    assert scores == sorted(scores, reverse=True)
    spans = [(s.citation.start, s.citation.end) for s in answer.snippets]
    for i, (a0, a1) in enumerate(spans):
        for b0, b1 in spans[i + 1 :]:
            assert a1 <= b0 or b1 <= a0


@pytest.mark.parametrize("mode", ["dense", "lexical", "hybrid"])
def test_every_mode_finds_the_90_days(sample_assistant, mode):
    answer = sample_assistant.ask("How long is the temporary Kosovo document valid?", mode=mode)
    assert any("90 days" in s.text for s in answer.snippets)


def test_blank_and_overlong_questions_are_refused(sample_assistant):
    with pytest.raises(QuestionError):
        sample_assistant.ask("  ")
    with pytest.raises(QuestionError):
        sample_assistant.ask("why " * 1000)


@pytest.mark.parametrize("question", ["?", "?!", "...", " -- "])
def test_a_question_without_a_word_is_refused_not_answered(sample_assistant, question):
    with pytest.raises(QuestionError, match="no words"):
        sample_assistant.ask(question)


def test_a_line_that_only_restates_the_question_is_no_answer(tmp_path):
    """An FAQ's question line with no answer under it, or a one-word line of the question's words, is
    never quoted as the answer: the question is refused, or answered by the line that says it."""
    from assistant import Assistant

    config = write_project(tmp_path / "faq", sources={
        "help.txt": (
            "Help\n\nHow do I change my e-mail address?\nGo to Profile and type the new address under Contact.\n\n"
            "Where can I download my invoices?\n"
        ),
        "nginx.md": (
            "# Deployment\n\nproxy\n\nPut a `location /` block with `proxy_pass http://127.0.0.1:8080;` in the "
            "server section of nginx, then reload it.\n"
        ),
    })
    assistant = Assistant.open(config)
    assistant.build_index()
    unanswered = assistant.ask("Where can I download my invoices?")
    assert all("invoices" not in s.text for s in unanswered.snippets)
    assert unanswered.abstained
    proxy = assistant.ask("nginx reverse proxy")
    assert not proxy.abstained and proxy.snippets[0].text.startswith("Put a `location /` block")
    assert all(s.text.strip() != "proxy" for s in proxy.snippets)
    answered = assistant.ask("How do I change my e-mail address?")
    assert not answered.abstained and "Go to Profile" in answered.snippets[0].text


def test_a_statement_of_the_question_s_own_words_still_answers_it():
    from assistant.answers.answering import restates

    assert restates("nginx reverse proxy", "proxy")
    assert restates("Where can I download my invoices?", "Where can I download my invoices?")
    assert not restates("Was the cat orange?", "The cat was orange.")
    assert not restates("How do I change my e-mail address?", "How do I change my e-mail address? Go to Profile.")


def test_the_lexical_search_started_ahead_of_the_encode_ranks_as_rank_alone(sample_assistant):
    from assistant.retrieval.query import Query
    from assistant.retrieval.search import Retriever
    from assistant.store.lexical import tokenize

    index = sample_assistant.load_index()
    settings = sample_assistant.config.settings.retrieval
    question = "Who is the EU facilitator in the talks?"
    query = Query.alone(question, sample_assistant.load_question_encoder().encode_query(question), tokenize(question))
    alone = Retriever(index, settings).rank(query, "hybrid")
    retriever = Retriever(index, settings)
    retriever.search_lexical_ahead(dict(query.terms), "hybrid")
    ahead = retriever.rank(query, "hybrid")
    assert [(c.row, c.score) for c in ahead] == [(c.row, c.score) for c in alone]



def test_a_fact_in_a_list_is_quoted_and_cited_alone(tmp_path):
    """A new user's note answered a fact on its list's first line with the whole list, cited over all its
    lines ("…reached 71.4 °C on 19 August 2023. - On the same afternoon, …"): each item is a sentence,
    quoted without its marker, and the next item is not run into it."""
    from assistant import Assistant

    config = write_project(tmp_path / "notes", sources={
        "campaign.md": (
            "# Field campaign 2023\n\nResults of the summer campaign:\n\n"
            "- The peak surface temperature on the bitumen roof B2 reached 71.4 °C on 19 August 2023.\n"
            "- On the same afternoon, the sedum roof B1 peaked at 38.9 °C.\n"
            "- Substrate moisture fell below 10 % for six days.\n"
        ),
    })
    assistant = Assistant.open(config)
    assistant.build_index()
    first = assistant.ask("What was the peak surface temperature on the bitumen roof?").snippets[0]
    assert first.text == "The peak surface temperature on the bitumen roof B2 reached 71.4 °C on 19 August 2023."
    assert first.citation.label() == "campaign.md:5"


@pytest.mark.parametrize(
    ("question", "text", "span", "reference"),
    [
        ("How do I descale the machine?", "| CALC | Descaling needed | Descale the machine (5.3) |", "5.3", True),
        ("What tyre pressure should the front tyres have?", "7.1 Tyre pressures (cold)", "7.1", True),
        ("How do I clean the pump filter?", "Clean the pump filter (see section 6.1) first.", "section 6.1", True),
        ("How do I clean the pump filter?", "Clean the pump filter (see 6.1) first.", "6.1", True),
        ("What is the blood's pH?", "The pH is 7.4 at rest.", "7.4", False),
        ("How heavy is it?", "It weighs 5.3 kg empty.", "5.3", False),
        ("Which section covers descaling?", "Descale the machine (5.3)", "5.3", False),
        ("In what version was it removed?", "Removed in release (2.0) of the API.", "2.0", False),
        ("What is the blood's pH?", "Blood is slightly alkaline, pH (7.4).", "7.4", False),
        ("How much is a cappuccino?", "Cappuccino (3.20)", "3.20", False),
        ("How many people live there?", "The agencies oversee 2.5 billion people.", "2.5", False),
        # A number alone is a year or a count, in brackets or not (SQuAD's "(1066)" lost its mark).
        ("When was the Battle of Hastings?", "the Battle of Hastings (1066)", "1066", False),
        ("How do I clean the filter?", "Clean it as in chapter 6.", "6", True),
    ],
)
def test_a_section_s_number_is_no_answer_unless_a_section_is_asked_for(question, text, span, reference):
    """The reader marked "5.3", "7.1" and "section 6" as the answers to a new user's questions about
    their manuals: a heading's number or a cross-reference is not marked."""
    from assistant.answers.answering import is_section_reference

    start = text.index(span)
    assert is_section_reference(question, text, start, start + len(span)) is reference


def test_a_span_ends_before_the_next_numbered_heading():
    from assistant.answers.answering import tidy_span

    text = "press reset\n5.1 Cleaning the filter"
    first, last = tidy_span(text)
    assert text[first:last] == "press reset"


@pytest.mark.parametrize(
    ("span", "mark"),
    [
        # A new user's "How many days of paid leave do Lisbon employees get?" marked both offices' days.
        ("23 days of paid annual leave per calendar year. Employees in the Berlin office receive 28", "23 days of paid annual leave per calendar year"),
        ("Dr. John Smith", "Dr. John Smith"),  # an abbreviation ends no sentence
        ("St. Louis, Missouri", "St. Louis, Missouri"),
        ("3.5 kg", "3.5 kg"),
        # A warranty card's "When does the dishwasher warranty expire?" marked two fields' dates.
        ("2 November 2025\nInverter motor cover expires:   2 November 2033", "2 November 2025"),
        ("HLC-4471902\r\n**Period of cover:** 15 April 2025", "HLC-4471902"),  # a bold label, a CRLF
        ("held by\nthe scheme named below: TDS", "held by\nthe scheme named below: TDS"),  # prose, no field
        ("28\nFebruary 2026", "28\nFebruary 2026"),  # a date broken over a line runs on
    ],
)
def test_a_span_ends_with_its_first_sentence(span, mark):
    from assistant.answers.answering import tidy_span

    first, last = tidy_span(span)
    assert span[first:last] == mark


def test_a_span_inside_inline_code_marks_the_whole_code():
    """A new user's "How do I roll back billing-api?" marked "tw deploy" of the runbook's
    `tw deploy rollback billing-api`: a command is one thing."""
    from assistant.answers.answering import whole_code

    text = "roll back with `tw deploy rollback billing-api` and watch the error rate."
    at = text.index("tw deploy")
    start, end = whole_code(text, at, at + len("tw deploy"))
    assert text[start:end] == "tw deploy rollback billing-api"
    outside = text.index("watch")
    assert whole_code(text, outside, outside + 5) == (outside, outside + 5)  # not in code: as it was
    across = text.index("with")
    assert whole_code(text, across, at + 2) == (across, at + 2)  # across the code's edge: as it was


@pytest.mark.parametrize(
    ("text", "cut", "whole"),
    [
        ("email p.raman@halvorsen.edu today", "p.raman@halvorsen", "p.raman@halvorsen.edu"),  # a new user's mark
        ("released on 2025-04-14.", "2025", "2025-04-14"),
        ("the billing-api row", "billing", "billing-api"),
        ("it costs £40,000 now", "£40", "£40,000"),
        ("from 10:30–11:50", "10:30", "10:30"),  # a range's dash ends it
        ("valid for 90 days.", "90 days", "90 days"),  # a sentence's stop is no part of it
    ],
)
def test_a_span_ending_inside_a_token_ends_with_the_token(text, cut, whole):
    from assistant.answers.answering import whole_token

    at = text.index(cut)
    assert text[at : whole_token(text, at + len(cut))] == whole


def test_a_span_beginning_inside_an_emphasis_ends_where_it_closes():
    """A new user was shown "Tuesday 4 March**,\n18:00–19:30" marked, of "**Tuesday 4 March**, 18:00–19:30"."""
    from assistant.answers.answering import within_emphasis

    text = "The session is on **Tuesday 4 March**,\n18:00–19:30, in Brennan Hall 120."
    start, end = text.index("Tuesday"), text.index(", in")
    assert text[start : within_emphasis(text, start, end)] == "Tuesday 4 March"
    opening = text.index("on **")  # a span opening the emphasis is left as it is
    assert within_emphasis(text, opening, text.index(" 4 March")) == text.index(" 4 March")


def test_a_span_opening_a_bracket_ends_with_the_bracket_closed():
    """A new user's "When is the black bin collected?" marked "Every other Tuesday (next: 4 February 2025"."""
    from assistant.answers.answering import bracket_closed

    text = "| Every other Tuesday (next: 4 February 2025) |"
    start, end = text.index("Every"), text.index(")")
    assert text[start : bracket_closed(text, start, end)] == "Every other Tuesday (next: 4 February 2025)"
    assert bracket_closed(text, start, text.index(" (")) == text.index(" (")  # no bracket opened


@pytest.mark.parametrize(
    ("question", "yes_or_no"),
    [
        ("Are pets allowed?", True),
        ("and did he win?", True),
        ("Isn’t the rent due on the 1st?", True),  # a curly apostrophe
        ("Shouldn't I get the deposit back?", True),
        ("Are pets allowed or not?", True),  # "or not" offers no choice
        ("Do you know the landlord's phone number?", False),  # asks for it
        ("Is Rotavirus single or double-stranded?", False),  # a choice: its words answer it
        ("Do you know where the spare key is?", False),  # a where-question inside
        ("Can you tell me the rent?", False),
        ("What is the rent?", False),
    ],
)
def test_a_question_asking_yes_or_no_is_told(question, yes_or_no):
    from assistant.answers.answer_kind import asks_yes_or_no

    assert asks_yes_or_no(question) is yes_or_no


def test_a_yes_or_no_question_quotes_the_sentence_that_says_it_and_marks_nothing(tmp_path):
    """A new user's "Are pets allowed?" marked "Dogs and cats" in "Dogs and cats are not permitted.",
    which read as a yes; the quote is the answer."""
    from assistant import Assistant

    lease = (
        "Tenancy agreement\n\nThe rent is £1,250 per calendar month, payable in advance.\n\n"
        "The Tenants will not keep any animal at the property without the Landlord's prior written consent, "
        "which will not be unreasonably withheld for a small caged animal or fish. Dogs and cats are not permitted.\n"
    )
    assistant = Assistant.open(write_project(tmp_path / "lease", sources={"lease.txt": lease}))
    assistant.build_index()
    first = assistant.ask("Are pets allowed?").snippets[0]
    assert "Dogs and cats are not permitted" in first.text and first.is_answer
    assert first.answer is None
    assert assistant.ask("How much is the rent?").snippets[0].answer.text == "£1,250"


def test_two_fields_of_a_form_are_two_points_a_note_goes_with_its_line():
    from assistant.answers.answering import next_field

    text = "**Policy number:** HLC-4471902\n**Period of cover:** 15 April 2025 to 14 April 2026\nNote: renew online.\n"
    second, note = text.index("**Period"), text.index("Note:")
    assert next_field(text, 0, second)
    assert not next_field(text, second, note)  # a note on the field above
    assert not next_field("The cover ends soon.\nPeriod: 1 year.", 0, 21)  # prose, then a field
