"""Follow-up questions answered in the context of the turns before them, on two look-alike texts."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from assistant import Assistant
from assistant.models import Conversation

from cli_runner import run_cli
from projects import DATA, built_project, write_project

TEXTS = DATA / "conversation"


@pytest.fixture(scope="module")
def two_lives(tmp_path_factory) -> Assistant:
    """An index of the two texts, built once for the module."""
    root = tmp_path_factory.mktemp("lives")
    config = write_project(root)
    for name in ("augustine.txt", "aquinas.txt"):
        shutil.copy(TEXTS / name, root / "sources" / name)
    assistant = Assistant.open(config)
    assistant.build_index()
    return assistant


def chat(assistant: Assistant, *questions: str):
    """Ask the questions as one conversation; the answers in order."""
    conversation, answers = Conversation(), []
    for question in questions:
        answer = assistant.ask(question, conversation=conversation)
        conversation = conversation.then(answer)
        answers.append(answer)
    return answers


def chat_so_far(assistant: Assistant, *questions: str) -> Conversation:
    """The conversation after asking the questions in turn."""
    conversation = Conversation()
    for answer in chat(assistant, *questions):
        conversation = conversation.then(answer)
    return conversation


def in_context(assistant: Assistant, question: str, before: Conversation):
    """The question as read after the turns of ``before``."""
    from assistant.retrieval.conversation import read_in_context
    from assistant.retrieval.query import Query
    from assistant.store.lexical import tokenize

    vector = assistant.load_question_encoder().encode_query(question)
    return read_in_context(Query.alone(question, vector, tokenize(question)), before, assistant.load_index())


def test_a_follow_up_is_read_with_the_subject_of_the_turn_before(two_lives):
    first, follow_up = chat(two_lives, "Where did Aquinas come from?", "When did he die?")
    assert first.snippets[0].citation.source == "aquinas.txt"
    assert not follow_up.abstained
    assert follow_up.snippets[0].citation.source == "aquinas.txt" and "1274" in follow_up.snippets[0].text
    assert "Aquinas" in follow_up.read_with  # how the question was read, in the user's own words
    alone = two_lives.ask("When did he die?")  # alone, "he" is whoever matches best: here Augustine
    assert alone.read_with == () and "1274" not in alone.snippets[0].text


def test_ellipsis_continues_the_last_answer(two_lives):
    first, follow_up = chat(two_lives, "Who wrote the Summa Theologica?", "And where did he die?")
    assert first.snippets[0].citation.source == "aquinas.txt"
    answer = follow_up.snippets[0]
    assert answer.citation.source == "aquinas.txt" and "Fossanova" in answer.text
    assert answer.answer is not None and "Fossanova" in answer.answer.text
    # Asked alone, the sentences ranked by what they share with the question put another death first:
    # it is the conversation that finds Fossanova (the reader reads the follow-up with its carried words,
    # "Summa Theologica", and marks the place).
    assert "Fossanova" not in two_lives.with_reader(False).ask("And where did he die?").snippets[0].text


def test_a_question_that_names_another_subject_carries_nothing_over(two_lives):
    first, switch = chat(two_lives, "Where was Augustine born?", "What did Thomas Aquinas study at the University of Naples?")
    assert first.snippets[0].citation.source == "augustine.txt"
    assert switch.read_with == ()
    assert switch.snippets[0].citation.source == "aquinas.txt"


def read(question: str):
    from assistant.retrieval.query import Query
    from assistant.store.lexical import tokenize

    return Query.alone(question, np.zeros(4, dtype=np.float32), tokenize(question))


@pytest.mark.parametrize("question", ["how often", "name two", "Like who?", "Such as?", "Name three.", "name 2", "And the second?"])
def test_words_that_say_what_is_asked_are_no_subject_of_a_follow_up(question):
    """"How often", "name 2" or "like who?" ask about the subject before, whatever it was."""
    from assistant.retrieval.conversation import subject_words

    assert subject_words(read(question)) == []


def test_words_asking_for_more_of_the_same_are_neither_searched_nor_carried(two_lives):
    """"Any other examples?" asks for more of what was talked about: its "any" and "other" would match
    "more than any other magazine" anywhere. They weigh nothing in the search, and the next turn does
    not carry them over as the conversation's subject."""
    conversation = chat_so_far(two_lives, "Where did Augustine teach rhetoric?", "Any other examples?")
    more = in_context(two_lives, "Any other examples?", Conversation(turns=conversation.turns[:1]))
    assert more.incomplete == 1.0 and all(more.terms[t] == 0.0 for t in ("ani", "other"))
    assert "rhetoric" in more.carried_words
    then = in_context(two_lives, "When was he born?", conversation)
    # "he" is Augustine, whom the question "Any other examples?" went on asking about.
    assert then.whole_question == "When was Augustine born?"
    assert "Augustine" in then.carried_words and not {"Any", "other", "examples"} & set(then.carried_words)


def test_a_year_names_the_subject_of_a_follow_up_and_the_confidence_model_reads_what_it_was_fitted_on():
    from assistant.retrieval.conversation import own_subject_terms, subject_words
    from assistant.store.lexical import tokenize

    assert subject_words(read("What happened in 1066?")) == ["1066"]
    # The confidence model's subject words are those it was fitted with: "often" still counts there.
    assert own_subject_terms(tokenize("How often did he write?")) == ["often", "write"]


@pytest.mark.parametrize(
    "question, leans",
    [
        ("What kind of land is it?", True),  # the closing "is it" is the subject talked about
        ("How big was he?", True),
        ("What did he define?", True),
        ("What did Microsoft say it would rename?", False),  # "it" is Microsoft
        ("What did Émile say it meant?", False),
        ("Where was Augustine born?", False),
    ],
)
def test_a_pronoun_points_back_unless_the_question_named_what_it_stands_for(question, leans):
    from assistant.retrieval.conversation import points_back

    assert points_back(question) is leans


def test_a_closing_was_he_is_read_with_the_turn_before(two_lives):
    first, follow_up = chat(two_lives, "Who wrote the Summa Theologica?", "What kind of friar was he?")
    assert first.snippets[0].citation.source == "aquinas.txt"
    assert follow_up.read_with  # "friar" is the question's own word, "he" still the man asked about before
    assert follow_up.snippets[0].citation.source == "aquinas.txt" and "Dominican" in follow_up.snippets[0].text


def test_a_word_the_source_lacks_is_a_switch_as_much_as_it_is_uncommon(two_lives):
    """A question's word missing from the source the conversation stands on, but found elsewhere, says
    it moved there as strongly as the word is uncommon: "Fossanova" (a name) in full, "family" (an
    everyday word the text happens not to use) hardly. A question whose words the source has stays."""
    from assistant.models import TurnContext
    from assistant.retrieval.conversation import Subject, continuity
    from assistant.retrieval.query import Query
    from assistant.store.lexical import tokenize

    index = two_lives.load_index()
    row = next(r for r in range(len(index.passages)) if index.passages[r].source == "augustine.txt")
    on_augustine = TurnContext(terms={}, words={}, vector=(0.0,), source="augustine.txt", row=row)

    def sits(question: str):
        query = Query.alone(question, np.zeros(4, dtype=np.float32), tokenize(question))
        return continuity(Subject.of(query, index), on_augustine, index)

    assert sits("Who taught rhetoric in Milan?").stays == 1.0
    assert sits("What was Fossanova?").stays == 0.0
    assert sits("Who was in the family?").stays > 0.5
    # Not a switch for the search, but the confidence still sees that the source lacks the word.
    assert sits("Who was in the family?").found == 0.0
    assert sits("Who taught rhetoric in Milan?").found == 1.0


def test_the_confidence_sees_that_the_place_lacks_the_question_s_words(two_lives):
    """On Augustine, "What was the family like?" is no switch for the search (the search stays), but
    Augustine's text never says "family": the confidence model is told the place holds none of the
    question's words, beyond what its leaning on the turn before makes up."""
    conversation = Conversation().then(two_lives.ask("Who was Augustine's mother?"))
    read = in_context(two_lives, "What was the family like?", conversation)
    assert read.focus is not None and read.focus.source == "augustine.txt"
    assert read.focus.stay == 1.0 and 0.0 < read.incomplete < 1.0
    assert read.focus.words_held == pytest.approx(read.incomplete)  # only what its leaning makes up


def test_a_follow_up_stands_on_the_answer_before_it_no_surer_than_the_reader_was(two_lives):
    """The confidence model is told how sure the reader was of the answer a follow-up leans on: its
    ``footing`` is the reader's best probability for that turn, as much as the question holds to it,
    and 0 for a question with no answer before it to stand on."""
    first = two_lives.trace("Who wrote the Summa Theologica?")
    conversation = Conversation().then(first.answer)
    follow_up = two_lives.trace("And where did he die?", conversation=conversation)
    assert follow_up.features[0]["focused"] == 1.0
    leans = follow_up.features[0]["stay"]  # how much it holds to that place
    assert 0 < leans and 0 < first.read.best_probability
    assert follow_up.features[0]["footing"] == pytest.approx(first.read.best_probability * leans)
    assert two_lives.trace("And where did he die?").features[0]["footing"] == 0.0
    # An abstention gives the next question no place to stand on, so nothing to be sure of either.
    refused = two_lives.ask("What is the population of Tasmania?")
    after = two_lives.trace("And where did he die?", conversation=Conversation().then(refused))
    assert refused.abstained and after.features[0]["focused"] == 0.0 and after.features[0]["footing"] == 0.0


def test_a_follow_up_is_told_how_sure_the_reader_was_over_the_whole_conversation(two_lives):
    """``said_before`` is the reader's say over every turn before, an abstention's too (its doubt is the
    point), the newest counting most, as much as the question holds to where it stands; 0 for a
    question asked alone."""
    from assistant.retrieval.conversation import SOURCE_FADE

    first = two_lives.trace("Who wrote the Summa Theologica?")
    refused = two_lives.trace("What is the population of Tasmania?")
    assert refused.answer.abstained
    conversation = Conversation().then(first.answer).then(refused.answer)
    follow_up = two_lives.trace("And where did he die?", conversation=conversation)
    said = (refused.read.best_probability + SOURCE_FADE * first.read.best_probability) / (1 + SOURCE_FADE)
    assert follow_up.features[0]["focused"] == 1.0  # it stands on the first answer, the last placed
    assert follow_up.features[0]["said_before"] == pytest.approx(said * follow_up.features[0]["stay"])
    assert follow_up.features[0]["footing"] == pytest.approx(first.read.best_probability * follow_up.features[0]["stay"])
    assert two_lives.trace("And where did he die?").features[0]["said_before"] == 0.0


def test_a_question_of_words_the_sources_never_use_stands_alone(two_lives):
    """"who invented the quantum flux capacitor?" names something, only nothing the sources know: in a
    conversation it is not read with the turn before, and it abstains as it does alone."""
    first, off = chat(two_lives, "Who was Augustine's mother?", "who invented the quantum flux capacitor?")
    assert off.read_with == () and off.abstained
    assert two_lives.ask("who invented the quantum flux capacitor?").abstained
    _, wearing = chat(two_lives, "Who was Augustine's mother?", "What was she wearing?")  # no word known, but "she"
    assert "Augustine" in wearing.read_with


def test_a_name_is_its_subject_however_common_the_word(two_lives):
    """"What about Thomas More?" is about More, though "more" asks for more elsewhere; "France" is a
    common English word, but capitalised it names a subject."""
    from assistant.retrieval.conversation import Subject, subject_words

    index = two_lives.load_index()
    assert "more" in subject_words(read("What about Thomas More?"))
    assert "more" not in subject_words(read("Anything more?"))
    assert Subject.of(read("What about France?"), index).rarity.get("franc", 1.0) == 1.0
    _, switch = chat(two_lives, "Who was Augustine's mother?", "What about Aquinas?")
    assert switch.snippets[0].citation.source == "aquinas.txt"


def test_what_the_tokenizer_leaves_of_a_negation_and_a_shouted_question_name_nothing():
    from assistant.retrieval.conversation import name_terms, subject_words

    assert subject_words(read("Who didn't allow it?")) == ["allow"]
    assert name_terms("WHERE DID HE GO?") == set() and name_terms("Where did Nick go?") == {"nick"}


def test_a_follow_up_of_words_that_only_ask_for_more_still_searches_them_when_nothing_is_carried(two_lives):
    conversation = Conversation().then(two_lives.ask("What else?"))
    more = in_context(two_lives, "Any more?", conversation)
    assert more.carried_words == () and more.terms and all(w > 0 for w in more.terms.values())


def test_one_answer_from_elsewhere_does_not_move_the_conversation_home():
    """Three answers from one story, then one from another: the story still holds most of the share."""
    from assistant.models import TurnContext
    from assistant.retrieval.conversation import recent_sources

    turns = [TurnContext(terms={}, words={}, vector=(0.0,), source=name, row=0) for name in ("a", "a", "a", "b")]
    shares = recent_sources(turns)
    assert shares["a"] > shares["b"] and sum(shares.values()) == pytest.approx(1.0)


def test_a_question_of_everyday_words_is_read_with_the_turn_before(two_lives):
    """"What town?" names no one: in a small index "town" is as rare as a name, but it is an everyday
    English word, so the question leans on the one before. A name stands alone."""
    first, town = chat(two_lives, "Who was Augustine's mother?", "What town?")
    assert first.snippets[0].citation.source == "augustine.txt"
    assert "Augustine" in town.read_with
    assert town.snippets[0].citation.source == "augustine.txt" and "Thagaste" in town.snippets[0].text
    _, named = chat(two_lives, "Who was Augustine's mother?", "What is Fossanova?")
    assert named.read_with == ()


COMPANY_HANDBOOK = {
    "leave.md": (
        "# Leave\n\nEmployees in the Lisbon office receive 23 days of paid annual leave per calendar year."
        " Employees in the Berlin office receive 28 days.\n\nSick leave is paid at full salary for the first 30 days.\n"
    ),
    "company.md": (
        "# The company\n\nThe company was founded in 2015 and has offices in Lisbon and Berlin."
        " Employees are expected in their office on Tuesdays and Thursdays, the company's anchor days.\n"
    ),
}


def test_a_thing_the_sources_never_mention_makes_a_question_of_its_own(tmp_path):
    """A new user's "What is the company's dress code?" after a question about leave was read with it
    in brackets and answered with the leave rule at 1.00: "company" is an everyday word the sources use,
    but "dress" and "code", which they never use, name a thing of the question's own."""
    handbook = built_project(tmp_path, COMPANY_HANDBOOK)
    _, dress = chat(handbook, "How many days of paid leave do Lisbon employees get?", "What is the company's dress code?")
    assert dress.read_with == () and dress.read_with_question == ""  # read as it would be alone


def test_words_the_sources_never_use_name_a_thing_of_their_own_only_together(two_lives):
    from assistant.retrieval.conversation import Subject, unheard_of

    def subject(question: str) -> Subject:
        return Subject.of(read(question), two_lives.load_index())

    assert unheard_of(subject("What is the company's dress code?")) > 0.7  # "dress", "code": the rarer counts
    assert unheard_of(subject("Augustine had how many nickmanes?")) == 0.0  # one alone: a typo, as often
    assert unheard_of(subject("Where did Augustine teach?")) == 0.0


def test_a_question_going_on_asking_a_refused_one_about_something_else_stands_nowhere(two_lives):
    """A new user's "why?" after the refused "What is the wifi password?" was answered from the place,
    and with the words, of the answer before it. A refused question asking about the place the
    conversation stands on still keeps it there (``asked_there``)."""
    from assistant.retrieval.conversation import asked_there

    conversation = chat_so_far(two_lives, "Where did Augustine teach rhetoric?", "What is the wifi password?")
    assert conversation.turns[-1].abstained
    why = in_context(two_lives, "why?", conversation)
    assert set(why.carried_words) <= {"wifi", "password"} and why.focus is None
    placed, refused = conversation.turns[0].context, conversation.turns[-1].context
    index = two_lives.load_index()
    assert not asked_there(refused, placed, index)
    assert asked_there(refused.model_copy(update={"asked": "Did Augustine teach rhetoric in Carthage?"}), placed, index)


def test_english_says_which_words_are_everyday():
    from assistant.retrieval.conversation import english_rarity

    assert english_rarity("want") == 0.0
    assert 0.0 < english_rarity("country") < english_rarity("town") < english_rarity("Pittsburgh") == 1.0


def test_a_new_conversation_forgets(two_lives):
    chat(two_lives, "Where did Aquinas come from?")
    fresh = two_lives.ask("When did he die?", conversation=Conversation())
    assert fresh.read_with == () and fresh == two_lives.ask("When did he die?").model_copy(update={"timings": fresh.timings})


def test_a_complete_question_in_a_conversation_answers_as_it_would_alone(two_lives):
    question = "In which year did Augustine become bishop of Hippo Regius?"
    _, in_context = chat(two_lives, "What was the Summa Theologica?", question)
    alone = two_lives.ask(question)
    assert in_context.read_with == ()
    assert in_context.snippets[0].citation == alone.snippets[0].citation and "395" in alone.snippets[0].text


def test_the_cli_reads_stdin_as_one_conversation(two_lives):
    config = str(two_lives.config.path)
    lines = "Where did Aquinas come from?\nWhen did he die?\n"
    code, out, err = run_cli("--config", config, "ask", "-", "--conversation", "--json", stdin=lines)
    assert code == 0, err
    first, follow_up = (json.loads(line) for line in out.splitlines())
    assert first["read_with"] == [] and "Aquinas" in follow_up["read_with"]
    assert "1274" in follow_up["snippets"][0]["text"]
    code, out, _ = run_cli("--config", config, "ask", "-", "--json", stdin=lines)  # without it: every line alone
    assert [json.loads(line)["read_with"] for line in out.splitlines()] == [[], []]
    code, out, _ = run_cli("--config", config, "ask", "-", "--conversation", stdin=lines)
    assert "(read with: " in out and "Aquinas" in out.split("(read with: ")[1].splitlines()[0]


def test_an_answer_says_which_earlier_question_the_reader_read_a_follow_up_with(two_lives):
    """The user sees how "Any other examples?" was read: the JSON names the earlier question the reader
    read it with (null for a question read as asked), the CLI prints it after the carried words; with
    the reader off nothing reads that question, and nothing says so."""
    config = str(two_lives.config.path)
    lines = "Where did Augustine teach rhetoric?\nAny other examples?\n"
    code, out, err = run_cli("--config", config, "ask", "-", "--conversation", "--json", stdin=lines)
    assert code == 0, err
    first, more = (json.loads(line) for line in out.splitlines())
    assert first["read_with_question"] is None
    assert more["read_with_question"] == "Where did Augustine teach rhetoric?"
    code, out, _ = run_cli("--config", config, "ask", "-", "--conversation", stdin=lines)
    assert "; as a follow-up to “Where did Augustine teach rhetoric?”)" in out.split("(read with: ")[1].splitlines()[0]
    answers = chat(two_lives.with_reader(False), "Where did Augustine teach rhetoric?", "Any other examples?")
    assert answers[1].read_with_question == "" and "“" not in answers[1].how_read()


def test_conversation_needs_stdin(two_lives):
    code, _, err = run_cli("--config", str(two_lives.config.path), "ask", "--conversation", "When did he die?")
    assert code == 2 and "--conversation" in err and err.count("\n") == 1


def test_a_follow_up_that_leans_on_the_turns_before_goes_on_asking_the_last_whole_question(two_lives):
    """"Any other examples?" after "Where did Augustine teach rhetoric?" asks that question again: the
    reader reads it with that question in brackets, not with a bag of the words carried from it. A
    follow-up that leans on it too ("And when?") still asks it; a question that stands on its own asks
    nothing before it, and is the one asked after it."""
    from assistant.answers.reading import reader_question

    whole = "Where did Augustine teach rhetoric?"
    conversation = chat_so_far(two_lives, whole, "Any other examples?")
    more = in_context(two_lives, "Any other examples?", Conversation(turns=conversation.turns[:1]))
    assert more.whole_question == whole
    assert reader_question(more) == f"Any other examples? ({whole})"  # the carried words are all in it
    assert in_context(two_lives, "And when?", conversation).whole_question == whole
    named = in_context(two_lives, "Where did Thomas Aquinas study?", conversation)
    assert named.whole_question == "" and reader_question(named) == "Where did Thomas Aquinas study?"
    after = chat_so_far(two_lives, whole, "Where did Thomas Aquinas study?")
    assert in_context(two_lives, "And when?", after).whole_question == "Where did Thomas Aquinas study?"


def test_the_reader_reads_a_follow_up_with_the_carried_words_its_whole_question_lacks():
    from assistant.answers.reading import reader_question
    from assistant.retrieval.query import Query

    query = Query(
        text="and?", vector=np.zeros(4, dtype=np.float32), terms={}, incomplete=1.0,
        carried_words=("rivers", "Pittsburgh", "steel"), whole_question="Which rivers meet at Pittsburgh?",
    )
    assert reader_question(query) == "and? (Which rivers meet at Pittsburgh? steel)"
    # A question that can be read on its own is read as asked: what it carried serves the search
    alone = Query(
        text="What must happen to license plates?", vector=np.zeros(4, dtype=np.float32), terms={}, incomplete=0.08,
        carried_words=("NATO", "EU", "facilitator"),
    )
    assert reader_question(alone) == "What must happen to license plates?"


def test_the_words_marked_in_a_follow_up_answer_its_own_question_not_the_one_it_goes_on_asking(two_lives):
    """Read with the question it goes on asking, a follow-up may find that question's answer in the
    window; the words marked are read again with the follow-up's own words. "When did he die?" after
    "Where did Thomas Aquinas study?" marks the year, never "University of Naples"; each mark is a
    slice of its file inside the quote. (Not after "Who wrote the Summa Theologica?": its answer never
    names him, the reader doubts it, and the follow-up standing on it is shown below the bar on a CPU
    with AVX-512 VNNI, whose int8 kernels read a little lower.)"""
    conversation = chat_so_far(two_lives, "Where did Thomas Aquinas study?")
    trace = two_lives.trace("When did he die?", conversation=conversation)
    first = trace.answer.snippets[0]
    assert first.citation.source == "aquinas.txt" and first.answer is not None
    assert first.answer.text == "1274"
    assert all(s.answer is None or s.answer.text != "University of Naples" for s in trace.answer.snippets)
    for snippet in trace.answer.snippets:
        if snippet.answer is not None:
            text = two_lives.read_source(snippet.citation.source)
            assert text[snippet.answer.start : snippet.answer.end] == snippet.answer.text
            assert snippet.citation.start <= snippet.answer.start < snippet.answer.end <= snippet.citation.end
    # "why?" goes on asking "Where was Augustine born?"; read so, the reader finds an answer-like span
    # in the sentence of his birth ("Monica", a name), but nothing there says why he converted.
    before = chat_so_far(two_lives, "Where was Augustine born?", "Who was his mother?", "When did he convert?")
    why = two_lives.ask("why?", conversation=before).snippets[0]
    assert why.answer is None or why.answer.text != "Monica"


def test_a_quote_is_read_again_with_the_sentences_beside_it():
    from assistant.answers.reading import quote_window
    from assistant.models import Citation, Passage, Sentence, Snippet

    text = "One. Two is here. Three. Four."
    spans = [(0, 4), (5, 17), (18, 24), (25, 30)]
    sentences = tuple(Sentence(start=s, end=e, line_start=1, line_end=1, text=text[s:e]) for s, e in spans)
    passage = Passage(id="p", source="f.txt", start=0, end=30, line_start=1, line_end=1, text=text, sentences=sentences)
    citation = Citation(source="f.txt", start=5, end=24, line_start=1, line_end=1, passage_id="p")
    snippet = Snippet(text=text[5:24], score=1.0, citation=citation, passage=passage)
    window = quote_window(snippet)
    assert window.start == 0 and window.text == text


# Two offices' rules, as a staff handbook writes them (a new user's "and in the US?" was answered with
# the UK rule again: the UK of the question before was carried into it, and read by the reader).
HANDBOOK = """# Leave

Full-time UK employees receive 25 days of annual leave per holiday year, plus the 8 UK bank holidays.

Part-time employees receive a pro-rata amount based on their contracted hours.

Full-time US employees receive 15 days of paid time off per calendar year, plus 10 company holidays.

# Expenses

| Category | UK limit | US limit | Notes |
| --- | --- | --- | --- |
| Hotel, London | £180 per night | n/a | Including breakfast |
| Hotel, US cities | n/a | $220 per night | New York: $300 |
| Meals while travelling | £40 per day | $60 per day | All meals combined |
| Working late dinner | £20 | $25 | Only after 8 pm |
"""


@pytest.fixture(scope="module")
def handbook(tmp_path_factory) -> Assistant:
    return built_project(tmp_path_factory.mktemp("handbook"), {"handbook.md": HANDBOOK})


def test_and_in_another_place_asks_the_question_before_of_that_place(handbook):
    first, then = chat(handbook, "How many days of annual leave do UK employees get?", "and in the US?")
    assert "UK employees receive 25 days" in first.snippets[0].text
    assert then.read_with_question == "How many days of annual leave do US employees get?"
    assert "UK" not in then.read_with
    assert "US employees receive 15 days" in then.snippets[0].text, [s.text for s in then.snippets]
    # ... and in a table, the row the answer before stood on, under the other column.
    meals = chat(handbook, "What is the meal allowance in the UK?", "and in the US?")
    assert meals[0].snippets[0].answer.text.startswith("£40")
    assert meals[1].snippets[0].text.startswith("| Meals while travelling |")
    assert meals[1].snippets[0].answer.text.startswith("$60")


@pytest.mark.parametrize(
    "before, follow_up, restated",
    [
        ("What is the meal allowance in the UK?", "and in the US?", "What is the meal allowance in the US?"),
        ("Where did Augustine teach rhetoric?", "And Aquinas?", "Where did Aquinas teach rhetoric?"),
        ("What is the hotel limit in New York?", "And in San Francisco?", "What is the hotel limit in San Francisco?"),
        ("How do I install it on macOS?", "and on Windows?", "How do I install it on Windows?"),
        ("UK employees: how many days of leave?", "and in the US?", "US employees: how many days of leave?"),
        ("Do UK staff get the UK bank holidays?", "and in the US?", "Do US staff get the US bank holidays?"),
        ("What is the rule in the UK?", "And in the U.S.?", "What is the rule in the U.S.?"),
        # A question of its own after "And", not one name in place of one: nothing restated.
        ("How many days of annual leave do UK employees get?", "And who is the CEO?", None),
        ("What is the meal allowance in the UK?", "and for contractors in the US?", None),
        ("Did the UK sign with France?", "and the US?", None),
        ("What is the meal allowance in the UK?", "and in the UK?", None),
        ("What is the meal allowance?", "and in the US?", None),
        # "What about X?" asks the question before of X; a possessive is no part of the name.
        ("Where did Augustine teach rhetoric?", "What about Aquinas?", "Where did Aquinas teach rhetoric?"),
        ("Who was Augustine's mother?", "how about Aquinas?", "Who was Aquinas's mother?"),
        ("Where did Augustine teach rhetoric?", "What about his mother?", None),
        # A version after a name is the name's ("MPL 2.0", "Windows 11").
        ("How many days do I have to cure a GPL-3 violation?", "and under MPL 2.0?", "How many days do I have to cure a MPL 2.0 violation?"),
        ("How do I install it on Windows 11?", "and on macOS?", "How do I install it on macOS?"),
        ("What does MPL 2.0 say about patents?", "what about Apache 2.0?", "What does Apache 2.0 say about patents?"),
        # A word opening the follow-up is capitalised as its sentence's first: no name ("US?" is one).
        ("What did Robert drop?", "How?", None),
        ("What is the meal allowance in the UK?", "US?", "What is the meal allowance in the US?"),
        # A developer's names are lower case: a word written as an identifier is one.
        ("Which port does the ledger-service use?", "and the notification-service?", "Which port does the notification-service use?"),
        ("Who owns invoice_worker?", "and billing_api?", "Who owns billing_api?"),
        ("Which port does the ledger-service use on Linux?", "and the notification-service?", "Which port does the notification-service use on Linux?"),
        # Words that are no name, after the preposition the question before has once: in place of the
        # content words after it (a manual's "on the dryer machine" was restated so before).
        ("What is the rate limit in production?", "and in staging?", "What is the rate limit in staging?"),
        ("What did she find in the garden yesterday?", "and in the kitchen?", "What did she find in the kitchen?"),
        ("What does E21 mean on the washing machine?", "and on the dryer?", "What does E21 mean on the dryer?"),
        ("What did he eat for breakfast on Monday?", "and for lunch?", "What did he eat for lunch on Monday?"),
        ("What happened in 2019?", "and in 2020?", "What happened in 2020?"),
        ("What did he eat for breakfast?", "and for lunch?", "What did he eat for lunch?"),
        ("What is the rate limit in production?", "and staging?", None),  # no preposition to stand after
        ("Is the shop open on weekdays?", "and on Sundays?", "Is the shop open on Sundays?"),  # a name, none before
        ("What is the rate limit in production?", "and in it?", None),  # a word that only points back
        # A year in place of the one year the question before named, whatever stands before it.
        ("Which car did he drive in the city in 2019?", "and in 2020?", "Which car did he drive in the city in 2020?"),
        ("What did he eat?", "and for lunch?", None),
        # A version, a numbered thing in place of the one the question before named (a new user's
        # changelog and course schedule).
        ("When was version 3.2.0 released?", "and 3.2.1?", "When was version 3.2.1 released?"),
        ("what's the reading for week 7?", "and week 8?", "what's the reading for week 8?"),
        ("when is lab 2 due?", "and lab 3?", "when is lab 3 due?"),
        ("what's the reading for week 7?", "and lab 3?", None),  # no lab before: which number would it replace?
        ("Compare week 7 and week 8.", "and week 9?", None),  # two weeks before
    ],
)
def test_a_follow_up_naming_one_thing_in_place_of_another_is_the_question_before_restated(before, follow_up, restated):
    from assistant.retrieval.conversation import contrast

    found = contrast(follow_up, before)
    assert (found.question if found else None) == restated


@pytest.mark.parametrize(
    "asked, follow_up, restated",
    [
        # The last question stood for its thing by a pronoun: the name stands there (a game master's
        # "and Greyford?" after "who rules it?" went back to the distance asked two turns before).
        ("who rules it?", "and Greyford?", "who rules Greyford?"),
        ("where does she live?", "what about Nella Ashby?", "where does Nella Ashby live?"),
        ("what did the party give him?", "and the-reeve?", "what did the party give the-reeve?"),
        # No pronoun, two, a possessive only, a name of its own, or no ask: the question before, as ever.
        ("who rules the town?", "and Greyford?", "How far is Greyford from the capital?"),
        ("did he tell her about it?", "and Greyford?", "How far is Greyford from the capital?"),
        ("what is its population?", "and Greyford?", "How far is Greyford from the capital?"),
        ("who rules it in Valmere?", "and Greyford?", "How far is Greyford from the capital?"),
        ("and it?", "and Greyford?", "How far is Greyford from the capital?"),
        # An "it" standing for nothing has no place for a name.
        ("is it legal to ride a bike there?", "and Greyford?", "How far is Greyford from the capital?"),
    ],
)
def test_a_name_after_a_question_asked_by_a_pronoun_asks_that_question_of_it(asked, follow_up, restated):
    from assistant.retrieval.conversation import contrast

    found = contrast(follow_up, "How far is Oakhollow from the capital?", asked)
    assert found is not None and found.question == restated


@pytest.mark.parametrize(
    "asked, follow_up, restated",
    [
        # A follow-up with a preposition puts its words after that preposition, not in the pronoun's place.
        ("Is it open on weekdays?", "and on Sundays?", "Is it open on Sundays?"),
        ("how do I install it on Linux?", "and on Windows?", "how do I install it on Windows?"),
    ],
)
def test_a_follow_up_with_a_preposition_takes_the_preposition_s_place_not_the_pronoun_s(asked, follow_up, restated):
    from assistant.retrieval.conversation import contrast

    found = contrast(follow_up, asked, asked)
    assert found is not None and found.question == restated


DEVELOPER_DOCS = """# Services

| Service | Port | Team |
| --- | --- | --- |
| ledger-service | 9090 | Team Borealis |
| notification-service | 9091 | Team Comet |
| reporting-service | 7070 | Team Borealis |

# Limits

Each client may make 100 requests per minute in production. In staging the limit is 20 requests per
minute, and batch jobs have no limit at all.
"""


def test_a_follow_up_naming_a_lower_case_thing_asks_the_question_before_of_it(tmp_path):
    docs = built_project(tmp_path, {"docs.md": DEVELOPER_DOCS})
    _, then = chat(docs, "Which port does the ledger-service use?", "and the notification-service?")
    assert then.read_with_question == "Which port does the notification-service use?"
    assert "ledger" not in " ".join(then.read_with).lower()
    assert then.snippets[0].text.startswith("| notification-service |")
    assert then.snippets[0].answer.text == "9091"
    _, then = chat(docs, "What is the rate limit in production?", "and in staging?")
    assert then.read_with_question == "What is the rate limit in staging?"
    assert "production" not in then.read_with
    assert then.snippets[0].text.startswith("In staging the limit is 20 requests")


# Two licences saying the same rule in other words, as a compliance lead's folder holds them.
LICENCES = {
    "texts/GPL-3.0.txt": (
        "GNU GENERAL PUBLIC LICENSE\n\n8. Termination.\n\nYour license from a particular copyright holder is "
        "reinstated permanently if the copyright holder notifies you of the violation by some reasonable means, "
        "this is the first time you have received notice of violation of this License, and you cure the "
        "violation prior to 30 days after your receipt of the notice.\n"
    ),
    "texts/MPL-2.0.txt": (
        "Mozilla Public License Version 2.0\n\n5. Termination\n\nYour grants from a particular Contributor are "
        "reinstated on an ongoing basis if such Contributor notifies You of the non-compliance by some "
        "reasonable means, this is the first time You have received notice of non-compliance with this "
        "License from such Contributor, and You become compliant prior to 30 days after Your receipt of the notice.\n"
    ),
    "notes.md": "# Notes\n\nWe review every new dependency's licence before it is merged.\n",
}


def test_a_file_the_question_names_is_favoured(tmp_path):
    """A new user's "and under MPL 2.0?" after a GPL-3 question was answered from GPL-3's text at 0.998:
    the file the question names (its name's words, ``store.source_names``) is favoured, and the
    conversation is not held in the file it stood in."""
    from assistant.store.source_names import SourceNames

    names = SourceNames.of(LICENCES)
    assert names.named({"mpl", "2", "0"}) == {"texts/MPL-2.0.txt": 1.0}
    assert names.named({"2", "0"}) == {}  # a version alone names no file
    folder = built_project(tmp_path, LICENCES)
    first, then = chat(folder, "How many days do I have to cure a GPL-3 violation after being notified?", "and under MPL 2.0?")
    assert first.snippets[0].citation.source == "texts/GPL-3.0.txt"
    assert then.read_with_question == "How many days do I have to cure a MPL 2.0 violation after being notified?"
    assert then.snippets[0].citation.source == "texts/MPL-2.0.txt", [s.citation.source for s in then.snippets]
    alone = folder.ask("What does the MPL-2.0 say about reinstating grants after a notice?")
    assert alone.snippets[0].citation.source == "texts/MPL-2.0.txt"


def test_the_answer_before_does_not_answer_the_question_about_another_thing(two_lives):
    """"What about Aquinas?" after "Where did Augustine teach rhetoric?" was answered with Augustine's
    "he taught rhetoric in Carthage, Rome and Milan", which does not name Aquinas."""
    _, then = chat(two_lives, "Where did Augustine teach rhetoric?", "What about Aquinas?")
    assert then.read_with_question == "Where did Aquinas teach rhetoric?"
    assert not any("taught rhetoric" in s.text for s in then.snippets if s.is_answer)


def test_a_restated_follow_up_is_read_so_in_its_conversation(two_lives):
    query = in_context(two_lives, "And Aquinas?", chat_so_far(two_lives, "Where did Augustine teach rhetoric?"))
    assert query.restated and query.whole_question == "Where did Aquinas teach rhetoric?"
    # "What about Aquinas?" stands alone as words, yet asks the question before of Aquinas; it is not
    # held in the place the conversation stood (Augustine's story) for that.
    query = in_context(two_lives, "What about Aquinas?", chat_so_far(two_lives, "Where did Augustine teach rhetoric?"))
    assert query.restated and query.whole_question == "Where did Aquinas teach rhetoric?"
    assert "augustin" not in query.terms
    query = in_context(two_lives, "What about Aquinas?", chat_so_far(two_lives, "Who was Augustine's mother?"))
    assert query.whole_question == "Who was Aquinas's mother?" and query.focus.stay < 0.5


def test_after_a_turn_that_found_no_answer_only_a_follow_up_by_its_form_leans_on_it(two_lives):
    """With no answer to stand on, a question of everyday words is a question of its own: a new user's
    "Who is on call in week 13?" after "What is the Wi-Fi password?" was read as going on asking about
    the Wi-Fi and refused, though the rota said it. One that points back still goes on with it."""
    refused = chat_so_far(two_lives, "What is the Wi-Fi password?")
    assert refused.turns[-1].abstained and refused.turns[-1].reason == "the sources never mention Wi-Fi"  # named once
    alone = in_context(two_lives, "What did the family do?", refused)
    assert alone.incomplete == 0 and alone.carried_words == ()
    answer = two_lives.ask("What did the family do?", conversation=refused)
    assert not answer.abstained and "family opposed" in answer.snippets[0].text
    # After an answer, the same words lean on it (what family? the one of the story asked about).
    assert in_context(two_lives, "What did the family do?", chat_so_far(two_lives, "Where was Augustine born?")).incomplete > 0.5
    # A pronoun points back whatever the turn before found.
    assert two_lives.ask("Who held him captive?", conversation=refused).abstained
    # A refused turn further back leaves no words to carry.
    later = chat_so_far(two_lives, "What is the Wi-Fi password?", "What did the family do?")
    assert not {"Wi", "Fi", "password"} & set(in_context(two_lives, "and who held him captive?", later).carried_words)


PLANNING = """Sprint 41 planning - 28 January 2025

Priya said the team has capacity for 34 story points this sprint.
The main goal is to finish multi-currency invoicing, starting with Swiss francs.
Tomasz is leaving the team at the end of March to join the Data Platform group.
His replacement as deploy pipeline owner will be Sofia Lindqvist from April 1.
The budget for the load testing tool was approved at 12,000 euros per year.
"""


def test_a_he_or_she_after_a_who_question_stands_for_the_person_it_was_answered_with(tmp_path):
    """A new user's "And when does she start?" after "and who replaces him?" (answered "Sofia
    Lindqvist") was read with "When is Tomasz leaving?" in brackets and marked "March", when he leaves.
    Read as "And when does Sofia Lindqvist start?" it marks April 1."""
    notes = built_project(tmp_path, {"planning.txt": PLANNING})
    conversation = chat_so_far(notes, "When is Tomasz leaving?", "and who replaces him?")
    assert conversation.turns[-1].snippets[0].answer.text == "Sofia Lindqvist"
    answer = notes.ask("And when does she start?", conversation=conversation)
    assert answer.read_with_question == "And when does Sofia Lindqvist start?"
    first = answer.snippets[0]
    assert first.is_answer and first.answer is not None and first.answer.text == "April 1"


def test_a_he_after_a_question_naming_a_person_asks_that_person_something_new(two_lives):
    """"When did he die?" after "Where was Thomas Aquinas born?" was read with that question in brackets
    and marked 1225, the year he was born: it asks "When did Thomas Aquinas die?", and the words of
    the question before ("born") are not carried. "He died in 1274" names no one but the text's title."""
    _, died = chat(two_lives, "Where was Thomas Aquinas born?", "When did he die?")
    assert died.read_with_question == "When did Thomas Aquinas die?" and "born" not in died.read_with
    first = died.snippets[0]
    assert first.citation.source == "aquinas.txt" and first.answer is not None and first.answer.text == "1274"
    # A name the question held that the sources never go on of with "he" is no person.
    _, after_work = chat(two_lives, "Who wrote the Summa Theologica?", "When did he die?")
    assert "Summa Theologica die" not in after_work.read_with_question


def test_only_one_person_pronoun_of_a_question_naming_no_one_takes_the_name():
    from assistant.retrieval.conversation import named_once, person_in_place

    died = person_in_place("When did he die?", "Thomas Aquinas", "Where was Thomas Aquinas born?")
    assert died.question == "When did Thomas Aquinas die?"
    assert died.replaced == {"born"}  # what the question before asked is not carried into this one
    assert person_in_place("Who hired him?", "Sofia Lindqvist", "").question == "Who hired Sofia Lindqvist?"
    assert person_in_place("What did she tell him?", "Sofia Lindqvist", "") is None  # which one is she?
    assert person_in_place("What is her extension?", "Sofia Lindqvist", "").question == "What is Sofia Lindqvist's extension?"
    assert person_in_place("Who hired her?", "Sofia Lindqvist", "").question == "Who hired Sofia Lindqvist?"
    for object_her in ("When did they promote her to manager?", "Who told her about it?", "Did they give her a raise?"):
        assert "Sofia Lindqvist's" not in person_in_place(object_her, "Sofia Lindqvist", "").question
    assert person_in_place("When did Priya say she would start?", "Sofia Lindqvist", "") is None  # names her own
    assert person_in_place("When did he die?", "", "") is None  # the question before named no one, or several
    assert named_once("Where was Thomas Aquinas born?") == "Thomas Aquinas"
    assert named_once("Did Augustine teach in Milan?") == ""  # which one would "he" be?
    assert named_once("where was he born?") == ""


@pytest.mark.parametrize(
    ("before", "thing"),
    [
        ("What does the watermark option do?", "the watermark option"),
        ("Who manages the Lisbon office?", "the Lisbon office"),  # to its end: no copula before it
        ("Who owns the billing-api?", "the billing-api"),
        ("What is the policy number?", "the policy number"),  # "what is the ...": the thing to the end
        ("What's the confirmation number?", "the confirmation number"),
        ("How long is the temporary Kosovo document valid?", ""),  # "valid" is said of the document
        ("Where is the red house located?", ""),
        ("What language is the billing-api written in?", "the billing-api"),  # a passive's participle
        ("When was the castle built in Rome?", "the castle"),
        ("What is the hotel limit in Lisbon?", "the hotel limit"),  # to the first word of no content
        ("When does the shop open?", "the shop"),  # "open": the verb of a question asking with "does"
        ("When does the office close on Fridays?", "the office"),
        ("Does the app support dark mode in the beta?", ""),  # cut short: where does it end?
        ("Did the cat eat the fish?", ""),  # two things: which one would "it" be?
        ("Where did Augustine teach?", ""),
    ],
)
def test_the_thing_a_question_names_with_the(before, thing):
    from assistant.retrieval.conversation import thing_named

    assert thing_named(before) == thing


@pytest.mark.parametrize(
    ("before", "code"),
    [
        ("What does F3 mean?", "F3"),
        ("What does F3 mean on the freezer?", "F3"),  # "the freezer" is no name
        ("What does error QM-103 mean?", "QM-103"),
        ("Where did Augustine teach?", ""),  # a name, not a code: "he", not "it"
        ("Is F3 worse than F4?", ""),  # two: which one would "it" be?
        ("When was version 3.2.0 released?", "3.2.0"),  # a version, where it names nothing else
        ("Is 2.4.0 newer than 2.3.0?", ""),
    ],
)
def test_the_code_a_question_names(before, code):
    """A new user's "how do I fix it?" after "What does F3 mean?" (the freezer's F3 shown first) was read
    with that question in brackets and quoted the microscope's F3; read "how do I fix F3?", the
    conversation's place tells which."""
    from assistant.retrieval.conversation import code_named

    assert code_named(before) == code


def test_an_it_after_a_question_naming_a_code_asks_about_that_code(tmp_path):
    manuals = built_project(tmp_path, {
        "freezer.md": "# Freezer\n\nError codes:\n\nF3: Door ajar. Close and latch the door; the alarm stops after 2 minutes.\n",
        "microscope.md": "# Microscope\n\nError codes:\n\nF3: Detector overheating. Switch off the detector and wait 20 minutes.\n",
    })
    _, fix = chat(manuals, "What does F3 mean on the freezer?", "how do I fix it?")
    assert fix.read_with_question == "how do I fix F3?"
    assert fix.snippets[0].citation.source == "freezer.md"  # where the conversation stands


def test_an_it_after_a_question_naming_one_thing_asks_about_that_thing():
    from assistant.retrieval.conversation import thing_in_place

    default = thing_in_place("What does it default to?", "the watermark option")
    assert default.question == "What does the watermark option default to?" and default.replaced == frozenset()
    assert thing_in_place("Is it open at night?", "the shop").question == "Is the shop open at night?"
    assert thing_in_place("Is it connected to the network?", "the router").question == "Is the router connected to the network?"
    assert thing_in_place("Is it true that the office moved?", "the shop") is None  # an "it" for nothing
    assert thing_in_place("Is it legal to park there?", "the shop") is None
    assert thing_in_place("Does it open before Lisbon?", "the shop") is None  # names its own
    assert thing_in_place("What does its manager say?", "the shop") is None  # no "it" to stand in for


BIOGRAPHIES = {
    "tobias.txt": (
        "Tobias Brandt is the co-founder and chief executive officer of Norrow Systems. He was born in Hamburg"
        " in 1979. He studied economics at the University of Mannheim.\n\nIn 2013 he met Marta Oliveira at a"
        " logistics conference in Rotterdam. Two years later they founded Norrow Systems together in Lisbon.\n"
    ),
    "marta.txt": (
        "Marta Oliveira is the co-founder and chief technology officer of Norrow Systems. She was born in"
        " Coimbra in 1984. She studied computer engineering at the University of Porto.\n"
    ),
}


def test_a_he_or_she_takes_the_name_only_where_the_sources_speak_of_that_person_so(tmp_path):
    """A new user's "Where was she born?" after "Who founded Norrow Systems?" (answered "Tobias Brandt")
    was read "Where was Tobias Brandt born?"; "Lisbon", marked as a who-question's answer, was born. The
    sources say "He" after a sentence opening with his name, "She" after hers."""
    from assistant.retrieval.conversation import said_of

    people = built_project(tmp_path, {name: text for name, text in BIOGRAPHIES.items()})
    index = people.load_index()
    assert said_of("Tobias Brandt", "Where was he born?", index) and not said_of("Tobias Brandt", "Where was she born?", index)
    assert said_of("Marta Oliveira", "Where did she study?", index) and not said_of("Marta Oliveira", "Where did he study?", index)
    assert not said_of("Lisbon", "Where was she born?", index)  # one word the sources never say a pronoun of
    assert said_of("Sofia Lindqvist", "When does she start?", index)  # never named, but a whole name
    # A name the question before held, not its answer, is a person only where the sources say so.
    assert said_of("Marta Oliveira", "Where did she study?", index, answered=False)
    assert not said_of("Norrow Systems", "Who founded it when he was young?", index, answered=False)
    # The passages naming a person, from the index or from one file's rows (the answer's, read first).
    naming = index.lexical.rows_with("oliveira", 10)
    assert naming == sorted(naming) and {index.passages[r].source for r in naming} == {"tobias.txt", "marta.txt"}
    hers = index.passages.source_rows(next(r for r in naming if index.passages[r].source == "marta.txt"))
    assert {index.passages[r].source for r in index.lexical.rows_with("oliveira", 10, *hers)} == {"marta.txt"}
    asked = chat_so_far(people, "Who is the chief technology officer of Norrow Systems?")
    assert asked.turns[-1].snippets[0].answer.text == "Marta Oliveira"
    born = people.ask("Where was she born?", conversation=asked)
    assert born.read_with_question == "Where was Marta Oliveira born?" and "Coimbra" in born.snippets[0].text
    assert "Where was Tobias" not in people.ask("Where was she born?", conversation=chat_so_far(people, "Who is the chief executive officer of Norrow Systems?")).read_with_question


def test_a_she_after_a_her_stands_for_the_same_person(tmp_path):
    """A new user's "where does she live?" after "Who is the landlord?" and "what's her phone number?"
    (read "what's Margaret Ellison's phone number?") was read with the phone number's question in
    brackets and quoted the telephone line again: the person a "her" was read as is whom the next "she"
    stands for."""

    lease = Assistant.open(write_project(tmp_path / "lease", sources={"lease.txt": (DATA / "household" / "lease.txt").read_text(encoding="utf-8")}))
    lease.build_index()
    conversation = Conversation()
    for question in ("Who is the landlord?", "what's her phone number?", "where does she live?"):
        answer = lease.ask(question, conversation=conversation)
        conversation = conversation.then(answer)
    assert answer.read_with_question == "where does Margaret Ellison live?"
    assert answer.snippets[0].answer is not None and answer.snippets[0].answer.text.startswith("14 Westbury Park")


@pytest.fixture(scope="module")
def on_call(tmp_path_factory) -> Assistant:
    """A team's services inventory and on-call runbook (``tests/data/oncall``), built once."""
    root = tmp_path_factory.mktemp("oncall")
    config = write_project(root)
    for name in ("services.csv", "oncall_runbook.md"):
        shutil.copy(DATA / "oncall" / name, root / "sources" / name)
    assistant = Assistant.open(config)
    assistant.build_index()
    return assistant


def test_and_another_version_asks_when_that_one_was_released(tmp_path):
    """A new user's "and 3.2.1?" after "When was version 3.2.0 released?" quoted the changelog's
    introduction: the version was not restated, and the restated question's date is in its heading."""
    team = DATA / "team"
    docs = built_project(tmp_path, {f.name: f.read_text(encoding="utf-8") for f in team.glob("*.md") if f.name != "README.md"})
    _, then = chat(docs, "When was version 3.2.0 released?", "and 3.2.1?")
    assert then.read_with_question == "When was version 3.2.1 released?"
    first = then.snippets[0]
    assert first.text.startswith("3.2.1 - 2025-04-29") and first.answer is not None and first.answer.text == "2025-04-29"


def test_a_that_after_a_which_version_question_stands_for_the_version_it_was_answered_with(tmp_path):
    """A new user's "when was that released?" after "Which version removed /v1/invoices/search?"
    (answered 3.0.0) quoted the changelog's "Dates are release dates to production.": a "that" asked
    of was no pronoun, and the version answered was no thing a pronoun could stand for."""
    from assistant.retrieval.conversation import points_back

    assert points_back("when was that released?") and points_back("Does that matter?")
    changelog = (DATA / "team" / "CHANGELOG.md").read_text(encoding="utf-8")
    docs = built_project(tmp_path, {"CHANGELOG.md": changelog})
    asked, then = chat(docs, "Which version added idempotency keys for payments?", "when was that released?")
    assert asked.snippets[0].answer is not None and asked.snippets[0].answer.text == "3.1.0"
    assert then.read_with_question == "when was 3.1.0 released?"
    first = then.snippets[0]
    assert first.text.startswith("3.1.0 - 2025-02-20") and first.answer is not None and first.answer.text == "2025-02-20"


def test_an_it_after_a_question_naming_a_row_s_key_asks_about_that_row(on_call):
    """A new user's "what language is it written in?" after "Who owns the billing-api?" and "and its
    port?" was answered from ledger-service's row ("Java"): the question before named "the billing-api"
    to its end, which "it" did not stand for, and another row's span was surer than billing-api's."""
    *_, language = chat(on_call, "Who owns the billing-api?", "and its port?", "what language is it written in?")
    assert language.read_with_question == "what language is the billing-api written in?"
    first = language.snippets[0]
    assert first.text.startswith("| billing-api |") and first.answer is not None and first.answer.text == "Go"


def test_a_he_after_a_follow_up_stands_for_whom_the_question_it_went_on_asking_was_answered_with(on_call):
    """A new user's "what else does he own?" after "Who owns the search-indexer?" (Liam Byrne) and "and
    its port?" quoted the search-indexer's row again: the turn before was answered with a port."""
    *_, other = chat(on_call, "Who owns the search-indexer?", "and its port?", "what else does he own?")
    assert other.read_with_question == "what else does Liam Byrne own?"
    first = other.snippets[0]
    assert first.text.startswith("| notification-worker | Liam Byrne |"), first.text


def test_a_follow_up_is_read_under_the_heading_naming_what_the_conversation_is_about(on_call):
    """A new user's "who do I escalate to?" and "what's the severity?" after two questions about the
    LedgerReplicationLag alert quoted the runbook's introduction ("... lists who owns it, who to escalate
    to ...", its "who owns it" marked) and another alert's "Severity: SEV3": the lines under the alert's
    heading do not name it, and a span opening with "who" asks, it does not answer."""
    runbook = (DATA / "oncall" / "oncall_runbook.md").read_text(encoding="utf-8").splitlines()
    *_, escalate, severity = chat(
        on_call, "What should I do when LedgerReplicationLag fires?", "who owns it?", "who do I escalate to?",
        "what's the severity?",
    )
    heading = runbook.index("## LedgerReplicationLag") + 1  # its line, counted from 1
    assert escalate.snippets[0].text.startswith("Escalation: Marcus Webb")
    assert escalate.snippets[0].citation.line_start - heading in range(1, 6), escalate.snippets[0].text
    assert severity.snippets[0].text == "Severity: SEV2"
    assert severity.snippets[0].citation.line_start - heading in range(1, 6)
