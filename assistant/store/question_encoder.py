"""Turn a question into a vector with the index's ONNX export of the model: no torch, a few ms.

The build exports the model it embedded the passages with (see ``encoder_export``) and checks that the
export gives the same vectors. Answering then needs only onnxruntime and the tokenizer: a one-shot
``assistant ask`` does not import torch, and a question's encode takes about a third of torch's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import IndexCorruptError, Remedy
from .layout import ENCODER_FILE, TOKENIZER_FILE
from .manifest import EncoderExport

# The export must give the model's own vectors: cosine to torch's at least this, for every probe text.
SAME_VECTOR_COSINE = 0.9999


def cpu_session(model: Path | bytes, threads: int = 1):
    """An onnxruntime session on the CPU over ``model`` (a file, or its bytes) with ``threads`` threads
    and no busy-waiting: spinning threads fight whatever else runs (the chat's UI thread, a build)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    source = model if isinstance(model, bytes) else str(model)
    return onnxruntime.InferenceSession(source, options, providers=["CPUExecutionProvider"])


class QuestionEncoder:
    """The model as an ONNX graph plus its tokenizer; ``encode_query`` matches ``Embedder.encode_query``."""

    def __init__(self, session, tokenizer, record: EncoderExport) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.record = record

    @classmethod
    def load(cls, folder: Path, record: EncoderExport) -> "QuestionEncoder":
        """Open the export in ``folder``; it must still give the vector recorded for the probe text."""
        encoder = cls.open(folder, record)
        probe = encoder.encode_query(record.probe)
        if float(probe @ np.asarray(record.probe_vector, dtype=np.float32)) < SAME_VECTOR_COSINE:
            raise IndexCorruptError(
                f"the index's question encoder ({folder / ENCODER_FILE}) no longer gives the model's vectors"
            )
        return encoder

    @classmethod
    def open(cls, folder: Path, record: EncoderExport) -> "QuestionEncoder":
        """Open the export without checking it against the probe (the export step checks it itself)."""
        try:
            from tokenizers import Tokenizer

            # One thread: a question is too little work to share between cores.
            session = cpu_session(folder / ENCODER_FILE)
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        except Exception as exc:  # onnxruntime and tokenizers raise their own exception types
            raise IndexCorruptError(
                f"the index's question encoder cannot be opened ({type(exc).__name__})", Remedy.UPDATE
            ) from exc
        tokenizer.no_padding()
        tokenizer.enable_truncation(record.max_length)
        return cls(session, tokenizer, record)

    def encode_query(self, text: str) -> np.ndarray:
        """One text's unit-length vector, shape (dimension,)."""
        encoding = self._tokenizer.encode(text)
        ids = np.asarray([encoding.ids], dtype=np.int64)
        mask = np.asarray([encoding.attention_mask], dtype=np.int64)
        given = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.asarray([encoding.type_ids], dtype=np.int64)}
        hidden = self._session.run(None, {name: given[name] for name in self.record.inputs})[0][0]
        if self.record.pooling == "cls":
            vector = hidden[0]
        else:
            weights = mask[0].astype(np.float32)
            vector = (hidden * weights[:, None]).sum(axis=0) / max(float(weights.sum()), 1.0)
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm > 0 else vector).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Each text's vector as ``encode_query`` gives it, one row a text: shape (len(texts), dimension)."""
        return np.stack([self.encode_query(text) for text in texts]) if texts else np.zeros((0, len(self.record.probe_vector)), dtype=np.float32)
