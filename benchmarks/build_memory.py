"""``python -m benchmarks.build_memory [--sizes 20000,100000]``: the peak memory of a real build of a
big folder, all but the model's forward passes.

For each size, source files of that many passages (real sentences, ``corpus.write_sources``) are
indexed by ``build_index`` in a fresh process, as ``assistant index --rebuild`` does: the folder is
scanned, the passage table written, every passage queued, embedded, written, FAISS and BM25 made. The
one stand-in is the embedding itself (``StandInEncoder``, random unit vectors through the build's
own embedding seam): the model would take hours at these sizes (about 42 passages a second here), and
its memory does not grow with the folder (a batch at a time). The model is still loaded, as a build
loads it, to export the question encoder. A second process then updates the index after one file in
fifty changed (the reuse path: the previous index's vectors read back). Printed: the peak RSS of
each, and its growth per passage between the sizes, carried to a million passages.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .commands import ENV, PYTHON
from .corpus import REPO, unit, write_sources
from .phases import peak_rss_mb

MILLION = 1_000_000


class StandInEncoder:
    """A passage encoder without the model: unit vectors drawn at random, one a passage and one a
    sentence. The build embeds with it through its own seam (``LocalEmbedding``, ``embed_passages``)."""

    def __init__(self, dimension: int, seed: int = 0) -> None:
        self.dimension = dimension
        self._rng = np.random.default_rng(seed)

    def encode_passages(self, items) -> tuple[np.ndarray, list[np.ndarray]]:
        return self._unit(len(items)), [self._unit(len(item.spans)) for item in items]

    def _unit(self, count: int) -> np.ndarray:
        return unit(self._rng.standard_normal((count, self.dimension)).astype(np.float32))


def child(project: Path, rebuild: bool) -> dict:
    """One build of ``project`` in this process; its passages, seconds and peak RSS."""
    from assistant import Assistant
    from assistant.store.build import build_index
    from assistant.vectors.passage_embedding import LocalEmbedding

    assistant = Assistant.open(project / "config.toml")
    began = time.perf_counter()
    report = build_index(
        assistant.config, assistant.load_model, assistant.model_name, rebuild=rebuild,
        embed=LocalEmbedding(lambda: StandInEncoder(assistant.load_model().dimension)),
    )
    return {
        "passages": report.passages,
        "embedded": report.passages_embedded,
        "seconds": time.perf_counter() - began,
        "peak_rss_mb": peak_rss_mb(),
    }


def run_child(project: Path, rebuild: bool) -> dict:
    command = [PYTHON, "-m", "benchmarks.build_memory", "--child", str(project)] + (["--rebuild"] if rebuild else [])
    done = subprocess.run(command, cwd=REPO, env=ENV, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the build of {project} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def change_files(sources: Path, every: int = 50) -> None:
    """Edit one file in ``every``: a sentence appended, so its passages' vectors are made again."""
    for i, path in enumerate(sorted(sources.glob("*.txt"))):
        if i % every == 0:
            with path.open("a", encoding="utf-8") as handle:
                handle.write("\nA paragraph added for the update, to be embedded afresh.\n")


def measure(root: Path, size: int) -> dict:
    project = root / f"size-{size}"
    if project.exists():
        shutil.rmtree(project)
    (project / "sources").mkdir(parents=True)
    (project / "config.toml").write_text("", encoding="utf-8")
    write_sources(project / "sources", size)
    source_mb = sum(p.stat().st_size for p in (project / "sources").iterdir()) / 1e6
    fresh = run_child(project, rebuild=True)
    change_files(project / "sources")
    update = run_child(project, rebuild=False)
    return {"size": size, "source_mb": source_mb, "build": fresh, "update": update}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000", help="passages per folder, comma-separated")
    parser.add_argument("--workdir", type=Path, help="where the folders go (default: a temporary folder)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.rebuild)))
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    root = args.workdir or Path(tempfile.mkdtemp(prefix="build-memory-"))
    try:
        results = [measure(root, size) for size in sizes]
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    print("Real build of a folder (stand-in embedding), peak RSS of the build's process")
    print(f"{'passages':>9} {'text MB':>8} {'build s':>8} {'build MB':>9} {'update s':>9} {'update MB':>10} {'re-embedded':>12}")
    for r in results:
        b, u = r["build"], r["update"]
        print(f"{b['passages']:>9} {r['source_mb']:>8.1f} {b['seconds']:>8.1f} {b['peak_rss_mb']:>9.0f} "
              f"{u['seconds']:>9.1f} {u['peak_rss_mb']:>10.0f} {u['embedded']:>12}")
    if len(results) > 1:
        first, last = results[0], results[-1]
        span = last["build"]["passages"] - first["build"]["passages"]
        for kind in ("build", "update"):
            per = (last[kind]["peak_rss_mb"] - first[kind]["peak_rss_mb"]) / span
            at_million = last[kind]["peak_rss_mb"] + per * (MILLION - last[kind]["passages"])
            print(f"{kind}: {per * 1024:.2f} KiB more a passage; carried to a million passages about "
                  f"{at_million / 1024:.1f} GiB (issue 18's target: at most 4 GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
