"""The build's embedding step, one seam: texts in, one vector a text out, progress reported as it goes,
stopped when the caller cancels. Another way of embedding (a pool of processes, a cluster) is another
function of this shape, or another object with ``encode`` and ``dimension``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from ..errors import BuildCancelled
from ..models import BuildProgress, BuildStage, ProgressCallback

# Texts embedded between two progress reports (and two looks at the cancel flag).
EMBED_STEP = 512


class TextEncoder(Protocol):
    """What embeds texts: the model (``Embedder``), or anything that gives the same vectors."""

    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row a text."""
        ...


def embed_texts(
    texts: Sequence[str], encoder: TextEncoder, *, progress: ProgressCallback, cancelled: Callable[[], bool]
) -> np.ndarray:
    """One vector a text, in order; ``BuildCancelled`` as soon as ``cancelled()`` says so."""
    vectors = np.empty((len(texts), encoder.dimension), dtype=np.float32)
    progress(BuildProgress(stage=BuildStage.EMBED, done=0, total=len(texts)))
    for start in range(0, len(texts), EMBED_STEP):
        if cancelled():
            raise BuildCancelled("build cancelled; the previous index is unchanged")
        vectors[start : start + EMBED_STEP] = encoder.encode(texts[start : start + EMBED_STEP])
        done = min(start + EMBED_STEP, len(texts))
        progress(BuildProgress(stage=BuildStage.EMBED, done=done, total=len(texts)))
    return vectors
