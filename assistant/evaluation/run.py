"""``assistant eval``: ask a question set (or its conversations) against the index and score it.

Two ways to count a snippet as a hit:
- ``string``: one of the question's answer strings is inside the snippet (SQuAD's rule);
- ``span``: the snippet cites the question's ``source`` file and holds one of its answers, or
  overlaps the place in that file where the answer stands (by at least ``min_overlap`` of the
  answer's length; any overlap at 0). Answers that are long or paraphrase-free spans (CoQA,
  COVID-QA) are scored this way.

Only snippets shown as an answer count as hits: the nearest passages offered beside an abstention do
not. A question file whose lines carry ``conversation`` and ``turn`` is asked as one chat per
conversation, in turn order, each question in the context of the turns before it; the table then adds
first-turn and follow-up rows beside the whole.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from ..answers.answer_kind import ANSWER_KINDS, read_question
from ..errors import AssistantError, SourcesError
from ..models import Conversation

if TYPE_CHECKING:
    from ..api import Assistant
    from ..retrieval.search import Mode

Scoring = Literal["string", "span"]
# The groups a result is reported for: every question, and in conversations the first turns and the rest.
ALL, FIRST_TURN, FOLLOW_UP = "all", "first turn", "follow-up"


class QuestionSetError(AssistantError):
    """The question file is missing or not in the expected JSONL shape (exit code 2, as every usage error)."""


class EvalQuestion(BaseModel):
    """One question of a set, with every accepted answer string (none when it is unanswerable)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    question: str
    answers: tuple[str, ...] = ()
    answerable: bool = True
    id: str | None = None
    source: str | None = None
    conversation: str | None = None
    turn: int | None = None

    @model_validator(mode="after")
    def _says_what_it_asks(self) -> "EvalQuestion":
        # Labelling mistakes would be scored quietly: an empty question, or one that is answerable but
        # lists no answer (a key mistyped, "anwsers") would count as one the sources should not answer.
        if not self.question.strip():
            raise ValueError("the question is empty")
        if self.answerable and not any(a.strip() for a in self.answers):
            raise ValueError('an answerable question lists no answer (give "answers": [...], or "answerable": false)')
        return self


def _first_problem(error: ValidationError) -> str:
    """A question line's first problem in a few words, naming its field: ``'turn': Input should be a
    valid integer``, or what the line lacks as a whole."""
    first = error.errors()[0]
    if first["type"] in ("model_type", "dict_type"):
        return 'not a question object ({"question": "...", "answers": ["..."]})'
    message = first["msg"].removeprefix("Value error, ")
    where = ".".join(str(part) for part in first["loc"])
    return f"{where!r}: {message}" if where else message


class Score(BaseModel):
    """The scores of one group of questions in one retrieval mode."""

    model_config = ConfigDict(frozen=True)

    questions: int
    answerable: int
    unanswerable: int
    passage_r1: float
    passage_r5: float
    mrr10: float
    hit1: float
    hit3: float
    abstention: float | None
    answered: float
    latency_median_ms: float
    latency_p95_ms: float


class PhraseScore(BaseModel):
    """How the answer phrase fares on the questions whose first snippet holds the answer (hit@1):
    on how many of them it is marked (coverage), and how many marks overlap an answer (precision)."""

    model_config = ConfigDict(frozen=True)

    hit1: int
    marked: int
    correct: int
    coverage: float
    precision: float | None


class Tradeoff(BaseModel):
    """What one setting of ``answer.min_confidence`` would do on this set."""

    model_config = ConfigDict(frozen=True)

    bar: float
    abstention: float | None  # share of unanswerable questions that would abstain
    answered: float  # share of answerable questions that would be answered


class Miss(BaseModel):
    """A question the answer did not get right: an answerable one whose first snippet shown as an answer
    does not hold it (``at``: the place of the first that does, 2 or 3, or None), or one the sources do
    not answer that was answered; ``cited``, the citation shown first (None for an abstention)."""

    model_config = ConfigDict(frozen=True)

    question: str
    answerable: bool
    abstained: bool
    at: int | None
    cited: str | None


class ModeResult(Score):
    """One retrieval mode's scores over the whole set, and by group where the set has conversations,
    with the answered-against-abstained trade-off at a few confidence bars; the answer phrase's, overall
    and by the kind of answer asked for (and in first turns); and the questions it missed."""

    mode: str
    groups: dict[str, Score] = {}
    tradeoff: list[Tradeoff] = []
    phrases: dict[str, PhraseScore] = {}
    misses: list[Miss] = []


@dataclass(frozen=True)
class Outcome:
    """What happened to one question: where the first hit was among the passages and the snippets
    (0-based; None for none), whether it abstained, and how long it took."""

    question: EvalQuestion
    group: str
    passage_hit: int | None
    snippet_hit: int | None
    abstained: bool
    milliseconds: float
    # The best snippet's confidence (0 without any): what the abstention decided on.
    confidence: float = 0.0
    # When the first snippet holds the answer: whether it marks the words that answer, and whether
    # the mark overlaps an answer.
    marked: bool = False
    mark_hits: bool = False
    # The citation of the snippet shown first, as an answer or as the nearest passage ("" for none).
    cited: str = ""

    @property
    def miss(self) -> Miss | None:
        """What went wrong, where something did: an answerable question not answered by the first
        snippet, or an unanswerable one answered."""
        q = self.question
        if q.answerable and self.snippet_hit == 0 or not q.answerable and self.abstained:
            return None
        at = self.snippet_hit + 1 if self.snippet_hit is not None else None
        return Miss(question=q.question, answerable=q.answerable, abstained=self.abstained, at=at, cited=None if self.abstained else self.cited or None)


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Questions from a JSONL file: ``question``, ``answers`` (strings), ``answerable`` (bool), and
    optionally ``source``, ``conversation`` and ``turn``."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QuestionSetError(f"cannot read question file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise QuestionSetError(f"question file {path} is not UTF-8") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            questions.append(EvalQuestion.model_validate(json.loads(line)))
        except ValidationError as exc:
            raise QuestionSetError(f"{path}:{number}: {_first_problem(exc)}") from exc
        except ValueError as exc:
            raise QuestionSetError(f"{path}:{number}: not a JSON object ({exc})") from exc
    if not questions:
        raise QuestionSetError(f"{path} holds no questions")
    return questions


def _fold(text: str) -> str:
    return " ".join(text.split()).lower()


class Judge:
    """Decides whether a quoted stretch of a source answers a question, by the chosen scoring."""

    def __init__(self, scoring: Scoring, read_source: Callable[[str], str], min_overlap: float = 0.0) -> None:
        self.scoring = scoring
        self.min_overlap = min_overlap
        self._read_source = read_source
        self._places: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def hits(self, question: EvalQuestion, source: str, start: int, end: int, text: str) -> bool:
        """Whether the stretch ``[start, end)`` of ``source``, which reads ``text``, answers ``question``."""
        if self.scoring == "string":
            folded = _fold(text)
            return any(_fold(a) in folded for a in question.answers if a.strip())
        if question.source is not None and source != question.source:
            return False
        folded = _fold(text)
        for answer in question.answers:
            if not answer.strip():
                continue
            if _fold(answer) in folded:
                return True
            need = max(1, int(self.min_overlap * len(answer.strip()) + 0.999))
            for a_start, a_end in self._answer_places(source, answer):
                if min(end, a_end) - max(start, a_start) >= need:
                    return True
        return False

    def mark_hits(self, question: EvalQuestion, source: str, start: int, text: str, mark_start: int, mark_end: int) -> bool:
        """Whether the marked stretch ``[mark_start, mark_end)`` of a snippet (``text``, standing at
        ``start`` in ``source``) overlaps an answer: one of the answer strings as it stands inside the
        snippet (string scoring), or the answer's place in the source (span scoring)."""
        if self.scoring == "span" and question.source is not None and source != question.source:
            return False
        for answer in question.answers:
            if not answer.strip():
                continue
            places = [(start + a, start + b) for a, b in _places(text, answer, re.IGNORECASE)]
            if self.scoring == "span":
                places += self._answer_places(source, answer)
            if any(a < mark_end and mark_start < b for a, b in places):
                return True
        return False

    def _answer_places(self, source: str, answer: str) -> list[tuple[int, int]]:
        key = (source, answer)
        if key not in self._places:
            try:
                text = self._read_source(source)
            except SourcesError:
                text = ""
            self._places[key] = _places(text, answer)
        return self._places[key]


def _places(text: str, answer: str, flags: int = 0) -> list[tuple[int, int]]:
    """Where ``answer`` stands in ``text``, any run of whitespace matching any other."""
    words = [re.escape(w) for w in answer.split()]
    return [m.span() for m in re.finditer(r"\s+".join(words), text, flags)] if words else []


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def conversations_of(questions: Sequence[EvalQuestion]) -> list[list[EvalQuestion]]:
    """The questions as chats: one per conversation in turn order, or each question alone when the set
    has no conversations. Conversations keep the order in which they first appear."""
    chats: dict[str, list[EvalQuestion]] = {}
    for number, q in enumerate(questions):
        chats.setdefault(q.conversation if q.conversation is not None else f"\0{number}", []).append(q)
    return [sorted(chat, key=lambda q: q.turn if q.turn is not None else 0) for chat in chats.values()]


def ask_questions(
    assistant: Assistant,
    questions: Sequence[EvalQuestion],
    mode: Mode,
    judge: Judge,
    *,
    as_conversations: bool = True,
    progress: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Ask every question (each conversation as one chat, unless ``as_conversations`` is off) and
    record where its first hit came."""
    outcomes: list[Outcome] = []
    for chat in conversations_of(questions):
        conversation = Conversation()
        for position, q in enumerate(chat):
            began = time.perf_counter()
            answer, passages = assistant.ask_with_ranking(
                q.question, k=3, mode=mode, conversation=conversation if as_conversations else None
            )
            elapsed = (time.perf_counter() - began) * 1000
            conversation = conversation.then(answer)
            if progress:
                progress()
            group = FOLLOW_UP if position and q.conversation is not None else FIRST_TURN
            passage_hit = snippet_hit = None
            if q.answerable:
                passage_hit = next(
                    (i for i, p in enumerate(passages[:10]) if judge.hits(q, p.source, p.start, p.end, p.text)), None
                )
                # Only what is shown as an answer counts: the nearest passages offered with an
                # abstention, or below the confidence bar beside an answer, are not one.
                shown = () if answer.abstained else tuple(s for s in answer.snippets if s.is_answer)
                snippet_hit = next(
                    (
                        i
                        for i, s in enumerate(shown)
                        if judge.hits(q, s.citation.source, s.citation.start, s.citation.end, s.text)
                    ),
                    None,
                )
            confidence = max((s.confidence or 0.0 for s in answer.snippets), default=0.0)
            marked = mark_hits = False
            if snippet_hit == 0 and (mark := answer.snippets[0].answer) is not None:
                first = answer.snippets[0]
                marked = True
                mark_hits = judge.mark_hits(q, first.citation.source, first.citation.start, first.text, mark.start, mark.end)
            cited = answer.snippets[0].citation.label() if answer.snippets else ""
            outcomes.append(
                Outcome(
                    q, group, passage_hit, snippet_hit, answer.abstained, elapsed, confidence, marked=marked,
                    mark_hits=mark_hits, cited=cited,
                )
            )
    return outcomes


def score(outcomes: Iterable[Outcome]) -> Score:
    """The scores of a group of outcomes."""
    outcomes = list(outcomes)
    scored = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    n = max(len(scored), 1)
    latencies = [o.milliseconds for o in outcomes]

    def share(condition) -> float:
        return sum(1 for o in scored if condition(o)) / n

    return Score(
        questions=len(outcomes),
        answerable=len(scored),
        unanswerable=len(unanswerable),
        passage_r1=share(lambda o: o.passage_hit is not None and o.passage_hit < 1),
        passage_r5=share(lambda o: o.passage_hit is not None and o.passage_hit < 5),
        mrr10=sum(1.0 / (o.passage_hit + 1) for o in scored if o.passage_hit is not None) / n,
        hit1=share(lambda o: o.snippet_hit is not None and o.snippet_hit < 1),
        hit3=share(lambda o: o.snippet_hit is not None and o.snippet_hit < 3),
        abstention=(sum(o.abstained for o in unanswerable) / len(unanswerable)) if unanswerable else None,
        answered=share(lambda o: not o.abstained),
        latency_median_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=_percentile(latencies, 0.95),
    )


def phrase_score(outcomes: Iterable[Outcome]) -> PhraseScore:
    """The answer phrase's coverage and precision over the outcomes whose first snippet is a hit."""
    hits = [o for o in outcomes if o.snippet_hit == 0]
    marked = sum(o.marked for o in hits)
    correct = sum(o.mark_hits for o in hits)
    return PhraseScore(
        hit1=len(hits), marked=marked, correct=correct,
        coverage=marked / len(hits) if hits else 0.0, precision=correct / marked if marked else None,
    )


def phrase_scores(outcomes: list[Outcome]) -> dict[str, PhraseScore]:
    """The answer phrase's scores over all questions, by kind of answer asked for, and in first turns
    when the set has follow-ups."""
    kinds = [read_question(o.question.question).kind for o in outcomes]
    scores = {ALL: phrase_score(outcomes)}
    scores |= {kind: phrase_score(o for o, k in zip(outcomes, kinds) if k == kind) for kind in ANSWER_KINDS}
    if any(o.group == FOLLOW_UP for o in outcomes):
        scores[FIRST_TURN] = phrase_score(o for o in outcomes if o.group == FIRST_TURN)
    return scores


# An evaluation's --reader choice: the reader settings it answers with, in the order reported.
READER_SETTINGS = {"both": (True, False), "on": (True,), "off": (False,)}
TRADEOFF_BARS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def tradeoff(outcomes: list[Outcome], bars: Iterable[float] = TRADEOFF_BARS) -> list[Tradeoff]:
    """Answered and abstained at each confidence bar, from the confidences the answers carried."""
    answerable = [o.confidence for o in outcomes if o.question.answerable]
    unanswerable = [o.confidence for o in outcomes if not o.question.answerable]
    return [
        Tradeoff(
            bar=bar,
            abstention=sum(c < bar for c in unanswerable) / len(unanswerable) if unanswerable else None,
            answered=sum(c >= bar for c in answerable) / max(len(answerable), 1),
        )
        for bar in sorted(set(bars))
    ]


def mode_result(mode: str, outcomes: list[Outcome], bars: Iterable[float] = TRADEOFF_BARS) -> ModeResult:
    """The whole set's scores, with first-turn and follow-up groups when it has follow-ups."""
    groups: dict[str, Score] = {}
    if any(o.group == FOLLOW_UP for o in outcomes):
        groups = {g: score(o for o in outcomes if o.group == g) for g in (FIRST_TURN, FOLLOW_UP)}
    return ModeResult(
        mode=mode, groups=groups, tradeoff=tradeoff(outcomes, bars), phrases=phrase_scores(outcomes),
        misses=[miss for o in outcomes if (miss := o.miss) is not None], **score(outcomes).model_dump()
    )


def run_evaluation(
    assistant: Assistant,
    questions: list[EvalQuestion],
    modes: list[str],
    progress: Callable[[], None] | None = None,
    *,
    scoring: Scoring = "string",
    min_overlap: float = 0.0,
    as_conversations: bool = True,
) -> list[ModeResult]:
    """Every mode's result, measured in one run over the same questions; ``progress`` hears each
    question asked (the faces draw it)."""
    assistant.load_index()
    assistant.load_question_encoder()
    judge = Judge(scoring, assistant.read_source, min_overlap)
    bars = (*TRADEOFF_BARS, assistant.confidence_bar)
    return [
        mode_result(
            mode, ask_questions(assistant, questions, mode, judge, as_conversations=as_conversations, progress=progress), bars
        )
        for mode in modes
    ]
