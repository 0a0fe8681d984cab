"""The targets a million passages must meet (issue 18), beside a benchmark run's figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

TARGET_PASSAGES = 1_000_000
GB = 1e9  # decimal: a folder's size as a file manager shows it
MIB = 2**20


@dataclass(frozen=True)
class Target:
    """One measure: how to read it from a size's results (None when not measured), its limit, and
    whether the limit is a ceiling (at most) or a floor (at least)."""

    label: str
    unit: str
    measured: Callable[[dict, dict], float | None]
    limit: float
    at_most: bool = True

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit


TARGETS = (
    Target("index on disk", "GB", lambda b, q: q["index_bytes"] / GB, 2.5),
    Target("peak memory of the build", "GB", lambda b, q: b["build_peak_rss_mb"] * MIB / GB, 4.0),
    Target("question -> answer, median", "ms", lambda b, q: q["median_ms"], 12.0),
    Target("question -> answer, p95", "ms", lambda b, q: q["p95_ms"], 25.0),
    Target("recall@10 against exact search", "", lambda b, q: q["recall_at_10"], 0.98, at_most=False),
    Target("answering process RSS", "GB", lambda b, q: q["peak_rss_mb"] * MIB / GB, 1.5),
    Target("index load", "s", lambda b, q: q["load_s"], 1.0),
)


def target_lines(size: str, result: dict) -> list[str]:
    """The targets beside the figures of a size of TARGET_PASSAGES, one line each."""
    build, query = result["build"], result["query"]
    lines = [f"targets at {size}:"]
    for target in TARGETS:
        value = target.measured(build, query)
        bound = f"{'<=' if target.at_most else '>='} {target.limit:g} {target.unit}".rstrip()
        if value is None:
            lines.append(f"  {target.label:<32} {'-':>9}   target {bound:<10}  (not measured: exact search)")
            continue
        verdict = "met" if target.met(value) else "MISSED"
        lines.append(f"  {target.label:<32} {value:>9.3f} {target.unit:<2} target {bound:<10}  {verdict}")
    return lines
