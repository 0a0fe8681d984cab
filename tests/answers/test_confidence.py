"""Saying "not in your sources" on a neighbouring topic, a confidence per snippet, one snippet per distinct text."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant import Assistant
from assistant.answers.answering import Picked, adjacent, compose_answer, joined, make_snippet
from assistant.answers.confidence import shipped_model
from assistant.models import Timings

from cli_runner import run_cli
from projects import DATA, write_project

COPIES = ["copy.txt", "old/copy.txt", "backup/Normans (1).txt", "x/normans-v2.txt", "z.txt"]


@pytest.fixture(scope="module")
def regions(tmp_path_factory) -> Assistant:
    """An index holding one Australian state and the Normans: a neighbouring state is not in it."""
    root = tmp_path_factory.mktemp("regions")
    config = write_project(root)
    shutil.copy(DATA / "regions" / "queensland.txt", root / "sources" / "queensland.txt")
    shutil.copy(DATA / "Normans.txt", root / "sources" / "Normans.txt")
    assistant = Assistant.open(config)
    assistant.build_index()
    return assistant


@pytest.mark.parametrize(
    ("indexed", "neighbour"),
    [
        ("What is the population of Queensland?", "What is the population of Victoria?"),
        ("What do Queensland's farms grow?", "What do the farms of Victoria grow?"),
        ("Which stadium in Brisbane is best known?", "What is the best-known stadium in Melbourne?"),
    ],
)
def test_a_neighbouring_place_the_sources_never_mention_is_not_answered(regions, indexed, neighbour):
    answered = regions.ask(indexed)
    assert not answered.abstained and answered.snippets[0].citation.source == "queensland.txt"
    assert answered.snippets[0].is_answer and answered.snippets[0].confidence >= regions.confidence_bar
    refused = regions.ask(neighbour)
    assert refused.abstained and "never mention" in refused.reason
    assert refused.snippets and not any(s.is_answer for s in refused.snippets)  # offered as nearest only


def test_one_name_the_sources_never_mention_is_enough_and_a_typo_is_no_such_name(regions):
    """"What was the daytime SUHI intensity of Leipzig?" over papers on other cities was answered with
    the 50 cities' mean, the index knowing "SUHI": one name it never saw, nor a word a typo away from
    it, is what the sources never mention. A name mistyped ("Queensalnd", "Brisbaine") is no such name."""
    refused = regions.ask("What is the population of Melbourne in Queensland?")
    assert refused.abstained and refused.reason == "the sources never mention Melbourne"
    for typo in ("What is the population of Queensalnd?", "Which stadium in Brisbaine is best known?"):
        answered = regions.ask(typo)
        assert "never mention" not in (answered.reason or ""), answered.reason
    # A word opening a second sentence is capitalised as its first, no name.
    thanked = regions.ask("What is the population of Queensland? Thanks")
    assert "never mention" not in (thanked.reason or ""), thanked.reason
    # A month or a day is capitalised as any is, no name (a date may be written 2025-03-24).
    dated = regions.ask("What was the population of Queensland in March, on a Monday?")
    assert "never mention" not in (dated.reason or ""), dated.reason
    # A month that is a name too is a month only beside a number.
    assert "never mention Jan" in (regions.ask("What is the population of Queensland according to Jan?").reason or "")
    dated = regions.ask("What was the population of Queensland on 3 May 2024?")  # a date's year is not asked of
    assert "never mention" not in (dated.reason or ""), dated.reason


def test_a_name_a_file_is_named_by_is_mentioned_by_that_file(tmp_path):
    """A question naming a file's subject by the file's name is no question about something the sources
    never mention, though the file's text never writes the name."""
    folder = Assistant.open(write_project(tmp_path, "", {"tasmania.txt": "The island grows apples, cherries and poppies for medicine.\n"}))
    folder.build_index()
    answer = folder.ask("What do farms in Tasmania grow?")
    assert "never mention" not in (answer.reason or ""), answer.reason
    assert "never mention Victoria" in (folder.ask("What do farms in Victoria grow?").reason or "")


def test_a_word_a_typo_away_from_the_vocabulary_is_known_near(regions):
    from assistant.store.lexical import mistyped_as

    near = mistyped_as("plant")
    assert {"pant", "palnt", "plent", "pleant"} <= near and "plant" not in near
    # Its first and last letters stay ("Victoria" less its "a" is the stem of "victory"), and its digits.
    assert not {"slant", "plan", "plans"} & near and "iphone11" not in mistyped_as("iPhone12")
    assert mistyped_as("Iran") == set()  # a short name as written: one edit from it is "iron"
    lexical = regions.load_index().lexical
    assert lexical.knows_near("Queensalnd") and lexical.knows_near("Brisbne")  # a swap; a letter left out
    assert lexical.knows_near("Queensslnad")  # two edits in a long word, a letter to leave out among them
    assert not lexical.knows_near("Melbourne") and not lexical.knows_near("Victoria")


def test_an_acronym_the_sources_write_with_full_stops_is_mentioned(sample_assistant):
    """"US" is the "U.S." of the article (the index's words read it as the letter u): the question is
    answered from the envoy's line, not refused as about something the sources never mention."""
    answer = sample_assistant.ask("Who is the US envoy?")
    assert not answer.abstained, answer.reason
    assert any("U.S. envoy" in s.text for s in answer.snippets)
    assert "never mention" in (sample_assistant.ask("Who is the UK envoy?").reason or "")


def test_the_asker_s_own_name_is_no_name_the_sources_must_mention(tmp_path):
    """A new user's "which room is my midterm in, my last name is Nguyen" abstained as about something
    the sources never mention ("Nguyen"), its first snippet the rooms by last name."""
    from projects import DATA, built_project

    exams = built_project(tmp_path, {"exams.html": (DATA / "course" / "exams.html").read_text(encoding="utf-8")})
    answer = exams.ask("which room is my midterm in, my last name is Nguyen")
    assert not answer.abstained, answer.reason
    assert "Last names M–Z" in answer.snippets[0].text
    assert "never mention" in (exams.ask("which room is Nguyen's midterm in?").reason or "")  # asked about, not by


LICENCE = """GNU GENERAL PUBLIC LICENSE, Version 3

8. Termination.

You may not propagate or modify a covered work except as expressly provided under this License.

Moreover, your license from a particular copyright holder is reinstated permanently if the copyright
holder notifies you of the violation by some reasonable means, this is the first time you have received
notice of violation of this License (for any work) from that copyright holder, and you cure the
violation prior to 30 days after your receipt of the notice.
"""


def test_a_name_joined_to_its_number_is_the_name_and_number_the_sources_write_apart(tmp_path):
    """A new user's "GPLv3" was a name the sources "never mention", their licence writing "Version 3"
    and "GPL-3": a word joining a name and its number is searched and found as its parts."""
    from assistant.store.lexical import joined_parts, terms_as_known

    assert joined_parts("GPLv3") == ["gpl", "3"] and joined_parts("Apache2") == ["apach", "2"]
    assert joined_parts("H2O") == [] and joined_parts("2020") == []
    # Only a word the index does not know is taken apart: "b3" written so in the sources stays.
    assert terms_as_known("Which site is B3?", lambda ts: dict.fromkeys({"site", "b3", "b", "3"} & set(ts), 1.0)) == ["site", "b3"]
    assert terms_as_known("Which site is B3?", lambda ts: dict.fromkeys({"site", "b", "3"} & set(ts), 1.0)) == ["site", "b", "3"]
    licence = Assistant.open(write_project(tmp_path, "", {"GPL-3": LICENCE.replace("GNU GENERAL PUBLIC LICENSE", "GNU GPL")}))
    licence.build_index()
    answer = licence.ask("How many days do I have to cure a GPLv3 violation?")
    assert not answer.abstained, answer.reason
    assert "prior to 30 days" in answer.snippets[0].text
    assert "never mention" in (licence.ask("How many days do I have to cure an EUPLv1 violation?").reason or "")


def test_a_follow_up_that_goes_on_asking_about_a_place_the_sources_never_mention_abstains(regions):
    """"and?" after "What is the population of Victoria?" goes on asking about Victoria: refused as the
    question was, whatever the words carried from earlier turns find; "and Queensland?" is answered."""
    from assistant.models import Conversation

    conversation = Conversation()
    for question in ("What do Queensland's farms grow?", "What is the population of Victoria?"):
        conversation = conversation.then(regions.ask(question, conversation=conversation))
    assert conversation.turns[-1].abstained
    more = regions.ask("and?", conversation=conversation)
    assert more.read_with_question == "What is the population of Victoria?"
    assert more.abstained and more.reason == "the sources never mention Victoria"
    other = regions.ask("and Queensland?", conversation=conversation)
    assert not other.abstained and other.snippets[0].citation.source == "queensland.txt"


def test_the_signals_each_move_the_features(regions):
    known, unknown = regions.trace("What is the population of Queensland?"), regions.trace("What is the population of Tasmania?")
    assert known.features[0]["unknown"] == 0 and unknown.features[0]["unknown"] > 0.3
    assert known.features[0]["absent_names"] == 0 and unknown.features[0]["absent_names"] == 1
    when = regions.trace("When was the Duchy of Normandy founded?")
    assert when.features[0]["kind_match"] == 1 and when.features[0]["kind_missing"] == 0
    assert 0 < when.features[0]["similarity"] <= 1 and when.features[0]["coverage"] > 0.5


def test_confidence_is_a_probability_the_model_computes_from_its_features(regions):
    trace = regions.trace("What is the capital of Queensland?")
    model = shipped_model(reader=True)  # the reader is on by default: the model over its features too
    assert model.features[-2:] == ("reader", "best_reader") and "said_before" in model.features
    for snippet, features in zip(trace.answer.snippets, trace.features):
        assert snippet.confidence == pytest.approx(model.probability(features), abs=1e-4)
        assert snippet.is_answer == (snippet.confidence >= regions.confidence_bar)


def test_a_follow_up_standing_on_an_answer_is_weighed_by_the_follow_up_model(regions):
    """The shipped model weighs a follow-up with an earlier answer to stand on by its own regression
    (its evidence is the conversation's), and a question asked alone by the other."""
    from assistant.answers.reader import logistic
    from assistant.models import Conversation

    model = shipped_model(reader=True)
    assert model.follow_up is not None and model.follow_up != model.alone
    first = regions.trace("What is the capital of Queensland?")
    follow_up = regions.trace("And what is its population?", conversation=Conversation().then(first.answer))
    features = follow_up.features[0]
    assert first.features[0]["focused"] == 0 and features["focused"] == 1
    assert model.regression(features) is model.follow_up and model.regression(first.features[0]) is model.alone
    assert follow_up.answer.snippets[0].confidence == pytest.approx(logistic(model.follow_up.score(model.features, features)), abs=1e-4)
    assert first.answer.snippets[0].confidence == pytest.approx(logistic(model.alone.score(model.features, first.features[0])), abs=1e-4)
    without = shipped_model(reader=False)  # one regression for every question: the follow-up's too
    assert without.follow_up is None and without.regression(features) is without.alone


def test_a_snippet_below_the_bar_is_marked_nearest_in_json_and_text(regions, tmp_path):
    question = "What is the capital of Queensland?"
    confidences = sorted((s.confidence for s in regions.ask(question).snippets), reverse=True)
    assert confidences[0] > confidences[-1]
    bar = round((confidences[0] + confidences[-1]) / 2, 4)  # between the best and the last
    config = tmp_path / "bar.toml"
    config.write_text(
        f'[sources]\npath = "{regions.config.sources_dir}"\n[index]\npath = "{regions.config.index_dir}"\n'
        f"[answer]\nmin_confidence = {bar}\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("--config", str(config), "ask", "--json", question)
    answer = json.loads(out)
    assert code == 0 and not answer["abstained"]
    assert [s["is_answer"] for s in answer["snippets"]] == [s["confidence"] >= bar for s in answer["snippets"]]
    assert answer["snippets"][0]["is_answer"] and not answer["snippets"][-1]["is_answer"]
    code, out, _ = run_cli("--config", str(config), "ask", question)
    assert out.splitlines()[0].startswith("1. queensland.txt:") and "nearest, not an answer" not in out.splitlines()[0]
    assert "nearest, not an answer" in out


def test_copies_collapse_into_one_snippet_that_cites_every_place(tmp_path):
    config = write_project(tmp_path)
    shutil.copy(DATA / "Normans.txt", tmp_path / "sources" / "Normans.txt")
    for name in COPIES:
        (tmp_path / "sources" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / "Normans.txt", tmp_path / "sources" / name)
    assistant = Assistant.open(config)
    assistant.build_index()
    answer = assistant.ask("When was the Duchy of Normandy founded?")
    texts = [" ".join(s.text.split()) for s in answer.snippets]
    assert len(set(texts)) == 3  # three different sentences, not one sentence three times
    assert "911" in texts[0]
    first = answer.snippets[0]
    places = {first.citation.source, *(c.source for c in first.also)}
    assert places == {"Normans.txt", *COPIES}
    for citation in first.also:  # every place cited slices its own file to the same words
        text = (tmp_path / "sources" / citation.source).read_text(encoding="utf-8")
        assert text[citation.start : citation.end] == first.text
    code, out, _ = run_cli("--config", str(config), "ask", "When was the Duchy of Normandy founded?")
    assert "also in " in out and "old/copy.txt:" in out


def test_neighbouring_sentences_of_one_passage_are_one_snippet():
    from assistant.answers.answering import ScoredSentence
    from assistant.sources.documents import Document
    from assistant.sources.passages import split_passages

    text = (
        "The lighthouse on the northern cape was built of granite from the quarry at Penmon in the year 1838. "
        "Keepers fuelled the lamp with colza oil until the harbour board installed a paraffin burner in 1891. "
        "A foghorn driven by compressed air was added after the wreck of the steamer Royal Charter nearby."
    )
    (passage,) = split_passages(Document("light.txt", text, "x", "utf-8"), 5000)
    first, second, third = (make_snippet(ScoredSentence(passage, 0, j, 0.5, 0.5)) for j in range(3))
    assert not adjacent(first, third)
    assert adjacent(first, second) and adjacent(second, first)
    merged = joined(first, second)
    assert merged.text == passage.text[: len(merged.text)] and merged.citation.end == second.citation.end
    answer = compose_answer("q", [Picked(first, 0.5, 0.1)], [0.9], 0.5, Timings())
    assert answer.snippets[0].is_answer and not answer.abstained
    # An abstention's reason tells the confidence from the bar ("0.14 < 0.14" read as a bar reached).
    assert "(confidence 0.1397 < 0.1400)" in compose_answer("q", [Picked(first, 0.5, 0.1)], [0.1397], 0.14, Timings()).reason
    assert "(confidence 0.09 < 0.14)" in compose_answer("q", [Picked(first, 0.5, 0.1)], [0.09], 0.14, Timings()).reason


def test_eval_prints_what_each_bar_would_do(regions, tmp_path):
    rows = [
        {"question": "What is the population of Queensland?", "answers": ["5.5 million"]},
        {"question": "What is the capital of Queensland?", "answers": ["Brisbane"]},
        {"question": "Who won the 2018 FIFA World Cup?", "answers": [], "answerable": False},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    code, out, _ = run_cli("--config", str(regions.config.path), "eval", str(path), "--modes", "hybrid", "--reader", "on")
    assert code == 0
    lines = out.splitlines()
    header = lines.index("answer.min_confidence: abstained (unanswerable) / answered (answerable)")
    cells = lines[header + 1].split()[1:]
    assert lines[header + 1].startswith("hybrid+reader:") and len(cells) >= 16
    assert "0.10" in cells and "0.80" in cells


HANDBOOK = (
    "# Travel\n\nBook rail for journeys under four hours. Business class is not permitted, unless the CEO "
    "approves it in advance.\n\n# Leave\n\nFull-time employees receive 25 days of annual leave per year, "
    "plus bank holidays.\n"
)


def test_an_answer_under_even_odds_is_said_to_be_unsure_in_json_and_text(tmp_path):
    """A new user's staff handbook answered "Who is the CEO?" with the travel rule at 0.35, shown as an
    answer like any other: above the default bar but under UNSURE_BELOW, a snippet is said to be unsure
    (here the travel rule again, the second snippet for a question about leave)."""
    config = write_project(tmp_path, sources={"handbook.md": HANDBOOK})
    Assistant.open(config).build_index()
    question = "How many days of annual leave do employees get?"
    code, out, _ = run_cli("--config", str(config), "ask", "--json", question)
    first, second = json.loads(out)["snippets"]
    assert first["is_answer"] and first["confidence"] >= 0.4 and not first["unsure"]
    assert second["is_answer"] and second["confidence"] < 0.4 and second["unsure"], second
    code, out, _ = run_cli("--config", str(config), "ask", question)
    labels = [line for line in out.splitlines() if line[:2] in ("1.", "2.")]
    assert not labels[0].endswith("may not say this") and labels[1].endswith("unsure: the sources may not say this")


@pytest.mark.parametrize(
    "confidence, is_answer, unsure", [(0.3, True, True), (0.4, True, False), (0.3, False, False), (None, True, False)]
)
def test_unsure_is_an_answer_under_the_unsure_confidence(confidence, is_answer, unsure):
    from assistant.models import Citation, Passage, Snippet

    passage = Passage(id="p", source="a.txt", text="Some text.", start=0, end=10, line_start=1, line_end=1)
    citation = Citation(source="a.txt", start=0, end=10, line_start=1, line_end=1, passage_id="p")
    snippet = Snippet(text="Some text.", score=0.4, citation=citation, passage=passage, confidence=confidence, is_answer=is_answer)
    assert snippet.unsure is unsure


def test_a_word_no_source_uses_and_no_english_word_is_read_as_the_word_it_was_mistyped_for():
    """A new user's "who is the landlaord" abstained (0.04) and "Whats the rear tyre presure?" quoted
    another row: a word the index lacks, rare in English, one or two edits from words it has, is read
    as the one of those the sources use most."""
    from assistant.store.lexical import spelled_as_known

    terms = {"landlord": 2.0, "land": 1.0, "pressur": 3.0, "press": 1.5, "packag": 2.0}

    def idf(ts):
        return {t: terms[t] for t in ts if t in terms}

    assert spelled_as_known("who is the landlaord", idf) == "who is the landlord"
    assert spelled_as_known("Landlaord?", idf) == "Landlord?"  # its capital kept
    assert spelled_as_known("Whats the rear tyre presure?", idf) == "Whats the rear tyre pressure?"
    assert spelled_as_known("the 4 pacakges", idf) == "the 4 packages"  # the word of English, of one term's
    # A word of English the sources never use is another word, not a typo; a short word is as written.
    assert spelled_as_known("What underpins the vet's fees?", idf) == "What underpins the vet's fees?"


def test_a_mistyped_question_is_answered_and_says_how_it_was_read(tmp_path):
    lease = (DATA / "household" / "lease.txt").read_text(encoding="utf-8")
    assistant = Assistant.open(write_project(tmp_path, "", {"lease.txt": lease}))
    assistant.build_index()
    answer = assistant.ask("who is the landlaord")
    assert not answer.abstained and answer.snippets[0].text.startswith("Landlord: Margaret Ellison")
    assert answer.question == "who is the landlaord" and answer.read_as == "who is the landlord"
    assert answer.how_read() == "read as “who is the landlord”"
    assert assistant.ask("Who is the landlord?").read_as == ""  # read as asked
