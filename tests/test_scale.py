"""What makes a large index possible, on small real data: the SQLite passage table read on demand, and
BM25's top k taken over matching documents only. Speed itself is the benchmark's business (python -m benchmarks)."""

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


def test_lexical_top_k_matches_a_full_sort():
    texts = [f"harbour {'crane ' * (i % 4)}ship {'dock' if i % 3 else ''}" for i in range(60)] + ["nothing relevant"]
    lexical = LexicalIndex.build(texts)
    terms = tokenize("harbour crane dock")
    rows, scores = lexical.search(terms, 10)
    full = lexical._bm25.get_scores(terms)
    expected = sorted((i for i in range(len(texts)) if full[i] > 0), key=lambda i: (-full[i], i))[:10]
    assert rows.tolist() == expected
    assert np.allclose(scores, full[expected])
    assert 60 not in lexical.search(terms, 100)[0].tolist()
