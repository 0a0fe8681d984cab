"""A build's plan: what the sources hold now, and which of their passages still need vectors (the rest
reuse the previous index's, found by a hash of the text the passage's vector embeds)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..config import Config
from ..documents import SourceScan, scan_sources
from ..errors import IndexMissingError, IndexUnusableError, SourcesError
from ..late_chunking import ChunkedText
from ..models import BuildProgress, BuildStage, Passage, ProgressCallback
from ..passages import dense_texts, lexical_text, split_passages
from .loaded import load_index
from .manifest import IndexedSource, PassedOver


def text_key(text: str) -> bytes:
    """The key a text's vector is kept under for reuse: a hash of the text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class Reused:
    """A passage's vectors kept from the previous index: its own, and its sentences' (one row each)."""

    passage: np.ndarray
    sentences: np.ndarray


@dataclass(frozen=True)
class BuildPlan:
    """The passages of the sources as they are now, the text each passage's vector embeds, the vectors
    the previous index already has for some of them (by that text's hash: a passage and its sentences
    are embedded together, so they are kept together), and the passages left to embed."""

    scan: SourceScan
    passages: list[Passage]
    vector_texts: list[str]
    reusable: dict[bytes, Reused]
    to_embed: list[int]  # rows of ``passages`` to embed: one per distinct new text

    def items(self) -> list[ChunkedText]:
        """What the encoder reads for each passage to embed: the text its vector embeds (the passage
        under its title), and where each of its sentences stands in that text."""
        return [chunked(self.passages[row], self.vector_texts[row]) for row in self.to_embed]

    def matrices(self, embedded: tuple[np.ndarray, list[np.ndarray]], dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """The passage and sentence matrices, row for row, from the passages just embedded (in the
        order of ``to_embed``) and the reused ones."""
        vectors, sentences = embedded
        made = {text_key(self.vector_texts[row]): Reused(v, s) for row, v, s in zip(self.to_embed, vectors, sentences)}
        found = {**self.reusable, **made}
        chosen = [found[text_key(text)] for text in self.vector_texts]
        if not chosen:
            return np.zeros((0, dimension), dtype=np.float32), np.zeros((0, dimension), dtype=np.float32)
        rows = [r.sentences for r in chosen if len(r.sentences)]
        sentence_matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, dimension), dtype=np.float32)
        return np.vstack([r.passage for r in chosen]).astype(np.float32), sentence_matrix

    def passages_embedded(self) -> int:
        """How many passages get a vector made afresh (their text is new or changed)."""
        fresh = {text_key(self.vector_texts[row]) for row in self.to_embed}
        return sum(1 for text in self.vector_texts if text_key(text) in fresh)

    def lexical_texts(self) -> list[str]:
        return [lexical_text(p) for p in self.passages]

    def vector_keys(self) -> list[str]:
        return [text_key(t).hex() for t in self.vector_texts]

    def source_records(self) -> dict[str, IndexedSource]:
        # The stat taken before each file was read: a file edited during the build then looks changed.
        return {
            d.source: IndexedSource(**vars(self.scan.stamps[d.source]), encoding=d.encoding) for d in self.scan.documents
        }

    def skipped_records(self) -> dict[str, PassedOver]:
        indexed = {d.source for d in self.scan.documents}
        reasons = {note.source: note.reason for note in self.scan.skipped}
        return {
            source: PassedOver(**vars(stamp), reason=reasons.get(source, ""))
            for source, stamp in sorted(self.scan.stamps.items())
            if source not in indexed
        }


def plan_build(config: Config, model_name: str, *, rebuild: bool, progress: ProgressCallback | None = None) -> BuildPlan:
    """Read the sources and decide what to embed; ``SourcesError`` when there is nothing to index.
    ``progress`` hears the files read as they are."""
    report = progress or (lambda _step: None)
    scan = scan_sources(
        config.sources_dir, config.settings.sources, skip=[config.index_dir],
        progress=lambda done, total: report(BuildProgress(stage=BuildStage.SCAN, done=done, total=total)),
    )
    passages: list[Passage] = []
    vector_texts: list[str] = []
    for document in scan.documents:
        split = split_passages(document, config.settings.chunking.max_passage_chars)
        passages.extend(split)
        vector_texts.extend(dense_texts(document, split))
    if not passages:
        patterns = ", ".join(config.settings.sources.include)
        raise SourcesError(
            f"nothing to index under {config.sources_dir}: no readable file matches {patterns} "
            "(sources.include in the config)"
        )
    reusable = {} if rebuild else previous_vectors(config, model_name)
    fresh: dict[bytes, int] = {}
    for row, text in enumerate(vector_texts):
        key = text_key(text)
        if key not in reusable:
            fresh.setdefault(key, row)
    return BuildPlan(scan=scan, passages=passages, vector_texts=vector_texts, reusable=reusable, to_embed=list(fresh.values()))


def chunked(passage: Passage, vector_text: str) -> ChunkedText:
    """The passage as the encoder reads it: the text its vector embeds (it ends with the passage's
    text, after any title), and its sentences' spans in that text."""
    prefix = len(vector_text) - len(passage.text)
    return ChunkedText(
        vector_text, tuple((s.start - passage.start + prefix, s.end - passage.start + prefix) for s in passage.sentences)
    )


def previous_vectors(config: Config, model_name: str) -> dict[bytes, Reused]:
    """The vectors of the previous index (when it suits the config), by the hash of the text a
    passage's vector embeds: the passage's and its sentences'."""
    try:
        old = load_index(config, model_name)
    except (IndexMissingError, IndexUnusableError):
        return {}
    by_text: dict[bytes, Reused] = {}
    passage_vectors = old.vectors.reconstruct_n(0, old.vectors.ntotal) if old.vectors.ntotal else np.zeros((0, 0))
    base = 0
    for i, (passage, key) in enumerate(zip(old.passages, old.passages.vector_keys())):
        count = len(passage.sentences)
        by_text[bytes.fromhex(key)] = Reused(np.array(passage_vectors[i]), old.sentence_vectors.read(base, base + count))
        base += count
    old.close()
    return by_text
