"""``python -m benchmarks.collections_quality``: collections asked together answer as one index does.

The SQuAD sample's three articles, indexed two ways: one index of all three, and three collections of
one article each (``main`` and two named ones) asked together, their snippets merged by calibrated
confidence. Every answerable question is asked both ways; a hit is an answer string in the first
snippet (hit@1) or in one of the first three (hit@3), as ``assistant eval`` scores strings. Target:
hit@1 within 0.01 of the one index. It prints both rows, their difference and the seconds a question.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from .commands import cpu_name
from .corpus import SHARED

SQUAD = SHARED / "data" / "squad-sample"
TOLERANCE = 0.01


def _projects(root: Path) -> tuple[Path, Path]:
    """The one-index project and the three-collection project over the same articles."""
    articles = sorted((SQUAD / "sources").glob("*.txt"))
    one = root / "one"
    (one / "sources").mkdir(parents=True)
    for article in articles:
        shutil.copy(article, one / "sources" / article.name)
    (one / "config.toml").write_text("", encoding="utf-8")
    three = root / "three"
    lines = []
    for number, article in enumerate(articles):
        folder = three / ("sources" if number == 0 else f"part{number}")
        folder.mkdir(parents=True)
        shutil.copy(article, folder / article.name)
        if number:
            lines.append(f'[collections.part{number}]\nsources = "{folder.name}"\nindex = "index-{number}"\n')
    (three / "config.toml").write_text("\n".join(lines), encoding="utf-8")
    return one / "config.toml", three / "config.toml"


def _score(config: Path, questions, limit: int | None) -> tuple[float, float, float]:
    from assistant.api import Library

    library = Library.open(config)
    for name in library.names:
        library.assistant(name).ensure_index()
    hits1 = hits3 = asked = 0
    began = time.perf_counter()
    for question in questions[:limit]:
        answer, _ = library.ask(question.question)
        texts = [" ".join(s.text.split()).lower() for s in answer.snippets]
        wanted = [" ".join(a.split()).lower() for a in question.answers if a.strip()]
        found = [any(a in text for a in wanted) for text in texts]
        hits1 += bool(found[:1] and found[0])
        hits3 += any(found[:3])
        asked += 1
    return hits1 / asked, hits3 / asked, (time.perf_counter() - began) / asked


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="ask only the first N answerable questions")
    limit = parser.parse_args(argv).limit
    from assistant.evaluation.run import load_questions

    questions = [q for q in load_questions(SQUAD / "questions.jsonl") if q.answerable]
    print(f"CPU: {cpu_name()}; {len(questions[:limit])} answerable SQuAD sample questions, reader on")
    with tempfile.TemporaryDirectory() as folder:
        one, three = _projects(Path(folder))
        alone = _score(one, questions, limit)
        together = _score(three, questions, limit)
    print(f"one index of the 3 articles:        hit@1 {alone[0]:.3f}  hit@3 {alone[1]:.3f}  {alone[2] * 1000:.0f} ms a question")
    print(f"3 collections (one article each):   hit@1 {together[0]:.3f}  hit@3 {together[1]:.3f}  {together[2] * 1000:.0f} ms a question")
    difference = together[0] - alone[0]
    verdict = "ok" if abs(difference) <= TOLERANCE else "MISSED"
    print(f"hit@1 difference {difference:+.3f} (target within {TOLERANCE}) {verdict}")


if __name__ == "__main__":
    main()
