"""``python -m benchmarks.big_sources``: the folders that were slow or ate memory (issue 29, cases 7, 8).

- ``table``: a 1.1 MB Markdown table of 25,000 rows beside 15 copies of the sample article (16 files),
  indexed from scratch by ``assistant index`` in a fresh process: passages a second (target ≥ 20); then
  a rebuild of it cancelled a few seconds into embedding, in process, as the chat's Escape does: the
  seconds from the cancel to the build's end (target ≤ 2).
- ``huge``: one 300 MB text file (the cap raised), indexed by ``assistant index`` in a fresh process:
  its peak memory beside a fresh process that loads the model and embeds one passage (target: at most
  1.5 GB above it). Its paragraphs are 600 distinct ones over and over, so the build embeds 600 texts
  (a text is embedded once however often it stands) but reads, cuts, stores and indexes every passage
  of the 300 MB, as a build of any file does.

Each prints its figures; ``--cases`` picks them (both by default; ``huge`` takes a few minutes).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .commands import ASSISTANT, ENV, PYTHON, cpu_name
from .corpus import SHARED

SAMPLE = SHARED / "sources" / "kosovo-serbia-tensions.txt"
TABLE_ROWS = 25_000
COPIES = 15
HUGE_BYTES = 300_000_000
DISTINCT_PARAGRAPHS = 600
CANCEL_AFTER_S = 3.0
MIN_PASSAGES_PER_S = 20
MAX_CANCEL_S = 2.0
MAX_ABOVE_MODEL_MB = 1500

# Runs a command and prints the peak resident memory (KB) of it and its children.
PEAK = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL);" \
    " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
MODEL_ONLY = """
import sys
from assistant.api import Assistant
from assistant.vectors.late_chunking import ChunkedText
Assistant.open(sys.argv[1]).load_model().encode_passages([ChunkedText("One passage of text.", ((0, 20),))])
"""


def _project(root: Path, max_file_mb: float = 20.0) -> Path:
    (root / "sources").mkdir(parents=True)
    config = root / "config.toml"
    config.write_text(f'[sources]\npath = "sources"\nmax_file_mb = {max_file_mb}\n[index]\npath = "index"\n', encoding="utf-8")
    return config


def table_folder(root: Path) -> Path:
    """The 16-file folder: one long Markdown table and copies of the sample article."""
    config = _project(root)
    rng = random.Random(29)
    regions = ["North", "South", "East", "West", "Central"]
    lines = ["# Stations", "", "| Station | Region | Opened | Riders (k) | Line |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| Station {i} | {rng.choice(regions)} | {rng.randint(1890, 2020)} | {rng.randint(1, 900)}.{rng.randint(0, 9)} | L{rng.randint(1, 12)} |"
        for i in range(TABLE_ROWS)
    ]
    (root / "sources" / "stations.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i in range(COPIES):
        shutil.copy(SAMPLE, root / "sources" / f"copy-{i}.txt")
    return config


def huge_folder(root: Path) -> Path:
    """One 300 MB text file of paragraphs made from the sample's sentences, numbered apart."""
    config = _project(root, max_file_mb=HUGE_BYTES / 1_000_000 + 50)
    sentences = [s.strip() + "." for s in SAMPLE.read_text(encoding="utf-8").replace("\n", " ").split(". ") if len(s) > 40]
    rng = random.Random(7)
    paragraphs = [f"Note {n}. " + " ".join(rng.sample(sentences, 6)) for n in range(DISTINCT_PARAGRAPHS)]
    with open(root / "sources" / "huge.txt", "w", encoding="utf-8") as out:
        written = 0
        while written < HUGE_BYTES:
            for paragraph in paragraphs:
                written += out.write(paragraph + "\n\n")
    return config


def _peak_mb(command: list[str]) -> float:
    done = subprocess.run([PYTHON, "-c", PEAK, *command], env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])}… failed: {done.stderr.strip()[-2000:]}")
    return int(done.stdout.split()[-1]) / 1024


def index_once(config: Path) -> tuple[float, int]:
    """Seconds of ``assistant index`` in a fresh process, and the passages it indexed."""
    began = time.perf_counter()
    done = subprocess.run([ASSISTANT, "--config", str(config), "index"], env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"assistant index failed: {done.stderr.strip()[-2000:]}")
    words = done.stdout.split("passages")[0].split()
    return seconds, int(words[-1])


def cancel_seconds(config: Path) -> float:
    """Seconds from a cancel, a few seconds into a rebuild's embedding, to the build's end."""
    from assistant.api import Assistant
    from assistant.errors import BuildCancelled
    from assistant.models import BuildStage

    assistant = Assistant.open(config)
    assistant.load_model()
    embedding = threading.Event()
    cancel = threading.Event()
    ended: list[float] = []

    def progress(step) -> None:
        if step.stage == BuildStage.EMBED:
            embedding.set()

    def build() -> None:
        try:
            assistant.build_index(rebuild=True, progress=progress, should_cancel=cancel.is_set)
        except BuildCancelled:
            pass
        ended.append(time.perf_counter())

    worker = threading.Thread(target=build)
    worker.start()
    embedding.wait()
    time.sleep(CANCEL_AFTER_S)
    cancelled_at = time.perf_counter()
    cancel.set()
    worker.join()
    return ended[0] - cancelled_at


def run_table() -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = table_folder(Path(folder))
        seconds, passages = index_once(config)
        rate = passages / seconds
        print(f"table folder (1.1 MB table of {TABLE_ROWS:,} rows + {COPIES} articles): {passages:,} passages in {seconds:.1f} s"
              f" = {rate:.1f} passages/s (target ≥ {MIN_PASSAGES_PER_S}) {'ok' if rate >= MIN_PASSAGES_PER_S else 'MISSED'}")
        latency = cancel_seconds(config)
        print(f"cancel {CANCEL_AFTER_S:g} s into embedding: the build ended {latency:.2f} s later"
              f" (target ≤ {MAX_CANCEL_S:g}) {'ok' if latency <= MAX_CANCEL_S else 'MISSED'}")


def run_huge() -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = huge_folder(Path(folder))
        size = (Path(folder) / "sources" / "huge.txt").stat().st_size
        model = _peak_mb([PYTHON, "-c", MODEL_ONLY, str(config)])
        began = time.perf_counter()
        build = _peak_mb([ASSISTANT, "--config", str(config), "index"])
        seconds = time.perf_counter() - began
        above = build - model
        print(f"huge file ({size / 1e6:.0f} MB): indexed in {seconds:.0f} s, peak {build:,.0f} MB;"
              f" the model alone {model:,.0f} MB; {above:,.0f} MB above it"
              f" (target ≤ {MAX_ABOVE_MODEL_MB:,}) {'ok' if above <= MAX_ABOVE_MODEL_MB else 'MISSED'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="table,huge", help="comma-separated: table, huge")
    cases = parser.parse_args(argv).cases.split(",")
    print(f"CPU: {cpu_name()}")
    if "table" in cases:
        run_table()
    if "huge" in cases:
        run_huge()


if __name__ == "__main__":
    sys.exit(main())
