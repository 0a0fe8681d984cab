"""Embed passages on a Ray cluster: the same vectors as a local build, from a pool of model workers.

``assistant index --ray ADDRESS`` sends the passages a build must embed (only the new or changed ones)
to a Ray cluster as Ray Data datasets (5 000 passages a worker each); ``map_batches`` runs them through a pool
of actors, each of which loads the model once a dataset and embeds its batches the way a local build
does (``late_chunking``). The vectors come back tagged with their passage's position, the build keeps
them on disk by it, and writes the same index folder through the same code. ``ADDRESS`` is a Ray address (``ray://host:10001``, ``auto``) or
``local``, which starts a throwaway Ray on this machine for the build and stops it after.

Faults: an actor that dies is restarted and its batch retried by Ray (Ray Data's actor pools restart
and retry without limit by default; a model that cannot load fails the build at once); a cluster that
cannot be reached, or that goes away during the build, is a ``ClusterError`` (one line, exit 2), and
the last good index stays where it is (the build swaps its new folder in only at the end).

Ray is an optional extra (``pip install -e '.[cluster]'``). Workers on other machines need this
package, its model and ``HF_HUB_OFFLINE=1``, as the machine that starts the build does.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from ..config import ClusterSettings, Precision
from ..errors import BuildCancelled, ClusterError
from ..models import BuildProgress, BuildStage, ProgressCallback
from .late_chunking import ChunkedText
from .model_location import ModelSpec
from .passage_embedding import EmbeddedBatch, PassageQueue
from .quantization import quantize

LOCAL = "local"
# Passages sent to the cluster as one dataset, per worker: the pool of actors starts afresh for each
# (a model load a worker, seconds), and 5 000 passages are about five minutes of a worker's time at 16
# passages a second. Within bounds: the driver holds a share's texts (about 1 KB a passage).
SHARE_PER_WORKER = 5_000
SHARE_BOUNDS = (20_000, 200_000)


def share_size(workers: int) -> int:
    """How many passages go to the cluster as one dataset."""
    low, high = SHARE_BOUNDS
    return min(max(SHARE_PER_WORKER * workers, low), high)
# How long a first TCP connection to a cluster's address may take: Ray itself retries an address that
# refuses for 30 s (ray://) or minutes (host:port) before it gives up.
CONNECT_TIMEOUT_S = 5.0


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ClusterError(
            "embedding on a Ray cluster needs Ray, an optional extra: pip install -e '.[cluster]' "
            "(or pip install 'ray[data,client]')"
        ) from exc
    return ray


@contextmanager
def connected(settings: ClusterSettings) -> Iterator[object]:
    """Ray, connected to the cluster (or a throwaway local one) for the length of the block."""
    # Ray's own logging (its C++ core at error level, Ray Data's progress at info) would interleave
    # with the build's progress on stderr: only fatal messages, and our own one-line errors, show.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    ray = _ray()
    _check_reachable(settings.address)
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    options = dict(include_dashboard=False, log_to_driver=False, configure_logging=False, logging_level=logging.ERROR)
    try:
        if settings.address == LOCAL:
            ray.init(num_cpus=settings.workers, **options)
        else:
            ray.init(address=settings.address, **options)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError by case
        raise ClusterError(f"cannot reach the Ray cluster at {settings.address} ({_first_line(exc)})") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


def _check_reachable(address: str) -> None:
    """A ``ClusterError`` at once when a host:port address (``ray://`` or a head's) does not answer."""
    if address in (LOCAL, "auto"):
        return  # Ray resolves these itself, and fails fast when there is nothing to find
    host, _, port = address.removeprefix("ray://").rpartition(":")  # the config checked its shape
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ClusterError(f"cannot reach the Ray cluster at {address} ({reason.lower()})") from exc


class _ModelWorker:
    """A Ray actor: loads the model once, then embeds batches of passages with their sentences the
    way a local build does (the same ``Embedder.encode_passages``)."""

    def __init__(self, spec: ModelSpec, batch_size: int, precision: Precision) -> None:
        import torch

        from .embedding import Embedder

        torch.set_num_threads(1)  # one actor a core: threads would only fight each other
        self.embedder = Embedder.load_spec(spec, batch_size, precision)

    def __call__(self, batch: dict) -> dict:
        items = [
            ChunkedText(str(text), tuple((int(a), int(b)) for a, b in np.asarray(spans).reshape(-1, 2)))
            for text, spans in zip(batch["text"], batch["spans"])
        ]
        passages, sentences = self.embedder.encode_passages(items)
        return {
            "position": batch["position"],
            "passage": passages,
            "sentences": np.array([s.tobytes() for s in sentences], dtype=object),
        }


class ClusterEmbedding:
    """A build's way of embedding its passages on a Ray cluster (``build_index``'s ``embed``).

    Made before the build reads any source, so that a missing Ray is told at once."""

    def __init__(self, settings: ClusterSettings, spec: ModelSpec, precision: Precision = "auto") -> None:
        _ray()
        self.settings, self.spec, self.precision = settings, spec, precision

    def __call__(
        self, queue: PassageQueue, progress: ProgressCallback, cancelled: Callable[[], bool]
    ) -> Generator[EmbeddedBatch, None, None]:
        """Every queued passage's vector and its sentences' (quantised as they arrive), from the
        cluster's workers, a batch at a time. The queue goes to the cluster a share at a time
        (``share_size``), so the driver never holds the passages of a big folder at once."""
        total = len(queue)
        progress(BuildProgress(stage=BuildStage.EMBED, done=0, total=total))
        done = 0
        with connected(self.settings) as ray:
            for positions, items in queue.batches(share_size(self.settings.workers)):
                for batch in self._share(ray, positions, items, cancelled):
                    yield batch
                    done += len(batch.positions)
                    progress(BuildProgress(stage=BuildStage.EMBED, done=done, total=total))

    def _share(
        self, ray, positions: np.ndarray, items: Sequence[ChunkedText], cancelled: Callable[[], bool]
    ) -> Iterator[EmbeddedBatch]:
        """One share's vectors as the workers return them; a ``ClusterError`` if the cluster fails or
        leaves a passage out."""
        arrived = 0
        try:
            for batch in self._dataset(ray, positions, items).iter_batches(batch_format="numpy", batch_size=None):
                if cancelled():
                    raise BuildCancelled("build cancelled; the previous index is unchanged")
                dimension = batch["passage"].shape[1]
                sentences = [quantize(np.frombuffer(blob, dtype=np.float32).reshape(-1, dimension)) for blob in batch["sentences"]]
                arrived += len(sentences)
                yield EmbeddedBatch(
                    positions=np.asarray(batch["position"], dtype=np.int64),
                    passages=np.asarray(batch["passage"], dtype=np.float32),
                    sentences=sentences,
                )
        except BuildCancelled:
            raise
        except Exception as exc:  # the cluster went away, or a worker failed past its retries
            raise ClusterError(
                f"the Ray cluster at {self.settings.address} failed during the build ({_first_line(exc)}); "
                "the previous index is unchanged"
            ) from exc
        if arrived != len(positions):
            raise ClusterError(
                f"the Ray cluster returned vectors for {arrived} of {len(positions)} passages; "
                "the previous index is unchanged"
            )

    def _dataset(self, ray, positions: np.ndarray, items: Sequence[ChunkedText]):
        """Passages (longest first, as the queue gives them: batches of like lengths pad little) as a Ray
        dataset, mapped through the pool of model actors."""
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        rows = [
            {"position": int(position), "text": item.text, "spans": np.asarray(item.spans, dtype=np.int64).reshape(-1)}
            for position, item in zip(positions, items)
        ]
        return ray.data.from_items(rows).map_batches(
            _ModelWorker,
            fn_constructor_args=(self.spec, self.settings.batch_size, self.precision),
            batch_size=self.settings.batch_size,
            concurrency=self.settings.workers,
            batch_format="numpy",
        )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__
