"""A .npy array on disk, read a slice at a time with pread (nothing is mapped into memory), and
written a block of rows at a time (nothing is held whole).

A memory map of a large index file looks free, but every touch maps the page and its neighbours
(fault-around and read-ahead) into the process for good: at a million passages, a few hundred
questions left 4.7 GB of the 5.4 GB sentence-vector file resident. ``os.pread`` copies just the rows
asked for, from the page cache, and the process keeps nothing it did not use. numpy reads the
header; only the row reads are this module's own, and that is why it exists. A build writes its
large arrays as their rows are made: numpy writes the header (the row count is known in advance), the
rows follow as they come, and the file is a plain .npy that ``np.load`` reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import numpy as np

from ..errors import IndexCorruptError


class _FileDescriptor:
    """An open file descriptor (``_fd``) that is closed once, at ``close`` or when dropped."""

    _fd = -1

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:
        self.close()


class ArrayFile(_FileDescriptor):
    """Rows ``[start, stop)`` of a C-ordered .npy array (any dimension; rows along the first axis)."""

    def __init__(self, path: Path) -> None:
        # numpy reads the header (any .npy version) and checks the file holds the data it describes; the
        # map it opens to do so is dropped untouched, so nothing of the file is paged in here.
        layout = np.load(path, mmap_mode="r", allow_pickle=False)
        if not isinstance(layout, np.memmap) or not layout.shape or not layout.flags.c_contiguous:
            raise ValueError(f"{path.name} is not a plain C-ordered array")
        self.path = path
        self.shape: tuple[int, ...] = tuple(layout.shape)
        self.dtype = layout.dtype
        self._offset = layout.offset
        self._row_shape = self.shape[1:]
        self._row_bytes = int(np.prod(self._row_shape, dtype=np.int64)) * self.dtype.itemsize
        expected = layout.offset + layout.nbytes
        del layout
        if path.stat().st_size != expected:
            raise ValueError(f"{path.name} holds {path.stat().st_size} bytes, its header says {expected}")
        self._fd = os.open(path, os.O_RDONLY)

    def __len__(self) -> int:
        return self.shape[0]

    def read(self, start: int, stop: int) -> np.ndarray:
        """A fresh (writable) array of rows ``start`` to ``stop``, clipped to the array."""
        start, stop = max(0, start), min(stop, len(self))
        count = max(0, stop - start)
        out = np.empty((count, *self._row_shape), dtype=self.dtype)
        buffer = memoryview(out).cast("B") if out.size else memoryview(b"")
        offset, done = self._offset + start * self._row_bytes, 0
        while done < len(buffer):  # one read returns at most about 2 GiB on Linux
            got = os.preadv(self._fd, [buffer[done:]], offset + done)
            if got == 0:
                raise IndexCorruptError(f"the index file {self.path.name} ends before its rows do")
            done += got
        return out

    def __getitem__(self, key: int | slice) -> np.ndarray:
        if isinstance(key, slice):
            if key.step not in (None, 1):
                raise IndexError("ArrayFile slices have no step")
            start, stop, _ = key.indices(len(self))
            return self.read(start, stop)
        row = int(key) + len(self) if int(key) < 0 else int(key)
        if not 0 <= row < len(self):
            raise IndexError(f"row {key} of {len(self)}")
        return self.read(row, row + 1)[0]



class ArrayFileWriter:
    """A new C-ordered .npy file of ``shape`` and ``dtype``, its rows written in order a block at a time;
    closing it checks that every row was written (a short file would read as damaged)."""

    def __init__(self, path: Path, dtype: np.dtype, shape: tuple[int, ...]) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.shape = shape
        self.written = 0
        self._handle = path.open("wb")
        _write_header(self._handle, self.dtype, shape)

    def append(self, rows: np.ndarray) -> None:
        """Write the next rows (of the file's dtype and row shape)."""
        _check_rows(rows, self.path, self.dtype, self.shape)
        if self.written + len(rows) > self.shape[0]:
            raise ValueError(f"more than the {self.shape[0]} rows of {self.path.name}")
        self._handle.write(np.ascontiguousarray(rows).data)
        self.written += len(rows)

    def close(self) -> None:
        """Close the file; ``ValueError`` when fewer rows were written than its header says."""
        if self._handle.closed:
            return
        self._handle.close()
        if self.written != self.shape[0]:
            raise ValueError(f"{self.written} of the {self.shape[0]} rows of {self.path.name} written")

    def __enter__(self) -> "ArrayFileWriter":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:  # the error on its way out says more than a row count would
            self._handle.close()


class ArrayFileSlots(_FileDescriptor):
    """A new C-ordered .npy file of ``shape`` and ``dtype``, sized in full at once (sparse until written),
    whose rows are written at any position in any order (``write``); ``ArrayFile`` reads it back."""

    def __init__(self, path: Path, dtype: np.dtype, shape: tuple[int, ...]) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.shape = shape
        self._row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * self.dtype.itemsize
        with path.open("wb") as handle:
            _write_header(handle, self.dtype, shape)
            self._start = handle.tell()
            handle.truncate(self._start + self._row_bytes * shape[0])
        self._fd = os.open(path, os.O_WRONLY)

    def write(self, row: int, rows: np.ndarray) -> None:
        """Write ``rows`` (of the file's dtype and row shape) from row ``row`` on."""
        _check_rows(rows, self.path, self.dtype, self.shape)
        if not 0 <= row <= self.shape[0] - len(rows):
            raise ValueError(f"rows {row}..{row + len(rows)} outside the {self.shape[0]} of {self.path.name}")
        data = memoryview(np.ascontiguousarray(rows)).cast("B")
        offset, done = self._start + row * self._row_bytes, 0
        while done < len(data):  # a write may be short (a signal, a full disk says so on the next)
            done += os.pwrite(self._fd, data[done:], offset + done)



def _write_header(handle, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    header = {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_2_0(handle, header)


def _check_rows(rows: np.ndarray, path: Path, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    if rows.dtype != dtype or rows.shape[1:] != shape[1:]:
        raise ValueError(f"rows of {rows.dtype} {rows.shape[1:]} for {path.name} of {dtype} {shape[1:]}")
