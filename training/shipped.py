"""The shipped reader's weights back in torch, so that a later stage can start from what ships.

The training runs' float checkpoints (`training/runs/`) are not kept, but the int8 ONNX file in
`assistant/data/reader/` is. Its linear layers are dynamically quantized per output channel
(``MatMulInteger`` over an int8 weight with a scale and zero point a channel), and dequantizing them
gives the trained weights to within half a step of their channel's scale; everything else (biases,
layer norms) is stored in float32. The embedding tables are quantized per tensor, far more coarsely,
but training never changed them (they stay frozen): they come from the packaged encoder as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from training.model import SpanReader

# The reader the package ships (`assistant.answers.reader.shipped_folder() / READER_FILE`), found by the
# repository's layout (training/ beside assistant/) so that training imports nothing of the package:
# a GPU machine borrowed to train has torch but not the package's own dependencies (pydantic and more).
SHIPPED_FILE = Path(__file__).resolve().parent.parent / "assistant" / "data" / "reader" / "reader.onnx"
# What the file does not hold: the embedding tables, frozen in training (quantized per tensor, and the
# packaged encoder's own are exact), and the pooler, which the reader never reads.
_NOT_STORED = (
    "encoder.embeddings.word_embeddings.", "encoder.embeddings.position_embeddings.",
    "encoder.embeddings.token_type_embeddings.", "encoder.pooler.",
)
# "/encoder/encoder/layer.0/attention/self/query/MatMul_quant" -> "encoder.encoder.layer.0.attention.self.query"
_LINEAR_NODE = re.compile(r"^/(?P<path>.+)/MatMul_quant$")


class ShippedWeightsError(Exception):
    """The shipped ONNX file does not hold the reader's layers as ``training/export.py`` writes them."""


def shipped_state(model: SpanReader, path: Path = SHIPPED_FILE) -> dict[str, torch.Tensor]:
    """``model``'s state dict with every weight the shipped file trained replaced by the file's own:
    the float tensors as stored, and each quantized linear layer's weight dequantized."""
    import onnx
    from onnx import numpy_helper

    try:
        graph = onnx.load(str(path)).graph
    except Exception as exc:  # a missing file is an OSError; a damaged one, protobuf's DecodeError
        raise ShippedWeightsError(f"{path} cannot be read as ONNX ({type(exc).__name__}): install the assistant again") from exc
    stored = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    taken = set()
    for name, value in stored.items():
        if name in state and value.dtype == np.float32:
            state[name] = torch.from_numpy(value.copy())
            taken.add(name)
    for node in graph.node:
        match = _LINEAR_NODE.match(node.name)
        if node.op_type != "MatMulInteger" or match is None:
            continue
        weight = node.input[1]
        stem = weight.removesuffix("_quantized")
        name = match["path"].replace("/", ".") + ".weight"
        if name not in state or stem + "_scale" not in stored:
            raise ShippedWeightsError(f"{path}: {node.name} names no weight of the reader")
        levels = stored[weight].astype(np.float32) - stored[stem + "_zero_point"].astype(np.float32)
        dequantized = levels * stored[stem + "_scale"].astype(np.float32)  # (in, out): one scale an output
        if tuple(dequantized.T.shape) != tuple(state[name].shape):
            raise ShippedWeightsError(f"{path}: {name} is {dequantized.T.shape}, the reader's {tuple(state[name].shape)}")
        state[name] = torch.from_numpy(np.ascontiguousarray(dequantized.T))
        taken.add(name)
    missing = sorted(n for n in state if not n.startswith(_NOT_STORED) and n not in taken)
    if missing:
        raise ShippedWeightsError(f"{path} does not hold {len(missing)} of the reader's weights ({missing[0]}, ...)")
    return state
