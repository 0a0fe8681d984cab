"""A build's plan: what the sources hold now, and which of their texts still need a vector (the rest
reuse the previous index's, found by a hash of the text they embed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ..config import Config
from ..documents import SourceScan, scan_sources
from ..errors import IndexMissingError, IndexUnusableError, SourcesError
from ..models import Passage
from ..passages import dense_texts, lexical_text, split_passages
from .loaded import load_index
from .manifest import IndexedSource, PassedOver


def text_key(text: str) -> bytes:
    """The key a text's vector is kept under for reuse: a hash of the text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True)
class BuildPlan:
    """The passages of the sources as they are now, the texts their vectors embed (a passage's, then
    every sentence's, row for row), the vectors the previous index already has for some of them, and
    the distinct texts left to embed."""

    scan: SourceScan
    passages: list[Passage]
    vector_texts: list[str]
    sentence_texts: list[str]
    reusable: dict[bytes, np.ndarray]
    to_embed: list[str]

    def matrices(self, embedded: np.ndarray, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """The passage and sentence matrices, row for row, from ``embedded`` (one row per ``to_embed``
        text) and the reused vectors."""
        vectors = {**self.reusable, **dict(zip(map(text_key, self.to_embed), embedded))}

        def stack(texts: list[str]) -> np.ndarray:
            if not texts:
                return np.zeros((0, dimension), dtype=np.float32)
            return np.vstack([vectors[text_key(t)] for t in texts]).astype(np.float32)

        return stack(self.vector_texts), stack(self.sentence_texts)

    def passages_embedded(self) -> int:
        """How many passages get a vector made afresh (their text is new or changed)."""
        fresh = set(map(text_key, self.to_embed))
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


def plan_build(config: Config, model_name: str, *, rebuild: bool) -> BuildPlan:
    """Read the sources and decide what to embed; ``SourcesError`` when there is nothing to index."""
    scan = scan_sources(config.sources_dir, config.settings.sources, skip=[config.index_dir])
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
    sentence_texts = [s.text for p in passages for s in p.sentences]
    reusable = {} if rebuild else previous_vectors(config, model_name)
    to_embed = {text_key(t): t for t in (*vector_texts, *sentence_texts)}
    return BuildPlan(
        scan=scan,
        passages=passages,
        vector_texts=vector_texts,
        sentence_texts=sentence_texts,
        reusable=reusable,
        to_embed=[text for key, text in to_embed.items() if key not in reusable],
    )


def previous_vectors(config: Config, model_name: str) -> dict[bytes, np.ndarray]:
    """The vectors of the previous index (when it suits the config), by the hash of the text they embed."""
    try:
        old = load_index(config, model_name)
    except (IndexMissingError, IndexUnusableError):
        return {}
    by_text: dict[bytes, np.ndarray] = {}
    passage_vectors = old.vectors.reconstruct_n(0, old.vectors.ntotal) if old.vectors.ntotal else np.zeros((0, 0))
    base = 0
    for i, (passage, key) in enumerate(zip(old.passages, old.passages.vector_keys())):
        by_text[bytes.fromhex(key)] = np.array(passage_vectors[i])
        sentence_vectors = old.sentence_vectors.read(base, base + len(passage.sentences))
        for sentence, vector in zip(passage.sentences, sentence_vectors):
            by_text.setdefault(text_key(sentence.text), vector)
        base += len(passage.sentences)
    old.close()
    return by_text
