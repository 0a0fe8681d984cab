"""``assistant eval``: ask a question set against the index and score it, one row per retrieval mode."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import AssistantError
from .retrieval import Mode


class QuestionSetError(AssistantError):
    """The question file is missing or not in the expected JSONL shape."""

    exit_code = 2


class EvalQuestion(BaseModel):
    """One question of a set, with every accepted answer string (none when it is unanswerable)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    question: str
    answers: tuple[str, ...] = ()
    answerable: bool = True
    id: str | None = None


class ModeResult(BaseModel):
    """One retrieval mode's scores over the question set."""

    model_config = ConfigDict(frozen=True)

    mode: str
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


def load_questions(path: str | Path) -> list[EvalQuestion]:
    """Questions from a JSONL file: ``question``, ``answers`` (strings), ``answerable`` (bool)."""
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
        except (ValueError, ValidationError) as exc:
            raise QuestionSetError(f"{path}:{number}: not a question object ({str(exc).splitlines()[0]})") from exc
    if not questions:
        raise QuestionSetError(f"{path} holds no questions")
    return questions


def _contains_answer(text: str, answers: tuple[str, ...]) -> bool:
    folded = " ".join(text.split()).lower()
    return any(" ".join(a.split()).lower() in folded for a in answers if a.strip())


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def evaluate_mode(assistant, questions: list[EvalQuestion], mode: Mode, progress=None) -> ModeResult:
    """Ask every question in one mode and score passages, snippets, abstention and latency."""
    r1 = r5 = rr = h1 = h3 = answered = abstained_unanswerable = 0.0
    latencies: list[float] = []
    answerable = [q for q in questions if q.answerable and q.answers]
    for q in questions:
        began = time.perf_counter()
        answer, passages = assistant.ask_with_ranking(q.question, k=3, mode=mode)
        latencies.append((time.perf_counter() - began) * 1000)
        if progress:
            progress()
        if not (q.answerable and q.answers):
            abstained_unanswerable += answer.abstained
            continue
        answered += not answer.abstained
        hits = [_contains_answer(p.text, q.answers) for p in passages[:10]]
        r1 += any(hits[:1])
        r5 += any(hits[:5])
        rr += next((1.0 / (i + 1) for i, h in enumerate(hits) if h), 0.0)
        snippet_hits = [_contains_answer(s.text, q.answers) for s in answer.snippets]
        h1 += any(snippet_hits[:1])
        h3 += any(snippet_hits[:3])
    n = max(len(answerable), 1)
    unanswerable = len(questions) - len(answerable)
    return ModeResult(
        mode=mode,
        questions=len(questions),
        answerable=len(answerable),
        unanswerable=unanswerable,
        passage_r1=r1 / n,
        passage_r5=r5 / n,
        mrr10=rr / n,
        hit1=h1 / n,
        hit3=h3 / n,
        abstention=(abstained_unanswerable / unanswerable) if unanswerable else None,
        answered=answered / n,
        latency_median_ms=statistics.median(latencies) if latencies else 0.0,
        latency_p95_ms=_percentile(latencies, 0.95),
    )


def run_evaluation(assistant, questions: list[EvalQuestion], modes: list[str], progress_file: TextIO | None = None) -> list[ModeResult]:
    """Every mode's result, measured in one run over the same questions."""
    from tqdm import tqdm

    assistant.load_index()
    assistant.load_question_encoder()
    bar = tqdm(total=len(questions) * len(modes), desc="Evaluating", unit="q", file=progress_file, leave=False, disable=progress_file is None)
    try:
        return [evaluate_mode(assistant, questions, mode, progress=lambda: bar.update(1)) for mode in modes]
    finally:
        bar.close()


def format_table(results: list[ModeResult]) -> str:
    """The results as an aligned plain-text table, one row per mode."""
    header = ("mode", "R@1", "R@5", "MRR@10", "hit@1", "hit@3", "abstain", "answered", "p50 ms", "p95 ms")
    rows = [header]
    for r in results:
        rows.append(
            (
                r.mode,
                f"{r.passage_r1:.3f}",
                f"{r.passage_r5:.3f}",
                f"{r.mrr10:.3f}",
                f"{r.hit1:.3f}",
                f"{r.hit3:.3f}",
                "-" if r.abstention is None else f"{r.abstention:.3f}",
                f"{r.answered:.3f}",
                f"{r.latency_median_ms:.1f}",
                f"{r.latency_p95_ms:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]
    first = results[0] if results else None
    summary = f"{first.questions} questions ({first.answerable} answerable, {first.unanswerable} not)" if first else ""
    return "\n".join([summary, *lines])
