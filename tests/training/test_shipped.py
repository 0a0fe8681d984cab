"""A later training stage can start from the reader the package ships: its int8 file's weights, read
back into the torch reader, give the shipped file's answers."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from assistant.answers.reader import Reader, Stretch, feed
from training.heldout import best_span
from training.model import SpanReader
from training.shipped import SHIPPED_FILE, ShippedWeightsError, shipped_state
from training.train import _packaged_model_folder

CONTEXTS = [
    ("Who wrote the novel?", "The novel was written by Jane Austen in 1813 and published anonymously. It sold well."),
    ("When did the war end?", "The war ended in 1945 after six years of fighting across Europe and Asia."),
    ("What regulates IFITM3?", "IFITM3 restricts the entry of influenza virus into the cell, and palmitoylation regulates it."),
]


@pytest.fixture(scope="module")
def recovered() -> SpanReader:
    model = SpanReader.from_encoder_folder(_packaged_model_folder())
    model.load_state_dict(shipped_state(model))
    return model.eval()


def test_the_recovered_weights_find_the_shipped_readers_spans_with_its_margins(recovered):
    reader = Reader.load()
    for question, context in CONTEXTS:
        [(_, encoding)] = reader.windows(question, [Stretch(context, 0)])
        inputs = feed([encoding])
        shipped_start, shipped_end = reader.run(inputs)
        with torch.no_grad():
            start, end = recovered(*(torch.from_numpy(inputs[k]) for k in ("input_ids", "attention_mask", "token_type_ids")))
        choosable = np.asarray([s == 1 for s in encoding.sequence_ids])
        spans = []
        for s, e in ((start[0].numpy(), end[0].numpy()), (shipped_start[0], shipped_end[0])):
            score, i, j = best_span(s, e, choosable)
            spans.append(((i, j), score - float(s[0] + e[0])))
        assert spans[0][0] == spans[1][0], question
        # The shipped file quantizes its activations as it runs too, with the CPU's int8 kernels: margins
        # agree to within a unit on an AVX2 CPU, 1.1 on one with AVX-512 VNNI (0.5 to 1.1 measured).
        assert abs(spans[0][1] - spans[1][1]) < 1.5, question


def test_a_file_without_the_readers_layers_is_an_error(tmp_path):
    import onnx
    from onnx import helper

    graph = helper.make_graph([], "empty", [], [])
    onnx.save(helper.make_model(graph), tmp_path / "reader.onnx")
    model = SpanReader.from_encoder_folder(_packaged_model_folder())
    with pytest.raises(ShippedWeightsError, match="does not hold"):
        shipped_state(model, tmp_path / "reader.onnx")
    assert SHIPPED_FILE.exists()


def test_a_damaged_file_is_an_error_naming_the_remedy(tmp_path):
    (tmp_path / "reader.onnx").write_bytes(b"not a model at all")
    model = SpanReader.from_encoder_folder(_packaged_model_folder())
    with pytest.raises(ShippedWeightsError, match="install the assistant again"):
        shipped_state(model, tmp_path / "reader.onnx")
