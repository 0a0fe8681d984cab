"""Windows made in several processes (the same for the same number of them; with one, as before), and a
run held to a time budget (shortened once timed, its learning rate decaying to nothing at its new end,
and kept so when resumed)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from training.examples import question_groups, training_windows
from training.squad import read_articles, split_articles
from training.train import DEFAULT_DATA, TIMED_TO, _packaged_model_folder, _Plan
from training.windows import load_tokenizer

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not DEFAULT_DATA.exists(), reason=f"{DEFAULT_DATA} is not here")


@pytest.fixture(scope="module")
def articles():
    return split_articles(read_articles(DEFAULT_DATA))[0]


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer(_packaged_model_folder())


def digest(windows) -> str:
    return hashlib.sha256(repr([(w.input_ids, w.type_ids, w.start, w.end) for w in windows]).encode()).hexdigest()[:16]


def test_one_worker_makes_the_windows_made_before_workers_existed(articles, tokenizer):
    # Digests of the windows and groups the code before --workers made (seed 13, 300 questions from the
    # 100th, half of them paired with another article's paragraph; 100 groups), the other articles'
    # paragraphs ranked alike on any CPU (neighbours.most_alike: the digests taken before held an AVX2
    # CPU's order of equal scores, and a CPU with AVX-512 made others).
    windows, asked = training_windows(articles, tokenizer, 300, 13, 100, 0.5)
    assert (asked, len(windows), digest(windows)) == (300, 731, "5f69fad9aba85be9")
    groups, asked = question_groups(articles, tokenizer, 100, 13, 0, 0.5)
    assert (asked, len(groups), digest([w for g in groups for w in g])) == (100, 100, "1492350fc1eee834")


def test_several_workers_make_the_same_windows_each_time_from_the_same_questions(articles, tokenizer):
    one, _ = training_windows(articles, tokenizer, 300, 13, 100, 0.5)
    two, asked = training_windows(articles, tokenizer, 300, 13, 100, 0.5, workers=2)
    again, _ = training_windows(articles, tokenizer, 300, 13, 100, 0.5, workers=2)
    assert asked == 300 and digest(two) == digest(again) != digest(one)
    # The same questions (each one's answering window holds its question), their negatives drawn anew.
    def questions(windows):
        return sorted({w.input_ids[: w.type_ids.index(1)] for w in windows if w.start})
    assert questions(two) == questions(one)
    assert abs(len(two) - len(one)) < 0.1 * len(one)
    groups, _ = question_groups(articles, tokenizer, 60, 13, 0, 0.5, workers=3)
    groups_again, _ = question_groups(articles, tokenizer, 60, 13, 0, 0.5, workers=3)
    assert len(groups) == 60 and groups == groups_again


def test_a_shortened_plan_decays_to_nothing_at_its_new_end():
    plan = _Plan(1000)
    assert plan.warmup == 50 and plan.rate(49) == 1.0 and plan.rate(999) > 0
    plan.shorten(200)
    assert plan.warmup == 10 and plan.rate(100) == pytest.approx(100 / 190) and plan.rate(200) == 0.0


def test_a_run_with_a_time_budget_ends_in_time_and_a_resumption_keeps_its_length(tmp_path):
    run = tmp_path / "run"
    command = [
        sys.executable, "-m", "training.train", "--questions", "60", "--batch-size", "2", "--steps", "400",
        "--heldout", "0", "--precision", "float32", "--run", str(run),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", "OMP_NUM_THREADS": "1"}
    # A budget already spent when timed: the run ends at the timing's step, its learning rate at 0.
    done = subprocess.run([*command, "--minutes", "0.001"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"time budget of 0.001 min: {TIMED_TO} steps in all instead of 400" in done.stdout
    checkpoint = torch.load(run / "checkpoint.pt", map_location="cpu")
    assert (checkpoint["step"], checkpoint["total"]) == (TIMED_TO, TIMED_TO)
    assert checkpoint["schedule"]["_last_lr"] == [0.0]
    assert '"steps": 30' in (run / "heldout.json").read_text()
    # Resumed without the budget, it keeps the length it was cut to.
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"resumed at step {TIMED_TO} of {TIMED_TO}" in done.stdout
    assert torch.load(run / "checkpoint.pt", map_location="cpu")["step"] == TIMED_TO
