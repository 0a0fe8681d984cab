"""Passage and sentence vectors from one pass of the model over each passage ("late chunking").

Encoding every sentence on its own after its passage was encoded costs a second pass over the same
text, and gives each sentence a vector that knows nothing of its context ("This also indicated that
it contributes to bone formation."). Late chunking (Günther et al., 2024) runs the transformer once
over the passage and mean-pools each sentence's own token states out of that pass: one forward pass,
and the sentence's vector carries its context. A passage longer than the model's window is read in
overlapping windows; a token seen by two windows takes its state from the one where it stands
further from the edge.

The passage's vector is the mean of all its token states, as the model's own mean pooling takes it
(for a passage within one window, the same vector as encoding it alone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Tokens shared by neighbouring windows of a long passage: each window's edge tokens see little context.
WINDOW_OVERLAP = 64


@dataclass(frozen=True)
class ChunkedText:
    """A text to embed, and the character spans inside it (its sentences) that get vectors of their own."""

    text: str
    spans: tuple[tuple[int, int], ...]


def _windows(length: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """Token ranges [start, end) covering ``length`` tokens in windows of ``size``, sharing ``overlap``."""
    if length <= size:
        return [(0, length)]
    step = size - overlap
    starts = list(range(0, length - size, step)) + [length - size]
    return [(s, s + size) for s in dict.fromkeys(starts)]


def late_chunked(model, items: Sequence[ChunkedText], batch_size: int = 32) -> tuple[np.ndarray, list[np.ndarray]]:
    """For each text, its vector and its spans' vectors (unit length), from one pass of ``model``.

    ``model`` is a loaded sentence-transformers model whose pipeline is a transformer and mean pooling.
    """
    import torch

    transformer = model[0]
    tokenizer = transformer.tokenizer
    network = transformer.auto_model
    window = int(model.max_seq_length or tokenizer.model_max_length) - 2  # room for [CLS] and [SEP]
    encoded = tokenizer([item.text for item in items], add_special_tokens=False, return_offsets_mapping=True)
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    # Every window of every text, longest first so that a batch pads little.
    pieces = [(i, start, end) for i, ids in enumerate(encoded["input_ids"]) for start, end in _windows(len(ids), window, WINDOW_OVERLAP)]
    pieces.sort(key=lambda piece: piece[1] - piece[2])
    dimension = network.config.hidden_size
    states = [np.zeros((len(ids), dimension), dtype=np.float32) for ids in encoded["input_ids"]]
    distance: list[np.ndarray] = [np.full(len(ids), -1, dtype=np.int64) for ids in encoded["input_ids"]]
    specials: list[list[np.ndarray]] = [[] for _ in items]
    with torch.inference_mode():
        for b in range(0, len(pieces), batch_size):
            batch = pieces[b : b + batch_size]
            longest = max(end - start for _, start, end in batch) + 2
            ids = torch.zeros((len(batch), longest), dtype=torch.long)
            mask = torch.zeros((len(batch), longest), dtype=torch.long)
            for row, (i, start, end) in enumerate(batch):
                window_ids = [cls, *encoded["input_ids"][i][start:end], sep]
                ids[row, : len(window_ids)] = torch.tensor(window_ids)
                mask[row, : len(window_ids)] = 1
            hidden = network(input_ids=ids, attention_mask=mask).last_hidden_state.float().numpy()
            for row, (i, start, end) in enumerate(batch):
                count = end - start
                specials[i].append(hidden[row, [0, count + 1]])
                # Distance from the window's nearer edge: a token keeps the state of its most central window.
                positions = np.arange(count)
                centrality = np.minimum(positions, count - 1 - positions)
                better = np.flatnonzero(centrality > distance[i][start:end])
                states[i][start + better] = hidden[row, 1 + better]
                distance[i][start + better] = centrality[better]
    text_vectors = np.empty((len(items), dimension), dtype=np.float32)
    span_vectors: list[np.ndarray] = []
    for i, item in enumerate(items):
        tokens = states[i]
        # The passage: every token and the first window's [CLS] and [SEP], as the model's own mean pooling.
        pooled = np.vstack([tokens, specials[i][0]]).mean(axis=0) if specials[i] else tokens.mean(axis=0)
        text_vectors[i] = _unit(pooled)
        offsets = np.asarray(encoded["offset_mapping"][i], dtype=np.int64).reshape(-1, 2)
        vectors = np.empty((len(item.spans), dimension), dtype=np.float32)
        for j, (span_start, span_end) in enumerate(item.spans):
            inside = (offsets[:, 0] < span_end) & (offsets[:, 1] > span_start)
            vectors[j] = _unit(tokens[inside].mean(axis=0)) if inside.any() else text_vectors[i]
        span_vectors.append(vectors)
    return text_vectors, span_vectors


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
