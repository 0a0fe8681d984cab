"""Benchmark corpora: real text from the repository's sample and the SQuAD sample, grown to any size.

Two corpora are indexed for real (the model embeds every passage): the sample article ("sample") and
the three SQuAD articles ("squad"). A size given as a number is synthesized unless it is at most
``--real-max`` (then its source files are written and indexed for real): embedding runs at about
7 passages/s on this shared 2-core machine, so 10 000 real passages would take half an hour per pass.
A synthesized index is laid out directly: passage rows made of real sentences, their vectors made by
perturbing the real vectors of those sentences.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant.models import Passage, Sentence
from assistant.sources.passages import sentence_spans
from assistant.store.write import VectorBlock
from assistant.vectors.quantization import quantize

REPO = Path(__file__).resolve().parent.parent
# The shared data folder beside the repository (BENCH_SHARED overrides it, e.g. for a git worktree elsewhere).
SHARED = Path(os.environ.get("BENCH_SHARED", REPO.parent / "shared"))
SQUAD = SHARED / "data" / "squad-sample"
REAL_TEXT_FILES = [REPO / "sources" / "kosovo-serbia-tensions.txt", *sorted((SQUAD / "sources").glob("*.txt"))]
QUESTIONS = SQUAD / "questions.jsonl"
PARAGRAPHS_PER_FILE = 20
NOISE = 0.01  # per-dimension standard deviation of the perturbation of a real vector


def real_sentences() -> list[str]:
    """Every sentence of the real texts (20 to 400 characters), in file order, without duplicates."""
    seen: dict[str, None] = {}
    for path in REAL_TEXT_FILES:
        text = path.read_text(encoding="utf-8")
        for paragraph in text.split("\n\n"):
            paragraph = " ".join(paragraph.split())
            for start, end in sentence_spans(paragraph):
                sentence = paragraph[start:end]
                if 20 <= len(sentence) <= 400:
                    seen.setdefault(sentence, None)
    return list(seen)


def questions(count: int) -> list[str]:
    """``count`` questions from the SQuAD sample (repeated in order if it holds fewer)."""
    import json

    lines = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [lines[i % len(lines)] for i in range(count)]


def _paragraph(rng: random.Random, sentences: list[str]) -> list[int]:
    return [rng.randrange(len(sentences)) for _ in range(rng.randint(2, 5))]


def write_sources(folder: Path, passages: int, seed: int = 6) -> int:
    """Write source files of about ``passages`` paragraphs, each 2-5 real sentences; returns the file count."""
    sentences = real_sentences()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = max(1, -(-passages // PARAGRAPHS_PER_FILE))
    for f in range(files):
        count = min(PARAGRAPHS_PER_FILE, passages - f * PARAGRAPHS_PER_FILE) or PARAGRAPHS_PER_FILE
        paragraphs = [" ".join(sentences[i] for i in _paragraph(rng, sentences)) for _ in range(count)]
        (folder / f"doc-{f:06d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return files


def unit(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, float32."""
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


class SyntheticCorpus:
    """Passage rows of real sentences with perturbed real vectors, made in order, reproducibly."""

    def __init__(self, sentence_vectors: np.ndarray, sentences: list[str], count: int, seed: int = 6) -> None:
        self.sentences = sentences
        self.sentence_vectors = sentence_vectors
        self.count = count
        rng = random.Random(seed)
        self.picks = [_paragraph(rng, sentences) for _ in range(count)]
        self.sentence_count = sum(len(p) for p in self.picks)

    def passages(self) -> Iterator[Passage]:
        """The passages, as a splitter would have cut them from files of PARAGRAPHS_PER_FILE paragraphs."""
        offset = line = 0
        for i, pick in enumerate(self.picks):
            if i % PARAGRAPHS_PER_FILE == 0:
                offset, line = 0, 1
            source = f"synthetic/doc-{i // PARAGRAPHS_PER_FILE:06d}.txt"
            sentences, cursor = [], offset
            for s in pick:
                text = self.sentences[s]
                sentences.append(Sentence.model_construct(start=cursor, end=cursor + len(text), line_start=line, line_end=line, text=text))
                cursor += len(text) + 1
            text = " ".join(self.sentences[s] for s in pick)
            pid = hashlib.blake2b(f"{source}:{offset}:{offset + len(text)}".encode(), digest_size=8).hexdigest()
            yield Passage.model_construct(
                id=pid, source=source, start=offset, end=offset + len(text), line_start=line, line_end=line,
                text=text, title="", sentences=tuple(sentences), page=None,
            )
            offset += len(text) + 2
            line += 2

    def texts(self) -> Iterator[str]:
        for pick in self.picks:
            yield " ".join(self.sentences[s] for s in pick)

    def vector_blocks(self, rows: int = 20_000, seed: int = 7) -> Iterator[VectorBlock]:
        """Each block of ``rows`` passages' vectors (the mean of its sentences' real vectors, perturbed,
        unit length) and their sentences' (each sentence's real vector, perturbed): made as they are
        written, so a million passages never sit in memory."""
        rng = np.random.default_rng(seed)
        dimension = self.sentence_vectors.shape[1]
        for start in range(0, self.count, rows):
            block = self.picks[start : start + rows]
            means = np.stack([self.sentence_vectors[p].mean(axis=0) for p in block])
            passages = unit(means + rng.normal(0, NOISE, means.shape).astype(np.float32))
            flat = self.sentence_vectors[np.fromiter((s for p in block for s in p), dtype=np.int64)]
            sentences = unit(flat + rng.normal(0, NOISE, flat.shape).astype(np.float32))
            yield VectorBlock(passages=passages, sentences=quantize(sentences.reshape(-1, dimension)))
