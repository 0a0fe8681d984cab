"""Late chunking: a passage's vector and its sentences' vectors from one pass of the real model.

The passage vector must be the model's own vector for that text (the index's passage search depends on
it); each sentence's vector must stay its own (nearest to its own text's vector among its passage's
sentences), windows must cover a passage longer than the model reads at once, and a model that does
not mean-pool falls back to encoding each sentence alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from assistant import Assistant
from assistant.sources.passages import sentence_spans
from assistant.vectors.embedding import Embedder, pooling
from assistant.vectors.late_chunking import WINDOW_OVERLAP, ChunkedText, _windows
from projects import REPO

NORMANS = (REPO / "tests" / "data" / "Normans.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def embedder(built_sample) -> Embedder:
    return Assistant.open(built_sample).load_model()


def chunked(text: str) -> ChunkedText:
    return ChunkedText(text=text, spans=tuple(sentence_spans(text)))


def first_paragraph_with(sentences: int) -> str:
    return next(p for p in NORMANS.split("\n\n") if len(sentence_spans(p)) >= sentences and len(p) < 900)


def test_the_default_model_mean_pools_so_its_sentences_come_from_the_passages_pass(embedder):
    assert pooling(embedder.sentence_transformer) == ("mean", "")


def test_a_short_passage_gets_the_vector_the_model_gives_it_alone(embedder):
    item = chunked(first_paragraph_with(3))
    passages, sentences = embedder.encode_passages([item])
    alone = embedder.encode([item.text])[0]
    assert float(passages[0] @ alone) > 0.9999
    assert sentences[0].shape == (len(item.spans), embedder.dimension)
    assert np.allclose(np.linalg.norm(sentences[0], axis=1), 1.0, atol=1e-5)


def test_sentence_vectors_stay_their_own_with_their_context_mixed_in(embedder):
    # A sentence's vector knows its passage ("Through generations of assimilation..." leans toward the
    # sentences around it), yet most stay nearest their own text among their passage's sentences.
    paragraphs = [p for p in NORMANS.split("\n\n") if len(sentence_spans(p)) >= 4 and len(p) < 900][:4]
    items = [chunked(p) for p in paragraphs]
    _, sentences = embedder.encode_passages(items)
    own_best = total = 0
    for item, vectors in zip(items, sentences):
        similarity = vectors @ embedder.encode([item.text[a:b] for a, b in item.spans]).T
        own_best += int((similarity.argmax(axis=1) == np.arange(len(item.spans))).sum())
        total += len(item.spans)
        assert float(np.diag(similarity).min()) > 0.6
    assert total >= 16 and own_best / total >= 0.8


def test_a_passage_longer_than_the_model_reads_at_once_is_read_in_windows(embedder):
    text = " ".join(p for p in NORMANS.split("\n\n")[:12] if p.strip())
    item = chunked(text)
    tokens = len(embedder.sentence_transformer.tokenizer(text, add_special_tokens=False)["input_ids"])
    assert tokens > 600  # three windows or more
    passages, sentences = embedder.encode_passages([item])
    assert np.isfinite(passages).all() and np.isfinite(sentences[0]).all()
    assert np.allclose(np.linalg.norm(sentences[0], axis=1), 1.0, atol=1e-5)
    # The last sentences lie windows past the first: their vectors come from their own tokens, nearer
    # their own text than the opening sentences' (a window misaligned would mix them up).
    tail = embedder.encode([text[a:b] for a, b in item.spans[-3:]])
    head = embedder.encode([text[a:b] for a, b in item.spans[:3]])
    late_tail = sentences[0][-3:]
    assert (np.diag(late_tail @ tail.T) > (late_tail @ head.T).max(axis=1)).all()


def test_windows_cover_every_token_and_share_the_overlap():
    assert _windows(100, 254, WINDOW_OVERLAP) == [(0, 100)]
    windows = _windows(600, 254, WINDOW_OVERLAP)
    assert windows[0][0] == 0 and windows[-1][1] == 600
    assert all(b[0] <= a[1] - WINDOW_OVERLAP for a, b in zip(windows, windows[1:]))
    assert all(end - start == 254 for start, end in windows)


def test_a_model_that_pools_its_first_token_encodes_each_sentence_alone(embedder):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling

    model = embedder.sentence_transformer
    cls_model = SentenceTransformer(modules=[model[0], Pooling(embedder.dimension, pooling_mode="cls"), Normalize()], device="cpu")
    assert pooling(cls_model)[0] == "cls"
    cls_embedder = Embedder(embedder.spec, cls_model, batch_size=8, precision="float32")
    item = chunked(first_paragraph_with(3))
    passages, sentences = cls_embedder.encode_passages([item])
    assert np.allclose(passages[0], cls_embedder.encode([item.text])[0], atol=1e-5)
    assert np.allclose(sentences[0], cls_embedder.encode([item.text[a:b] for a, b in item.spans]), atol=1e-5)


def test_bfloat16_passages_stay_at_the_float32_vectors(embedder):
    # The build embeds in bfloat16 on a CPU that computes it in hardware (1.6x faster here): its
    # vectors must stay where float32 puts them, or the index would answer otherwise.
    model = embedder.sentence_transformer
    items = [chunked(p) for p in NORMANS.split("\n\n")[:6] if sentence_spans(p)]
    exact = Embedder(embedder.spec, model, batch_size=8, precision="float32").encode_passages(items)
    half = Embedder(embedder.spec, model, batch_size=8, precision="bfloat16").encode_passages(items)
    assert float(np.einsum("ij,ij->i", exact[0], half[0]).min()) > 0.999
    for float_rows, bf16_rows in zip(exact[1], half[1]):
        assert float(np.einsum("ij,ij->i", float_rows, bf16_rows).min()) > 0.999
