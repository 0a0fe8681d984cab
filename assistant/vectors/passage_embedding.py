"""The build's embedding step, one seam (``EmbedPassages``): a queue of passages in (each with its
sentences' spans), batches of vectors out as they are made, one a passage and one a sentence, each
tagged with its passage's position in the queue; progress reported as it goes, stopped when the caller
cancels. The model itself (``LocalEmbedding``, over ``Embedder``) or a Ray cluster
(``cluster.ClusterEmbedding``) stands behind it. Nothing is held whole: the build keeps each batch on
disk (``store.scratch.FreshVectors``) as it comes."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import BuildCancelled
from ..models import BuildProgress, BuildStage, ProgressCallback
from .late_chunking import ChunkedText
from .quantization import quantize

# Passages embedded between two progress reports (and two looks at the cancel flag): at most this many,
# and no more text than this many characters, so that a step takes about a second on two cores
# whatever the passages' length (a cancel is seen within one step).
EMBED_STEP = 256
EMBED_STEP_CHARS = 12_000


@dataclass(frozen=True)
class EmbeddedBatch:
    """Vectors of some queued passages: their positions in the queue, one float32 unit row a passage,
    and its sentences' vectors as quantised records (``quantize``: at 4 bits an eighth of float32's
    memory until the build writes them)."""

    positions: np.ndarray
    passages: np.ndarray
    sentences: list[np.ndarray]


class PassageQueue(Protocol):
    """The passages a build must embed (``store.scratch.EmbedQueue``)."""

    def __len__(self) -> int: ...

    def batches(self, size: int, max_chars: int | None = None) -> Iterator[tuple[np.ndarray, list[ChunkedText]]]:
        """The passages ``size`` at a time (and no more than ``max_chars`` of text), longest first: each
        batch's positions and its passages."""
        ...


# A way of embedding a build's passages: given the queue, the progress callback and the cancel flag,
# the vectors of every queued passage, a batch at a time, in any order. A generator: the build closes it
# when it stops early, so that it lets go of what it holds (a cluster).
EmbedPassages = Callable[[PassageQueue, ProgressCallback, Callable[[], bool]], Generator[EmbeddedBatch, None, None]]


class PassageEncoder(Protocol):
    """What embeds passages: the model (``Embedder``), or anything that gives the same vectors."""

    dimension: int

    def encode_passages(self, items: Sequence[ChunkedText]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each passage's unit-length float32 vector, and its sentences' (one row a span)."""
        ...


def embed_passages(
    queue: PassageQueue, encoder: PassageEncoder, *, progress: ProgressCallback, cancelled: Callable[[], bool]
) -> Generator[EmbeddedBatch, None, None]:
    """Every queued passage's vector and its sentences' (quantised as they come), a step at a time,
    longest first, so that each batch pads little; ``BuildCancelled`` as soon as ``cancelled()`` says so."""
    total = len(queue)
    progress(BuildProgress(stage=BuildStage.EMBED, done=0, total=total))
    done = 0
    for positions, items in queue.batches(EMBED_STEP, EMBED_STEP_CHARS):
        if cancelled():
            raise BuildCancelled("build cancelled; the previous index is unchanged")
        vectors, spans = encoder.encode_passages(items)
        yield EmbeddedBatch(positions=positions, passages=vectors, sentences=[quantize(rows) for rows in spans])
        done += len(items)
        progress(BuildProgress(stage=BuildStage.EMBED, done=done, total=total))


class LocalEmbedding:
    """The build's embedding on this machine: ``embed_passages`` with the encoder ``load`` gives, which is
    loaded only when there is something to embed."""

    def __init__(self, load: Callable[[], PassageEncoder]) -> None:
        self._load = load

    def __call__(
        self, queue: PassageQueue, progress: ProgressCallback, cancelled: Callable[[], bool]
    ) -> Generator[EmbeddedBatch, None, None]:
        return embed_passages(queue, self._load(), progress=progress, cancelled=cancelled)
