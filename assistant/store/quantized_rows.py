"""Sentence vectors in the index: a .npy file of quantised rows (``vectors.quantization``: a float32
scale and 4-bit codes a row), written a block at a time as a build makes them, read back a few rows at
a time as float32::

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
from ..vectors.quantization import LEVEL_MAX, dequantize, quantize, row_dtype
from .array_file import ArrayFile, ArrayFileWriter

# The rows are unit vectors, so no value exceeds 1 and no scale exceeds 1/7.5: a scale outside that
# (or not a number) is damage, caught when its row is read, however large the file.
SCALE_MAX = (1.0 + 1e-5) / LEVEL_MAX


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
