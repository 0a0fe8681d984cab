"""The dense side of the index: which FAISS index a corpus gets (exact, or IVF calibrated to a recall
target), opening it for answering, and searching it one question at a time."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from .manifest import DenseSettings

# Up to this many passages the dense search is exact (IndexFlatIP); beyond it, an inverted-file index
# (IndexIVFFlat) whose probe count is calibrated at build time to a recall@10 of RECALL_TARGET.
FLAT_MAX_PASSAGES = 50_000
RECALL_TARGET = 0.99
CALIBRATION_QUERIES = 256
NPROBE_CHOICES = (8, 16, 24, 32, 48, 64, 96, 128, 192, 256)
# Vectors added to (and compared against) at a time: a million of them never sit in one temporary.
BLOCK_ROWS = 100_000

_answering = threading.local()


def dense_index(passage_matrix: np.ndarray, query_like: np.ndarray) -> tuple[object, DenseSettings]:
    """The FAISS index for these vectors, and its settings for the manifest: exact while small enough.

    Beyond FLAT_MAX_PASSAGES an exact search reads every vector per question (tens of ms at 100 000,
    hundreds at a million); an IVF index reads only the lists nearest the question. Its probe count is
    the smallest that finds RECALL_TARGET of the exact top 10 for sentences of the corpus asked as
    questions (``query_like``), and the recall reached is recorded.
    """
    import faiss

    count, dimension = passage_matrix.shape
    if count <= FLAT_MAX_PASSAGES:
        flat = faiss.IndexFlatIP(int(dimension))
        flat.add(passage_matrix)
        return flat, DenseSettings(type="IndexFlatIP")
    rng = np.random.default_rng(0)
    ivf = _trained_ivf(passage_matrix, rng)
    for start in range(0, count, BLOCK_ROWS):
        ivf.add(np.ascontiguousarray(passage_matrix[start : start + BLOCK_ROWS], dtype=np.float32))
    ivf.make_direct_map()  # so that reconstruct(row) works, as it does for the flat index
    source = query_like if len(query_like) else passage_matrix
    picks = np.sort(rng.choice(len(source), size=min(CALIBRATION_QUERIES, len(source)), replace=False))
    queries = np.ascontiguousarray(source[picks], dtype=np.float32)
    nprobe, recall = _calibrated_nprobe(ivf, passage_matrix, queries)
    return ivf, DenseSettings(
        type="IndexIVFFlat",
        nlist=ivf.nlist,
        nprobe=nprobe,
        calibration_recall_at_10=round(recall, 4),
        calibration_queries=len(queries),
    )


def _trained_ivf(passage_matrix: np.ndarray, rng: np.random.Generator):
    import faiss

    count, dimension = passage_matrix.shape
    # About sqrt(n) lists (1024 at a million), at most one per 39 vectors (the fewest training
    # points a list needs, faiss's own rule). More lists scan fewer vectors per probe, but the probe
    # count calibrated on the corpus's sentences then falls short for real questions, which lie
    # farther from the passages: measured at a million with 4096 lists, recall@10 0.993 on sentences
    # and 0.952 on questions at 32 probes (0.98 needed 64 probes, 6.4 ms against 8.4 ms with 1024
    # lists at 0.984), and training took 100 s more.
    nlist = min(int(2 ** round(np.log2(np.sqrt(count)))), max(1, count // 39))
    quantizer = faiss.IndexFlatIP(int(dimension))
    ivf = faiss.IndexIVFFlat(quantizer, int(dimension), nlist, faiss.METRIC_INNER_PRODUCT)
    training = passage_matrix[np.sort(rng.choice(count, size=min(count, 40 * nlist), replace=False))]
    ivf.train(np.ascontiguousarray(training, dtype=np.float32))
    return ivf


def _calibrated_nprobe(ivf, passage_matrix: np.ndarray, queries: np.ndarray) -> tuple[int, float]:
    """The fewest probes that reach RECALL_TARGET against exact search (or the most tried), and the recall."""
    exact = exact_top10(passage_matrix, queries)
    nprobe, recall = NPROBE_CHOICES[-1], 0.0
    for choice in NPROBE_CHOICES:
        ivf.nprobe = min(choice, ivf.nlist)
        _, found = ivf.search(queries, 10)
        recall = sum(len(set(f) & set(e)) for f, e in zip(found.tolist(), exact.tolist())) / exact.size
        nprobe = ivf.nprobe
        if recall >= RECALL_TARGET:
            break
    return int(nprobe), recall


def exact_top10(matrix, queries: np.ndarray) -> np.ndarray:
    """The rows of the 10 vectors nearest each query by inner product, exactly; ``matrix`` is anything
    that slices into float rows (an array, a memory map), read a block at a time."""
    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_rows = np.zeros((len(queries), 10), dtype=np.int64)
    for start in range(0, len(matrix), BLOCK_ROWS):
        scores = queries @ np.asarray(matrix[start : start + BLOCK_ROWS], dtype=np.float32).T
        rows = np.broadcast_to(np.arange(start, start + scores.shape[1]), scores.shape)
        merged_scores = np.concatenate([best_scores, scores], axis=1)
        merged_rows = np.concatenate([best_rows, rows], axis=1)
        top = np.argpartition(-merged_scores, 9, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged_scores, top, axis=1)
        best_rows = np.take_along_axis(merged_rows, top, axis=1)
    return best_rows


def open_dense(path: Path, settings: DenseSettings):
    """The FAISS index at ``path`` as the manifest describes it, ready to search."""
    import faiss

    if settings.nprobe is None:
        return faiss.read_index(str(path))
    # Memory-mapped: a question reads only the lists it probes, and a million vectors (1.5 GB)
    # neither load at start nor count against memory until touched.
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
