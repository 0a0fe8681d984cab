"""`assistant eval` on a small question set, and the fusion and snippet choice it measures."""

import json

import numpy as np
import pytest

from assistant.answers.answer_kind import expected_answer_kind, matches_kind
from assistant.answers.answering import lexical_overlap, snippet_span
from assistant.config import RetrievalSettings
from assistant.retrieval.search import reciprocal_rank_fusion, weighted_fusion
from assistant.sources.documents import Document
from assistant.sources.passages import split_passages

from cli_runner import run_cli

QUESTIONS = [
    {"question": "How long is the temporary Kosovo document valid?", "answers": ["90 days"], "answerable": True},
    {"question": "Who is the EU facilitator?", "answers": ["Miroslav Lajcak"], "answerable": True},
    {"question": "When do the bans take effect?", "answers": ["September 1"], "answerable": True},
    {"question": "Who won the 2018 FIFA World Cup?", "answers": [], "answerable": False},
    {"question": "What is the recipe for lemon sorbet?", "answers": [], "answerable": False},
]


@pytest.fixture
def question_file(tmp_path):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    return path


def test_eval_prints_one_row_per_mode(built_sample, question_file):
    code, out, _ = run_cli("--config", str(built_sample), "eval", str(question_file))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "5 questions (3 answerable, 2 not)"
    assert lines[1].split() == ["mode", "R@1", "R@5", "MRR@10", "hit@1", "hit@3", "abstain", "answered", "p50", "ms", "p95", "ms"]
    # With the reader and without it (the config's default, and the rules alone), side by side.
    assert [line.split()[0] for line in lines[2:8]] == [
        "dense+reader", "lexical+reader", "hybrid+reader", "dense", "lexical", "hybrid"
    ]


def test_eval_json_scores_the_sample(built_sample, question_file):
    code, out, _ = run_cli("--config", str(built_sample), "eval", str(question_file), "--modes", "hybrid", "--json", "--reader", "on")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 1
    hybrid = rows[0]
    assert hybrid["mode"] == "hybrid+reader" and hybrid["answerable"] == 3 and hybrid["unanswerable"] == 2
    assert hybrid["passage_r1"] == 1.0 and hybrid["hit1"] == 1.0 and hybrid["hit3"] == 1.0
    assert hybrid["abstention"] == 1.0 and hybrid["answered"] == 1.0
    assert 0 < hybrid["latency_median_ms"] <= hybrid["latency_p95_ms"]
    assert hybrid["misses"] == []


def test_eval_names_the_questions_it_missed_and_what_came_first(built_sample, tmp_path):
    """A new user had to ask each question again to find the five of eleven that missed: the text lists
    them, and --json holds each with what was shown first."""
    path = tmp_path / "q.jsonl"
    wrong = [
        {"question": "How long is the temporary Kosovo document valid?", "answers": ["Miroslav Lajcak"], "answerable": True},
        {"question": "Who is the EU facilitator?", "answers": ["Miroslav Lajcak"], "answerable": True},
        {"question": "When do the bans take effect?", "answers": [], "answerable": False},
    ]
    path.write_text("\n".join(json.dumps(q) for q in wrong) + "\n", encoding="utf-8")
    code, out, _ = run_cli("--config", str(built_sample), "eval", str(path), "--modes", "hybrid", "--reader", "on")
    assert code == 0
    missed = out[out.index("missed by hybrid+reader (2):") :].splitlines()
    assert missed[1].startswith("  How long is the temporary Kosovo document valid?  → ")
    assert missed[2].startswith("  When do the bans take effect?  → answered, though the sources do not answer it: kosovo-serbia-tensions.txt:")
    _, out, _ = run_cli("--config", str(built_sample), "eval", str(path), "--modes", "hybrid", "--json", "--reader", "on")
    (first, second) = json.loads(out)[0]["misses"]
    assert first["question"] == wrong[0]["question"] and first["answerable"] and not first["abstained"]
    assert first["cited"] == "kosovo-serbia-tensions.txt:8"
    assert {k: v for k, v in second.items() if k != "cited"} == {"question": wrong[2]["question"], "answerable": False, "abstained": False, "at": None}
    assert second["cited"].startswith("kosovo-serbia-tensions.txt:")


@pytest.mark.parametrize(
    "content, needle",
    [
        ("{not json", "q.jsonl:1: not a JSON object"),
        ('{"answers": []}', "q.jsonl:1: 'question': Field required"),
        ("", "holds no questions"),
        # Labelling mistakes that were scored quietly: a mistyped key made an answerable question one
        # that should abstain; a question left empty failed later with no line.
        ('{"question": "Who?", "answers": ["x"]}\n{"question": "Who?", "anwsers": ["x"]}', "q.jsonl:2: an answerable question lists no answer"),
        ('{"question": " ", "answers": ["x"]}', "q.jsonl:1: the question is empty"),
        ('{"question": "Who?", "answers": ["x"], "turn": "two"}', "q.jsonl:1: 'turn': Input should be a valid integer"),
        ("[1, 2]", 'q.jsonl:1: not a question object ({"question"'),
    ],
)
def test_eval_bad_question_file_is_one_line_exit_2(built_sample, tmp_path, content, needle):
    path = tmp_path / "q.jsonl"
    path.write_text(content, encoding="utf-8")
    code, _, err = run_cli("--config", str(built_sample), "eval", str(path))
    assert code == 2 and needle in err and err.count("\n") == 1


def test_eval_unknown_mode(built_sample, question_file):
    assert run_cli("--config", str(built_sample), "eval", str(question_file), "--modes", "psychic")[0] == 2


def test_rrf_rewards_agreement_between_rankings():
    dense = {1: 0.9, 2: 0.8, 3: 0.3, 4: 0.2, 5: 0.1}
    lexical = {5: 9.0, 2: 5.0}
    fused = reciprocal_rank_fusion([dense, lexical])
    assert max(fused, key=fused.get) == 2  # second in both beats first in one
    assert fused[1] == pytest.approx(1 / 61)


def test_weighted_fusion_lets_one_close_sentence_lift_its_passage():
    settings = RetrievalSettings()
    cosines = {1: 0.50, 2: 0.45}
    lexical = {1: 2.0, 2: 2.0}
    sentences = {1: np.array([0.30, 0.35]), 2: np.array([0.20, 0.80])}
    fused = weighted_fusion(cosines, lexical, sentences, settings)
    assert fused[2] > fused[1]
    # BM25 is scaled by the best candidate's score, so its weight means the same in any corpus.
    scaled = weighted_fusion(cosines, {1: 20.0, 2: 20.0}, sentences, settings)
    assert scaled == pytest.approx(fused)


def test_weighted_fusion_without_lexical_matches_uses_dense_signals_only():
    fused = weighted_fusion({1: 0.4}, {}, {1: np.array([0.6])}, RetrievalSettings())
    assert fused[1] == pytest.approx(0.5 * 0.4 + 0.5 * 0.6)


@pytest.mark.parametrize(
    "question, kind",
    [
        ("When did the Normans arrive?", "time"),
        ("In what year was it founded?", "time"),
        ("How many passengers did it carry?", "number"),
        ("Who ruled Cyprus?", "name"),
        ("What is a Turing machine?", None),
    ],
)
def test_expected_answer_kind(question, kind):
    assert expected_answer_kind(question) == kind


def test_answer_kinds_match_the_right_text():
    assert matches_kind("It was founded in 1066 by William.", "time")
    assert not matches_kind("It was founded long ago.", "time")
    assert matches_kind("They sent three ships.", "number")
    assert matches_kind("the duke was Richard of Normandy.", "name")
    # A weekday or a month names no one: "who works the saturday shift" is not answered by a timetable.
    assert not matches_kind("| Saturday | 07:30 | 16:00 |", "name")
    assert not matches_kind("the meeting moved to March.", "name")
    # A phone number or an email address asked for: a line holding none cannot answer it (trial 60's
    # "what's her phone number?" quoted the officers' minutes line over the contacts row).
    assert expected_answer_kind("what's her phone number?") == "phone" and expected_answer_kind("what's her email?") == "email"
    assert expected_answer_kind("which number do I call") == "phone"
    for other in ("what phone model do we use", "what is the email policy", "what is the catalogue number for DAPI?"):
        assert expected_answer_kind(other) != "phone" and expected_answer_kind(other) != "email", other
    assert matches_kind("| Treasurer | Amira Haddad | treasurer@maplecourt.coop | 555-0116 |", "phone")
    assert not matches_kind("Elected: Amira Haddad (Treasurer), Helen Okafor (President).", "phone")
    assert not matches_kind("In 2019-2020 the rate fell.", "phone")  # a span of years
    assert matches_kind("Write to becky@kernowdairy.co.uk.", "email") and not matches_kind("Write to Becky.", "email")


def test_lexical_overlap_weighs_rare_words():
    idf = {"ferri": 3.0, "price": 1.0}
    assert lexical_overlap(["ferri", "price"], "The ferry leaves at noon.", idf) == pytest.approx(0.75)
    assert lexical_overlap(["ferri", "price"], "Nothing relevant here.", idf) == 0.0


def _sentences(text):
    (passage,) = split_passages(Document("t.txt", text, "x", "utf-8"), 5000)
    return passage


def test_a_continuing_sentence_is_quoted_with_the_one_it_leans_on():
    passage = _sentences(
        "The Anglo-Norman language was eventually absorbed into the Anglo-Saxon language of their subjects. "
        "It in turn evolved into Modern English. The rest of the paragraph talks about something else entirely."
    )
    first, last = snippet_span(passage, 0)
    assert first.text.startswith("The Anglo-Norman") and last.text == "It in turn evolved into Modern English."
    first, last = snippet_span(passage, 1)  # short: takes the next one along
    assert last.text.startswith("The rest")
    first, last = snippet_span(passage, 2)  # last sentence of the passage stands alone
    assert first == last


@pytest.mark.parametrize(
    "following",
    [
        "For example, consider the deterministic sorting algorithm quicksort.",
        "The best algorithm for this problem runs in quasi-polynomial time.",
        "Similarly, algorithms can solve the knapsack problem quickly.",
    ],
)
def test_discourse_markers_and_demonstratives_lean_back(following):
    passage = _sentences(f"A problem is regarded as inherently difficult if its solution requires significant resources. {following}")
    first, last = snippet_span(passage, 0)
    assert last.text == following


def test_an_independent_sentence_is_quoted_alone():
    passage = _sentences(
        "A problem is regarded as inherently difficult if its solution requires significant resources. "
        "Turing machines were described by Alan Turing in 1936 as a model of computation."
    )
    first, last = snippet_span(passage, 0)
    assert first == last


def test_span_scoring_counts_a_snippet_of_the_right_source_that_overlaps_the_answer():
    from assistant.evaluation.run import EvalQuestion, Judge

    text = "The ferry to the island leaves at noon. It returns at six in the evening, weather permitting."
    question = EvalQuestion(question="When does it return?", answers=["at six in the evening"], source="ferry.txt")
    judge = Judge("span", lambda source: text)
    at = text.index("six")
    assert judge.hits(question, "ferry.txt", at, at + 3, "six")  # overlaps the answer's place
    assert not judge.hits(question, "other.txt", 0, len(text), text)  # holds it, but cites another file
    assert not judge.hits(question, "ferry.txt", 0, 10, text[:10])
    half = Judge("span", lambda source: text, min_overlap=0.5)
    assert not half.hits(question, "ferry.txt", at, at + 3, "six")  # 3 of 21 characters is not half
    assert half.hits(question, "ferry.txt", at - 3, len(text), text[at - 3 :])
    assert Judge("string", lambda source: text).hits(question, "other.txt", 0, len(text), text)


def test_conversations_are_asked_in_turn_order_and_reported_by_turn(built_sample, tmp_path):
    rows = [
        {"question": "When do the bans take effect?", "answers": ["September 1"], "conversation": "c", "turn": 2},
        {"question": "What does Pristina's framework give people entering with Serbian papers?",
         "answers": ["temporary Kosovo document"], "conversation": "c", "turn": 1},
        {"question": "Who is the EU facilitator?", "answers": ["Miroslav Lajcak"], "conversation": "d", "turn": 1},
    ]
    path = tmp_path / "conversations.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    from assistant.evaluation.run import conversations_of, load_questions

    chats = conversations_of(load_questions(path))
    assert [[q.turn for q in chat] for chat in chats] == [[1, 2], [1]]
    code, out, _ = run_cli("--config", str(built_sample), "eval", str(path), "--modes", "hybrid", "--scoring", "span", "--reader", "on")
    lines = out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in lines[2:5]] == ["hybrid+reader", "first", "follow-up"]
