"""The words that answer: found in hand-made sentences of each kind (or not at all), carried in the JSON
with file offsets, in bold in `assistant ask` on a terminal only, and scored by `assistant eval`."""

from __future__ import annotations

import json

import pytest

from assistant.answers.answer_kind import read_question
from assistant.answers.answer_phrase import find_answer_phrase
from cli_runner import run_cli
from projects import SAMPLE_FILE

NINETY_DAYS = "How long is the temporary Kosovo document valid?"


def marked(question: str, text: str) -> str | None:
    span = find_answer_phrase(question, text)
    return None if span is None else text[span[0] : span[1]]


@pytest.mark.parametrize(
    "question, kind",
    [
        ("When were the Normans in Normandy?", "when"),
        ("In what year did the Normans invade at Bannow Bay?", "when"),
        ("What century did the Normans first gain their separate identity?", "when"),
        ("How many men were in Robert's army?", "how many"),
        ("How much did Sky bid for the rights?", "how many"),
        ("What percentage of households did it reach?", "how many"),
        ("Who killed Harold II?", "who"),
        ("Whose thesis states that?", "who"),
        ("What company was formed by the merger?", "who"),
        ("Where did Harold II die?", "where"),
        ("In what country is Normandy located?", "where"),
        ("What river originally bounded the Duchy?", "where"),
        ("What does a big O notation hide?", "other"),
        ("Is a problem instance abstract or concrete?", "other"),
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question, kind):
    assert read_question(question).kind == kind


@pytest.mark.parametrize(
    "question, text, answer",
    [
        # when: dates, years, decades, centuries, months
        ("When was the Duchy of Normandy founded?", "The Duchy of Normandy was founded in 911 by treaty.", "911"),
        ("When did BSkyB launch its HDTV service?", "BSkyB launched its HDTV service on 22 May 2006, after a delay.", "22 May 2006"),
        ("When did Herve serve as a Byzantine general?", "Herve served as a Byzantine general in the 1050s.", "the 1050s"),
        ("When did the church reform begin?", "The church reform began in the early 11th century in Normandy.", "the early 11th century"),
        ("When do the bans take effect?", "The bans take effect on September 1, the government said.", "September 1"),
        # how many / how much / how long: a number with its unit
        (NINETY_DAYS, "Visitors would receive a temporary Kosovo document valid for 90 days.", "90 days"),
        ("How much did the company raise?", "The company raised $51 million from investors last year.", "$51 million"),
        ("How many men were in Robert's army?", "Robert's army of 30,000 men sailed from Brindisi.", "30,000 men"),
        ("How many terms did she serve?", "She served two terms as mayor of the city.", "two terms"),
        ("How many people lived in Pittsburgh in 2010?", "In 2010, Pittsburgh had a population of 305,704 people.", "305,704 people"),
        # who: a name the question does not hold
        ("Who is the EU facilitator?", "The EU facilitator, Miroslav Lajcak, met officials from both sides.", "Miroslav Lajcak"),
        ("Who commissioned the Tapestry?", "The Tapestry was commissioned by Odo, the Bishop of Bayeux.", "Odo"),
        ("Who greeted Mr. Brice?", '"Howdy, Mr. Brice," said Mr. Hopper, his glance caught by the costume.', "Mr. Hopper"),
        ("Who was the Norse leader?", "Raiders from Norway, under their leader Rollo, swore fealty to the king.", "Rollo"),
        # where: a place, with its preposition
        ("Where did Harold II die?", "King Harold II died at the Battle of Hastings in 1066.", "at the Battle of Hastings"),
        ("Where did Thomas Aquinas die?", "Thomas Aquinas died at the abbey of Fossanova on his way to Lyon.", "at the abbey of Fossanova"),
        ("Where is the airfield?", "The airfield lies north-west of London, beside the motorway.", "north-west of London"),
        # other: the words in the question's gap, when they are clear
        ("What does a big O notation hide?", "The big O notation hides constant factors and smaller terms.", "constant factors and smaller terms"),
        ("What was the name of Bohemond's nephew?", "They were joined by Bohemond of Taranto and his nephew Tancred.", "Tancred"),
    ],
)
def test_the_phrase_that_answers_is_marked(question, text, answer):
    assert marked(question, text) == answer


@pytest.mark.parametrize(
    "question, text",
    [
        # the sentence shares no word with the question: nothing to stand beside
        ("When was the treaty signed?", "The army marched north in 1066 and reached York."),
        # the only date is the question's own
        ("What happened in 1066?", "In 1066 the Normans crossed the Channel."),
        # two years, each as close to the question's words: no clear winner
        ("When did the war begin?", "Some say the war began in 1912, others say the war began in 1914."),
        # a who-question whose sentence names only the question's own people
        ("Who did Rollo marry?", "Rollo married late in life, as the chronicles of Rollo say."),
        # a what-question with no phrase in its gap
        ("What is the meaning of life?", "Many have wondered about the meaning of life for centuries."),
        # nothing of the kind asked for
        ("How many ships sailed?", "The ships sailed from the harbour at dawn."),
    ],
)
def test_nothing_is_marked_when_no_phrase_clearly_answers(question, text):
    assert marked(question, text) is None


def test_the_json_answer_slices_the_file_exactly(built_sample):
    code, out, _ = run_cli("--config", str(built_sample), "ask", "--json", NINETY_DAYS)
    assert code == 0
    snippets = json.loads(out)["snippets"]
    assert all("answer" in s for s in snippets)
    answer = snippets[0]["answer"]
    assert answer["text"] == "90 days"
    file_text = (built_sample.parent / "sources" / SAMPLE_FILE).read_text(encoding="utf-8")
    assert file_text[answer["start"] : answer["end"]] == answer["text"]
    citation = snippets[0]["citation"]
    assert citation["start"] <= answer["start"] < answer["end"] <= citation["end"]


def _ask(config, terminal: bool) -> str:
    code, out, _ = run_cli("--config", str(config), "ask", "-k", "1", NINETY_DAYS, terminal=terminal)
    assert code == 0
    return out


def test_the_cli_shows_the_answer_in_bold_on_a_terminal_only(built_sample, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    on_terminal = _ask(built_sample, terminal=True)
    assert "valid for \x1b[1m90 days\x1b[22m." in on_terminal
    piped = _ask(built_sample, terminal=False)
    assert "\x1b" not in piped and "valid for 90 days." in piped
    # Piped, the words stand on a line of their own instead; the bold changes nothing else: without its
    # two codes, the terminal's text is the pipe's less that line.
    assert "\n   answer: 90 days\n" in piped
    assert on_terminal.replace("\x1b[1m", "").replace("\x1b[22m", "") == piped.replace("   answer: 90 days\n", "")
    monkeypatch.setenv("TERM", "dumb")
    assert "\x1b" not in _ask(built_sample, terminal=True)


def test_eval_reports_the_phrase_s_coverage_and_precision_by_kind(built_sample, tmp_path):
    questions = [
        {"question": NINETY_DAYS, "answers": ["90 days"], "answerable": True},
        {"question": "Who is the EU facilitator?", "answers": ["Miroslav Lajcak"], "answerable": True},
        {"question": "When do the bans take effect?", "answers": ["September 1"], "answerable": True},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in questions) + "\n", encoding="utf-8")
    code, out, _ = run_cli("--config", str(built_sample), "eval", str(path), "--modes", "hybrid", "--reader", "off")
    assert code == 0
    table = out[out.index("answer phrase") :].splitlines()
    # Counts under "hits" (the main table's hit@1 is a rate); a kind with no hits has no coverage ("-").
    assert table[0].split() == ["answer", "phrase", "kind", "hits", "marked", "coverage", "precision"]
    assert table[1].split() == ["hybrid", "all", "3", "3", "1.000", "1.000"]
    assert [line.split()[-4:] for line in table[2:7]] == [["1", "1", "1.000", "1.000"]] * 3 + [["0", "0", "-", "-"]] * 2
    assert table[7].startswith("hits: ")

    _, out, _ = run_cli("--config", str(built_sample), "eval", str(path), "--modes", "hybrid", "--json", "--reader", "off")
    phrases = json.loads(out)[0]["phrases"]
    assert phrases["all"] == {"hit1": 3, "marked": 3, "correct": 3, "coverage": 1.0, "precision": 1.0}
    assert {k: phrases[k]["marked"] for k in ("when", "how many", "who", "where")} == {"when": 1, "how many": 1, "who": 1, "where": 0}


def test_eval_reports_with_and_without_the_reader(built_sample, tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"question": NINETY_DAYS, "answers": ["90 days"], "answerable": True}) + "\n", encoding="utf-8")
    code, out, _ = run_cli("--config", str(built_sample), "eval", str(path), "--modes", "hybrid", "--json")
    assert code == 0
    results = json.loads(out)
    assert [r["mode"] for r in results] == ["hybrid+reader", "hybrid"]
    assert [r["phrases"]["all"]["correct"] for r in results] == [1, 1]
