"""The time budget's arithmetic (`training.train._Budget`): timed over the first steps, a run is cut to
the steps that fit before its deadline, and again at checkpoints, never lengthened."""

from __future__ import annotations

from training import train
from training.train import TIMED_FROM, TIMED_TO, _Budget


def test_a_run_is_cut_to_the_steps_that_fit_its_deadline(monkeypatch):
    clock = {"now": 0.0}
    monkeypatch.setattr(train.time, "time", lambda: clock["now"])
    budget = _Budget(deadline=100.0, first_step=0, device="cpu")  # a second a step, 100 s left
    totals = {}
    for step in range(1, 201):
        clock["now"] = float(step)
        totals[step] = budget.total(step, 1000, checkpoint=step % 50 == 0)
    assert all(totals[step] == 1000 for step in range(1, TIMED_TO))  # not yet timed
    assert totals[TIMED_TO] == 100 and budget.seconds_a_step == 1.0  # 30 done, 70 s left at 1 s a step
    assert totals[50] == 100  # timed again at a checkpoint: still on time, never longer


def test_a_slower_stretch_shortens_the_run_again_at_a_checkpoint(monkeypatch):
    clock = {"now": 0.0}
    monkeypatch.setattr(train.time, "time", lambda: clock["now"])
    budget = _Budget(deadline=100.0, first_step=0, device="cpu")
    for step in range(1, TIMED_TO + 1):
        clock["now"] = float(step)
        budget.total(step, 1000, checkpoint=False)
    clock["now"] = 80.0  # steps 31 to 40 took 5 s each
    assert budget.total(40, 100, checkpoint=True) == 40 + int(20 / ((80 - TIMED_FROM) / (40 - TIMED_FROM)))
