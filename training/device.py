"""`python -m training.device`: the reader trained in one call on a borrowed GPU machine.

Such a machine has torch, transformers, tokenizers, onnx and safetensors but neither the package's own
dependencies nor the packaged encoder, takes at most 64 MiB of files with the repository, and gives
back at most 8 files of at most 16 MiB each. So:

- ``kit DIR`` (here): ``DIR/base/``, the packaged encoder's config and tokenizer files with a
  ``model.safetensors`` holding only its embedding module in float16 (24 MB instead of 90: the encoder
  layers come from the tracked shipped reader, ``--from-shipped``), and ``DIR/train.json.gz``, the data.
- ``send RUN OUT`` (there, after ``training.train``): the run's trained weights (``final.pt``, else its
  last checkpoint's), less the frozen embedding module and the unused pooler, in float16, cut into
  ``trained-0.safetensors``, ``trained-1.safetensors``, ... of at most 15 MiB each, and the run's
  ``heldout.json`` and ``train.log``.
- ``receive FILES... --run RUN`` (here): those files back into a whole float32 state dict, the embedding
  module and the pooler taken from the packaged encoder, written as ``RUN/final.pt`` for
  ``python -m training.export --run RUN``.
- ``drift --run RUN`` (here): how far the device's float16 embedding tables move the logits of the
  run's weights (each way in float32 torch and as exported to int8 ONNX) on held-out windows.

``training/device_run.sh`` is the one command run there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path

import torch

# The base encoder's files a kit carries beside its embeddings (those the tokenizer and transformers read).
SMALL_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")
WEIGHTS_FILE = "model.safetensors"
KIT_DATA = "train.json.gz"
# The encoder's embedding module: frozen in training (so never sent back) and all a kit's base holds.
EMBEDDINGS = "embeddings."
# What `send` leaves out of the reader's state dict: the frozen embedding module, and the pooler, which
# the reader never reads (nor trains: it has no gradient).
NOT_SENT = ("encoder.embeddings.", "encoder.pooler.")
PART_BYTES = 15 * 2**20
PART_NAME = "trained-{}.safetensors"
# The embedding tables the device reads in float16 (the kit's); its embeddings' layer norm is replaced by
# the shipped file's, float32 and equal to the packaged one.
ROUNDED_ON_DEVICE = tuple(
    f"encoder.embeddings.{t}_embeddings." for t in ("word", "position", "token_type")
)
# The run's files sent back beside the weights.
RECORDS = ("heldout.json", "train.log")


def kit(folder: Path, base: Path | None = None, data: Path | None = None) -> Path:
    """Write the kit (see the module's note) into `folder`; its total size in bytes is printed."""
    from safetensors.torch import load_file, save_file

    from training.train import DEFAULT_DATA, _packaged_model_folder

    base = base or _packaged_model_folder()
    data = data or DEFAULT_DATA
    (folder / "base").mkdir(parents=True, exist_ok=True)
    for name in SMALL_FILES:
        shutil.copyfile(base / name, folder / "base" / name)
    source = base / WEIGHTS_FILE
    tables = {
        name: tensor.to(torch.float16).contiguous()
        for name, tensor in load_file(str(source)).items()
        if name.startswith(EMBEDDINGS) and tensor.is_floating_point()
    }
    save_file(tables, str(folder / "base" / WEIGHTS_FILE), metadata={
        "format": "pt", "kit": "the embedding module only, in float16",
        "from_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
    })
    shutil.copyfile(data, folder / KIT_DATA)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(f"{folder}: {len(tables)} embedding tensors in float16, {size / 1e6:.1f} MB in all")
    return folder


def send(run: Path, out: Path) -> list[Path]:
    """Write the run's trained weights and records into `out` (see the module's note); the files written."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    if (run / "final.pt").exists():
        state, origin = torch.load(run / "final.pt", map_location="cpu"), "final.pt"
    elif (run / "checkpoint.pt").exists():
        # Training stopped before its end (a time limit): its last checkpoint is sent, and said so.
        checkpoint = torch.load(run / "checkpoint.pt", map_location="cpu")
        state, origin = checkpoint["model"], f"checkpoint.pt at step {checkpoint['step']} of {checkpoint.get('total')}"
        print(f"training.device: {run} has no final.pt; sending its {origin}", file=sys.stderr)
    else:
        raise SystemExit(f"training.device: {run} holds neither final.pt nor checkpoint.pt: nothing to send")
    sent = {n: t.detach().to(torch.float16).contiguous() for n, t in state.items() if not n.startswith(NOT_SENT)}
    parts: list[dict[str, torch.Tensor]] = [{}]
    filled = 0
    for name, tensor in sent.items():
        size = tensor.numel() * tensor.element_size()
        if size > PART_BYTES - 2**16:
            raise SystemExit(f"training.device: {name} alone is over a part's {PART_BYTES} bytes")
        if filled + size > PART_BYTES - 2**16:  # room for the part's header
            parts.append({})
            filled = 0
        parts[-1][name] = tensor
        filled += size
    written = []
    for index, part in enumerate(parts):
        path = out / PART_NAME.format(index)
        save_file(part, str(path), metadata={
            "format": "pt", "part": str(index), "parts": str(len(parts)), "origin": origin,
            "dtype": "float16 (the run's float32 weights, rounded)",
        })
        if path.stat().st_size > PART_BYTES:
            raise SystemExit(f"training.device: {path} is over {PART_BYTES} bytes")
        written.append(path)
    for name in RECORDS:
        if (run / name).exists():
            shutil.copyfile(run / name, out / name)
            written.append(out / name)
    for path in written:
        print(f"{path}: {path.stat().st_size / 2**20:.1f} MiB")
    return written


def receive(files: list[Path], run: Path, force: bool = False) -> Path:
    """Rebuild `run`/final.pt from the files `send` wrote (folders stand for the files in them)."""
    from safetensors import safe_open

    from training.model import SpanReader
    from training.train import _packaged_model_folder

    paths = [p for f in files for p in (sorted(f.iterdir()) if f.is_dir() else [f])]
    parts = sorted(p for p in paths if p.suffix == ".safetensors")
    target = run / "final.pt"
    if target.exists() and not force:
        raise SystemExit(f"training.device: {target} exists (--force to replace it)")
    if not parts:
        raise SystemExit("training.device: no .safetensors part among the files")
    # The packaged encoder gives what was not sent: the embedding module (exact: training froze it) and
    # the pooler. The device trained over the kit's float16 copy of the embedding tables, each entry
    # rounded to within 2^-11 of itself; the layers it trained are put back over the exact ones, which
    # moves the logits by far less than the int8 export does (`drift` measures it).
    state = SpanReader.from_encoder_folder(_packaged_model_folder()).state_dict()
    seen: dict[int, int] = {}
    received: set[str] = set()
    for path in parts:
        with safe_open(str(path), "pt") as stored:
            meta = stored.metadata() or {}
            seen[int(meta.get("part", -1))] = int(meta.get("parts", 0))
            for name in stored.keys():
                tensor = stored.get_tensor(name)
                if name.startswith(NOT_SENT) or name not in state or state[name].shape != tensor.shape:
                    raise SystemExit(f"training.device: {path}: {name} {tuple(tensor.shape)} is not a trained weight of the reader")
                state[name] = tensor.to(state[name].dtype)
                received.add(name)
    counts = set(seen.values())
    if len(counts) != 1 or set(seen) != set(range(counts.pop())):
        raise SystemExit(f"training.device: parts {sorted(seen)} of {sorted(set(seen.values()))}: some are missing")
    missing = sorted(n for n in state if not n.startswith(NOT_SENT) and n not in received)
    if missing:
        raise SystemExit(f"training.device: the parts lack {len(missing)} trained weights ({missing[0]}, ...)")
    run.mkdir(parents=True, exist_ok=True)
    torch.save(state, target)
    for path in paths:
        if path.name in RECORDS:
            shutil.copyfile(path, run / path.name)
    print(f"{target}: {len(received)} trained tensors from {len(parts)} parts, the embeddings and pooler as packaged")
    return target


def drift(run: Path, data: Path | None = None, windows: int = 64, onnx: bool = True) -> dict:
    """How far rounding the embedding tables to float16 (as the device trained them) moves the run's
    start and end logits on `windows` held-out windows: in float32 torch, and exported to int8 ONNX."""
    from training.batches import collate
    from training.model import SpanReader
    from training.train import DEFAULT_DATA, _packaged_model_folder

    folder = _packaged_model_folder()
    batch = collate(held_out_windows(data or DEFAULT_DATA, folder, windows))
    exact = SpanReader.from_encoder_folder(folder)
    exact.load_state_dict(torch.load(run / "final.pt", map_location="cpu"))
    rounded = SpanReader.from_encoder_folder(folder)
    rounded.load_state_dict({
        # The tables the kit rounds; its layer norm the device takes from the shipped file, exact.
        n: t.to(torch.float16).float() if n.startswith(ROUNDED_ON_DEVICE) else t
        for n, t in exact.state_dict().items()
    })
    ways = {"float32": [_torch_logits(m, batch) for m in (exact, rounded)]}
    if onnx:
        ways["int8"] = [_onnx_logits(m, batch) for m in (exact, rounded)]
    choosable = batch.choosable.numpy()
    report = {"windows": len(batch.start), "float32": _compared(*ways["float32"], choosable)}
    if onnx:
        report["int8"] = _compared(*ways["int8"], choosable)
        # For scale: what the int8 export itself moves, each way, from the exact weights in float32.
        report["float32_to_int8"] = _compared(ways["float32"][0], ways["int8"][0], choosable)
        report["float32_to_int8_rounded"] = _compared(ways["float32"][0], ways["int8"][1], choosable)
    print(json.dumps(report, indent=2))
    return report


def _compared(a, b, choosable) -> dict:
    """Two (start, end) logit pairs: their largest and mean difference, and how often they pick the same span."""
    from training.heldout import best_span

    same = sum(
        best_span(a[0][r], a[1][r], choosable[r])[1:] == best_span(b[0][r], b[1][r], choosable[r])[1:]
        for r in range(len(choosable))
    )
    return {
        "largest_difference": round(max(float(abs(a[k] - b[k]).max()) for k in (0, 1)), 5),
        "mean_difference": round(sum(float(abs(a[k] - b[k]).mean()) for k in (0, 1)) / 2, 5),
        "largest_logit": round(max(float(abs(a[k]).max()) for k in (0, 1)), 3),
        "same_best_span": same,
    }


def held_out_windows(data: Path, folder: Path, count: int) -> list:
    """The first window of each of `count` held-out questions with its own paragraph."""
    import random

    from training.squad import read_articles, split_articles
    from training.windows import as_window, encode_windows, load_tokenizer

    tokenizer = load_tokenizer(folder)
    _, held_out = split_articles(read_articles(data))
    items = [(q, p) for a in held_out for p in a.paragraphs for q in p.questions if q.answer_text]
    random.Random(7).shuffle(items)
    return [as_window(encode_windows(tokenizer, q.text, p.context)[0], None) for q, p in items[:count]]


def _torch_logits(model, batch):
    model.eval()
    with torch.no_grad():
        start, end = model(batch.input_ids, batch.attention_mask, batch.token_type_ids)
    return start.numpy(), end.numpy()


def _onnx_logits(model, batch):
    import tempfile

    from training.export import _export, _quantize, _session

    with tempfile.TemporaryDirectory() as scratch:
        _export(model, Path(scratch) / "full.onnx")
        _quantize(Path(scratch) / "full.onnx", Path(scratch) / "int8.onnx")
        session = _session(Path(scratch) / "int8.onnx")
    feed = {"input_ids": batch.input_ids.numpy(), "attention_mask": batch.attention_mask.numpy(),
            "token_type_ids": batch.token_type_ids.numpy()}
    return tuple(session.run(None, feed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    making = commands.add_parser("kit", help="write the kit a GPU machine trains from (here)")
    making.add_argument("folder", type=Path)
    making.add_argument("--base", type=Path, help="the base encoder's folder (default: the packaged model)")
    making.add_argument("--data", type=Path, help="the training data (default: training.train's)")
    sending = commands.add_parser("send", help="the run's trained weights and records into OUT (there)")
    sending.add_argument("run", type=Path)
    sending.add_argument("out", type=Path)
    receiving = commands.add_parser("receive", help="the sent files back into RUN/final.pt (here)")
    receiving.add_argument("files", type=Path, nargs="+")
    receiving.add_argument("--run", type=Path, required=True)
    receiving.add_argument("--force", action="store_true", help="replace RUN/final.pt")
    drifting = commands.add_parser("drift", help="the logits' move from float16 embedding tables (here)")
    drifting.add_argument("--run", type=Path, required=True)
    drifting.add_argument("--data", type=Path)
    drifting.add_argument("--windows", type=int, default=64)
    drifting.add_argument("--no-onnx", action="store_true", help="float32 torch only (quick)")
    arguments = parser.parse_args()
    if arguments.command == "kit":
        kit(arguments.folder, arguments.base, arguments.data)
    elif arguments.command == "send":
        send(arguments.run, arguments.out)
    elif arguments.command == "receive":
        receive(arguments.files, arguments.run, arguments.force)
    else:
        drift(arguments.run, arguments.data, arguments.windows, not arguments.no_onnx)


if __name__ == "__main__":
    main()
