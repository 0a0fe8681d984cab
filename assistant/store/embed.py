"""The build's embedding step, one seam (``EmbedPassages``): passages in (each with its sentences'
spans), one vector a passage and one a sentence out, progress reported as it goes, stopped when the
caller cancels. The model itself (``LocalEmbedding``, over ``Embedder``) or a Ray cluster
(``cluster.ClusterEmbedding``) stands behind it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from ..errors import BuildCancelled
from ..late_chunking import ChunkedText
from ..models import BuildProgress, BuildStage, ProgressCallback
from .quantized_rows import quantize

# Passages embedded between two progress reports (and two looks at the cancel flag).
EMBED_STEP = 256

# A way of embedding a build's passages: given the passages, the progress callback and the cancel
# flag, their vectors (float32) and their sentences' vectors (quantised records, ``quantize``), in the
# passages' order. Sentences are quantised as they come: at 4 bits they take an eighth of float32's
# memory until the build writes them.
EmbedPassages = Callable[[Sequence[ChunkedText], ProgressCallback, Callable[[], bool]], tuple[np.ndarray, list[np.ndarray]]]


class PassageEncoder(Protocol):
    """What embeds passages: the model (``Embedder``), or anything that gives the same vectors."""

    dimension: int

    def encode_passages(self, items: Sequence[ChunkedText]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each passage's unit-length float32 vector, and its sentences' (one row a span)."""
        ...


def embed_passages(
    items: Sequence[ChunkedText], encoder: PassageEncoder, *, progress: ProgressCallback, cancelled: Callable[[], bool]
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Every passage's vector and its sentences' vectors (quantised as they come), in order;
    ``BuildCancelled`` as soon as ``cancelled()`` says so. Passages go to the encoder longest first, a
    step at a time, so that each batch pads little; the results go back in the passages' order."""
    order = sorted(range(len(items)), key=lambda i: -len(items[i].text))
    passages = np.empty((len(items), encoder.dimension), dtype=np.float32)
    sentences: list[np.ndarray] = [quantize(np.empty((0, encoder.dimension), dtype=np.float32))] * len(items)
    progress(BuildProgress(stage=BuildStage.EMBED, done=0, total=len(items)))
    for start in range(0, len(items), EMBED_STEP):
        if cancelled():
            raise BuildCancelled("build cancelled; the previous index is unchanged")
        chosen = order[start : start + EMBED_STEP]
        vectors, spans = encoder.encode_passages([items[i] for i in chosen])
        passages[chosen] = vectors
        for i, rows in zip(chosen, spans):
            sentences[i] = quantize(rows)
        progress(BuildProgress(stage=BuildStage.EMBED, done=min(start + EMBED_STEP, len(items)), total=len(items)))
    return passages, sentences


class LocalEmbedding:
    """The build's embedding on this machine: ``embed_passages`` with the encoder ``load`` gives, which is
    loaded only when there is something to embed."""

    def __init__(self, load: Callable[[], PassageEncoder]) -> None:
        self._load = load

    def __call__(
        self, items: Sequence[ChunkedText], progress: ProgressCallback, cancelled: Callable[[], bool]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        return embed_passages(items, self._load(), progress=progress, cancelled=cancelled)
