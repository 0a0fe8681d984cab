"""The sentence-transformers model: resolve the configured model offline and encode texts in batches."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..config import DEFAULT_MODEL, Config, Precision
from ..errors import ModelLoadError
from .late_chunking import ChunkedText, late_chunked
from .model_location import ModelSpec, resolve_model  # noqa: F401 (resolve_model: this module's API too)

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

ENCODE_CHUNK = 256
POOLING_MODES = {"mean": "mean", "pooling_mode_mean_tokens": "mean", "cls": "cls", "pooling_mode_cls_token": "cls"}


def pooling(model: "SentenceTransformer") -> tuple[str | None, str]:
    """The model's pooling ("mean" or "cls") when its pipeline is a transformer, a pooling and
    optionally normalisation; else None, and why, in words."""
    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return None, f"the model's pipeline ({' → '.join(kinds)}) is not transformer, pooling, normalise"
    config = modules[1].get_config_dict()
    mode = config.get("pooling_mode")
    if mode is None:
        mode = next((key for key, on in config.items() if key.startswith("pooling_mode_") and on is True), None)
    if mode not in POOLING_MODES:
        return None, f"the model's pooling ({mode}) is not mean or CLS"
    if config.get("include_prompt") is False:
        return None, "the model's pooling leaves out the prompt"
    return POOLING_MODES[mode], ""


def native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX-512 BF16 or AMX). Only there does the build
    embed in bfloat16: measured here 1.6x faster than float32, vectors at cosine 0.99998 of float32's;
    elsewhere bfloat16 is emulated, and slower than float32."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            flags = info.read()
    except OSError:  # not Linux: no way to tell, so float32
        return False
    return " avx512_bf16" in flags or " amx_bf16" in flags


def wants_bfloat16(precision: Precision) -> bool:
    """Whether a precision setting means bfloat16 on this CPU: asked for, or "auto" where it is native."""
    return precision == "bfloat16" or (precision == "auto" and native_bfloat16())


def _passage_precision(bfloat16: bool):
    """The context the build's passages are embedded in: bfloat16 autocast, or nothing."""
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bfloat16)


def import_library() -> None:
    """Import sentence-transformers (torch with it), set to stay offline and quiet: most of the seconds
    a model's first load takes, done ahead where a load is to come. ``ModelLoadError`` if it is missing."""
    # Never reach for the network: the hub is not available here, and a hang is worse than an error.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import sentence_transformers  # noqa: F401
        from transformers.utils import logging as transformers_logging
    except ImportError as exc:
        raise ModelLoadError(f"sentence-transformers is not installed: {exc}") from exc
    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()


class Embedder:
    """A loaded sentence-transformers model that returns L2-normalised float32 vectors."""

    def __init__(self, spec: ModelSpec, model: "SentenceTransformer", batch_size: int, precision: Precision = "auto") -> None:
        self.spec = spec
        self._model = model
        self.batch_size = batch_size
        # Decided once: whether the build's passages are embedded in bfloat16 ("auto": where this CPU
        # computes it in hardware), and whether their sentences come out of the passage's own pass
        # (a mean-pooling model). Questions are always float32.
        self.bfloat16 = wants_bfloat16(precision)
        self._late_chunked = pooling(model)[0] == "mean"
        get_dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dimension = int(get_dimension() or 0)

    @property
    def sentence_transformer(self) -> "SentenceTransformer":
        """The loaded model itself (the ONNX export reads its modules)."""
        return self._model

    @classmethod
    def load(cls, config: Config) -> "Embedder":
        """Load the configured model from disk only; any failure is a ``ModelLoadError``."""
        model = config.settings.model
        fix = f"set model.name in {config.path} to a local model folder or to {DEFAULT_MODEL}"
        return cls.load_spec(resolve_model(config), model.batch_size, model.precision, fix=fix)

    @classmethod
    def load_spec(cls, spec: ModelSpec, batch_size: int, precision: Precision = "auto", fix: str = "") -> "Embedder":
        """Load the model ``spec`` names from disk only (a build's machine, or a cluster's worker);
        any failure is a ``ModelLoadError``, ending with ``fix`` (what to do about it) where given."""
        import_library()
        from sentence_transformers import SentenceTransformer

        try:
            model = SentenceTransformer(spec.location, device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many types (OSError, ValueError, HF errors)
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            message = f"cannot load embedding model '{spec.name}' offline ({detail[:200]})"
            raise ModelLoadError(f"{message}; {fix}" if fix else message) from exc
        return cls(spec, model, batch_size, precision)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``, one row each, unit length."""
        total = len(texts)
        if total == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Longest first across the whole input, so each batch pads little; results go back in order.
        order = sorted(range(total), key=lambda i: -len(texts[i]))
        out = np.empty((total, self.dimension), dtype=np.float32)
        for chunk_start in range(0, total, ENCODE_CHUNK):
            ids = order[chunk_start : chunk_start + ENCODE_CHUNK]
            vectors = self._model.encode(
                [texts[i] for i in ids],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            out[ids] = vectors.astype(np.float32, copy=False)
        return out

    def encode_passages(self, items: Sequence[ChunkedText]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Each passage's vector and its sentences' vectors (unit length).

        A model that mean-pools its tokens reads each passage once and its sentences' vectors are
        pooled out of that pass (``late_chunking``: half the work, and a sentence's vector knows its
        context); any other model encodes every sentence on its own as well. In bfloat16 where the
        precision chose it (see ``native_bfloat16``).
        """
        with _passage_precision(self.bfloat16):
            if self._late_chunked:
                return late_chunked(self._model, items, self.batch_size)
            passages = self.encode([item.text for item in items])
            flat = self.encode([item.text[a:b] for item in items for a, b in item.spans])
        bounds = np.cumsum([0, *(len(item.spans) for item in items)])
        return passages, [flat[bounds[i] : bounds[i + 1]] for i in range(len(items))]

    def encode_query(self, text: str) -> np.ndarray:
        """One question's vector, shape (dimension,)."""
        return self.encode([text])[0]

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Questions' vectors, one row a text (as ``QuestionEncoder.encode_queries``)."""
        return self.encode(list(texts))

    def for_questions(self) -> "Embedder":
        """This model as the question encoder (a model without an ONNX export): torch on one thread
        from now on, process-wide. A question is a few tokens, too little work to share, and when the
        cores are busy with anything else torch's threads wait on each other (measured on the loaded
        2-core machine: 505 ms with two threads, 27 ms with one). A later build in the same process
        (the chat's ctrl+r) embeds on that one thread too."""
        import torch

        torch.set_num_threads(1)
        return self
