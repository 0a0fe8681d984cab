"""Answer quality on the SQuAD sample: every retrieval mode side by side, and abstention on a held-out article.

Run: ``python -m benchmarks.quality`` (or ``make eval``). It indexes copies of the sample articles in a
temporary folder, so the project's own index is untouched.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from assistant import Assistant
from assistant.evaluation import EvalQuestion, format_table, load_questions, run_evaluation

SQUAD = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "squad-sample"
HELD_OUT = "Sky-United-Kingdom.txt"


def _project(root: Path, sources: list[Path]) -> Path:
    (root / "sources").mkdir(parents=True)
    for source in sources:
        shutil.copy(source, root / "sources" / source.name)
    config = root / "config.toml"
    config.write_text("", encoding="utf-8")
    return config


def _held_out_questions(questions: list[EvalQuestion], sources: list[str]) -> list[EvalQuestion]:
    """The indexed articles' answerable questions, plus every question on the held-out article as
    unanswerable: nothing in that index answers them."""
    kept = []
    for q, source in zip(questions, sources):
        if source == HELD_OUT:
            kept.append(q.model_copy(update={"answerable": False, "answers": ()}))
        elif q.answerable:
            kept.append(q)
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SQUAD, help="folder with sources/ and questions.jsonl")
    parser.add_argument("--modes", default="dense,lexical,hybrid")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    questions_path = args.data / "questions.jsonl"
    questions = load_questions(questions_path)
    sources = [json.loads(line).get("source", "") for line in questions_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    modes = [m for m in args.modes.split(",") if m]
    articles = sorted((args.data / "sources").glob("*.txt"))
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        everything = Assistant.open(_project(Path(tmp) / "all", articles))
        everything.build_index()
        results["all articles indexed"] = run_evaluation(everything, questions, modes, progress_file=sys.stderr)
        held = Assistant.open(_project(Path(tmp) / "held-out", [a for a in articles if a.name != HELD_OUT]))
        held.build_index()
        held_questions = _held_out_questions(questions, sources)
        results[f"{HELD_OUT} held out"] = run_evaluation(held, held_questions, modes, progress_file=sys.stderr)
    for title, rows in results.items():
        print(f"## {title}")
        print(format_table(rows))
        print()
    print(
        "abstain: share of unanswerable questions that abstained (held out: every question on the article "
        "that is not indexed); answered: share of answerable questions that did not abstain."
    )
    if args.json:
        args.json.write_text(
            json.dumps({k: [r.model_dump() for r in v] for k, v in results.items()}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
