"""Export the loaded model to ONNX for the question path, prove the export gives the model's vectors,
and decide when an update may keep the previous index's export.

Runs at build time, when the model is loaded anyway (about a second). Only models whose pipeline
the question encoder can reproduce are exported: a transformer, mean or CLS pooling, and optionally
normalisation. Any other model, or an export that does not match, leaves the index without one, and
questions are then encoded by the model itself (slower, same answers).
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .layout import ENCODER_FILE, ENCODER_FILES, TOKENIZER_FILE
from .manifest import EncoderExport, Manifest, NoEncoderExport, file_matches
from .question_encoder import SAME_VECTOR_COSINE, QuestionEncoder

if TYPE_CHECKING:
    from ..vectors.embedding import Embedder

PROBE = "Which treaty ended the war, and when did it come into force?"
# Texts the export is checked on: a question, a passage long enough to be truncated, and text that
# is not English or ASCII, so that tokenisation, truncation and pooling all have to agree with torch.
CHECK_TEXTS = (
    PROBE,
    " ".join(["The council met in the old town hall and argued about the bridge for many hours."] * 40),
    "Ça coûte 12 € — 東京 (Tōkyō) ist groß; naïve café, ‘quoted’ and – dashed.",
    "x",
)


class UnsupportedModel(Exception):
    """The model's pipeline is not one the question encoder reproduces."""


def export_question_encoder(embedder: Embedder, folder: Path) -> EncoderExport | NoEncoderExport:
    """Write the question encoder's files into ``folder`` and return their record; on a failure of the
    export write nothing and say why (``final`` when the model itself cannot be exported). A failure
    to write (``OSError``: the disk is full) is raised: the build fails and keeps the old index."""
    try:
        return _export(embedder, folder)
    except UnsupportedModel as exc:
        _remove(folder)
        return NoEncoderExport(reason=str(exc), final=True)
    except OSError:
        # A full disk or a folder it may not write: the index would be written without a part it
        # needs (every question then loads the model, 14 s instead of 2), so the build fails instead.
        _remove(folder)
        raise
    except Exception as exc:  # torch.onnx and onnxruntime raise many types; the model still answers
        _remove(folder)
        first_line = str(exc).splitlines()[0][:160] if str(exc) else ""
        return NoEncoderExport(reason=f"export failed: {type(exc).__name__}: {first_line}", final=False)


def kept_export(previous: Manifest, index_dir: Path) -> EncoderExport | NoEncoderExport | None:
    """The previous index's question-encoder entry when an update can keep it (the caller has checked
    that the index suits the config): files whose checksums still match, or a model that cannot be
    exported at all. A damaged export, a failure that may pass, and every rebuild export afresh."""
    entry = previous.question_encoder
    if isinstance(entry, NoEncoderExport):
        return entry if entry.final else None
    for name in ENCODER_FILES:
        check = previous.files.get(name)
        if check is None or not file_matches(index_dir / name, check):
            return None
    return entry


def link_question_encoder(old_folder: Path, new_folder: Path) -> None:
    """Reuse a previous index's export (same model): hard links where the file system allows."""
    for name in ENCODER_FILES:
        try:
            (new_folder / name).hardlink_to(old_folder / name)
        except OSError:
            shutil.copy2(old_folder / name, new_folder / name)


def _remove(folder: Path) -> None:
    for name in ENCODER_FILES:
        (folder / name).unlink(missing_ok=True)


def _pipeline(embedder: Embedder) -> tuple[object, str]:
    from ..vectors.embedding import pooling

    mode, why_not = pooling(embedder.sentence_transformer)
    if mode is None:
        raise UnsupportedModel(why_not)
    return list(embedder.sentence_transformer)[0], mode


def _export(embedder: Embedder, folder: Path) -> EncoderExport:
    import torch
    from tokenizers import Tokenizer

    transformer, pooling = _pipeline(embedder)
    model = embedder.sentence_transformer
    hf_tokenizer = model.tokenizer
    if not getattr(hf_tokenizer, "is_fast", False):
        raise UnsupportedModel("the model has no fast (Rust) tokenizer")
    inputs = tuple(n for n in ("input_ids", "attention_mask", "token_type_ids") if n in hf_tokenizer.model_input_names)
    if "input_ids" not in inputs or "attention_mask" not in inputs:
        raise UnsupportedModel(f"the model takes {hf_tokenizer.model_input_names}, not input ids and a mask")
    max_length = int(model.max_seq_length or hf_tokenizer.model_max_length)

    tokenizer = Tokenizer.from_str(hf_tokenizer.backend_tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.no_truncation()
    tokenizer.save(str(folder / TOKENIZER_FILE))

    network = transformer.auto_model

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, *tensors):
            return self.network(**dict(zip(inputs, tensors))).last_hidden_state

    sample = tuple(torch.ones(1, 8, dtype=torch.long) for _ in inputs)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*inputs, "last_hidden_state")}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the tracer's notes on the model's Python control flow
        torch.onnx.export(
            LastHiddenState().eval(),
            sample,
            str(folder / ENCODER_FILE),
            input_names=list(inputs),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    reference = embedder.encode(list(CHECK_TEXTS))
    draft = EncoderExport(
        tokenizer=TOKENIZER_FILE, inputs=inputs, pooling=pooling, max_length=max_length, probe=PROBE,
        probe_vector=tuple(round(float(x), 7) for x in reference[0]),
    )
    exported = QuestionEncoder.open(folder, draft)
    agreement = min(float(exported.encode_query(text) @ vector) for text, vector in zip(CHECK_TEXTS, reference))
    if agreement < SAME_VECTOR_COSINE:
        raise UnsupportedModel(f"the export's vectors differ from the model's (cosine {agreement:.5f})")
    for name in ENCODER_FILES:  # durable now: 90 MB is the bulk of a small index's writing
        with (folder / name).open("rb") as handle:
            os.fsync(handle.fileno())
    return draft
