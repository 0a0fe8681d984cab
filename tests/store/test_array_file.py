"""ArrayFile and ArrayFileWriter: rows of a .npy file read with pread give exactly what numpy wrote, and
rows written a block at a time give the file numpy would write."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.store.array_file import ArrayFile, ArrayFileWriter


@pytest.mark.parametrize("shape", [(7,), (5, 3), (0, 4), (4, 2, 3)])
def test_rows_read_back_as_numpy_wrote_them(tmp_path, shape):
    array = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) * 0.5
    np.save(tmp_path / "a.npy", array)
    loaded = ArrayFile(tmp_path / "a.npy")
    assert loaded.shape == shape and loaded.dtype == np.float32 and len(loaded) == shape[0]
    assert np.array_equal(loaded[:], array)
    assert np.array_equal(loaded.read(1, 3), array[1:3])
    assert np.array_equal(loaded[2:100], array[2:100])  # clipped like a numpy slice
    assert loaded.read(3, 3).shape == (0, *shape[1:])
    if shape[0]:
        assert np.array_equal(loaded[-1], array[-1])
        with pytest.raises(IndexError):
            loaded[shape[0]]


def test_integer_arrays_and_a_large_header(tmp_path):
    array = np.arange(10, dtype=np.int32)
    with (tmp_path / "b.npy").open("wb") as handle:
        np.lib.format.write_array(handle, array, version=(2, 0))
    assert ArrayFile(tmp_path / "b.npy")[3:6].tolist() == [3, 4, 5]


def test_a_truncated_or_foreign_file_is_refused(tmp_path):
    np.save(tmp_path / "c.npy", np.ones((10, 4), dtype=np.float32))
    data = (tmp_path / "c.npy").read_bytes()
    (tmp_path / "c.npy").write_bytes(data[:-8])
    with pytest.raises(ValueError):
        ArrayFile(tmp_path / "c.npy")
    (tmp_path / "d.npy").write_bytes(b"not an array at all")
    with pytest.raises(ValueError):
        ArrayFile(tmp_path / "d.npy")
    np.save(tmp_path / "e.npy", np.ones((3, 2), dtype=np.float32).T)  # Fortran order
    with pytest.raises(ValueError):
        ArrayFile(tmp_path / "e.npy")


def test_rows_written_a_block_at_a_time_are_the_npy_numpy_would_write(tmp_path):
    array = np.arange(60, dtype=np.float32).reshape(12, 5)
    with ArrayFileWriter(tmp_path / "w.npy", np.dtype(np.float32), (12, 5)) as writer:
        for start in range(0, 12, 5):
            writer.append(array[start : start + 5])
    np.save(tmp_path / "n.npy", array)
    assert (tmp_path / "w.npy").read_bytes()[-array.nbytes :] == (tmp_path / "n.npy").read_bytes()[-array.nbytes :]
    assert np.array_equal(np.load(tmp_path / "w.npy"), array)
    assert np.array_equal(ArrayFile(tmp_path / "w.npy").read(4, 9), array[4:9])


def test_a_writer_refuses_rows_of_another_shape_too_many_rows_and_a_short_file(tmp_path):
    writer = ArrayFileWriter(tmp_path / "s.npy", np.dtype(np.float32), (3, 2))
    with pytest.raises(ValueError):
        writer.append(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(ValueError):
        writer.append(np.zeros((1, 2), dtype=np.float64))
    writer.append(np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(ValueError):
        writer.append(np.zeros((2, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="2 of the 3 rows"):
        writer.close()
