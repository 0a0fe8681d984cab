"""A build streams: the sources are read a file at a time, the passage table is written as the passages
come, what must be embedded waits in a queue on disk and its vectors on disk by position, and the
finished index holds none of that scratch."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from assistant import Assistant
from assistant.store.scratch import EmbedQueue, FreshVectors
from assistant.vectors.late_chunking import ChunkedText
from assistant.vectors.passage_embedding import EmbeddedBatch
from assistant.vectors.quantization import dequantize, quantize

from cli_runner import assert_one_line_error, run_cli
from projects import write_project


def unit_rows(rng: np.random.Generator, count: int, dimension: int = 8) -> np.ndarray:
    rows = rng.standard_normal((count, dimension)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_queue_gives_passages_back_longest_first_with_their_spans(tmp_path):
    queue = EmbedQueue(tmp_path)
    texts = ["Short one.", "A much longer passage. It has two sentences.", "Middling text here."]
    items = [ChunkedText(t, ((0, len(t) // 2), (len(t) // 2 + 1, len(t)))) for t in texts]
    positions = [queue.append(item) for item in items]
    assert positions == [0, 1, 2] and len(queue) == 3
    assert queue.sentence_counts().tolist() == [2, 2, 2]
    batches = list(queue.batches(2))
    assert [b[0].tolist() for b in batches] == [[1, 2], [0]]
    assert [item for _, chunk in batches for item in chunk] == [items[1], items[2], items[0]]
    queue.remove()
    assert not list(tmp_path.iterdir())


def test_fresh_vectors_are_read_back_by_position_whatever_order_they_came_in(tmp_path):
    rng = np.random.default_rng(3)
    counts = np.array([2, 0, 3, 1])
    passages = unit_rows(rng, 4)
    sentences = [quantize(unit_rows(rng, n)) for n in counts]
    fresh = FreshVectors(tmp_path, counts)
    for order in ([2, 0], [3, 1]):  # as a cluster's batches might arrive
        fresh.put(EmbeddedBatch(positions=np.array(order), passages=passages[order], sentences=[sentences[i] for i in order]))
        assert fresh.missing() == (2 if order == [2, 0] else 0)
    for position in range(4):
        vector, records = fresh.vectors(position)
        np.testing.assert_array_equal(vector, passages[position])
        np.testing.assert_array_equal(dequantize(records, 8), dequantize(sentences[position], 8))
    fresh.remove()
    assert not list(tmp_path.iterdir())
    with pytest.raises(ValueError):  # a passage's sentence vectors must match its sentence count
        FreshVectors(tmp_path, counts).put(EmbeddedBatch(np.array([0]), passages[:1], [sentences[2]]))
    with pytest.raises(ValueError):  # and be quantised records, never raw rows that would overrun their place
        FreshVectors(tmp_path, counts).put(EmbeddedBatch(np.array([0]), passages[:1], [unit_rows(rng, 2)]))


PARAGRAPH = "The lighthouse keeper lit the lamp at dusk. The beam reached the reef beyond the bay."


def test_a_text_in_many_places_is_embedded_once_and_every_row_gets_its_vectors(tmp_path):
    sources = {f"copy-{i}.txt": f"Log {i}.\n\n{PARAGRAPH}\n" for i in range(3)}
    config = write_project(tmp_path, "", sources)
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert "(6 passages embedded, 0 reused)" in out
    index = Assistant.open(config).load_index()
    rows = [row for row, p in enumerate(index.passages) if p.text == PARAGRAPH]
    assert len(rows) == 3
    vectors = [index.vectors.reconstruct(row) for row in rows]
    ranges = index.passages.sentence_ranges(rows)
    sentences = [index.sentence_vectors.records(first, first + count) for first, count in ranges.values()]
    for vector, records in zip(vectors[1:], sentences[1:]):
        np.testing.assert_array_equal(vector, vectors[0])
        np.testing.assert_array_equal(records, sentences[0])
    index.close()


def test_a_finished_index_holds_no_scratch_and_no_build_folder_is_left(tmp_path):
    config = write_project(tmp_path, "", {"a.txt": PARAGRAPH + "\n", "b.txt": "The ferry to Sark leaves at noon.\n"})
    index_dir = config.parent / "index"
    for step in ("build", "update", "nothing to embed"):
        if step == "update":
            (config.parent / "sources" / "c.txt").write_text("A new note on the harbour wall.\n", encoding="utf-8")
        code, _, err = run_cli("--config", str(config), "index", *(["--rebuild"] if step == "nothing to embed" else []))
        assert code == 0, err
        names = {p.name for p in index_dir.rglob("*")}
        assert not [n for n in names if "building" in n], step
        assert not list(index_dir.parent.glob(".index.tmp-*")), step
    assert Assistant.open(config).ask("When does the ferry to Sark leave?").snippets[0].citation.source == "b.txt"


def test_a_folder_with_nothing_to_index_is_one_line_and_leaves_nothing_behind(tmp_path):
    config = write_project(tmp_path, "", {"a.txt": PARAGRAPH + "\n"})
    code, _, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    index_dir = config.parent / "index"
    manifest = (index_dir / "manifest.json").read_bytes()
    (config.parent / "sources" / "a.txt").write_bytes(b"\x00\x01binary")
    code, _, err = run_cli("--config", str(config), "index")
    assert code != 0
    assert_one_line_error(err, "nothing to index", "every file found was passed over (a.txt: binary file")
    assert (index_dir / "manifest.json").read_bytes() == manifest
    assert not list(index_dir.parent.glob(".index.tmp-*"))


def test_a_first_build_keeps_its_fresh_vectors_as_they_are_and_an_update_writes_the_same(tmp_path):
    """A first build of text without repeats moves its scratch vectors into place; an update that reuses
    every vector (a file renamed: its rows keep their place) writes them again from the previous index:
    the same files, byte for byte."""
    config = write_project(tmp_path, "", {"a.txt": PARAGRAPH + "\n", "b.txt": "The ferry to Sark leaves at noon. It is late.\n"})
    index_dir = config.parent / "index"
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0 and "(2 passages embedded, 0 reused)" in out, err
    first = {name: (index_dir / name).read_bytes() for name in ("sentence_vectors.npy", "vectors.faiss")}
    (config.parent / "sources" / "b.txt").rename(config.parent / "sources" / "c.txt")
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0 and "(0 passages embedded, 2 reused)" in out and "1 added" in out, err
    for name, data in first.items():
        assert (index_dir / name).read_bytes() == data, name


def test_an_index_up_to_date_with_its_sources_is_not_built_again(tmp_path):
    config = write_project(tmp_path, "", {"a.txt": PARAGRAPH + "\n", "blob.txt": b"\x00\x01"})
    index_dir = config.parent / "index"
    code, _, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    manifest = (index_dir / "manifest.json").read_bytes()
    identity = index_dir.stat().st_ino
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert "Indexed 1 file, 1 passage in" in out and "(0 passages embedded, 1 reused)" in out
    assert "Files: 0 added, 0 changed, 0 removed, 1 unchanged." in out
    assert "warning: blob.txt: binary file" in err and "warning" not in out  # warnings on stderr, as a build by `ask` says them
    assert index_dir.stat().st_ino == identity and (index_dir / "manifest.json").read_bytes() == manifest
    # A damaged file is not up to date: the same command mends it.
    with (index_dir / "sentence_vectors.npy").open("r+b") as handle:
        handle.seek(-1, 2)
        handle.write(b"\xff")
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert index_dir.stat().st_ino != identity
    assert Assistant.open(config).ask("When did the keeper light the lamp?").snippets[0].citation.source == "a.txt"


def test_a_file_touched_but_unchanged_is_stamped_again_once(tmp_path):
    """A file whose stat changed but whose text did not (touched, restored) is read to tell it is the
    same. The next build records its new stamp (nothing embedded), so that later looks need not read it."""
    config = write_project(tmp_path, "", {"a.txt": PARAGRAPH + "\n"})
    index_dir = config.parent / "index"
    assert run_cli("--config", str(config), "index")[0] == 0
    source = config.parent / "sources" / "a.txt"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 5_000_000_000))
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0 and "(0 passages embedded, 1 reused)" in out and "1 unchanged" in out, err
    stamp = json.loads((index_dir / "manifest.json").read_text())["sources"]["a.txt"]
    assert stamp["mtime_ns"] == source.stat().st_mtime_ns
    identity = index_dir.stat().st_ino
    assert run_cli("--config", str(config), "index")[0] == 0
    assert index_dir.stat().st_ino == identity  # stamped: up to date, nothing written


def test_the_queue_sizes_its_batches_by_text_as_well_as_by_count(tmp_path):
    # A batch of long passages takes as long as many short ones: the text a batch holds is bounded, so
    # the build looks at the cancel flag about as often whatever the passages' length.
    queue = EmbedQueue(tmp_path)
    texts = ["x" * 900, "y" * 800, "z" * 300, "w" * 200, "v" * 100, "u" * 10]
    for text in texts:
        queue.append(ChunkedText(text, ((0, len(text)),)))
    batches = [[len(item.text) for item in items] for _, items in queue.batches(4, max_chars=1000)]
    assert batches == [[900], [800], [300, 200, 100, 10]]
    # One passage longer than the bound is a batch of its own, never left out.
    assert [[len(i.text) for i in items] for _, items in queue.batches(4, max_chars=500)][:2] == [[900], [800]]
    queue.remove()
