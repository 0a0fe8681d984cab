"""Turn ranked passages into an Answer: pick the sentences that answer, cite them, or abstain."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .index import LoadedIndex
from .lexical import tokenize
from .models import Answer, Citation, Passage, Sentence, Snippet, Timings
from .retrieval import RankedPassage

# How many of the ranked passages have their sentences scored.
PASSAGES_SCORED = 8
# Weights of a sentence's score: its own similarity to the question, its lexical match, its passage's.
W_SENTENCE = 0.5
W_LEXICAL = 0.3
W_PASSAGE = 0.2
# A sentence shorter than this is shown together with the sentence after it.
SHORT_SENTENCE_CHARS = 60

_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|hundred|thousand|million|billion)\b", re.I)
_MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    sentence_index: int
    score: float


def expected_answer_kind(question: str) -> str | None:
    """What kind of answer the question asks for: 'time', 'number', 'name', or None."""
    q = question.lower().strip()
    if re.match(r"^(when|what year|which year|in what year|what date|on what date|what century|in which year)\b", q):
        return "time"
    if re.match(r"^(how many|how much|how long|how old|how far|how large|how big|what percentage|what number)\b", q):
        return "number"
    if re.match(r"^(who|whom|whose|where)\b", q):
        return "name"
    return None


def matches_kind(text: str, kind: str | None) -> bool:
    if kind == "time":
        return bool(_YEAR.search(text) or _MONTH.search(text))
    if kind == "number":
        return bool(_NUMBER.search(text))
    if kind == "name":
        return bool(_NAME.search(text))
    return False


def lexical_overlap(question_terms: list[str], text: str, idf: dict[str, float]) -> float:
    """Share of the question's IDF weight whose terms appear in ``text`` (0..1)."""
    wanted = set(question_terms)
    total = sum(idf.get(t, 0.0) for t in wanted)
    if total <= 0:
        return 0.0
    present = set(tokenize(text))
    return sum(idf.get(t, 0.0) for t in wanted if t in present) / total


def score_sentences(
    index: LoadedIndex,
    ranked: list[RankedPassage],
    query_vector: np.ndarray,
    question: str,
    question_terms: list[str],
) -> list[ScoredSentence]:
    """Every sentence of the top passages with its combined score, best first."""
    idf = index.lexical.idf(question_terms)
    kind = expected_answer_kind(question)
    scored: list[ScoredSentence] = []
    for candidate in ranked[:PASSAGES_SCORED]:
        passage = index.passages[candidate.row]
        base = int(index.sentence_offsets[candidate.row])
        count = len(passage.sentences)
        if count == 0:
            continue
        similarities = np.asarray(index.sentence_vectors[base : base + count]) @ query_vector
        passage_similarity = max(candidate.dense, 0.0)
        for j, sentence in enumerate(passage.sentences):
            score = (
                W_SENTENCE * max(float(similarities[j]), 0.0)
                + W_LEXICAL * lexical_overlap(question_terms, sentence.text, idf)
                + W_PASSAGE * passage_similarity
            )
            if kind and matches_kind(sentence.text, kind):
                score += 0.03
            scored.append(ScoredSentence(passage=passage, sentence_index=j, score=min(score, 1.0)))
    scored.sort(key=lambda s: -s.score)
    return scored


def snippet_span(passage: Passage, index: int) -> tuple[Sentence, Sentence]:
    """The first and last sentence a snippet quotes: a short sentence takes its neighbour along."""
    sentence = passage.sentences[index]
    if len(sentence.text) < SHORT_SENTENCE_CHARS and index + 1 < len(passage.sentences):
        return sentence, passage.sentences[index + 1]
    return sentence, sentence


def make_snippet(scored: ScoredSentence) -> Snippet:
    """A snippet quoting the scored sentence (and a short one's neighbour) with its citation."""
    passage = scored.passage
    first, last = snippet_span(passage, scored.sentence_index)
    offset = first.start - passage.start
    text = passage.text[offset : last.end - passage.start]
    citation = Citation(
        source=passage.source,
        start=first.start,
        end=last.end,
        line_start=first.line_start,
        line_end=last.line_end,
        passage_id=passage.id,
        page=passage.page,
    )
    return Snippet(text=text, score=round(scored.score, 4), citation=citation, passage=passage)


def compose_answer(
    question: str,
    scored: list[ScoredSentence],
    count: int,
    min_score: float,
    timings: Timings,
) -> Answer:
    """The best ``count`` non-overlapping snippets; abstains when even the best scores under ``min_score``."""
    snippets: list[Snippet] = []
    taken: list[tuple[str, int, int]] = []
    for candidate in scored:
        snippet = make_snippet(candidate)
        c = snippet.citation
        if any(src == c.source and c.start < end and start < c.end for src, start, end in taken):
            continue
        taken.append((c.source, c.start, c.end))
        snippets.append(snippet)
        if len(snippets) == count:
            break
    if not snippets:
        return Answer(question=question, snippets=(), abstained=True, reason="nothing in the index matches", timings=timings)
    best = snippets[0].score
    if best < min_score:
        return Answer(
            question=question,
            snippets=tuple(snippets),
            abstained=True,
            reason=f"no passage answers this well enough (best score {best:.2f} < {min_score:.2f})",
            timings=timings,
        )
    return Answer(question=question, snippets=tuple(snippets), timings=timings)
