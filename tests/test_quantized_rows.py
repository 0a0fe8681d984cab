"""Sentence vectors stored as int8 with a scale a row: real vectors of the model come back within the
quantisation bound, rank as the float32 ones do, and damage to a scale is told, not computed with."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.errors import IndexCorruptError
from assistant.store.quantized_rows import CODE_MAX, QuantizedRows, QuantizedRowsWriter, quantize


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
    return QuantizedRows(path)


def test_rows_come_back_within_half_a_step_of_their_scale(tmp_path, real_vectors, model):
    rows = write(tmp_path / "q.npy", real_vectors)
    assert rows.shape == real_vectors.shape and len(rows) == len(real_vectors)
    back = rows[:]
    assert back.dtype == np.float32
    bound = np.abs(real_vectors).max(axis=1, keepdims=True) / CODE_MAX / 2
    assert np.all(np.abs(back - real_vectors) <= bound * (1 + 1e-5))
    assert np.array_equal(rows.read(3, 9), back[3:9]) and np.array_equal(rows[-1], back[-1])
    # Real questions score the sentences within a few thousandths and rank the best alike.
    for question in model.encode(QUESTIONS):
        assert np.abs(back @ question - real_vectors @ question).max() < 0.005
        assert np.argsort(-(back @ question))[:3].tolist() == np.argsort(-(real_vectors @ question))[:3].tolist()
    assert (tmp_path / "q.npy").stat().st_size < real_vectors.nbytes / 3.9


def test_the_file_is_a_plain_npy_of_scales_and_codes(tmp_path, real_vectors):
    write(tmp_path / "q.npy", real_vectors)
    records = np.load(tmp_path / "q.npy", allow_pickle=False)
    assert records["codes"].dtype == np.int8 and records["scale"].dtype == np.float32
    assert np.allclose(records["codes"] * records["scale"][:, None], real_vectors, atol=1 / CODE_MAX)


def test_quantising_what_was_read_back_gives_the_same_codes(real_vectors):
    once = quantize(real_vectors)
    again = quantize(once["codes"] * once["scale"][:, None])
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


@pytest.mark.parametrize("scale", [np.nan, -0.5, 3e38, 0.1])
def test_a_damaged_scale_is_an_error_when_its_row_is_read(tmp_path, real_vectors, scale):
    write(tmp_path / "q.npy", real_vectors)
    records = np.load(tmp_path / "q.npy")
    records["scale"][4] = scale
    np.save(tmp_path / "q.npy", records)
    rows = QuantizedRows(tmp_path / "q.npy")
    assert rows.read(0, 4).shape == (4, real_vectors.shape[1])  # the rows around it still read
    with pytest.raises(IndexCorruptError, match="q.npy is damaged"):
        rows.read(2, 6)


def test_a_file_of_another_layout_is_refused(tmp_path, real_vectors):
    np.save(tmp_path / "f.npy", real_vectors)
    with pytest.raises(ValueError):
        QuantizedRows(tmp_path / "f.npy")
