"""The dense side of the index: which FAISS index a corpus gets (exact, or an IVF index calibrated to a
recall target), made from its vectors a block at a time, opened for answering, and searched one
question at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .calibration import BLOCK_ROWS, calibrated_choice
from .manifest import DenseSettings

# Up to this many passages the dense search is exact (IndexFlatIP); beyond it, an inverted-file index
# whose search depth is calibrated at build time (see ``calibration``).
FLAT_MAX_PASSAGES = 50_000
# Lists per square root of the vector count (4096 at a million), rounded to a power of two.
LISTS_PER_ROOT = 4
# Training points per list: faiss warns below 39; more only lengthen the training.
TRAINING_PER_LIST = 40


@dataclass(frozen=True)
class SearchDepth:
    """How deep an IVF search looks: the lists it probes, and how many candidates per result it
    re-ranks on the 8-bit codes (``k_factor``: 80 re-ranks 800 candidates for a top 10)."""

    nprobe: int
    k_factor: int


# Cheapest first; at a million passages: (128, 80) 0.85 ms, (192, 160) 1.8 ms, one thread.
SEARCH_CHOICES = tuple(
    SearchDepth(nprobe, k_factor)
    for nprobe, k_factor in (
        (16, 20), (24, 20), (32, 40), (48, 40), (64, 40), (96, 40), (96, 80), (128, 80),
        (192, 80), (192, 160), (256, 160), (384, 320),
    )
)

_answering = threading.local()


def dense_index(rows, question_like: Callable[[], np.ndarray]) -> tuple[object, DenseSettings]:
    """The FAISS index for the vectors ``rows`` (an array or an ``ArrayFile`` of float32 rows, read a
    block at a time), and its settings for the manifest: exact while small enough.

    Beyond FLAT_MAX_PASSAGES an exact search reads every vector per question (tens of ms at 100 000,
    hundreds at a million); an IVF index reads only the lists nearest the question. Its search depth
    is the least that finds the recall target of the exact top 10 for ``question_like()`` queries
    (asked for only then), and the recall reached is recorded.
    """
    import faiss

    count, dimension = rows.shape
    if count <= FLAT_MAX_PASSAGES:
        flat = faiss.IndexFlatIP(int(dimension))
        _add_in_blocks(flat, rows)
        return flat, DenseSettings(type="IndexFlatIP")
    lists = list_count(count)
    factory = ivf_factory(lists, int(dimension))
    ivf = faiss.index_factory(int(dimension), factory, faiss.METRIC_INNER_PRODUCT)
    picks = np.random.default_rng(0).choice(count, size=min(count, TRAINING_PER_LIST * lists), replace=False)
    ivf.train(_rows_at(rows, np.sort(picks)))
    _add_in_blocks(ivf, rows)
    queries = np.ascontiguousarray(question_like(), dtype=np.float32)
    depth, recall = calibrated_choice(ivf, rows, queries, SEARCH_CHOICES, set_depth)
    return ivf, DenseSettings(
        type="IndexRefine",
        factory=factory,
        nlist=lists,
        nprobe=min(depth.nprobe, lists),
        k_factor=depth.k_factor,
        calibration_recall_at_10=round(recall, 4),
        calibration_queries=len(queries),
    )


def ivf_factory(lists: int, dimension: int) -> str:
    """The FAISS factory string of the IVF index of ``lists`` lists (``list_count``) for vectors of ``dimension``.

    The lists hold 4-bit product-quantizer codes of each vector's residual to its list's centre (one
    sub-quantizer per 4 dimensions: 48 bytes at 384), scanned with SIMD lookups; the best ``k_factor``
    times k candidates are re-ranked on 8-bit codes of the vectors (a byte a dimension), whose scores
    are what answering sees (within 0.001 of float32's).
    """
    # Measured at a million synthetic passages against exact float search (200 SQuAD questions, one
    # thread): this index 0.984 at 1.5 ms and 0.986 at 1.85 ms in 449 MB; IVF with 8-bit codes alone
    # 0.985 at 4.4 ms in 406 MB; float32 lists 0.990 at 4.1 ms in 1.56 GB (the old IVF1024 needed
    # 6.6 ms for 0.988); float16 re-ranking 0.992 at 0.8 ms but in 833 MB; HNSW32 with 8-bit codes
    # 0.983 at 1.4 ms but read whole (0.44 s to load, 0.63 GB resident, 656 MB). The fastest at the
    # target among the smallest.
    parts = next(m for m in range(max(1, dimension // 4), 0, -1) if dimension % m == 0)
    return f"IVF{lists},PQ{parts}x4fsr,Refine(SQ8)"


def list_count(count: int) -> int:
    """How many lists an IVF index of ``count`` vectors has (at most one per TRAINING_PER_LIST vectors)."""
    return min(int(2 ** round(np.log2(LISTS_PER_ROOT * np.sqrt(count)))), max(1, count // TRAINING_PER_LIST))


def set_depth(index, depth: SearchDepth) -> None:
    """Make an IVF index of ``ivf_factory``'s kind search at ``depth``."""
    import faiss

    ivf = faiss.extract_index_ivf(index)
    ivf.nprobe = min(depth.nprobe, ivf.nlist)
    faiss.downcast_index(index).k_factor = float(depth.k_factor)


def _add_in_blocks(index, rows) -> None:
    """Add the float32 rows (an array or an ``ArrayFile``) to ``index``, BLOCK_ROWS at a time."""
    for start in range(0, len(rows), BLOCK_ROWS):
        index.add(np.ascontiguousarray(rows[start : start + BLOCK_ROWS], dtype=np.float32))


def _rows_at(rows, picks: np.ndarray) -> np.ndarray:
    """The rows ``picks`` (sorted) of an array or an ``ArrayFile``, as one float32 array."""
    if isinstance(rows, np.ndarray):
        return np.ascontiguousarray(rows[picks], dtype=np.float32)
    return np.ascontiguousarray(np.stack([rows[int(row)] for row in picks]), dtype=np.float32)


def open_dense(path: Path, settings: DenseSettings):
    """The FAISS index at ``path`` as the manifest describes it, ready to search."""
    import faiss

    if settings.nprobe is None or settings.k_factor is None:
        return faiss.read_index(str(path))
    # Memory-mapped, the lists and the 8-bit codes alike: a question reads only the lists it probes
    # and the codes of the candidates it re-ranks, and nothing else loads at start.
    vectors = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY)
    set_depth(vectors, SearchDepth(settings.nprobe, settings.k_factor))
    return vectors


def search_one(vectors, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest rows to one question vector and their scores, on one OpenMP thread.

    One question is too little work to share, and when the cores are busy, threads that wait on each
    other cost more than the search (15.6 ms against 0.35 ms for 10 000 vectors, measured on the loaded
    2-core machine). FAISS's thread count belongs to the calling thread (OpenMP's), so it is set once
    on each thread that answers, the first time it searches, and never changed back: a build's
    thread keeps every core for training its index.
    """
    if not getattr(_answering, "one_thread", False):
        import faiss

        faiss.omp_set_num_threads(1)
        _answering.one_thread = True
    scores, rows = vectors.search(query.reshape(1, -1).astype(np.float32), k)
    return scores[0], rows[0]
