"""The reader measured on held-out articles: exact match and F1 of its spans, and how it tells a
paragraph that answers from a near neighbour that does not."""

from __future__ import annotations

import collections
import random
import re
import string
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch
from tokenizers import Tokenizer

from training.batches import Batch, collate
from training.examples import _nearest_other_paragraph
from training.neighbours import other_article_neighbours
from training.model import SpanReader
from training.squad import Article
from training.windows import as_window, encode_windows

# The longest answer the decoding considers, in tokens.
MAX_ANSWER_TOKENS = 30
HELD_OUT_QUESTIONS = 1200


@dataclass(frozen=True)
class HeldOutFigures:
    questions: int
    exact: float
    f1: float
    # Of (own paragraph, nearest other paragraph) pairs: how often the own one scores higher.
    pair_ranked: float
    # At a bar of 0 on (best span - no answer): answering windows called answering, neighbours refused.
    answering_kept: float
    neighbours_refused: float
    # The same bar on the most alike paragraph of another article (what retrieval offers when the
    # question's own document is missing): the share refused. None where not measured.
    other_articles_refused: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def best_span(start: np.ndarray, end: np.ndarray, choosable: np.ndarray) -> tuple[float, int, int]:
    """(score, start, end) of the best span of one window; scores are start + end logits."""
    positions = np.flatnonzero(choosable[1:]) + 1
    s, e = start[positions], end[positions]
    scores = s[:, None] + e[None, :]
    offsets = positions[None, :] - positions[:, None]
    scores = np.where((offsets >= 0) & (offsets < MAX_ANSWER_TOKENS), scores, -np.inf)
    i, j = np.unravel_index(np.argmax(scores), scores.shape)
    return float(scores[i, j]), int(positions[i]), int(positions[j])


# Logits of a batch: (start, end), each (windows, tokens).
Scorer = Callable[[Batch], tuple[np.ndarray, np.ndarray]]


def torch_scorer(model: SpanReader, device: str) -> Scorer:
    """The torch model as a scorer, in evaluation mode."""
    model.eval()

    @torch.no_grad()
    def score(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        start, end = model(
            batch.input_ids.to(device), batch.attention_mask.to(device), batch.token_type_ids.to(device)
        )
        return start.float().cpu().numpy(), end.float().cpu().numpy()

    return score


def measure(
    score: Scorer, tokenizer: Tokenizer, articles: list[Article], others: list[Article] | None = None,
    questions: int = HELD_OUT_QUESTIONS,
) -> HeldOutFigures:
    """The held-out figures of a reader: its spans on the questions' own paragraphs, against neighbours
    of their own article and, where `others` are given, of another article (held-out or `others`), over
    the first `questions` of the held-out questions in one seeded order."""
    rng = random.Random(7)
    items = [(a, p, q) for a in articles for p in a.paragraphs for q in p.questions if q.answer_text]
    rng.shuffle(items)
    items = items[:questions]
    exact, f1, ranked, kept, refused = [], [], [], [], []
    contexts = other_article_neighbours([*articles, *others], items) if others is not None else []
    elsewhere = [_read(score, tokenizer, q.text, c)[0] <= 0 for (_, _, q), c in zip(items, contexts) if c is not None]
    for article, paragraph, question in items:
        own = _read(score, tokenizer, question.text, paragraph.context)
        exact.append(float(_normal(own[1]) == _normal(question.answer_text)))
        f1.append(_f1(own[1], question.answer_text))
        kept.append(float(own[0] > 0))
        neighbour = _nearest_other_paragraph(article, paragraph, question)
        if neighbour is not None:
            other = _read(score, tokenizer, question.text, neighbour)
            ranked.append(float(own[0] > other[0]))
            refused.append(float(other[0] <= 0))
    return HeldOutFigures(
        len(exact), float(np.mean(exact)), float(np.mean(f1)),
        float(np.mean(ranked)), float(np.mean(kept)), float(np.mean(refused)),
        float(np.mean(elsewhere)) if elsewhere else None,
    )


def _read(score: Scorer, tokenizer: Tokenizer, question: str, context: str) -> tuple[float, str]:
    """(best span score less the no-answer score, the span's text) over the pair's windows."""
    encodings = encode_windows(tokenizer, question, context)
    batch = collate([as_window(e, None) for e in encodings])
    start, end = score(batch)
    best = (-np.inf, "")
    for row, encoding in enumerate(encodings):
        score, i, j = best_span(start[row], end[row], batch.choosable[row].numpy())
        margin = score - (start[row, 0] + end[row, 0])
        if margin > best[0]:
            best = (margin, context[encoding.offsets[i][0] : encoding.offsets[j][1]])
    return best


def _normal(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def _f1(predicted: str, truth: str) -> float:
    p, t = _normal(predicted).split(), _normal(truth).split()
    common = sum((collections.Counter(p) & collections.Counter(t)).values())
    if not p or not t or not common:
        return float(p == t)
    precision, recall = common / len(p), common / len(t)
    return 2 * precision * recall / (precision + recall)
