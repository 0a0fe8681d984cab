"""``python -m benchmarks.watch_latency``: from the last write to a source until an ``ask`` quotes it.

A temporary project holds the sample article and ``--files`` more text files; its index is built and an
``Assistant`` opened on it with the question encoder loaded (as the chat or ``assistant mcp`` holds it).
The index is then watched (``IndexWatcher``, as the chat and the server watch it) and, ``--runs`` times,
a sentence is appended to one of the files; questions about the sentence are asked until a snippet
quotes it. Printed: the median and the longest time from the last write to that answer (the target is
3 s), where the time went (the quiet second, the update, the answer), and how many passages each
update embedded: only the edited file's new text, never the collection.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from assistant import Assistant
from assistant.watcher import IndexWatcher, WatchUpdate

from .commands import cpu_name

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sources" / "kosovo-serbia-tensions.txt"
TARGET_SECONDS = 3.0
# Made-up names, so that the appended sentence is the only place a question's words stand.
NAMES = ("Zorblat", "Quexilo", "Brandivor", "Tulmerix", "Ospravin", "Kelvaran", "Dumbrello", "Fizzwick", "Gorsemund", "Haldrake")
ANSWER_DEADLINE = 60.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.watch_latency", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="edits timed (default 5, at most %d)" % len(NAMES))
    parser.add_argument("--files", type=int, default=20, help="text files beside the sample article (default 20)")
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= len(NAMES):
        parser.error(f"--runs must be between 1 and {len(NAMES)}")
    workdir = Path(tempfile.mkdtemp(prefix="watch-latency-"))
    try:
        config = write_project(workdir, args.files)
        assistant = Assistant.open(config)
        began = time.perf_counter()
        built = assistant.build_index()
        print(f"project: the sample article and {args.files} text files, {built.passages} passages "
              f"(first build {time.perf_counter() - began:.1f} s)")
        assistant.ask("How long is the temporary Kosovo document valid?")  # the encoder loaded, as a chat's is
        runs = measure(assistant, config.parent / "sources", args.runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(runs)
    return 0 if max(r.latency for r in runs) <= TARGET_SECONDS else 1


def write_project(workdir: Path, files: int) -> Path:
    sources = workdir / "sources"
    sources.mkdir()
    shutil.copy(SAMPLE, sources / SAMPLE.name)
    for n in range(files):
        paragraphs = [
            f"Harbour note {n}, part {p}: the pier at mile {n * 10 + p} was rebuilt with stone from the "
            f"northern quarry after the winter storms, and the ferry now calls there {p + 2} times a week."
            for p in range(6)
        ]
        (sources / f"harbour-{n:02d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    config = workdir / "config.toml"
    config.write_text("", encoding="utf-8")
    return config


class Run:
    """One edit: when it was written, when its update began and ended, when an answer quoted it."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.written = self.started = self.updated = self.quoted = 0.0
        self.update: WatchUpdate | None = None

    @property
    def latency(self) -> float:
        return self.quoted - self.written


def measure(assistant: Assistant, sources: Path, count: int) -> list[Run]:
    """Each edit's times, the index watched as the chat watches it."""
    current: list[Run] = []
    updated = threading.Event()

    def starting() -> None:
        if current and not current[-1].started:
            current[-1].started = time.perf_counter()

    def heard(result) -> None:
        if isinstance(result, WatchUpdate) and result.has_news and current:
            current[-1].updated, current[-1].update = time.perf_counter(), result
            updated.set()
        elif not isinstance(result, WatchUpdate):
            print(f"  the watch said: {result.describe()}", file=sys.stderr)

    watcher = IndexWatcher(assistant, heard, starting=starting).start()
    if not watcher.ready.wait(ANSWER_DEADLINE):
        raise SystemExit("the watch did not get ready (the model did not load)")
    files = sorted(p for p in sources.iterdir() if p.name.startswith("harbour-"))
    try:
        for n in range(count):
            name = NAMES[n]
            path = files[(n * 7) % len(files)]
            run = Run(path.name)
            updated.clear()
            current.append(run)
            sentence = f"{name} the heron counts {n + 7} silver eels every morning."
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"\n{sentence}\n")
            run.written = time.perf_counter()
            question = f"How many silver eels does {name} the heron count?"
            deadline = run.written + ANSWER_DEADLINE
            while not any(sentence in s.text for s in assistant.ask(question).snippets):
                if time.perf_counter() > deadline:
                    raise SystemExit(f"no answer quoted the edit to {path.name} within {ANSWER_DEADLINE:.0f} s")
                time.sleep(0.02)
            run.quoted = time.perf_counter()
            updated.wait(ANSWER_DEADLINE)  # the report may come a moment after the answer it made
            time.sleep(0.2)  # let the watch settle: the next edit is a new burst
    finally:
        watcher.stop()
    return runs_checked(current)


def runs_checked(runs: list[Run]) -> list[Run]:
    for run in runs:
        if run.update is None:
            raise SystemExit(f"the edit to {run.file} was answered without an update being reported")
    return runs


def report(runs: list[Run]) -> None:
    latencies = [r.latency for r in runs]
    print(f"\nfrom the last write to an ask quoting it ({len(runs)} edits, {cpu_name()}, {os.cpu_count()} cores):")
    print(f"  median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s "
          f"(target <= {TARGET_SECONDS:.0f} s): {'met' if max(latencies) <= TARGET_SECONDS else 'NOT met'}")
    quiet = [r.started - r.written for r in runs]
    update = [r.updated - r.started for r in runs]
    build = [r.update.report.seconds for r in runs]
    answer = [r.quoted - r.updated for r in runs]
    print(f"  where it goes (medians): {statistics.median(quiet):.2f} s until the update began (the quiet second), "
          f"{statistics.median(update):.2f} s the update ({statistics.median(build):.2f} s its build, the rest "
          f"loading the new index), {statistics.median(answer):+.2f} s from its end to the quoting answer")
    print("  each update:")
    for r in runs:
        changes = r.update.report.changes
        print(f"    {r.file}: {r.latency:.2f} s; {r.update.describe()}; {r.update.report.passages_reused} reused; "
              f"files changed: {', '.join([*changes.added, *changes.changed, *changes.removed])}")
    whole = [r for r in runs if r.update.report.passages_embedded > 1 or r.update.files_changed != 1]
    print("  every update embedded only the edited file's new passage" if not whole
          else f"  {len(whole)} updates embedded more than the edited file's new passage")


if __name__ == "__main__":
    sys.exit(main())
