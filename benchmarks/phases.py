"""The measured phases, each run in its own process so that its peak RSS is its own.

``python -m benchmarks.phases build|query PROJECT_DIR SIZE REAL`` prints one JSON object on its last line;
REAL is 1 when the project's sources are to be embedded for real, 0 when the index is synthesized.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

QUERY_COUNT = 200
WARMUP = 20
RECALL_QUERIES = 200


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def texts_to_embed(config) -> list[str]:
    """The texts a fresh build of this config embeds, as the build itself plans them: one a distinct
    passage (its sentences' vectors come out of the same pass of the model)."""
    import tempfile

    from assistant.store.plan import plan_build

    with tempfile.TemporaryDirectory() as folder:
        plan = plan_build(config, embedder_name(config), Path(folder), rebuild=True)
        try:
            return [item.text for _, items in plan.queue.batches(4096) for item in items]
        finally:
            plan.close()


def build_real(project: Path) -> dict:
    """Index the project's sources with the real model; beside it, the bare encode of the same texts."""
    from assistant import Assistant

    assistant = Assistant.open(project / "config.toml")
    embedder = assistant.load_model()
    texts = texts_to_embed(assistant.config)
    model = embedder.sentence_transformer
    model.encode(texts[:64], batch_size=embedder.batch_size)  # warm the kernels once for both runs

    def bare_encode() -> float:
        t0 = time.perf_counter()
        model.encode(texts, batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return time.perf_counter() - t0

    # The floor is timed before and after the build and averaged: on a shared machine one run of
    # either varies by 5-10%, and drift then cancels out of the ratio.
    floor_before = bare_encode()
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "scan"]

    def progress(step) -> None:
        now = time.perf_counter()
        if step.stage != last[1]:
            stages[last[1]] = stages.get(last[1], 0.0) + now - last[0]
            last[:] = [now, step.stage]

    t0 = time.perf_counter()
    report = assistant.build_index(rebuild=True, progress=progress)
    seconds = time.perf_counter() - t0
    stages[last[1]] = stages.get(last[1], 0.0) + time.perf_counter() - last[0]
    floor = (floor_before + bare_encode()) / 2
    # The question encoder's export is once per index, like loading the model: a fixed cost, shown
    # on its own, and left out of the throughput that is compared with the bare encode.
    export_s = stages.get("export", 0.0)
    return {
        "synthetic": False,
        "passages": report.passages,
        "texts_embedded": len(texts),
        "build_s": seconds,
        "build_stages_s": stages,
        "export_s": export_s,
        "encode_floor_s": floor,
        "passages_per_s": report.passages / (seconds - export_s),
        "floor_passages_per_s": report.passages / floor,
        "build_vs_floor": floor / (seconds - export_s),
        "build_peak_rss_mb": peak_rss_mb(),
    }


def build_synthetic(project: Path, size: int) -> dict:
    """Lay out an index of ``size`` synthetic passages (real sentences, perturbed real vectors), through
    the build's own streaming writer; the passages' float32 vectors are kept beside it for the recall check."""
    from assistant.config import load_config
    from assistant.store.calibration import PassageSample
    from assistant.store.encoder_export import export_question_encoder
    from assistant.store.folder import fsync_tree
    from assistant.store.layout import PASSAGES
    from assistant.store.manifest import expected_settings
    from assistant.store.passage_table import PassageTableWriter
    from assistant.store.question_encoder import QuestionEncoder
    from assistant.store.write import IndexRecord, RowCounts, SearchContents, finish_index_folder
    from assistant.vectors.embedding import Embedder

    from .corpus import SyntheticCorpus, real_sentences

    config = load_config(project / "config.toml")
    model_name = embedder_name(config)
    embedder = Embedder.load(config)
    sentences = real_sentences()
    t0 = time.perf_counter()
    vectors = embedder.encode(sentences)
    real_encode = time.perf_counter() - t0
    corpus = SyntheticCorpus(vectors, sentences, size)
    index_dir = config.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    encoder_entry = export_question_encoder(embedder, index_dir)
    export_s = time.perf_counter() - t0
    del embedder

    def encode_questions(texts):
        return QuestionEncoder.open(index_dir, encoder_entry).encode_queries(texts)

    t0 = time.perf_counter()
    sample = PassageSample()
    with PassageTableWriter(index_dir / PASSAGES) as table:  # as the build's plan writes it
        for row, passage in enumerate(corpus.passages()):
            sample.see(passage)
            table.append(passage, f"{row:032x}")
    with exact_vectors_writer(project, size, vectors.shape[1]) as exact:
        finish_index_folder(
            index_dir,
            SearchContents(
                vectors=kept_aside(corpus.vector_blocks(), exact),
                dimension=vectors.shape[1],
                lexical_texts=corpus.texts(),
                calibration_queries=lambda: encode_questions(sample.question_like()),
            ),
            RowCounts(passages=table.rows, sentences=table.sentences),
            IndexRecord(model_name, expected_settings(config, model_name), -(-size // 20), {}, encoder_entry),
        )
    fsync_tree(index_dir)  # as a build does before its swap
    write_s = time.perf_counter() - t0
    # The benchmark's own file too: else the kernel writes its gigabytes back while questions are timed.
    fsync_tree(exact_vectors_path(project).parent)
    return {
        "synthetic": True,
        "passages": size,
        "real_sentences": len(sentences),
        "real_sentence_encode_s": real_encode,
        "export_s": export_s,
        "write_s": write_s,
        "write_passages_per_s": size / write_s,
        "build_peak_rss_mb": peak_rss_mb(),
    }


def exact_vectors_path(project: Path) -> Path:
    """Where a synthetic build keeps its passages' float32 vectors, outside the index, for the recall check."""
    return project / "scratch" / "passage_vectors.npy"


def exact_vectors_writer(project: Path, size: int, dimension: int):
    from assistant.store.array_file import ArrayFileWriter

    exact_vectors_path(project).parent.mkdir(exist_ok=True)
    return ArrayFileWriter(exact_vectors_path(project), np.dtype(np.float32), (size, dimension))


def kept_aside(blocks, writer):
    """The blocks, passed on, their passage vectors written to ``writer`` on the way."""
    for block in blocks:
        writer.append(block.passages)
        yield block


def embedder_name(config) -> str:
    from assistant.vectors.embedding import resolve_model

    return resolve_model(config).name


def query(project: Path) -> dict:
    """Warm question → answer latency over real questions, beside the bare encode + FAISS search floor
    (the retrieval figures: the reader off); then the same questions with the reader, apart."""
    from assistant import Assistant

    from .corpus import questions

    assistant = Assistant.open(project / "config.toml").with_reader(False)
    t0 = time.perf_counter()
    index = assistant.load_index()
    load_s = time.perf_counter() - t0
    rss_after_load = current_rss_mb()
    encoder = assistant.load_question_encoder()
    asked = questions(QUERY_COUNT + WARMUP)
    for question in asked[:WARMUP]:
        assistant.ask(question)
    total, embed, search, answer = [], [], [], []
    for question in asked[WARMUP:]:
        t0 = time.perf_counter()
        result = assistant.ask(question)
        total.append((time.perf_counter() - t0) * 1000)
        embed.append(result.timings.embed)
        search.append(result.timings.search)
        answer.append(result.timings.answer)
    # The floor: the bare encode of the question by the encoder answering uses (the index's ONNX
    # export, one thread), and the bare FAISS search, one thread.
    import faiss

    faiss.omp_set_num_threads(1)
    floor = []
    for question in asked[WARMUP:]:
        t0 = time.perf_counter()
        vector = encoder.encode_query(question)
        index.vectors.search(vector[None, :], 20)
        floor.append((time.perf_counter() - t0) * 1000)
    # Taken before the recall check (which reads every vector) and before torch is loaded for its
    # encode alone: answering does neither.
    peak = peak_rss_mb()
    recall = dense_recall(index, encoder, asked[WARMUP : WARMUP + RECALL_QUERIES], project)
    out = {
        "questions": len(total),
        "load_s": load_s,
        "rss_after_load_mb": rss_after_load,
        "median_ms": statistics.median(total),
        "p95_ms": percentile(total, 0.95),
        "embed_ms": statistics.median(embed),
        "search_ms": statistics.median(search),
        "search_p95_ms": percentile(search, 0.95),
        "answer_ms": statistics.median(answer),
        "floor_ms": statistics.median(floor),
        "latency_vs_floor": statistics.median(total) / statistics.median(floor),
        "peak_rss_mb": peak,
        "index_bytes": folder_bytes(assistant.config.index_dir),
        "faiss": index.manifest.faiss.model_dump(exclude_none=True),
        "question_encoder": type(encoder).__name__,
        "recall_at_10": recall,
        "torch_encode_ms": torch_encode_ms(assistant, asked[WARMUP:]),
    }
    out.update(reader_figures(assistant.with_reader(True), asked))
    return out


def reader_figures(assistant, asked: list[str]) -> dict:
    """The warm answer with the reader on: its median, the reader's share (milliseconds and tokens a
    question), and the bare ONNX forward over the same windows (tokenized beforehand, no decoding)."""
    from assistant.answers.reader import feed
    from assistant.answers.reading import window_around

    reader = assistant.load_reader()
    for question in asked[:WARMUP]:
        assistant.ask(question)
    total, read, tokens, bare = [], [], [], []
    for question in asked[WARMUP:]:
        t0 = time.perf_counter()
        trace = assistant.trace(question)
        total.append((time.perf_counter() - t0) * 1000)
        read.append(trace.answer.timings.read)
        if trace.read is None or not trace.read.centres:
            continue
        tokens.append(trace.read.tokens)
        windows = reader.windows(question, [window_around(c) for c in trace.read.centres])
        inputs = feed([encoding for _, encoding in windows])
        t0 = time.perf_counter()
        reader.run(inputs)
        bare.append((time.perf_counter() - t0) * 1000)
    read_ms = statistics.median(read)
    bare_ms = statistics.median(bare) if bare else 0.0
    return {
        "reader_median_ms": statistics.median(total),
        "reader_p95_ms": percentile(total, 0.95),
        "read_ms": read_ms,
        "read_tokens": statistics.median(tokens) if tokens else 0,
        "bare_forward_ms": bare_ms,
        "read_vs_bare": read_ms / bare_ms if bare_ms else None,
    }


def torch_encode_ms(assistant, asked: list[str]) -> float:
    """The median encode of one question by the model itself (torch, one thread), for comparison."""
    embedder = assistant.load_model().for_questions()
    times = []
    for question in asked:
        t0 = time.perf_counter()
        embedder.encode_query(question)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def current_rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Reconstructed:
    """The vectors of a FAISS index, sliced as rows (a block reconstructed at a time)."""

    def __init__(self, vectors) -> None:
        self.vectors = vectors

    def __len__(self) -> int:
        return self.vectors.ntotal

    def __getitem__(self, rows: slice) -> np.ndarray:
        start, stop, _ = rows.indices(len(self))
        return self.vectors.reconstruct_n(start, stop - start)


def dense_recall(index, encoder, asked: list[str], project: Path) -> float | None:
    """Recall@10 of the index's FAISS search against exact search over the passages' float32 vectors
    (kept beside a synthetic index; else those the index gives back); None when the search is exact."""
    import faiss

    from assistant.store.array_file import ArrayFile
    from assistant.store.calibration import exact_top10, recall_at_10

    if isinstance(index.vectors, faiss.IndexFlat):
        return None
    queries = encoder.encode_queries(asked).astype(np.float32)
    _, found = index.vectors.search(queries, 10)
    kept = exact_vectors_path(project)
    exact = exact_top10(ArrayFile(kept) if kept.exists() else _Reconstructed(index.vectors), queries)
    return recall_at_10(found, exact)


def main(argv: list[str]) -> None:
    phase, project, size, real = argv[0], Path(argv[1]), argv[2], argv[3] == "1"
    if phase == "build":
        result = build_real(project) if real else build_synthetic(project, int(size))
    else:
        result = query(project)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
