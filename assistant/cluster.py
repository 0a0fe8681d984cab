"""Embed passages on a Ray cluster: the same vectors as a local build, from a pool of model workers.

``assistant index --ray ADDRESS`` sends the passages a build must embed (only the new or changed ones)
to a Ray cluster as a Ray Data dataset; ``map_batches`` runs them through a pool of actors, each of
which loads the model once and embeds its batches the way a local build does (``late_chunking``). The
vectors come back tagged with their position, are put back in order, and the build writes the same
index folder through the same code. ``ADDRESS`` is a Ray address (``ray://host:10001``, ``auto``) or
``local``, which starts a throwaway Ray on this machine for the build and stops it after.

Faults: an actor that dies is restarted and its batch retried by Ray (Ray Data's actor pools restart
and retry without limit by default; a model that cannot load fails the build at once); a cluster that cannot be reached,
or that goes away during the build, is a ``ClusterError`` (one line, exit 2), and the last good index
stays where it is (the build swaps its new folder in only at the end).

Ray is an optional extra (``pip install -e '.[cluster]'``). Workers on other machines need this
package, its model and ``HF_HUB_OFFLINE=1``, as the machine that starts the build does.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from .errors import AssistantError
from .late_chunking import ChunkedText

LOCAL = "local"


class ClusterError(AssistantError):
    """The Ray cluster cannot be used: not installed, not reachable, or gone during the build."""

    exit_code = 2


@dataclass(frozen=True)
class ClusterSettings:
    """Where the cluster is and how to use it."""

    address: str
    workers: int = 2
    batch_size: int = 32


def _ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise ClusterError(
            "--ray needs Ray, which is an optional extra: pip install -e '.[cluster]' (or pip install 'ray[data]')"
        ) from exc
    return ray


@contextmanager
def connected(settings: ClusterSettings) -> Iterator[object]:
    """Ray, connected to the cluster (or a throwaway local one) for the length of the block."""
    # Ray's own logging (its C++ core at error level, Ray Data's progress at info) would interleave
    # with the build's progress on stderr: only fatal messages, and our own one-line errors, show.
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    ray = _ray()
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    local = settings.address == LOCAL
    options = dict(include_dashboard=False, log_to_driver=False, configure_logging=False, logging_level=logging.ERROR)
    try:
        if local:
            ray.init(num_cpus=max(settings.workers, 1), **options)
        else:
            ray.init(address=settings.address, **options)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError by case
        raise ClusterError(f"cannot reach the Ray cluster at {settings.address} ({_first_line(exc)})") from exc
    try:
        yield ray
    finally:
        ray.shutdown()


class _ModelWorker:
    """A Ray actor: loads the model once, then embeds batches of passages with their sentences."""

    def __init__(self, model_location: str) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(1)  # one actor a core: threads would only fight each other
        self.model = SentenceTransformer(model_location, device="cpu", local_files_only=True)

    def __call__(self, batch: dict) -> dict:
        from .late_chunking import late_chunked

        items = [
            ChunkedText(str(text), tuple((int(a), int(b)) for a, b in np.asarray(spans).reshape(-1, 2)))
            for text, spans in zip(batch["text"], batch["spans"])
        ]
        passages, sentences = late_chunked(self.model, items)
        return {
            "position": batch["position"],
            "passage": passages,
            "sentences": np.array([s.tobytes() for s in sentences], dtype=object),
        }


def embed_on_cluster(
    settings: ClusterSettings,
    model_location: str,
    items: Sequence[ChunkedText],
    dimension: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each item's vector and its spans' vectors, computed by the cluster's workers, in the items' order."""
    report = progress or (lambda _done, _total: None)
    passages = np.zeros((len(items), dimension), dtype=np.float32)
    sentences: list[np.ndarray | None] = [None] * len(items)
    if not items:
        return passages, []
    with connected(settings) as ray:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        rows = [
            {"position": i, "text": item.text, "spans": np.asarray(item.spans, dtype=np.int64).reshape(-1)}
            for i, item in enumerate(items)
        ]
        dataset = ray.data.from_items(rows).map_batches(
            _ModelWorker,
            fn_constructor_args=(model_location,),
            batch_size=settings.batch_size,
            concurrency=max(settings.workers, 1),
            batch_format="numpy",
        )
        done = 0
        report(0, len(items))
        try:
            for batch in dataset.iter_batches(batch_format="numpy", batch_size=None):
                for position, vector, blob in zip(batch["position"], batch["passage"], batch["sentences"]):
                    passages[int(position)] = vector
                    sentences[int(position)] = np.frombuffer(blob, dtype=np.float32).reshape(-1, dimension)
                done += len(batch["position"])
                report(done, len(items))
        except Exception as exc:  # the cluster went away, or a worker failed past its retries
            raise ClusterError(f"the Ray cluster at {settings.address} failed during the build ({_first_line(exc)}); the previous index is unchanged") from exc
    missing = [i for i, s in enumerate(sentences) if s is None]
    if missing:
        raise ClusterError(f"the Ray cluster returned no vectors for {len(missing)} passages; the previous index is unchanged")
    return passages, [s for s in sentences if s is not None]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0][:160] if text else type(exc).__name__)
