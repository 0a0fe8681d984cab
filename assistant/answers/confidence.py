"""How sure the assistant is that a snippet answers the question: a small calibrated model, not one number.

The cosine similarity alone cannot tell "about a neighbouring thing" from "about this thing": a
question about a region the sources do not cover lies close to the region they do. A handful of
signals can (Kamath, Jia and Liang, 2020: a small calibrator over scores, margins and lexical overlap,
fitted on questions from other domains, answers more at the same accuracy):

- ``similarity``: the snippet's best sentence cosine to the question (as read in its conversation), and
  the best of any candidate; ``context_lift``: how much the conversation raised that cosine above the
  question's own (0 for a question asked alone);
- ``coverage``: the share of the question's own subject words (by IDF) found in the snippet, and in
  its passage; ``rare_coverage``: the share of its RARE_TERMS most specific words found in the passage;
- ``passage_similarity``: the cosine of the snippet's passage to the question;
- ``unknown``: the share of the question's subject words (by IDF) the index has never seen: a place or
  a person the sources never mention;
- ``absent_names``: names in the question (capitalised words) found in none of the candidate passages;
- ``kind``: whether the snippet holds the kind of answer asked for (a year for "when"...), or lacks it;
- ``agreement``: whether the dense and the lexical search put the same passage first;
- ``margin``: how far the snippet's score stands above the next distinct one;
- ``incomplete``/``focused``/``stay``: in a conversation, how much the question needs the turns before
  it, whether an earlier answer gave it a place to stand on, and how much that place holds the
  question's own words (``Focus.words_held``);
- with the reader on, ``reader``: the reader's probability that the snippet's sentences say the answer
  (0 where it found no span there), ``best_reader``: the best of any window it read, and ``footing``:
  in a conversation, its best for the answer the question stands on, times how much the question holds
  to that place (``stay``; 0 with no place to stand on, and for a question of its own that only
  happens to follow). A conversation about a story the sources lack goes on from a sibling story's
  doubtful answer, and a follow-up that leans on it is no surer; ``said_before``: the reader's say
  over every kept turn before, the newest counting most (abstentions too), as much as the question
  holds to the place: one doubtful answer may be chance, a conversation doubted turn after turn is
  about something else. (Both are the reader's say, not an answer's confidence, so that a refit does
  not change the features it is fitted on: a confidence fed back turn to turn made each refit's
  conversations unlike the ones it was fitted on.) The reader reads
  question and text together: a near neighbour that resembles the question but does not say the answer
  scores low, where every signal above scores it high.

A logistic regression over these (with the reader, two: one for a question asked alone, one for a
follow-up standing on an earlier answer, ``stands_on_an_answer``), its weights shipped as data
(``data/confidence.json``; with the reader, ``data/confidence-reader.json``, over the reader's
features too; both fitted by
``python -m benchmarks.abstention`` on held-out splits of the sample sets: one source left out of the
index at a time, its questions then unanswerable), gives each snippet a probability that the sources
answer the question there. A snippet at or above the bar (``answer.min_confidence``) is an answer;
one below is shown as the nearest passage, not as an answer; an answer whose best snippet is below
the bar abstains.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from ..models import Snippet
from ..retrieval.codes import is_calendar
from ..retrieval.conversation import own_subject_terms
from ..retrieval.query import Query
from ..retrieval.search import RankedPassage
from ..store.lexical import joined_parts, tokenize
from ..store.loaded import LoadedIndex
from .answer_kind import expected_answer_kind, matches_kind
from .answering import Picked, ScoredSentence, lexical_overlap
from .reader import logistic
from .reading import Read
from .unnamed import unnamed_things

FEATURES = (
    "similarity",
    "context_lift",
    "best_similarity",
    "coverage",
    "passage_coverage",
    "rare_coverage",
    "passage_similarity",
    "unknown",
    "absent_names",
    "kind_match",
    "kind_missing",
    "agreement",
    "margin",
    "incomplete",
    "focused",
    "stay",
)
# The features of the model used with the reader on: the same, and the reader's say (of the turns before
# too).
READER_FEATURES = (*FEATURES, "footing", "said_before", "reader", "best_reader")
# The shipped models, by whether the reader is on.
MODEL_FILES = {False: "data/confidence.json", True: "data/confidence-reader.json"}
# A word that is not the first of the question: a name, most of the time, when capitalised (in any
# alphabet: "Émile", "Łukasz", "Dvořák"; ``question_names``).
_WORD = re.compile(r"(?<=[\s(\"'“])[^\W\d_][\w'’-]*[^\W_]")
_FIRST_WORD = re.compile(r"^\W*\w+")
# A word opening a sentence after the question's first: capitalised as a sentence's first word is.
_SENTENCE_OPENING = re.compile(r"[.!?]\s+([^\W\d_][\w'’-]*)")
# A name the asker gives as their own ("my last name is Nguyen"): it says who asks, not what the
# sources must mention ("which room is my midterm in, my last name is Nguyen" abstained). Not "I'm
# Canadian", "this is Kubernetes": those name what is asked about.
_OWN_NAME = re.compile(
    r"\b(?i:my\s+(?:(?:last|first|family|given|full|sur)\s*)?name\s+is|my\s+surname\s+is)\s+"
    r"((?:[A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*)?)"
)
# How many of the candidate passages are read for the question's names.
NAME_PASSAGES = 8
# An acronym as a question may write it ("US", "EU"): its letters may stand with full stops in the text.
ACRONYM = re.compile(r"[A-Z]{2,6}")
# How many of the question's most specific words ``rare_coverage`` looks for.
RARE_TERMS = 2


@dataclass(frozen=True)
class Regression:
    """One logistic regression over standardised features: its means, scales, weights and intercept."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float

    @classmethod
    def from_json(cls, data: dict) -> "Regression":
        return cls(
            means=tuple(float(x) for x in data["means"]),
            scales=tuple(float(x) for x in data["scales"]),
            weights=tuple(float(x) for x in data["weights"]),
            intercept=float(data["intercept"]),
        )

    def to_json(self) -> dict:
        """As ``from_json`` reads it (rounded to six places)."""
        return {
            "means": [round(x, 6) for x in self.means],
            "scales": [round(x, 6) for x in self.scales],
            "weights": [round(x, 6) for x in self.weights],
            "intercept": round(self.intercept, 6),
        }

    def score(self, features: tuple[str, ...], values: dict[str, float]) -> float:
        """The log-odds for these feature values (``features`` names the regression's, in order)."""
        return self.intercept + sum(
            w * (values[name] - mean) / scale for name, mean, scale, w in zip(features, self.means, self.scales, self.weights)
        )


@dataclass(frozen=True)
class ConfidenceModel:
    """A logistic regression over standardised features, and the bar it was calibrated to; with
    ``follow_up``, a second one for a question that has an earlier answer to stand on (``focused``).

    A follow-up rests on other evidence than a question asked alone: its own words are few, and what
    tells most is how the conversation went (``said_before``, ``footing``), which a question asked alone
    lacks. One regression over both weighs each feature the same for both; two fit each its own."""

    features: tuple[str, ...]
    alone: Regression
    default_bar: float
    follow_up: Regression | None = None

    @classmethod
    def from_json(cls, data: dict) -> "ConfidenceModel":
        return cls(
            features=tuple(data["features"]),
            alone=Regression.from_json(data),
            default_bar=float(data["default_bar"]),
            follow_up=Regression.from_json(data["follow_up"]) if "follow_up" in data else None,
        )

    def regression(self, values: dict[str, float]) -> Regression:
        """The regression that weighs a snippet with these features: the follow-up's for a question
        standing on an earlier answer, where the model has one."""
        return self.follow_up if self.follow_up is not None and stands_on_an_answer(values) else self.alone

    def probability(self, values: dict[str, float]) -> float:
        """The model's probability that the sources answer the question with this snippet."""
        return logistic(self.regression(values).score(self.features, values))


def stands_on_an_answer(values: dict[str, float]) -> bool:
    """Whether a question (by its features) has an earlier answer to stand on: a follow-up, as the
    confidence model tells them apart."""
    return values.get("focused", 0.0) > 0


@lru_cache(maxsize=2)
def shipped_model(reader: bool = False) -> ConfidenceModel:
    """The model fitted on the sample sets, shipped with the package: the one over the reader's
    features too when ``reader``."""
    text = resources.files("assistant").joinpath(MODEL_FILES[reader]).read_text(encoding="utf-8")
    return ConfidenceModel.from_json(json.loads(text))


@dataclass(frozen=True)
class QuestionSignals:
    """What is known of the question before looking at any one snippet. ``unmentioned``: the names it
    asks about that the sources never mention (``never_mentioned``)."""

    subject: tuple[str, ...]
    unmentioned: tuple[str, ...]
    idf: dict[str, float]
    unknown: float
    absent_names: float
    agreement: float
    best_similarity: float
    incomplete: float
    focused: float
    stay: float
    footing: float
    said_before: float
    kind: str | None


def question_names(question: str) -> dict[str, str]:
    """The names a question asks about (its capitalised words but the first): term -> the word as asked."""
    return {t: w for w in _WORD.findall(_FIRST_WORD.sub("", question)) if w[0].isupper() for t in tokenize(w)}


def never_mentioned(words: dict[str, str], present: set[str], index: LoadedIndex, each: bool = True) -> tuple[str, ...]:
    """The names asked about (``words``, as ``question_names`` gives them) that the sources never
    mention (``_mentioned``: not in the index, nor a word a typo away, nor in the candidates' text,
    ``present``, nor in a file's name). With ``each``, one is enough: "What was the daytime SUHI
    intensity of Leipzig?" over papers on other cities was answered with the 50 cities' mean, the index
    knowing "SUHI"; else (the names of the question a follow-up goes on asking) only all of them are:
    "Who then?" after "Was Jennifer Lopez the 2nd highest earning actress?" asks about the actresses the
    story names."""
    known = index.lexical.idf(sorted(words))
    unmentioned = [word for term, word in words.items() if term not in known and not _mentioned(term, word, present, index)]
    # A word of two terms ("Wi-Fi": wi, fi) is named once.
    return tuple(sorted(set(unmentioned))) if each or len(unmentioned) == len(words) else ()


def _mentioned(term: str, word: str, present: set[str], index: LoadedIndex) -> bool:
    """Whether a name the index's words lack is mentioned all the same: in the candidates' text
    (``is_present``: "US" written "U.S.", "GPLv3" as "GPL-3"), as its parts in the index, by a file's
    name, or as a word it is a typo of."""
    parts = joined_parts(word)
    return (
        is_present(term, word, present)
        or (bool(parts) and len(index.lexical.idf(parts)) == len(set(parts)))
        or term in index.source_names().every
        or index.lexical.knows_near(word)
    )


def is_present(term: str, word: str, present: set[str]) -> bool:
    """Whether a name the question asks about (its term, the word as asked) is among the candidates'
    terms (``present``), or its parts are where it joins a name and its number ("GPLv3": GPL, 3)."""
    if term in present:
        return True
    parts = joined_parts(word)
    return bool(parts) and set(parts) <= present


def written_with_stops(words: dict[str, str], text: str) -> set[str]:
    """The terms of the question's acronyms (``words``: term -> the word as asked) that ``text`` writes
    with full stops: "US" as "U.S.", which the tokenizer reads as single letters, so the index's words
    alone would call the United States a name the sources never mention."""
    return {
        term for term, word in words.items()
        if ACRONYM.fullmatch(word) and re.search(r"\b" + r"\.\s?".join(word) + r"\.", text)
    }


def question_signals(query: Query, ranked: list[RankedPassage], scored: list[ScoredSentence], index: LoadedIndex) -> QuestionSignals:
    """The question-level signals: unknown words, absent names, agreement of the searches."""
    subject = tuple(own_subject_terms(list(query.own_terms)))
    known = index.lexical.idf(subject)
    rarest = index.lexical.highest_idf()
    idf = {t: known.get(t, rarest) for t in subject}  # a word the index never saw is as rare as can be
    total = sum(idf.values())
    unknown = sum(w for t, w in idf.items() if t not in known) / total if total else 0.0
    asked_text = f"{query.text} {query.whole_question}"
    own = {word for found in _OWN_NAME.findall(asked_text) for word in found.split()}  # the asker's own name
    words = {term: word for term, word in question_names(query.text).items() if word not in own}
    names = set(words)
    text = " ".join(index.passages[c.row].title + " " + index.passages[c.row].text for c in ranked[:NAME_PASSAGES])
    # A follow-up with no name of its own asks about the names of the question it goes on asking: "and?"
    # after "What is the capital of France?" asks about France.
    asked = words or question_names(query.whole_question)
    present = set(tokenize(text)) | written_with_stops(asked, text)  # the names are looked for once
    absent_names = sum(not is_present(t, words[t], present) for t in names) / len(names) if names else 0.0
    dense_first = max(ranked, key=lambda c: c.dense).row if ranked else -1
    lexical_first = max(ranked, key=lambda c: c.lexical).row if ranked and max(c.lexical for c in ranked) > 0 else -2
    focus = query.focus
    # A name a file of the index is named by is mentioned, by that file; a word opening a sentence of the
    # question is capitalised as its sentence's first ("… valid? Thanks"), and a month or a day as any
    # is (``codes.is_calendar``: a date may be written "2025-03-24", and "Who is on call in the week of 24
    # March 2025?" over a rota abstained for "March"): no names for this.
    opening = set(_SENTENCE_OPENING.findall(query.text or "")) | set(_SENTENCE_OPENING.findall(query.whole_question or ""))
    named = {term: word for term, word in asked.items() if word not in opening | own and not is_calendar(word, asked_text)}
    unmentioned = never_mentioned(named, present, index, each=bool(words))
    unmentioned += unnamed_things((query.as_asked, query.whole_question or ""), index, [c.row for c in ranked])
    return QuestionSignals(
        subject=subject,
        unmentioned=unmentioned,
        idf=idf,
        unknown=unknown,
        absent_names=absent_names,
        agreement=1.0 if dense_first == lexical_first else 0.0,
        best_similarity=max((s.similarity for s in scored), default=0.0),
        incomplete=query.incomplete,
        focused=1.0 if focus is not None else 0.0,
        stay=focus.words_held if focus is not None else 0.0,
        footing=focus.footing * focus.words_held if focus is not None else 0.0,
        said_before=focus.said_before * focus.words_held if focus is not None else 0.0,
        kind=expected_answer_kind(query.text),
    )


def snippet_features(
    signals: QuestionSignals, snippet: Snippet, similarity: float, own_similarity: float, margin: float,
    passage_similarity: float, reader: float = 0.0, best_reader: float = 0.0,
) -> dict[str, float]:
    """Every feature of one snippet, by name."""
    weights = dict.fromkeys(signals.subject, 1.0)
    rarest = sorted(signals.idf, key=lambda t: -signals.idf[t])[:RARE_TERMS]
    passage_text = snippet.passage.title + " " + snippet.passage.text
    matched = signals.kind is not None and matches_kind(snippet.text, signals.kind)
    return {
        "similarity": similarity,
        "context_lift": similarity - own_similarity,
        "best_similarity": signals.best_similarity,
        "coverage": lexical_overlap(weights, snippet.text, signals.idf),
        "passage_coverage": lexical_overlap(weights, passage_text, signals.idf),
        "rare_coverage": lexical_overlap(dict.fromkeys(rarest, 1.0), passage_text, signals.idf) if rarest else 0.0,
        "passage_similarity": passage_similarity,
        "unknown": signals.unknown,
        "absent_names": signals.absent_names,
        "kind_match": 1.0 if matched else 0.0,
        "kind_missing": 1.0 if signals.kind is not None and not matched else 0.0,
        "agreement": signals.agreement,
        "margin": margin,
        "incomplete": signals.incomplete,
        "focused": signals.focused,
        "stay": signals.stay,
        "footing": signals.footing,
        "said_before": signals.said_before,
        "reader": reader,
        "best_reader": best_reader,
    }


def own_similarity(index: LoadedIndex, row: int, snippet: Snippet, vector) -> float:
    """The best cosine of the snippet's sentences to the question's own vector (a follow-up's, before
    the conversation moved it)."""
    if row < 0:
        return 0.0
    first, count = index.passages.sentence_ranges([row])[row]
    sentences = snippet.passage.sentences
    inside = [j for j, s in enumerate(sentences) if snippet.citation.start <= s.start and s.end <= snippet.citation.end]
    if not inside:
        return 0.0
    vectors = index.sentence_vectors.read(first + inside[0], first + inside[-1] + 1)
    return float((vectors @ vector).max())


@dataclass(frozen=True)
class Confidences:
    """Each picked snippet's probability of answering, the features it rests on, and the names the
    question asks about that the sources never mention (then no snippet is an answer)."""

    probabilities: list[float]
    features: list[dict[str, float]]
    unmentioned: tuple[str, ...]


def snippet_confidences(
    model: ConfidenceModel, query: Query, ranked: list[RankedPassage], scored: list[ScoredSentence],
    picked: list[Picked], index: LoadedIndex, read: Read | None = None,
) -> Confidences:
    """Each picked snippet's probability of answering the question, and the features it rests on.

    A question whose every name is one the index has never seen ("What is the population of Victoria?"
    over sources about Queensland) asks about something the sources never mention: however close a
    snippet is, it is not an answer. The model sees such names too (``unknown``, ``absent_names``), but
    too few calibration questions hold them for it to learn the rule on its own.
    """
    signals = question_signals(query, ranked, scored, index)
    rows = {s.passage.id: s.row for s in scored}
    cosines = {c.row: c.dense for c in ranked}
    best_reader = read.best_probability if read is not None else 0.0
    features = []
    for p in picked:
        row = rows.get(p.snippet.passage.id, -1)
        own = p.similarity if query.own_vector is None else own_similarity(index, row, p.snippet, query.own_vector)
        reader = p.reading.probability if p.reading is not None else 0.0
        features.append(
            snippet_features(signals, p.snippet, p.similarity, own, p.margin, cosines.get(row, 0.0), reader, best_reader)
        )
    probabilities = [0.0 if signals.unmentioned else model.probability(f) for f in features]
    return Confidences(probabilities, features, signals.unmentioned)


def in_order(picked: list[Picked], confidences: Confidences, order: list[int]) -> tuple[list[Picked], Confidences]:
    """The picked snippets in ``order`` (their indices), their confidences and features moved with them."""
    return [picked[k] for k in order], replace(
        confidences,
        probabilities=[confidences.probabilities[k] for k in order],
        features=[confidences.features[k] for k in order],
    )
