"""Unit vectors stored as int8 with one float32 scale a row: written a block at a time as a build makes
them, read back a few rows at a time as float32.

Quantisation is symmetric, row by row: ``scale = max|x| / 127`` and ``code = round(x / scale)``, so
every value comes back within ``scale / 2`` of what was written (a quarter of float32's size; measured
on the three quality sets, hit@1 and hit@3 within 0.003 of float32). The file is a plain .npy of
records, one a row, ``scale`` (float32) then ``codes`` (int8, one a dimension)::

    rows = np.load("index/sentence_vectors.npy")
    vectors = rows["codes"] * rows["scale"][:, None]

A row's scale and codes come in one read, and only the rows read are turned back into float32.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import numpy as np

from ..errors import IndexCorruptError
from .array_file import ArrayFile, ArrayFileWriter

CODE_MAX = 127
# The rows are unit vectors, so no value exceeds 1 and no scale exceeds 1/127: a scale outside that
# (or not a number) is damage, caught when its row is read, however large the file.
SCALE_MAX = (1.0 + 1e-5) / CODE_MAX


def row_dtype(dimension: int) -> np.dtype:
    """The record a row is stored as: its scale, then its codes."""
    return np.dtype([("scale", "<f4"), ("codes", "i1", (dimension,))])


def quantize(vectors: np.ndarray) -> np.ndarray:
    """Rows of unit (or shorter) float vectors as records of a scale and int8 codes."""
    vectors = np.asarray(vectors, dtype=np.float32)
    peaks = np.abs(vectors).max(axis=1) if vectors.size else np.zeros(len(vectors), dtype=np.float32)
    if not np.all(peaks <= 1.0 + 1e-5):  # also refuses NaN
        raise ValueError("only vectors of length at most 1 are stored quantised")
    records = np.empty(len(vectors), dtype=row_dtype(vectors.shape[1]))
    scales = (peaks / CODE_MAX).astype(np.float32)
    records["scale"] = scales
    divisors = np.where(scales > 0, scales, 1.0).astype(np.float32)[:, None]
    records["codes"] = np.clip(np.rint(vectors / divisors), -CODE_MAX, CODE_MAX).astype(np.int8)
    return records


def dequantize(records: np.ndarray) -> np.ndarray:
    """The float32 vectors the records stand for."""
    return records["codes"].astype(np.float32) * records["scale"][:, None]


class QuantizedRowsWriter:
    """A new file of ``count`` quantised rows of ``dimension``, written in order a block at a time."""

    def __init__(self, path: Path, count: int, dimension: int) -> None:
        self._file = ArrayFileWriter(path, row_dtype(dimension), (count,))

    def append(self, vectors: np.ndarray) -> None:
        """Quantise and write the next rows."""
        self._file.append(quantize(vectors))

    def close(self) -> None:
        """Close the file; ``ValueError`` when fewer rows were written than announced."""
        self._file.close()

    def __enter__(self) -> "QuantizedRowsWriter":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._file.__exit__(kind, error, trace)


class QuantizedRows(ArrayFile):
    """A file of quantised rows, read by row as float32: ``shape`` is (rows, dimension), ``read`` and
    indexing give float32 vectors, and only the rows asked for are read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        codes = self.dtype.fields.get("codes") if self.dtype.fields else None
        dimension = codes[0].shape[0] if codes is not None and len(codes[0].shape) == 1 else 0
        if len(self.shape) != 1 or not dimension or self.dtype != row_dtype(dimension):
            self.close()
            raise ValueError(f"{path.name} does not hold quantised rows ({self.dtype})")
        self.dimension = int(dimension)
        self.shape = (self.shape[0], self.dimension)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` (clipped to the file) as a fresh float32 array."""
        records = super().read(start, stop)
        scales = records["scale"]
        if not np.all((scales >= 0) & (scales <= SCALE_MAX)):  # also catches NaN
            raise IndexCorruptError(f"the index file {self.path.name} is damaged (a row's scale is out of range)")
        return dequantize(records)
