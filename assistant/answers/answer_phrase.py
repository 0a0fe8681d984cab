"""Mark the words of a quoted snippet that answer the question: the date, amount, name or place asked for.

Nothing is generated: the mark is a stretch of the snippet's own text. The question says what kind
of answer it wants (``answer_kind``); the snippet's phrases of that kind are the candidates
(``phrase_candidates``). A candidate the question already holds is no answer; among the rest, the
one standing closest to the words the question and the sentence share wins, if it wins clearly.
When none does, nothing is marked: a wrong mark is worse than none.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..models import AnswerPhrase, Snippet
from ..sources.passages import sentence_spans
from ..store.lexical import tokenize
from .answer_kind import QuestionReading, read_question
from .phrase_candidates import (
    Candidate,
    Token,
    amount_candidates,
    name_and_place_candidates,
    time_candidates,
    tokens_of,
    word_candidates,
)

# How fast a question word's pull on a candidate fades with the words between them: it halves every
# NEAR_HALF_WORDS words.
NEAR_HALF_WORDS = 4.0
# A question word on the other side of a candidate than the question puts it (for who and what
# questions, whose answer has a fixed place: "Who did BSkyB compete with?" -> "BSkyB competed with ___")
# pulls this much of its weight.
WRONG_SIDE = 0.5
# Words of another sentence of the snippet count as this many words further away.
SENTENCE_GAP_WORDS = 8
# A candidate is marked only if the question's words pull on it at least this much (about one
# question word right beside it) ...
MIN_PULL = 0.6
# ... or, when it is the sentence's only phrase of the kind asked for (a date for "when", an amount
# for "how many"), at least this much.
MIN_PULL_ALONE = 0.25
# ... and it beats every rival of other words by this share of its own score.
MARGIN = 0.25
# A candidate is dropped when this share of its words are the question's own.
MAX_ASKED_SHARE = 0.5
# Bonus for an amount whose unit is the noun the question counts ("how many men" -> "30,000 men"),
# or, for "how long / far / much / old", a unit of that measure.
W_UNIT = 0.5
# Bonus for a place phrase (led by a preposition of place) over a bare name, for "where".
W_PLACE_PHRASE = 0.5
# Penalty for a name led by a preposition of place ("in Normandy") when a person or body is asked for.
W_PLACE_FOR_WHO = 1.0
# Bonus for a name right after "by" (the doer in a passive: "commissioned by Odo") for "who".
W_AGENT = 0.3
# Bonus for standing where the question, put as a statement, has its gap: right after the word the
# question has before it ("X hides ___" -> "hides constant factors"), or right before the one after.
W_SLOT = 1.0
# Bonus for standing beside the noun the question asks about: "the river Deabolis", "Boolean circuits".
W_FOCUS = 1.0
# At most this many function words between a candidate and the word it stands beside.
MAX_GAP_WORDS = 2

_MEASURE_UNITS = {
    "long": "second seconds minute minutes hour hours day days week weeks month months year years decade decades century centuries",
    "far": "mile miles kilometre kilometres kilometer kilometers km metre metres meter meters m feet foot yards",
    "old": "year years",
}
_MEASURE_UNITS_SET = {k: frozenset(v.split()) for k, v in _MEASURE_UNITS.items()}
_CURRENCY = re.compile(r"[£$€¥]|\b(?:dollars?|pounds?|euros?|yen)\b", re.I)
_HOW_WORD = re.compile(r"\bhow\s+(\w+)", re.I)
# Words that link the answer to what a copula question names ("X is called Y", "X (Y)").
_LINK = re.compile(r"\b(?:is|are|was|were|be|been|called|named|termed|known|referred|refers|denoted|became|becomes|become)\b|\(")
# The words that may stand between a noun and its apposition ("his nephew Tancred", "the tradition of
# singing", "a satellite called Astra").
_APPOSITION = frozenset("of the a an called named known as".split())
_ADJECTIVAL = re.compile(r"(?:al|ic|ive|ous|ful|able|ible|ant|ent|ary|less|ular)$")
_PLACE_NAME = re.compile(r"\b(?:in|at|from|near|into)\s+(?:the\s+)?([A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)")
_ORDERED_KINDS = frozenset(("who", "other"))
_AGENT = re.compile(r"\bby\s+(?:the\s+)?$")
# Prepositions of place: a name after one is a place rather than a person or body.
_LOCATIVE = frozenset("in at near from into throughout across within off inside outside".split())


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    pull: float
    words: str


def answer_phrase(question: str, snippet: Snippet) -> AnswerPhrase | None:
    """The words of ``snippet`` that answer ``question``, with file offsets like the citation's, or None."""
    span = find_answer_phrase(question, snippet.text, snippet.passage.text)
    if span is None:
        return None
    start, end = span
    return AnswerPhrase.in_quote(snippet, start, end)


def find_answer_phrase(question: str, text: str, context: str = "") -> tuple[int, int] | None:
    """The (start, end) offsets in ``text`` of the phrase that answers ``question``, or None when no
    phrase clearly does. ``context`` (the passage around the text) tells a name from a capitalised
    sentence opener."""
    scored = scored_candidates(question, text, context)
    if not scored:
        return None
    best = scored[0]
    rivals = [s for s in scored[1:] if s.words != best.words and not _overlap(s.candidate, best.candidate)]
    alone = not rivals and best.candidate.kind in ("time", "amount") and read_question(question).kind != "other"
    if best.pull < (MIN_PULL_ALONE if alone else MIN_PULL):
        return None
    if rivals and rivals[0].score > best.score * (1 - MARGIN):
        return None
    return best.candidate.start, best.candidate.end


def scored_candidates(question: str, text: str, context: str = "") -> list[Scored]:
    """Every candidate of the kind ``question`` asks for in ``text`` with its score, best first."""
    reading = read_question(question)
    if not reading.terms:
        return []
    sentences = sentence_spans(text)
    tokens = tokens_of(text, frozenset(s for s, _ in sentences))
    stems = [_stem(t.text) for t in tokens]
    sentence_of = _sentence_numbers(tokens, sentences)
    matched = [i for i, stem in enumerate(stems) if stem is not None and stem in reading.terms]
    if not matched:
        return []
    asked = [stem is not None and stem in reading.terms for stem in stems]
    # The answer is looked for only in the sentence that holds most of the question's words: a quote
    # may run on into sentences that merely follow it.
    held: dict[int, set[str]] = {}
    for i in matched:
        held.setdefault(sentence_of[i], set()).add(stems[i])
    most = max(len(words) for words in held.values())
    central = {n for n, words in held.items() if len(words) == most}
    # Names that stand after a preposition of place somewhere in the passage are places ("in Normandy").
    places = frozenset(m.group(1) for m in _PLACE_NAME.finditer(context or text))
    scored = []
    starts = [t.start for t in tokens]
    for candidate in _candidates(reading, text, tokens, context, asked):
        first = bisect.bisect_left(starts, candidate.start)
        inside = [i for i in range(first, bisect.bisect_left(starts, candidate.end)) if tokens[i].end <= candidate.end]
        if not inside:
            continue
        core = _core(candidate, tokens, inside)
        content = [stems[i] for i in core if stems[i] is not None]
        if not content or sum(s in reading.terms for s in content) / len(content) > MAX_ASKED_SHARE:
            continue
        sides = reading.sides if reading.kind in _ORDERED_KINDS else {}
        if sides and _AGENT.search(text[max(0, candidate.start - 8) : candidate.start]):
            sides = {stem: -side for stem, side in sides.items()}  # a passive: "commissioned by Odo"
        pull = _pull(inside, matched, stems, sentence_of, sides)
        if sentence_of[inside[0]] not in central:
            continue
        slot, apposed, modifying = _beside(reading, inside, tokens, stems, text)
        if reading.kind == "other" and not (modifying or ((slot or apposed) and not _modifier_only(candidate, tokens, inside))):
            continue  # with no kind to go by, only a noun phrase in the question's gap is clear enough
        beside = W_SLOT * slot + W_FOCUS * (apposed or modifying)
        score = pull + _fit(reading, candidate, text, question, places) + beside
        words = " ".join(w.lower() for w in re.findall(r"\w+", text[candidate.start : candidate.end]))
        scored.append(Scored(candidate, score, pull, words))
    scored.sort(key=lambda s: -s.score)
    return scored


@lru_cache(maxsize=4096)
def _stem(word: str) -> str | None:
    """The word's stem as the question's terms are made; a number is itself ("4.2bn", not "4"), and a
    hyphenated word is its last part ("re-branded" -> "brand")."""
    if word[0].isdigit():
        return word.lower()
    stems = tokenize(word)
    return stems[-1] if stems else None


def _sentence_numbers(tokens: list[Token], sentences: list[tuple[int, int]]) -> list[int]:
    numbers, k = [], 0
    for t in tokens:
        while k + 1 < len(sentences) and t.start >= sentences[k + 1][0]:
            k += 1
        numbers.append(k)
    return numbers


def _overlap(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _candidates(reading: QuestionReading, text: str, tokens: list[Token], context: str, asked: list[bool]) -> list[Candidate]:
    """The candidates of the kind the question asks for (names overlapping a date or amount dropped);
    for other questions, every kind and plain noun phrases."""
    times = list(time_candidates(text))
    if reading.kind == "when":
        return times
    amounts = [a for a in amount_candidates(text) if not any(_overlap(a, t) for t in times)]
    if reading.kind == "how many":
        return amounts
    capitalised = frozenset(re.findall(r"(?<=[\w,;:] )[A-Z][\w'’-]*", context or text))
    names = [
        c
        for c in name_and_place_candidates(text, tokens, capitalised)
        if not any(_overlap(c, o) for o in (*times, *amounts))
    ]
    if reading.kind == "who":
        return [c for c in names if c.kind == "name"]
    if reading.kind == "where":
        return names  # place phrases and bare names
    words = [w for w in word_candidates(text, tokens, asked) if not any(_overlap(w, o) for o in (*times, *amounts))]
    # A date would have been asked for with "when": not among the answers to other questions.
    return [*amounts, *(c for c in names if c.kind == "name"), *words]


def _core(candidate: Candidate, tokens: list[Token], inside: list[int]) -> list[int]:
    """The tokens of a candidate that must not be the question's own: a place phrase's name, an
    amount's number (its unit may well be the question's word)."""
    if candidate.kind == "amount" and candidate.unit:
        return inside[:-1] or inside
    if candidate.kind == "place":
        return [i for i in inside if tokens[i].text[0].isupper()] or inside
    return inside


def _pull(inside: list[int], matched: list[int], stems: list[str | None], sentence_of: list[int], sides: Mapping[str, int]) -> float:
    """How strongly the question's words in the snippet pull on the candidate: each distinct question
    word counts once, by its nearest occurrence outside the candidate, fading with distance, and
    less from the side of the answer the question does not put it on (``sides``)."""
    first, last = inside[0], inside[-1]
    nearest: dict[str, float] = {}
    for i in matched:
        if first <= i <= last:
            continue
        gap = first - i - 1 if i < first else i - last - 1
        if sentence_of[i] != sentence_of[first]:
            gap += SENTENCE_GAP_WORDS
        stem = stems[i]
        assert stem is not None
        closeness = 0.5 ** (gap / NEAR_HALF_WORDS)
        side = sides.get(stem, 0)
        if side and (side < 0) != (i < first):
            closeness *= WRONG_SIDE
        nearest[stem] = max(nearest.get(stem, 0.0), closeness)
    return sum(nearest.values())


def _beside(reading: QuestionReading, inside: list[int], tokens: list[Token], stems: list[str | None], text: str) -> tuple[bool, bool, bool]:
    """Whether the candidate stands in the question's gap (after its ``before`` word or before its
    ``after`` word); whether it follows the noun the question asks about ("the river Deabolis", "the
    tradition of singing"); whether it stands right before that noun ("Boolean circuits")."""
    first, last = inside[0], inside[-1]
    link = reading.copula
    slot = bool(
        (reading.before and _adjacent(tokens, stems, text, reading.before, first, -1, link=link))
        or (reading.after and _adjacent(tokens, stems, text, reading.after, last, +1, link=link))
    )
    noun = reading.noun_stem
    apposed = bool(noun and _adjacent(tokens, stems, text, noun, first, -1, only=_APPOSITION))
    modifying = bool(noun and _adjacent(tokens, stems, text, noun, last, +1, joined=True))
    return slot, apposed, modifying


def _modifier_only(candidate: Candidate, tokens: list[Token], inside: list[int]) -> bool:
    """Whether a plain phrase ends on a word shaped like an adjective ("theoretical", "important"): a
    modifier whose noun is elsewhere, not a noun phrase of its own."""
    last = tokens[inside[-1]].text
    return candidate.kind == "words" and not last[0].isupper() and bool(_ADJECTIVAL.search(last.lower()))


def _adjacent(
    tokens: list[Token],
    stems: list[str | None],
    text: str,
    stem: str,
    edge: int,
    step: int,
    joined: bool = False,
    link: bool = False,
    only: frozenset[str] | None = None,
) -> bool:
    """Whether a word of stem ``stem`` stands next to token ``edge`` on the side ``step`` (-1 before,
    +1 after), with at most MAX_GAP_WORDS function words between and no end of clause; ``joined``:
    right next to it, as a modifier stands before its noun ("Boolean circuits"); ``link``: with a
    copula or naming word between ("X is called Y", "X (Y)"); ``only``: the words allowed between."""
    k = edge + step
    gap = 0
    while 0 <= k < len(tokens):
        lo, hi = (tokens[k - 1].end, tokens[k].start) if step > 0 else (tokens[k].end, tokens[k + 1].start)
        between = text[lo:hi]
        if re.search(r"[.;:!?]", between) or (joined and between.strip()):
            return False
        if stems[k] == stem:
            stretch = text[tokens[edge].end : tokens[k].start] if step > 0 else text[tokens[k].end : tokens[edge].start]
            return not link or bool(_LINK.search(stretch))
        if (stems[k] is not None and not (link and _LINK.fullmatch(tokens[k].text.lower()))) or joined:
            return False
        if only is not None and tokens[k].text.lower() not in only:
            return False
        gap += 1
        if gap > MAX_GAP_WORDS:
            return False
        k += step
    return False


def _fit(reading: QuestionReading, candidate: Candidate, text: str, question: str, places: frozenset[str]) -> float:
    """Bonuses and penalties for how well the candidate fits what the question asks for."""
    bonus = 0.0
    if reading.kind == "how many":
        how = _HOW_WORD.search(question)
        measure = how.group(1).lower() if how else ""
        phrase = text[candidate.start : candidate.end]
        unit_stem = _stem(candidate.unit) if candidate.unit else None
        if reading.noun_stem and unit_stem == reading.noun_stem:
            bonus += W_UNIT
        elif measure in _MEASURE_UNITS_SET and candidate.unit in _MEASURE_UNITS_SET[measure]:
            bonus += W_UNIT
        elif measure == "much" and _CURRENCY.search(phrase):
            bonus += W_UNIT
    elif reading.kind == "who":
        if candidate.after_preposition in _LOCATIVE or text[candidate.start : candidate.end] in places:
            bonus -= W_PLACE_FOR_WHO
        if _AGENT.search(text[max(0, candidate.start - 8) : candidate.start]):
            bonus += W_AGENT
    elif reading.kind == "where" and (candidate.kind == "place" or text[candidate.start : candidate.end] in places):
        bonus += W_PLACE_PHRASE
    return bonus
