"""Windows to padded tensors: batches of alike length (little padding), in a fixed shuffled order."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

import torch

from training.windows import Window

# Batches are sorted by length within pools of this many batches, then the batches are shuffled.
SORT_POOL_BATCHES = 50


@dataclass(frozen=True)
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    token_type_ids: torch.Tensor
    # Token positions the scores may pick: the context and [CLS]; never the question or padding.
    choosable: torch.Tensor
    start: torch.Tensor
    end: torch.Tensor
    # The group (question) each window belongs to, counted from 0 in the batch; one group a window when
    # the windows were not grouped.
    group: torch.Tensor


def batch_order(windows: list[Window], batch_size: int, seed: int) -> list[list[int]]:
    """Indices of the windows a batch, alike lengths together, the batches in a seeded random order."""
    rng = random.Random(seed)
    order = list(range(len(windows)))
    rng.shuffle(order)
    pool = batch_size * SORT_POOL_BATCHES
    batches: list[list[int]] = []
    for begin in range(0, len(order), pool):
        chunk = sorted(order[begin : begin + pool], key=lambda i: len(windows[i].input_ids))
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def group_batch_order(groups: list[list[Window]], groups_per_batch: int, seed: int) -> list[list[int]]:
    """Indices of the groups a batch, alike lengths together, the batches in a seeded random order."""
    return batch_order([max(g, key=lambda w: len(w.input_ids)) for g in groups], groups_per_batch, seed)


def collate_groups(groups: list[list[Window]]) -> Batch:
    """The groups' windows, one after another, padded to the longest of them, each marked with its group."""
    batch = collate([w for g in groups for w in g])
    group = torch.tensor([i for i, g in enumerate(groups) for _ in g])
    return replace(batch, group=group)


def collate(windows: list[Window]) -> Batch:
    """The windows padded to the longest of them."""
    width = max(len(w.input_ids) for w in windows)
    shape = (len(windows), width)
    ids = torch.zeros(shape, dtype=torch.long)
    mask = torch.zeros(shape, dtype=torch.long)
    types = torch.zeros(shape, dtype=torch.long)
    for row, window in enumerate(windows):
        n = len(window.input_ids)
        ids[row, :n] = torch.tensor(window.input_ids)
        mask[row, :n] = 1
        types[row, :n] = torch.tensor(window.type_ids)
    choosable = types.bool() & mask.bool()
    # The closing [SEP] is of the second sequence but never an answer.
    lengths = mask.sum(1)
    choosable[torch.arange(len(windows)), lengths - 1] = False
    choosable[:, 0] = True
    start = torch.tensor([w.start for w in windows])
    end = torch.tensor([w.end for w in windows])
    return Batch(ids, mask, types, choosable, start, end, torch.arange(len(windows)))
