"""``assistant eval``'s results as plain-text tables: a row per mode (and group), the answer phrase's
scores by kind of answer, and what each confidence bar would do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .run import ALL

if TYPE_CHECKING:
    from .run import ModeResult, Score


def aligned(rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """The rows as lines of columns: the first ``left`` columns to the left, the rest to the right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) if i < left else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))) for row in rows]


def format_phrase_table(results: list[ModeResult]) -> str:
    """The answer phrase's scores as a plain-text table: a row per mode and kind of answer asked for."""
    rows = [("answer phrase", "kind", "hits", "marked", "coverage", "precision")]
    for result in results:
        for name, p in result.phrases.items():
            precision = "-" if p.precision is None else f"{p.precision:.3f}"
            coverage = "-" if not p.hit1 else f"{p.coverage:.3f}"
            rows.append((result.mode if name == ALL else "", name, str(p.hit1), str(p.marked), coverage, precision))
    note = (
        "hits: questions whose first snippet holds the answer (hit@1, counted); coverage: the share of them whose first "
        "snippet marks the words that answer; precision: the share of marks that overlap an answer"
    )
    return "\n".join([*aligned(rows, left=2), note])


def format_table(results: list[ModeResult]) -> str:
    """The results as an aligned plain-text table: a row per mode, and per group where there are groups."""
    header = ("mode", "R@1", "R@5", "MRR@10", "hit@1", "hit@3", "abstain", "answered", "p50 ms", "p95 ms")
    rows = [header]
    for result in results:
        named: list[tuple[str, Score]] = [(result.mode, result)]
        named += [(f"  {group}", s) for group, s in result.groups.items()]
        for name, r in named:
            rows.append(
                (
                    name,
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
    first = results[0] if results else None
    summary = f"{first.questions} questions ({first.answerable} answerable, {first.unanswerable} not)" if first else ""
    return "\n".join([summary, *aligned(rows), *tradeoff_lines(results)])


def tradeoff_lines(results: list[ModeResult]) -> list[str]:
    """Under the table, for sets with unanswerable questions: what each answer.min_confidence would do."""
    if not results or not results[0].unanswerable:
        return []
    lines = ["", "answer.min_confidence: abstained (unanswerable) / answered (answerable)"]
    for result in results:
        cells = [f"{t.bar:.2f} {t.abstention:.3f}/{t.answered:.3f}" for t in result.tradeoff if t.abstention is not None]
        lines.append(f"{result.mode}: " + "  ".join(cells))
    return lines


# How many missed questions the text lists; --json holds them all.
MISSES_LISTED = 20


def format_misses(results: list[ModeResult], listed: int = MISSES_LISTED) -> str:
    """The questions each mode missed, a line each (the first ``listed``): what was shown first instead."""
    lines: list[str] = []
    for result in results:
        if not result.misses:
            continue
        lines.append(f"missed by {result.mode} ({len(result.misses)}):")
        for miss in result.misses[:listed]:
            if not miss.answerable:
                what = f"answered, though the sources do not answer it: {miss.cited}"
            elif miss.abstained:
                what = "abstained"
            elif miss.at is not None:
                what = f"the answer is snippet {miss.at}; first: {miss.cited}"
            else:
                what = f"no snippet holds the answer; first: {miss.cited or 'none shown as an answer'}"
            lines.append(f"  {miss.question[:100]}  → {what}")
        if len(result.misses) > listed:
            lines.append(f"  … {len(result.misses) - listed} more (--json lists them all)")
    return "\n".join(lines)
