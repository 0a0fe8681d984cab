"""Sentence vectors stored as 4-bit codes with a scale a row: real vectors of the model come back within
the quantisation bound, rank as the float32 ones do, and damage to a scale is told, not computed with."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import IndexCorruptError
from assistant.store.quantized_rows import QuantizedRows, QuantizedRowsWriter
from assistant.vectors.quantization import LEVEL_MAX, dequantize, quantize


QUESTIONS = ["How long is the temporary document valid?", "Who proposed the ID card deal?", "What did Serbia do?"]


@pytest.fixture(scope="module")
def model(sample_assistant):
    return sample_assistant.load_model()


@pytest.fixture(scope="module")
def real_vectors(sample_assistant, model) -> np.ndarray:
    """The sample index's sentences' vectors as the model gives them (float32, unit length)."""
    index = sample_assistant.load_index()
    return model.encode([s.text for p in index.passages for s in p.sentences])


def write(path, vectors: np.ndarray, block: int = 7) -> QuantizedRows:
    with QuantizedRowsWriter(path, len(vectors), vectors.shape[1]) as writer:
        for start in range(0, len(vectors), block):
            writer.append(vectors[start : start + block])
    return QuantizedRows(path, vectors.shape[1])


def test_rows_come_back_within_half_a_step_of_their_scale(tmp_path, real_vectors, model):
    rows = write(tmp_path / "q.npy", real_vectors)
    assert rows.shape == real_vectors.shape and len(rows) == len(real_vectors)
    back = rows[:]
    assert back.dtype == np.float32
    bound = np.abs(real_vectors).max(axis=1, keepdims=True) / LEVEL_MAX / 2
    assert np.all(np.abs(back - real_vectors) <= bound * (1 + 1e-5))
    assert np.array_equal(rows.read(3, 9), back[3:9]) and np.array_equal(rows[-1], back[-1])
    # Real questions score the sentences within a few hundredths (a typical error is 0.006) and pick
    # the same best sentence.
    for question in model.encode(QUESTIONS):
        assert np.abs(back @ question - real_vectors @ question).max() < 0.03
        assert np.argmax(back @ question) == np.argmax(real_vectors @ question)
    assert (tmp_path / "q.npy").stat().st_size < real_vectors.nbytes / 7.5


def test_the_file_is_a_plain_npy_of_scales_and_codes_two_a_byte(tmp_path, real_vectors):
    write(tmp_path / "q.npy", real_vectors)
    records = np.load(tmp_path / "q.npy", allow_pickle=False)
    assert records["codes"].dtype == np.uint8 and records["scale"].dtype == np.float32
    dimension = real_vectors.shape[1]
    assert records["codes"].shape == (len(real_vectors), dimension // 2)
    # As the module's docstring reads it back: low nibble first, stored as code + 8.
    nibbles = np.stack([records["codes"] & 15, records["codes"] >> 4], axis=-1).reshape(len(records), -1)
    vectors = (nibbles[:, :dimension] - 7.5) * records["scale"][:, None]
    assert np.allclose(vectors, real_vectors, atol=1 / LEVEL_MAX / 2)


def test_an_odd_dimension_is_stored_and_read_back(tmp_path, real_vectors):
    odd = real_vectors[:, :383] / np.linalg.norm(real_vectors[:, :383], axis=1, keepdims=True)
    rows = write(tmp_path / "o.npy", odd)
    assert rows.shape == odd.shape
    assert np.allclose(rows[:], odd, atol=np.abs(odd).max() / LEVEL_MAX / 2 * (1 + 1e-5))


def test_quantising_what_was_read_back_gives_the_same_codes(real_vectors):
    """A rebuild writes the vectors it reuses again: they must not drift."""
    once = quantize(real_vectors)
    again = quantize(dequantize(once, real_vectors.shape[1]))
    assert np.array_equal(again["codes"], once["codes"]) and np.allclose(again["scale"], once["scale"], rtol=1e-6)


def test_zero_rows_and_empty_files(tmp_path):
    rows = write(tmp_path / "z.npy", np.zeros((3, 4), dtype=np.float32))
    assert np.array_equal(rows[:], np.zeros((3, 4)))
    assert write(tmp_path / "e.npy", np.zeros((0, 4), dtype=np.float32)).shape == (0, 4)


def test_vectors_longer_than_one_are_refused(tmp_path):
    with pytest.raises(ValueError):
        quantize(np.full((1, 4), 2.0, dtype=np.float32))
    with pytest.raises(ValueError):
        quantize(np.full((1, 4), np.nan, dtype=np.float32))


@pytest.mark.parametrize("scale", [np.nan, -0.5, 3e38, 0.5])
def test_a_damaged_scale_is_an_error_when_its_row_is_read(tmp_path, real_vectors, scale):
    write(tmp_path / "q.npy", real_vectors)
    records = np.load(tmp_path / "q.npy")
    records["scale"][4] = scale
    np.save(tmp_path / "q.npy", records)
    rows = QuantizedRows(tmp_path / "q.npy", real_vectors.shape[1])
    assert rows.read(0, 4).shape == (4, real_vectors.shape[1])  # the rows around it still read
    with pytest.raises(IndexCorruptError, match="q.npy is damaged"):
        rows.read(2, 6)


def test_a_file_of_another_layout_is_refused(tmp_path, real_vectors):
    np.save(tmp_path / "f.npy", real_vectors)
    with pytest.raises(ValueError):
        QuantizedRows(tmp_path / "f.npy", real_vectors.shape[1])
    write(tmp_path / "q.npy", real_vectors)
    with pytest.raises(ValueError):  # rows of another dimension than the manifest's
        QuantizedRows(tmp_path / "q.npy", real_vectors.shape[1] + 2)


def test_a_build_holds_the_sentence_vectors_it_embeds_quantised(sample_assistant, model, tmp_path):
    """Until the build writes them, new sentence vectors wait as 4-bit records: an eighth of float32's memory."""
    from assistant.models import BuildProgress
    from assistant.store.scratch import EmbedQueue
    from assistant.vectors.late_chunking import ChunkedText
    from assistant.vectors.passage_embedding import embed_passages
    from assistant.vectors.quantization import row_dtype

    text = "The ferry leaves at noon. It docks in Sark an hour later."
    items = [ChunkedText(text, ((0, 25), (26, len(text))))]
    queue = EmbedQueue(tmp_path)
    queue.append(items[0])
    seen: list[BuildProgress] = []
    (batch,) = embed_passages(queue, model, progress=seen.append, cancelled=lambda: False)
    passages, sentences = batch.passages, batch.sentences
    assert batch.positions.tolist() == [0]
    assert passages.dtype == np.float32 and sentences[0].dtype == row_dtype(model.dimension)
    exact = model.encode_passages(items)[1][0]
    assert np.all(np.abs(dequantize(sentences[0], model.dimension) - exact) <= np.abs(exact).max(axis=1, keepdims=True) / LEVEL_MAX / 2 * 1.01)
