"""``python -m benchmarks.cluster``: the same corpus indexed on this machine and through ``--ray local``.

Each build is ``assistant index --rebuild`` in a fresh process, as a user runs it; the script prints
both wall times, the embedding throughput of each, and whether the two indexes match (the same
passages, every passage vector at cosine 0.9999 or more of its twin, the sentences' 4-bit codes alike or one
step apart, the same snippets for every SQuAD sample question). ``--ray ADDRESS``
measures a real cluster instead of a throwaway local Ray; ``--workers N`` sets the actors.

The corpus is the SQuAD sample (three articles, about 110 passages) unless ``--sources DIR`` names
another folder. A local Ray on this 2-core machine cannot be faster than the local build (the same two
cores, plus Ray's start-up and a model load per actor): the figure to read is its overhead, and the
throughput per worker, from which the README's sizing section scales.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from assistant.vectors.quantization import LEVEL_MAX

from .commands import ASSISTANT, timed
from .corpus import QUESTIONS, SQUAD, unit

QUESTION_COUNT = 1000  # every question of the SQuAD sample (836)
MATCH_COSINE = 0.9999


def project(root: Path, sources: Path, cluster: str, workers: int, precision: str) -> Path:
    """A project over a copy of ``sources`` whose ``[cluster]`` names ``cluster`` (empty: none)."""
    root.mkdir(parents=True)
    shutil.copytree(sources, root / "sources")
    section = f'[model]\nprecision = "{precision}"\n'
    section += f'\n[cluster]\naddress = "{cluster}"\nworkers = {workers}\n' if cluster else ""
    (root / "config.toml").write_text(section, encoding="utf-8")
    return root / "config.toml"


def timed_build(config: Path) -> float:
    return timed([ASSISTANT, "--config", str(config), "index", "--rebuild"])


def contents(config: Path) -> tuple[list[str], np.ndarray, np.ndarray, int]:
    from assistant import Assistant
    from assistant.store.loaded import load_index

    assistant = Assistant.open(config)
    index = load_index(assistant.config, assistant.model_name)
    texts = [passage.text for passage in index.passages]
    result = texts, index.vectors.reconstruct_n(0, index.vectors.ntotal), np.asarray(index.sentence_vectors[:]), len(texts)
    index.close()
    return result


def codes_apart(local: np.ndarray, ray: np.ndarray) -> tuple[float, float]:
    """Of the sentence vectors' stored 4-bit values: the share that came back the same, and the
    largest difference in steps (1: a value that rounding moved across a step's edge)."""
    steps = np.abs(local).max(axis=1, keepdims=True) / LEVEL_MAX
    apart = np.abs(local - ray) / np.where(steps > 0, steps, 1.0)
    return float(np.mean(apart < 0.5)), float(apart.max(initial=0.0))


def snippets(config: Path, questions: list[str]) -> list[list[str]]:
    from assistant import Assistant

    assistant = Assistant.open(config)
    return [[s.citation.label() for s in assistant.ask(q).snippets] for q in questions]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=SQUAD / "sources")
    parser.add_argument("--ray", default="local", help="the Ray address to measure (default: a throwaway local Ray)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--precision", default="auto", choices=("auto", "float32", "bfloat16"), help="model.precision of both builds")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    if not args.sources.is_dir():
        raise SystemExit(f"no sources at {args.sources} (the shared data folder; --sources DIR for another)")
    questions = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()[:QUESTION_COUNT]] if QUESTIONS.is_file() else []
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as work:
        local = project(Path(work) / "local", args.sources, "", args.workers, args.precision)
        ray = project(Path(work) / "ray", args.sources, args.ray, args.workers, args.precision)
        local_s, ray_s = timed_build(local), timed_build(ray)
        local_texts, local_passages, local_sentences, passages = contents(local)
        ray_texts, ray_passages, ray_sentences, _ = contents(ray)
        same_shape = local_texts == ray_texts and local_sentences.shape == ray_sentences.shape
        difference = float(max(np.abs(local_passages - ray_passages).max(), np.abs(local_sentences - ray_sentences).max())) if same_shape else float("inf")
        # A worker runs torch on one thread: in bfloat16 its sums round otherwise than two threads' do.
        cosine = float(np.einsum("ij,ij->i", unit(local_passages), unit(ray_passages)).min()) if same_shape else 0.0
        same_codes, steps_apart = codes_apart(local_sentences, ray_sentences) if same_shape else (0.0, float("inf"))
        local_snippets, ray_snippets = snippets(local, questions), snippets(ray, questions)
        differing = [q for q, a, b in zip(questions, local_snippets, ray_snippets) if a != b]
        same_answers = not differing
        first_same = sum(a[:1] == b[:1] for a, b in zip(local_snippets, ray_snippets))
    figures = {
        "precision": args.precision,
        "passages": passages,
        "sentences": int(local_sentences.shape[0]),
        "local_build_s": round(local_s, 2),
        "ray_build_s": round(ray_s, 2),
        "ray_address": args.ray,
        "workers": args.workers,
        "local_passages_per_s": round(passages / local_s, 2),
        "ray_passages_per_s": round(passages / ray_s, 2),
        "ray_passages_per_s_per_worker": round(passages / ray_s / args.workers, 2),
        "max_vector_difference": difference,
        "min_cosine": cosine,
        "sentence_codes_same": same_codes,
        "sentence_codes_steps_apart": steps_apart,
        "same_passages": same_shape,
        "same_snippets": same_answers,
        "questions_compared": len(questions),
        "questions_differing": differing,
        "same_first_snippet": first_same,
    }
    print(f"corpus: {args.sources} ({passages} passages, {figures['sentences']} sentences)")
    print(f"{'build':<28} {'seconds':>8} {'passages/s':>11}")
    print(f"{'this machine':<28} {local_s:>8.1f} {figures['local_passages_per_s']:>11.2f}")
    print(f"{'ray ' + args.ray + f' ({args.workers} workers)':<28} {ray_s:>8.1f} {figures['ray_passages_per_s']:>11.2f}")
    match = "yes" if same_shape and cosine >= MATCH_COSINE and steps_apart <= 1.01 and same_answers else "NO"
    print(f"indexes match: {match} (same passages: {same_shape}, lowest passage cosine {cosine:.6f}, largest difference {difference:.1e}, "
          f"sentence codes the same {same_codes:.4f}, at most {steps_apart:.2f} steps apart, "
          f"same snippets for {len(questions) - len(differing)} of {len(questions)} questions, the same first snippet for {first_same})")
    for question in differing[:5]:
        print(f"  differs: {question}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
