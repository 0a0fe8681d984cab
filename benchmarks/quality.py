"""Answer quality on the three sample sets side by side: SQuAD (encyclopedia), CoQA (conversations),
COVID-QA (research papers); and abstention with one source held out at a time.

Run: ``python -m benchmarks.quality`` (or ``make eval``). Each set is indexed from copies of its
sources in a work folder (``--workdir``; temporary unless given, and then kept, so that the next run
only updates), so the project's own index is untouched.

- squad: every answerable question, a hit when an answer string is inside a snippet (SQuAD's rule).
- coqa: each conversation asked in turn order as one chat, span scoring (the snippet cites the story
  and holds or overlaps the answer's place); the same questions asked alone beside it.
- covidqa: span scoring, the snippet overlapping at least half of the answer.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant import Assistant
from assistant.evaluation.run import READER_SETTINGS, EvalQuestion, ModeResult, Scoring, load_questions, run_evaluation
from assistant.evaluation.tables import format_phrase_table, format_table

from .corpus import SHARED

DATA = SHARED / "data"


@dataclass(frozen=True)
class QuestionSet:
    """A sample set and how it is scored."""

    name: str
    folder: Path
    scoring: Scoring
    min_overlap: float = 0.0

    @property
    def sources(self) -> list[Path]:
        return sorted((self.folder / "sources").glob("*.txt"))

    def questions(self) -> list[EvalQuestion]:
        return load_questions(self.folder / "questions.jsonl")


SETS = {
    "squad": QuestionSet("squad", DATA / "squad-sample", "string"),
    "coqa": QuestionSet("coqa", DATA / "coqa-sample", "span"),
    "covidqa": QuestionSet("covidqa", DATA / "covidqa-sample", "span", 0.5),
}


def project(root: Path, sources: list[Path], config_text: str = "") -> Path:
    """A project folder holding exactly ``sources``; kept files are reused, others removed."""
    folder = root / "sources"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {s.name for s in sources}
    for stale in folder.iterdir():
        if stale.name not in wanted:
            stale.unlink()
    for source in sources:
        target = folder / source.name
        if not target.exists() or target.read_bytes() != source.read_bytes():
            shutil.copy(source, target)
    config = root / "config.toml"
    config.write_text(config_text, encoding="utf-8")
    return config


def evaluate(
    qs: QuestionSet, root: Path, modes: list[str], config_text: str = "", readers: tuple[bool, ...] = (True, False)
) -> dict[str, list[ModeResult]]:
    """The set's results with every source indexed (and, for conversations, asked alone too), with the
    reader on and off as ``readers`` asks."""
    indexed = Assistant.open(project(root / qs.name / "all", qs.sources, config_text))
    indexed.build_index()
    questions = qs.questions()
    results = {}
    for on in readers:
        assistant = indexed.with_reader(on)
        reader = f"reader {'on' if on else 'off'}"
        results[f"{qs.name}: all sources indexed, {reader}"] = _evaluated(assistant, questions, modes, qs)
        if any(q.conversation for q in questions):
            results[f"{qs.name}: the same questions, each asked alone, {reader}"] = _evaluated(
                assistant, questions, modes, qs, as_conversations=False
            )
    return results


def _evaluated(assistant: Assistant, questions: list[EvalQuestion], modes: list[str], qs: QuestionSet, as_conversations: bool = True) -> list[ModeResult]:
    """``run_evaluation`` of a set, its progress drawn on stderr."""
    from tqdm import tqdm

    with tqdm(total=len(questions) * len(modes), desc="Evaluating", unit="q", file=sys.stderr, leave=False) as bar:
        return run_evaluation(
            assistant, questions, modes, lambda: bar.update(1), scoring=qs.scoring, min_overlap=qs.min_overlap,
            as_conversations=as_conversations,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="squad,coqa,covidqa", help="comma-separated: squad, coqa, covidqa")
    parser.add_argument("--modes", default="hybrid")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here between runs (default: a temporary folder)")
    parser.add_argument("--config", default="", help="TOML text every project's config.toml gets (settings under test)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--reader", choices=tuple(READER_SETTINGS), default="both", help="answer with the reader, without, or both")
    args = parser.parse_args(argv)
    readers = READER_SETTINGS[args.reader]
    names = [n for n in args.sets.split(",") if n]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        parser.error(f"unknown set(s): {', '.join(unknown)}")
    modes = [m for m in args.modes.split(",") if m]
    results: dict[str, list[ModeResult]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = args.workdir or Path(tmp)
        for name in names:
            results.update(evaluate(SETS[name], root, modes, args.config, readers))
    for title, rows in results.items():
        print(f"## {title}")
        print(format_table(rows))
        print()
        print(format_phrase_table(rows))
        print()
    print(
        "abstain: share of unanswerable questions that abstained; answered: share of answerable questions "
        "that did not. squad: answer string in a snippet; coqa and covidqa: span scoring (see the module doc)."
    )
    if args.json:
        args.json.write_text(json.dumps({k: [r.model_dump() for r in v] for k, v in results.items()}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
