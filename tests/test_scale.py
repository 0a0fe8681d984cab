"""What makes a large index possible, on small real data: the SQLite passage table read on demand, and
BM25 read from its own files (no bm25s at query time). Speed itself is the benchmark's business (python -m benchmarks)."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from assistant.config import load_config
from assistant.errors import IndexCorruptError
from assistant.index import PASSAGES, load_index
from assistant.lexical import LexicalIndex, tokenize
from assistant.passage_table import PassageTable

from conftest import SAMPLE_FILE, SAMPLE_SOURCES

QUESTION = "How long is the temporary document valid?"


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
    with pytest.raises(IndexCorruptError, match="rebuild"):
        table[3]


def _count(path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT count(*) FROM passages").fetchone()[0]


def test_lexical_search_read_from_the_files_ranks_as_bm25s_does(tmp_path):
    texts = [f"harbour {'crane ' * (i % 4)}ship {'dock' if i % 3 else ''} berth{i % 7}" for i in range(60)] + ["nothing relevant"]
    built = LexicalIndex.build(texts)
    built.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path, len(texts))
    bm25 = built._bm25
    for question in ("harbour crane dock", "berth3 ship", "crane", "unknown words only"):
        terms = tokenize(question)
        rows, scores = loaded.search(terms, 10)
        known = [t for t in terms if t in bm25.vocab_dict]
        if not known:
            assert len(rows) == 0
            continue
        full = bm25.get_scores(known)
        top = np.argpartition(-full, 9)[:10]
        top = top[np.argsort(-full[top], kind="stable")]
        assert rows.tolist() == [int(r) for r in top if full[r] > 0]
        assert np.array_equal(scores, full[rows])
    assert 60 not in loaded.search(tokenize("harbour"), 100)[0].tolist()
