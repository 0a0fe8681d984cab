"""Unit vectors stored as 4-bit codes with one float32 scale a row: written a block at a time as a build
makes them, read back a few rows at a time as float32.

Quantisation is symmetric, row by row, on sixteen levels that sit at the middle of their steps:
``scale = max|x| / 7.5``, ``code = floor(x / scale)`` clipped to -8..7, and a code stands for
``(code + 0.5) * scale``. Every value comes back within ``scale / 2`` of what was written, an eighth of
float32's size. Measured on the three quality sets (SQuAD sample, coqa-sample, covidqa-sample): hit@1
and hit@3 within 0.005 of float32, as with 8-bit codes, which take twice the room (issue 18). Reading
back and writing again gives the same codes (the row's peak sits on the top level), so vectors a
rebuild reuses do not drift. The file is a plain .npy of records, one a row, ``scale`` (float32) then
``codes`` (uint8, two dimensions a byte: the even one in the low four bits, stored as ``code + 8``)::

    rows = np.load("index/sentence_vectors.npy")
    dimension = manifest["model"]["dimension"]  # index/manifest.json
    nibbles = np.stack([rows["codes"] & 15, rows["codes"] >> 4], axis=-1).reshape(len(rows), -1)
    vectors = (nibbles[:, :dimension] - 7.5) * rows["scale"][:, None]  # float64 here; float32 in ``dequantize``

A row's scale and codes come in one read, and only the rows read are turned back into float32.
"""

from __future__ import annotations

from pathlib import Path
import numpy as np

from ..errors import IndexCorruptError
from .array_file import ArrayFile, ArrayFileWriter

LEVEL_MAX = 7.5  # the top level, in steps from zero; the sixteen levels are -7.5 .. 7.5
CODE_OFFSET = 8  # codes -8..7 are stored as 0..15, four bits each
# The rows are unit vectors, so no value exceeds 1 and no scale exceeds 1/7.5: a scale outside that
# (or not a number) is damage, caught when its row is read, however large the file.
SCALE_MAX = (1.0 + 1e-5) / LEVEL_MAX


def row_dtype(dimension: int) -> np.dtype:
    """The record a row is stored as: its scale, then its codes, two a byte."""
    return np.dtype([("scale", "<f4"), ("codes", "u1", ((dimension + 1) // 2,))])


def quantize(vectors: np.ndarray) -> np.ndarray:
    """Rows of unit (or shorter) float vectors as records of a scale and packed 4-bit codes."""
    vectors = np.asarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    peaks = np.abs(vectors).max(axis=1) if vectors.size else np.zeros(count, dtype=np.float32)
    if not np.all(peaks <= 1.0 + 1e-5):  # also refuses NaN
        raise ValueError("only vectors of length at most 1 are stored quantised")
    records = np.empty(count, dtype=row_dtype(dimension))
    scales = (peaks / LEVEL_MAX).astype(np.float32)
    records["scale"] = scales
    divisors = np.where(scales > 0, scales, 1.0).astype(np.float32)[:, None]
    codes = np.zeros((count, 2 * ((dimension + 1) // 2)), dtype=np.uint8)  # an odd dimension's last nibble is never read
    codes[:, :dimension] = (np.clip(np.floor(vectors / divisors), -CODE_OFFSET, CODE_OFFSET - 1) + CODE_OFFSET).astype(np.uint8)
    records["codes"] = codes[:, 0::2] | (codes[:, 1::2] << 4)
    return records


def dequantize(records: np.ndarray, dimension: int) -> np.ndarray:
    """The float32 vectors the records stand for."""
    packed = records["codes"]
    levels = np.empty((len(records), 2 * packed.shape[1]), dtype=np.float32)
    levels[:, 0::2] = packed & 15
    levels[:, 1::2] = packed >> 4
    levels -= LEVEL_MAX  # a stored code + 8 stands for the level (code + 0.5) steps from zero
    return levels[:, :dimension] * records["scale"][:, None]


class QuantizedRowsWriter(ArrayFileWriter):
    """A new file of ``count`` quantised rows of ``dimension``, written in order a block at a time
    (closing checks every row was written, as ``ArrayFileWriter``'s does)."""

    def __init__(self, path: Path, count: int, dimension: int) -> None:
        super().__init__(path, row_dtype(dimension), (count,))

    def append(self, vectors: np.ndarray) -> None:
        """Quantise and write the next rows."""
        super().append(quantize(vectors))

    def append_records(self, records: np.ndarray) -> None:
        """Write the next rows, quantised already (``quantize``, or ``QuantizedRows.records``)."""
        super().append(records)


class QuantizedRows(ArrayFile):
    """A file of quantised rows of ``dimension``, read by row as float32: ``shape`` is (rows, dimension),
    ``read`` and indexing give float32 vectors, and only the rows asked for are read."""

    def __init__(self, path: Path, dimension: int) -> None:
        super().__init__(path)
        if len(self.shape) != 1 or self.dtype != row_dtype(dimension):
            self.close()
            raise ValueError(f"{path.name} does not hold quantised rows of {dimension} dimensions ({self.dtype})")
        self.dimension = dimension
        self.shape = (self.shape[0], dimension)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` (clipped to the file) as a fresh float32 array."""
        return dequantize(self.records(start, stop), self.dimension)

    def records(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` to ``stop`` as stored (a scale and codes each), their scales checked."""
        records = super().read(start, stop)
        scales = records["scale"]
        if not np.all((scales >= 0) & (scales <= SCALE_MAX)):  # also catches NaN
            raise IndexCorruptError(f"the index file {self.path.name} is damaged (a row's scale is out of range)")
        return records
