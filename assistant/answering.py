"""Turn ranked passages into an Answer: pick the sentences that answer, cite them, or abstain."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .answer_phrase import answer_phrase
from .index import LoadedIndex
from .lexical import tokenize
from .models import Answer, Citation, Passage, Sentence, Snippet, Timings
from .query import Focus, Query
from .retrieval import RankedPassage

# How many of the ranked passages have their sentences scored.
PASSAGES_SCORED = 8
# A sentence's score: its cosine similarity to the question, the share of the question's IDF weight it
# holds, and its passage's standing among the candidates (0 for the last scored, 1 for the first).
W_SIMILARITY = 0.5
W_LEXICAL = 0.5
W_PASSAGE = 0.1
# Bonus for a sentence holding the kind of answer the question asks for (a year for "when", ...).
W_ANSWER_KIND = 0.03
# A sentence shorter than this is quoted with the sentence after it.
SHORT_SENTENCE_CHARS = 80
# In a follow-up, a sentence of the previous answer's source gains up to this much (times how much the
# question leans on that place) for standing right at or after the previous answer, decaying over
# FOCUS_REACH characters (twice as fast backwards): answers move forward through a text.
W_FOCUS_NEAR = 0.25
FOCUS_REACH = 400
# The previous answer's own closeness when the question asks for something beyond it.
BEYOND_SAME = 0.0
# ... and this much (times how much the question stays, and the source's share of the recent
# answers) for standing in a source the conversation has been answered from.
W_FOCUS_SOURCE = 0.1

_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b")
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|million|billion)\b",
    re.I,
)
_MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\b")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
# A sentence opening like this leans on the one before it ("It in turn evolved into Modern English.",
# "For example, consider quicksort."): it is quoted together with its predecessor, whose words the
# question likely matched. Pronouns, discourse markers, and a demonstrative among the first words
# ("The best algorithm for this problem ...").
_CONTINUES = re.compile(
    r"^[\"“'(]*(it|its|this|that|these|those|they|their|them|he|his|him|she|her|such|but|however|thus|"
    r"therefore|so|then|also|yet|instead|there|here|both|neither|either|in turn|as a result|consequently|"
    r"afterwards|later|meanwhile|nevertheless|despite this|for example|for instance|similarly|likewise|"
    r"of course|indeed|moreover|furthermore|in addition|in particular|specifically|in contrast|conversely|"
    r"if so|otherwise|hence|accordingly|again)\b",
    re.I,
)
_REFERS_BACK = re.compile(r"^(?:\W*\w+){0,4}?\W+(this|these|those|such)\b", re.I)


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate answer sentence: its passage (and the passage's row), its index in the passage,
    its score and similarity."""

    passage: Passage
    row: int
    sentence_index: int
    score: float
    similarity: float


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
    """True when ``text`` holds something of the answer kind (a year or month, a number, a name)."""
    if kind == "time":
        return bool(_YEAR.search(text) or _MONTH.search(text))
    if kind == "number":
        return bool(_NUMBER.search(text))
    if kind == "name":
        return bool(_NAME.search(text))
    return False


def lexical_overlap(question_terms: list[str] | dict[str, float], text: str, idf: dict[str, float]) -> float:
    """Share of the question's IDF weight whose terms appear in ``text`` (0..1); with weighted terms,
    each term's IDF counts times its weight."""
    weights = question_terms if isinstance(question_terms, dict) else dict.fromkeys(question_terms, 1.0)
    total = sum(idf.get(t, 0.0) * w for t, w in weights.items())
    if total <= 0:
        return 0.0
    present = set(tokenize(text))
    return sum(idf.get(t, 0.0) * w for t, w in weights.items() if t in present) / total


def focus_closeness(sentence: Sentence, source: str, focus: Focus) -> float:
    """1 for a sentence at or just after the previous answer, fading with distance (0 elsewhere); a
    question asking for more ("what else?") is not answered by the previous answer itself."""
    if source != focus.source:
        return 0.0
    if sentence.end > focus.start and sentence.start < focus.end:
        return BEYOND_SAME if focus.beyond else 1.0
    distance = sentence.start - focus.end if sentence.start >= focus.end else 2 * (focus.start - sentence.end)
    return 0.5 ** (distance / FOCUS_REACH)


def score_sentences(index: LoadedIndex, ranked: list[RankedPassage], query: Query) -> list[ScoredSentence]:
    """Every sentence of the top passages with its combined score, best first."""
    top = ranked[:PASSAGES_SCORED]
    if not top:
        return []
    # Carried terms count in a sentence's overlap as they do in the passage search: the sentence that
    # answers a follow-up often names what the earlier turns asked about (measured on CoQA: keeping
    # them at a quarter of their weight lost 0.03 of hit@3).
    question_terms = query.terms
    idf = index.lexical.idf(list(question_terms))
    kind = expected_answer_kind(query.text)
    focus = query.focus
    high, low = top[0].score, top[-1].score
    spread = high - low
    scored: list[ScoredSentence] = []
    for candidate in top:
        passage = index.passages[candidate.row]
        standing = (candidate.score - low) / spread if spread > 0 else 1.0
        for j, sentence in enumerate(passage.sentences):
            similarity = float(candidate.sentence_similarities[j])
            score = (
                W_SIMILARITY * max(similarity, 0.0)
                + W_LEXICAL * lexical_overlap(question_terms, sentence.text, idf)
                + W_PASSAGE * standing
            )
            if kind and matches_kind(sentence.text, kind):
                score += W_ANSWER_KIND
            if focus is not None:
                score += focus.near * W_FOCUS_NEAR * focus_closeness(sentence, passage.source, focus)
                score += focus.stay * W_FOCUS_SOURCE * focus.sources.get(passage.source, 0.0)
            scored.append(ScoredSentence(passage=passage, row=candidate.row, sentence_index=j, score=min(score, 1.0), similarity=similarity))
    scored.sort(key=lambda s: (-s.score, s.passage.source, s.passage.start, s.sentence_index))
    return scored


def snippet_span(passage: Passage, index: int) -> tuple[Sentence, Sentence]:
    """The first and last sentence a snippet quotes: the sentence, and the next one when it is short
    or when the next one continues it."""
    sentence = passage.sentences[index]
    if index + 1 < len(passage.sentences):
        following = passage.sentences[index + 1]
        leans_back = _CONTINUES.match(following.text) or _REFERS_BACK.match(following.text)
        if len(sentence.text) < SHORT_SENTENCE_CHARS or leans_back:
            return sentence, following
    return sentence, sentence


def make_snippet(scored: ScoredSentence) -> Snippet:
    """A snippet quoting the scored sentence (with a neighbour where needed) and its citation."""
    passage = scored.passage
    first, last = snippet_span(passage, scored.sentence_index)
    text = passage.text[first.start - passage.start : last.end - passage.start]
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
    min_similarity: float,
    timings: Timings,
    still_quoted: Callable[[Snippet], bool] = lambda _snippet: True,
) -> Answer:
    """The best ``count`` non-overlapping snippets, or an abstention (with the nearest snippets) when no
    sentence is at least ``min_similarity`` close to the question.

    A snippet whose file no longer holds its text (``still_quoted`` says no) is left out, its place
    goes to the next, and the answer names the file as changed.
    """
    snippets: list[Snippet] = []
    taken: list[tuple[str, int, int]] = []
    changed: dict[str, None] = {}
    for candidate in scored:
        snippet = make_snippet(candidate)
        c = snippet.citation
        if any(src == c.source and c.start < end and start < c.end for src, start, end in taken):
            continue
        if not still_quoted(snippet):
            changed[c.source] = None
            continue
        taken.append((c.source, c.start, c.end))
        snippets.append(snippet.model_copy(update={"answer": answer_phrase(question, snippet)}))
        if len(snippets) == count:
            break
    changed_sources = tuple(changed)
    if not snippets:
        reason = "nothing in the index matches"
        if changed_sources:
            reason = f"what the index would quote is no longer in {', '.join(changed_sources)} (changed since the index was built)"
        return Answer(question=question, snippets=(), abstained=True, reason=reason, timings=timings, changed_sources=changed_sources)
    closest = max(s.similarity for s in scored)
    if closest < min_similarity:
        return Answer(
            question=question,
            snippets=tuple(snippets),
            abstained=True,
            reason=f"no sentence in the sources is close to the question (best similarity {closest:.2f} < {min_similarity:.2f})",
            timings=timings,
            changed_sources=changed_sources,
        )
    return Answer(question=question, snippets=tuple(snippets), timings=timings, changed_sources=changed_sources)
