"""The dense side of the index: which FAISS index a corpus gets (exact, or IVF calibrated to a recall
target), made from its vectors a block at a time, opened for answering, and searched one question at a time."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .calibration import BLOCK_ROWS, calibrated_nprobe
from .manifest import DenseSettings

# Up to this many passages the dense search is exact (IndexFlatIP); beyond it, an inverted-file index
# whose probe count is calibrated at build time (see ``calibration``).
FLAT_MAX_PASSAGES = 50_000
NPROBE_CHOICES = (8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
# Lists per square root of the vector count (4096 at a million), rounded to a power of two.
LISTS_PER_ROOT = 4
# Training points per list: faiss warns below 39; more only lengthen the training.
TRAINING_PER_LIST = 40

_answering = threading.local()


def dense_index(rows, question_like: Callable[[], np.ndarray]) -> tuple[object, DenseSettings]:
    """The FAISS index for the vectors ``rows`` (an array or an ``ArrayFile`` of float32 rows, read a
    block at a time), and its settings for the manifest: exact while small enough.

    Beyond FLAT_MAX_PASSAGES an exact search reads every vector per question (tens of ms at 100 000,
    hundreds at a million); an IVF index reads only the lists nearest the question. Its probe count is
    the smallest that finds the recall target of the exact top 10 for ``question_like()`` queries
    (asked for only then), and the recall reached is recorded.
    """
    import faiss

    count, dimension = rows.shape
    if count <= FLAT_MAX_PASSAGES:
        flat = faiss.IndexFlatIP(int(dimension))
        for start in range(0, count, BLOCK_ROWS):
            flat.add(np.ascontiguousarray(rows[start : start + BLOCK_ROWS], dtype=np.float32))
        return flat, DenseSettings(type="IndexFlatIP")
    ivf = _trained_ivf(rows)
    for start in range(0, count, BLOCK_ROWS):
        ivf.add(np.ascontiguousarray(rows[start : start + BLOCK_ROWS], dtype=np.float32))
    ivf.make_direct_map()  # so that reconstruct(row) works, as it does for the flat index
    queries = np.ascontiguousarray(question_like(), dtype=np.float32)
    nprobe, recall = calibrated_nprobe(ivf, rows, queries, NPROBE_CHOICES)
    return ivf, DenseSettings(
        type="IndexIVFScalarQuantizer",
        nlist=ivf.nlist,
        nprobe=nprobe,
        calibration_recall_at_10=round(recall, 4),
        calibration_queries=len(queries),
    )


def list_count(count: int) -> int:
    """How many lists an IVF index of ``count`` vectors has (at most one per TRAINING_PER_LIST vectors)."""
    return min(int(2 ** round(np.log2(LISTS_PER_ROOT * np.sqrt(count)))), max(1, count // TRAINING_PER_LIST))


def _trained_ivf(rows):
    """An empty IVF index over ``rows``'s space, its lists and codes trained on a uniform sample of the rows."""
    import faiss

    count, dimension = rows.shape
    nlist = list_count(count)
    quantizer = faiss.IndexFlatIP(int(dimension))
    # 8-bit codes of each vector's residual to its list's centre: a quarter of float32's size, 4096
    # lists and probes calibrated. Measured at a million passages against exact float search (SQuAD
    # questions, one thread): recall@10 0.983 at 3.7 ms and 0.985 at 4.4 ms (128 and 192 probes)
    # in 406 MB, where float32 lists reach 0.990 at 4.1 ms in 1.56 GB and float16 0.990 at 3.3 ms
    # in 790 MB; IVF-PQ48 with an exact re-rank of the top 100 stayed under 0.95, and HNSW32 with
    # 8-bit codes (0.983 at 1.4 ms) must be read whole: 0.44 s more to load, 0.63 GB more resident, 656 MB.
    ivf = faiss.IndexIVFScalarQuantizer(
        quantizer, int(dimension), nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    picks = np.sort(np.random.default_rng(0).choice(count, size=min(count, TRAINING_PER_LIST * nlist), replace=False))
    ivf.train(_rows_at(rows, picks))
    return ivf


def _rows_at(rows, picks: np.ndarray) -> np.ndarray:
    """The rows ``picks`` (sorted) of an array or an ``ArrayFile``, as one float32 array."""
    if isinstance(rows, np.ndarray):
        return np.ascontiguousarray(rows[picks], dtype=np.float32)
    return np.ascontiguousarray(np.stack([rows[int(row)] for row in picks]), dtype=np.float32)


def open_dense(path: Path, settings: DenseSettings):
    """The FAISS index at ``path`` as the manifest describes it, ready to search."""
    import faiss

    if settings.nprobe is None:
        return faiss.read_index(str(path))
    # Memory-mapped: a question reads only the lists it probes, and a million vectors neither load
    # at start nor count against memory until touched.
    vectors = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
    faiss.extract_index_ivf(vectors).nprobe = settings.nprobe
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
