"""What makes a large index possible, on small real data: the SQLite passage table read on demand,
BM25 read from its own files (no bm25s at query time), and the approximate FAISS index chosen by size
(calibrated, recorded in the manifest). Speed itself is the benchmark's business (python -m benchmarks)."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

import assistant.store.calibration as calibration_module
import assistant.store.dense as dense_module
from assistant import Assistant
from assistant.config import load_config
from assistant.errors import IndexCorruptError, Remedy
from assistant.store.bm25 import LexicalIndex, write_lexical_index
from assistant.store.calibration import RECALL_TARGET
from assistant.store.dense import dense_index
from assistant.store.layout import PASSAGES, SENTENCE_VECTORS
from assistant.store.lexical import tokenize
from assistant.store.loaded import load_index
from assistant.store.passage_table import PassageTable

from cli_runner import run_cli
from projects import DATA, SAMPLE_FILE, SAMPLE_SOURCES

QUESTION = "How long is the temporary document valid?"
NORMANS_QUESTION = "In what country is Normandy located?"


def test_the_passage_table_gives_back_every_passage_exactly(sample_project):
    index = load_index(load_config(sample_project), "all-MiniLM-L6-v2")
    text = (SAMPLE_SOURCES / SAMPLE_FILE).read_text(encoding="utf-8")
    rows = list(index.passages)
    assert len(rows) == len(index.passages) == index.vectors.ntotal
    first_sentence = 0
    for row, passage in enumerate(rows):
        assert text[passage.start : passage.end] == passage.text
        assert all(text[s.start : s.end] == s.text for s in passage.sentences)
        assert index.passages[row] == passage
        assert index.passages.sentence_ranges([row]) == {row: (first_sentence, len(passage.sentences))}
        first_sentence += len(passage.sentences)
    assert first_sentence == index.sentence_vectors.shape[0]
    assert index.passages[-1] == rows[-1]
    with pytest.raises(IndexError):
        index.passages[len(rows)]


def test_the_passage_table_is_plain_sqlite(sample_project):
    path = sample_project.parent / "index" / PASSAGES
    with sqlite3.connect(path) as db:
        source, text, spans = db.execute("SELECT source, text, sentences FROM passages WHERE row = 0").fetchone()
    assert source == SAMPLE_FILE and text and json.loads(spans)


def test_a_row_that_does_not_parse_is_a_corrupt_index(sample_project):
    path = sample_project.parent / "index" / PASSAGES
    with sqlite3.connect(path) as db:
        db.execute("UPDATE passages SET sentences = 'not json' WHERE row = 3")
    table = PassageTable(path, _count(path))
    with pytest.raises(IndexCorruptError) as raised:
        table[3]
    assert raised.value.remedy is Remedy.REBUILD


def _count(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM passages").fetchone()[0]


def test_lexical_search_read_from_the_files_ranks_as_bm25s_does(tmp_path):
    texts = [f"harbour {'crane ' * (i % 4)}ship {'dock' if i % 3 else ''} berth{i % 7}" for i in range(60)] + ["nothing relevant"]
    import bm25s

    write_lexical_index(tmp_path, texts)
    loaded = LexicalIndex.load(tmp_path, len(texts))
    bm25 = bm25s.BM25.load(str(tmp_path))
    for question in ("harbour crane dock", "berth3 ship", "crane", "crane berth5", "unknown words only"):
        terms = tokenize(question)
        known = [t for t in terms if t in bm25.vocab_dict]
        full = bm25.get_scores(known) if known else np.zeros(len(texts))
        # bm25s's scores, best first, ties to the lower row; k below and above the rarest term's postings.
        expected = sorted((r for r in range(len(texts)) if full[r] > 0), key=lambda r: (-full[r], r))
        for k in (1, 3, 10, 100):
            rows, scores = loaded.search(terms, k)
            assert rows.tolist() == expected[:k]
            assert np.array_equal(scores, full[rows].astype(np.float32))
    assert 60 not in loaded.search(tokenize("harbour"), 100)[0].tolist()


def test_above_the_flat_limit_the_index_is_ivf_with_8_bit_codes_calibrated_to_the_recall_target(monkeypatch):
    import faiss

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(20, 64))
    vectors = centres[rng.integers(0, 20, 3000)] + rng.normal(size=(3000, 64))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    # Queries farther from the vectors than the vectors are from each other, as questions are.
    queries = vectors[::7] + rng.normal(scale=2 / 8, size=(len(vectors[::7]), 64))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    monkeypatch.setattr(dense_module, "FLAT_MAX_PASSAGES", 1000)
    asked = []
    ivf, settings = dense_index(vectors, lambda: asked.append(1) or queries)
    assert settings.type == "IndexRefine" and 32 <= settings.nlist <= 3000 // 39
    assert settings.calibration_recall_at_10 >= RECALL_TARGET and asked == [1]
    first = dense_module.SEARCH_CHOICES[0]
    assert settings.nprobe > first.nprobe or settings.k_factor > first.k_factor  # the cheapest fell short
    assert np.abs(ivf.reconstruct(1234) - vectors[1234]).max() < 0.01
    # A byte a dimension, against float32's four (the ids and lists' centres cost a little more).
    monkeypatch.setattr(dense_module, "FLAT_MAX_PASSAGES", 3000)
    flat, flat_settings = dense_index(vectors, lambda: asked.append(2) or queries)
    assert flat_settings.type == "IndexFlatIP" and asked == [1]  # exact search asks for no queries
    assert len(faiss.serialize_index(ivf)) < len(faiss.serialize_index(flat)) / 2.5


def test_an_ivf_index_read_from_a_file_of_rows_is_the_one_made_from_the_array(tmp_path, monkeypatch):
    """The build makes the index from its scratch file of float32 rows, read a block at a time."""
    import faiss

    from assistant.store.array_file import ArrayFile, ArrayFileWriter

    vectors = np.random.default_rng(2).normal(size=(2500, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with ArrayFileWriter(tmp_path / "rows.npy", np.dtype(np.float32), vectors.shape) as writer:
        for start in range(0, len(vectors), 300):
            writer.append(vectors[start : start + 300])
    monkeypatch.setattr(dense_module, "FLAT_MAX_PASSAGES", 1000)
    monkeypatch.setattr(calibration_module, "BLOCK_ROWS", 700)  # the calibration's exact search
    monkeypatch.setattr(dense_module, "BLOCK_ROWS", 700)  # the index filled a block at a time
    from_file, settings = dense_index(ArrayFile(tmp_path / "rows.npy"), lambda: vectors[::9])
    from_array, same = dense_index(vectors, lambda: vectors[::9])
    assert settings == same
    assert faiss.serialize_index(from_file).tobytes() == faiss.serialize_index(from_array).tobytes()


def test_an_ivf_index_is_built_recorded_and_answers_like_the_exact_one(built_sample, tmp_path, monkeypatch):
    import shutil

    project = tmp_path / "ivf"
    shutil.copytree(built_sample.parent, project)
    # Enough passages (about 50) to train the 4-bit codes' 16 centres a part.
    shutil.copy(DATA / "Normans.txt", project / "sources" / "Normans.txt")
    assistant = Assistant.open(project / "config.toml")
    assistant.build_index()
    exact = [assistant.ask(question) for question in (QUESTION, NORMANS_QUESTION)]
    monkeypatch.setattr(dense_module, "FLAT_MAX_PASSAGES", 4)
    # A file the build passes over: the sources changed (an update of unchanged ones does nothing), the passages did not.
    (project / "sources" / "blob.txt").write_bytes(b"\x00\x01")
    report = assistant.build_index()  # every vector reused, read back from the exact index
    assert report.passages_embedded == 0
    manifest = json.loads((project / "index" / "manifest.json").read_text())
    assert manifest["faiss"]["type"] == "IndexRefine" and manifest["faiss"]["factory"].startswith("IVF")
    assert manifest["faiss"]["nprobe"] >= 1 and manifest["faiss"]["k_factor"] >= 1
    approximate = [Assistant.open(project / "config.toml").ask(q) for q in (QUESTION, NORMANS_QUESTION)]
    for got, wanted in zip(approximate, exact):
        assert [s.citation for s in got.snippets] == [s.citation for s in wanted.snippets]
    code, out, _ = run_cli("--config", str(project / "config.toml"), "ask", QUESTION)
    assert code == 0 and "90 days" in out


def test_an_update_writes_the_vectors_it_reuses_unchanged(sample_project):
    """Reused vectors are read back from the previous index as they are written: the 4-bit rows come out
    the same, byte for byte, and so do the passage vectors."""
    folder = sample_project.parent / "index"
    sentences_before = np.load(folder / SENTENCE_VECTORS)
    before = load_index(load_config(sample_project), "all-MiniLM-L6-v2")
    passages_before = before.vectors.reconstruct_n(0, before.vectors.ntotal)
    before.close()
    # Sorted after the sample, so its passages keep their rows.
    (sample_project.parent / "sources" / "zz-extra.txt").write_text("The ferry to Sark leaves at noon.\n", encoding="utf-8")
    report = Assistant.open(sample_project).build_index()
    assert report.passages_reused == len(passages_before) and report.passages_embedded == 1
    sentences_after = np.load(folder / SENTENCE_VECTORS)
    assert np.array_equal(sentences_after[: len(sentences_before)], sentences_before)
    after = load_index(load_config(sample_project), "all-MiniLM-L6-v2")
    assert np.array_equal(after.vectors.reconstruct_n(0, len(passages_before)), passages_before)
    assert after.vectors.ntotal == len(passages_before) + 1
