"""ArrayFile: rows of a .npy file read with pread give exactly what numpy wrote."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.store.array_file import ArrayFile


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
