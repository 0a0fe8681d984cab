"""The reader's training groups: a question's answering window with the hard windows that do not answer,
read under one softmax (shared normalisation), so that spans in different windows can be compared."""

from __future__ import annotations

import math

import pytest
import torch

from training.batches import collate_groups
from training.examples import GROUP_WINDOWS, question_groups
from training.squad import Article, Paragraph, Question
from training.train import _group_cross, _packaged_model_folder
from training.windows import load_tokenizer

QUESTION = Question("q1", "What regulates the antiviral activity of IFITM3?", 44, "palmitoylation")
ARTICLE = Article("IFITM3", (
    Paragraph("IFITM3's antiviral activity is regulated by palmitoylation of its cysteines.", (QUESTION,)),
    Paragraph("The weather in the hills was mild that spring.", ()),
    Paragraph("The antiviral activity of IFITM3 was first seen against influenza in cell lines.", ()),
    Paragraph("IFITM3 is an interferon-induced protein found in many cells.", ()),
))


def test_a_group_is_the_answering_window_then_the_articles_most_alike_paragraphs_that_do_not_answer():
    tokenizer = load_tokenizer(_packaged_model_folder())
    groups, asked = question_groups([ARTICLE], tokenizer, None, seed=1)
    assert asked == 1
    [group] = groups
    assert 1 < len(group) <= GROUP_WINDOWS
    answering, *others = group
    words = tokenizer.decode(list(answering.input_ids[answering.start : answering.end + 1]))
    assert words == QUESTION.answer_text
    assert all(w.start == w.end == 0 for w in others)
    texts = [tokenizer.decode(list(w.input_ids)) for w in others]
    # The two paragraphs naming IFITM3 come first, the most alike (more shared words) first; the one
    # about the weather shares no word with the question and is never taken.
    assert "first seen against influenza" in texts[0]
    assert "interferon - induced" in texts[1]
    assert not any("weather" in t for t in texts)
    assert collate_groups([group, group]).group.tolist() == [0] * len(group) + [1] * len(group)


def test_the_group_loss_is_one_softmax_over_every_window_of_the_group_without_cls():
    # Two groups: windows 0 and 1 (the answer at position 2 of window 0), and window 2 alone (answer at 1).
    logits = torch.tensor([
        [9.0, 0.0, 2.0, 0.0],
        [9.0, 2.0, 0.0, 0.0],
        [0.0, 1.0, 1.0, -1e4],
    ])
    target = torch.tensor([2, 0, 1])
    group = torch.tensor([0, 0, 1])
    loss = _group_cross(logits, target, group)
    # [CLS] (position 0) is out; the first group's answer holds e^2 of 2e^2 + 4 e^0, the second's 1/2.
    first = -math.log(math.exp(2) / (2 * math.exp(2) + 4))
    second = -math.log(0.5)
    assert math.isclose(float(loss), (first + second) / 2, rel_tol=1e-5)
    # A span in the window that does not answer scoring higher costs more.
    logits[1, 1] = 5.0
    assert float(_group_cross(logits, target, group)) > float(loss)


def test_windows_trained_one_at_a_time_are_groups_of_one():
    """Without shared normalisation, training takes each window as a group of its own: the same batches,
    in the same order, and the same tensors as the windows batched alone."""
    from training.batches import batch_order, collate, group_batch_order
    from training.examples import training_windows

    tokenizer = load_tokenizer(_packaged_model_folder())
    windows, _ = training_windows([ARTICLE], tokenizer, None, seed=2)
    groups = [[w] for w in windows]
    assert len(windows) >= 2
    assert group_batch_order(groups, 1, seed=3) == batch_order(windows, 1, seed=3)
    alone, grouped = collate(windows), collate_groups(groups)
    for name in ("input_ids", "attention_mask", "token_type_ids", "choosable", "start", "end", "group"):
        assert torch.equal(getattr(alone, name), getattr(grouped, name)), name


def test_a_groups_windows_that_do_not_answer_share_one_windows_weight():
    """In a group of one answering window and three that do not, "no answer" would be taught three times
    in four; each of the three weighs a third, so answering and not weigh alike. A window alone in its
    group weighs 1, so training without groups keeps the plain mean."""
    from training.train import _window_weights

    answering = torch.tensor([True, False, False, False, True, False, False])
    group = torch.tensor([0, 0, 0, 0, 1, 1, 2])
    weights = _window_weights(answering, group).tolist()
    assert weights == pytest.approx([1.0, 1 / 3, 1 / 3, 1 / 3, 1.0, 1.0, 1.0])
    alone = torch.arange(4)
    assert _window_weights(torch.tensor([True, False, False, True]), alone).tolist() == [1.0] * 4
