"""The SQuAD train set as articles, split by whole articles into a training part and a held-out part."""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path

# Whole articles held out to measure the reader: none of their paragraphs is trained on.
HELD_OUT_ARTICLES = 20
SPLIT_SEED = 20261202


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    # Character offsets of the answer in its paragraph; None where the paragraph does not answer it.
    answer_start: int | None
    answer_text: str | None


@dataclass(frozen=True)
class Paragraph:
    context: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[Paragraph, ...]


def read_articles(path: Path) -> list[Article]:
    """The articles of a SQuAD 2.0 JSON file (gzipped or not), in file order."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return [_article(raw) for raw in data["data"]]


def _article(raw: dict) -> Article:
    paragraphs = []
    for raw_paragraph in raw["paragraphs"]:
        questions = []
        for qa in raw_paragraph["qas"]:
            answers = [] if qa.get("is_impossible") else qa["answers"]
            first = answers[0] if answers else None
            questions.append(Question(
                id=qa["id"], text=qa["question"].strip(),
                answer_start=first["answer_start"] if first else None,
                answer_text=first["text"] if first else None,
            ))
        paragraphs.append(Paragraph(raw_paragraph["context"], tuple(questions)))
    return Article(raw["title"], tuple(paragraphs))


def split_articles(articles: list[Article]) -> tuple[list[Article], list[Article]]:
    """(training articles, held-out articles): a fixed random choice of whole articles is held out."""
    order = list(range(len(articles)))
    random.Random(SPLIT_SEED).shuffle(order)
    held = set(order[:HELD_OUT_ARTICLES])
    train = [a for i, a in enumerate(articles) if i not in held]
    return train, [articles[i] for i in sorted(held)]
