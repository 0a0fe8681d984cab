"""`assistant index --ray`: the passages embedded on a Ray cluster give the same index as a local build.

The tests start a throwaway Ray on this machine (``--ray local``), as a user without a cluster would
try it; a cluster that cannot be reached, and Ray not installed, are one-line errors that keep the
last good index.
"""

from __future__ import annotations

import sys

import numpy as np

from assistant import Assistant
from assistant.store.loaded import load_index
from assistant.vectors.quantization import LEVEL_MAX
from cli_runner import run_cli


def index_contents(config_path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The index's passages, their vectors and their sentences' vectors, as read from disk."""
    assistant = Assistant.open(config_path)
    index = load_index(assistant.config, assistant.model_name)
    try:
        texts = [passage.text for passage in index.passages]
        return texts, index.vectors.reconstruct_n(0, index.vectors.ntotal), index.sentence_vectors[:]
    finally:
        index.close()


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def answers(config_path, questions: list[str]) -> list[list[str]]:
    assistant = Assistant.open(config_path)
    return [[s.citation.label() for s in assistant.ask(q).snippets] for q in questions]


QUESTIONS = ["How long is the temporary document valid?", "Who proposed the ID card deal?", "What did Serbia do?"]


def test_a_build_on_a_local_ray_is_the_index_a_local_build_makes(sample_project):
    texts, passages, sentences = index_contents(sample_project)
    answered_locally = answers(sample_project, QUESTIONS)
    code, out, err = run_cli("--config", str(sample_project), "index", "--rebuild", "--ray", "local")
    assert code == 0, err
    assert "Ray cluster at local (2 model workers)" in out
    ray_texts, ray_passages, ray_sentences = index_contents(sample_project)
    assert ray_texts == texts
    # The same vectors up to the rounding of the arithmetic: a worker runs torch on one thread, and in
    # bfloat16 (where the CPU has it) sums split otherwise round otherwise.
    assert float(np.einsum("ij,ij->i", ray_passages, passages).min()) > 0.9999
    assert ray_sentences.shape == sentences.shape
    # Sentence vectors are stored as 4-bit codes: a value that rounding moved across a step's edge
    # comes back one step away; nearly every one comes back the same.
    steps = np.abs(sentences).max(axis=1, keepdims=True) / LEVEL_MAX
    assert np.all(np.abs(ray_sentences - sentences) <= steps * 1.01)
    assert float(np.mean(np.abs(ray_sentences - sentences) < steps / 2)) > 0.99
    assert answers(sample_project, QUESTIONS) == answered_locally


def test_an_unreachable_cluster_is_one_line_and_the_last_index_stays(sample_project):
    manifest = (sample_project.parent / "index" / "manifest.json").read_bytes()
    code, out, err = run_cli("--config", str(sample_project), "index", "--rebuild", "--ray", "127.0.0.1:1")
    assert code == 2
    assert err.startswith("assistant: error: cannot reach the Ray cluster at 127.0.0.1:1") and err.count("\n") == 1
    assert (sample_project.parent / "index" / "manifest.json").read_bytes() == manifest


def test_without_ray_installed_the_error_names_the_extra(sample_project, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as on a machine without the cluster extra
    code, _, err = run_cli("--config", str(sample_project), "index", "--ray", "local")
    assert code == 2
    assert "pip install -e '.[cluster]'" in err and err.count("\n") == 1


def test_the_cluster_comes_from_the_config_too(sample_project):
    text = sample_project.read_text(encoding="utf-8")
    sample_project.write_text(text + '\n[cluster]\naddress = "127.0.0.1:1"\nworkers = 1\n', encoding="utf-8")
    code, _, err = run_cli("--config", str(sample_project), "index")
    assert code == 0  # up to date: nothing to embed, no cluster needed
    code, _, err = run_cli("--config", str(sample_project), "index", "--rebuild")
    assert code == 2 and "cannot reach the Ray cluster at 127.0.0.1:1" in err


def test_what_is_not_a_ray_address_is_refused_before_anything_is_read(sample_project):
    manifest = (sample_project.parent / "index" / "manifest.json").read_bytes()
    for address in ("nonsense", "ray://", "host:port", "  "):
        code, _, err = run_cli("--config", str(sample_project), "index", "--rebuild", "--ray", address)
        assert code == 2 and err.startswith("assistant: error: --ray: not a Ray address") and err.count("\n") == 1
    text = sample_project.read_text(encoding="utf-8")
    sample_project.write_text(text + '\n[cluster]\naddress = "ray://"\n', encoding="utf-8")
    code, _, err = run_cli("--config", str(sample_project), "status")
    assert code == 2 and "cluster.address" in err and "not a Ray address" in err
    assert (sample_project.parent / "index" / "manifest.json").read_bytes() == manifest
