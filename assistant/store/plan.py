"""A build's plan: what the sources hold now, and which of their passages still need vectors (the rest
reuse the previous index's, found by a hash of the text the passage's vector embeds)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from ..config import Config
from ..documents import SourceScan, scan_sources
from ..errors import IndexMissingError, IndexUnusableError, SourcesError
from ..late_chunking import ChunkedText
from ..models import BuildProgress, BuildStage, Passage, ProgressCallback
from ..passages import dense_texts, lexical_text, split_passages
from .loaded import LoadedIndex, load_index
from .manifest import IndexedSource, PassedOver
from .write import VectorBlock


def text_key(text: str) -> bytes:
    """The key a text's vector is kept under for reuse: a hash of the text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


# Passages whose vectors go to the writer at a time: the vectors in flight stay a few MB.
VECTOR_BLOCK_ROWS = 4096


class PreviousVectors:
    """The previous index's vectors, by the hash of the text a passage's vector embeds, read from its
    files only when a passage reuses them: the old index is never held in memory whole."""

    def __init__(self, index: LoadedIndex) -> None:
        self._index = index
        self._rows: dict[bytes, int] = {}
        firsts, counts = [], []
        for row, entry in enumerate(index.passages.vector_entries()):
            self._rows.setdefault(bytes.fromhex(entry.key), row)
            firsts.append(entry.first_sentence)
            counts.append(entry.sentences)
        self._first_sentence = np.asarray(firsts, dtype=np.int64)
        self._sentence_count = np.asarray(counts, dtype=np.int64)
        self.dimension = index.manifest.model.dimension

    def __contains__(self, key: bytes) -> bool:
        return key in self._rows

    def vectors(self, key: bytes) -> tuple[np.ndarray, np.ndarray]:
        """The passage vector kept under ``key`` and its sentences' (one record each, as stored: they
        are written again unchanged)."""
        row = self._rows[key]
        first = int(self._first_sentence[row])
        sentences = self._index.sentence_vectors.records(first, first + int(self._sentence_count[row]))
        return self._index.vectors.reconstruct(row), sentences

    def close(self) -> None:
        self._index.close()


@dataclass(frozen=True)
class BuildPlan:
    """The passages of the sources as they are now, the text each passage's vector embeds, the vectors
    the previous index already has for some of them (by that text's hash: a passage and its sentences
    are embedded together, so they are kept together), and the passages left to embed."""

    scan: SourceScan
    passages: list[Passage]
    vector_texts: list[str]
    keys: list[bytes]  # each row's ``text_key`` of its vector text
    previous: PreviousVectors | None
    to_embed: list[int]  # rows of ``passages`` to embed: one per distinct new text

    def items(self) -> list[ChunkedText]:
        """What the encoder reads for each passage to embed: the text its vector embeds (the passage
        under its title), and where each of its sentences stands in that text."""
        return [chunked(self.passages[row], self.vector_texts[row]) for row in self.to_embed]

    def vector_blocks(self, embedded: tuple[np.ndarray, list[np.ndarray]]) -> Iterator[VectorBlock]:
        """Every passage's vectors and its sentences', in row order a block at a time: those just
        embedded (in the order of ``to_embed``), the rest read from the previous index."""
        vectors, sentences = embedded
        made = {self.keys[row]: i for i, row in enumerate(self.to_embed)}
        for start in range(0, len(self.keys), VECTOR_BLOCK_ROWS):
            passage_rows, sentence_rows = [], []
            for key in self.keys[start : start + VECTOR_BLOCK_ROWS]:
                if key in made:
                    passage, own = vectors[made[key]], sentences[made[key]]
                else:
                    passage, own = self._previous().vectors(key)
                passage_rows.append(passage)
                sentence_rows.append(own)
            yield VectorBlock(passages=np.vstack(passage_rows), sentences=np.concatenate(sentence_rows))

    def dimension(self, embedded: tuple[np.ndarray, list[np.ndarray]]) -> int:
        """The vectors' dimension: the new ones', or the previous index's when nothing was embedded."""
        return int(embedded[0].shape[1]) if self.to_embed else self._previous().dimension

    def _previous(self) -> PreviousVectors:
        if self.previous is None:
            raise ValueError("a passage was neither embedded nor found in the previous index")
        return self.previous

    def close(self) -> None:
        """Let go of the previous index's files."""
        if self.previous is not None:
            self.previous.close()

    def passages_embedded(self) -> int:
        """How many passages get a vector made afresh (their text is new or changed)."""
        fresh = {self.keys[row] for row in self.to_embed}
        return sum(1 for key in self.keys if key in fresh)

    def lexical_texts(self) -> Iterator[str]:
        return (lexical_text(p) for p in self.passages)

    def vector_keys(self) -> Iterator[str]:
        return (key.hex() for key in self.keys)

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
    previous = None if rebuild else previous_vectors(config, model_name)
    keys = [text_key(text) for text in vector_texts]
    fresh: dict[bytes, int] = {}
    for row, key in enumerate(keys):
        if previous is None or key not in previous:
            fresh.setdefault(key, row)
    return BuildPlan(
        scan=scan, passages=passages, vector_texts=vector_texts, keys=keys, previous=previous, to_embed=list(fresh.values())
    )


def chunked(passage: Passage, vector_text: str) -> ChunkedText:
    """The passage as the encoder reads it: the text its vector embeds (it ends with the passage's
    text, after any title), and its sentences' spans in that text."""
    prefix = len(vector_text) - len(passage.text)
    return ChunkedText(
        vector_text, tuple((s.start - passage.start + prefix, s.end - passage.start + prefix) for s in passage.sentences)
    )


def previous_vectors(config: Config, model_name: str) -> PreviousVectors | None:
    """The vectors of the previous index (when it suits the config), by the hash of the text a
    passage's vector embeds: the passage's and its sentences'."""
    try:
        index = load_index(config, model_name)
    except (IndexMissingError, IndexUnusableError):
        return None
    try:
        return PreviousVectors(index)
    except IndexUnusableError:  # a damaged passage table: nothing is reused
        index.close()
        return None
