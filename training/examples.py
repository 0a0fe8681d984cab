"""The training examples: answering windows, and windows that do not answer (the near neighbours)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from tokenizers import Tokenizer

from training.neighbours import other_article_neighbours
from training.squad import Article, Paragraph, Question
from training.windows import (
    Window,
    answer_span,
    as_window,
    content_words,
    encode_windows,
    without_sentence_at,
)

# Share of a paragraph's windows that miss the answer that are kept as no-answer examples.
OWN_MISS_KEEP = 0.3
# Share of questions also paired with the most alike other paragraph of their article.
NEIGHBOUR_SHARE = 0.45
# Share of questions also paired with their own paragraph less the answering sentence.
CUT_SENTENCE_SHARE = 0.15
# Windows in one question's group (shared normalisation): its answering window, then the most alike
# windows of the most alike other paragraphs of its article, then one of its own paragraph's windows
# that miss the answer, its paragraph less the answering sentence, or another article's neighbour.
GROUP_WINDOWS = 4
# Of those, how many come from other paragraphs of the question's own article.
GROUP_NEIGHBOURS = 2


def training_windows(
    articles: list[Article], tokenizer: Tokenizer, questions: int | None, seed: int, first: int = 0,
    other_articles: float = 0.0, workers: int = 1,
) -> tuple[list[Window], int]:
    """Windows for up to `questions` questions (None: every one) drawn at random from the articles,
    negatives made beside; and how many questions they came from.

    The questions are taken from position `first` of one seeded shuffled order, so a second stage
    started at the first stage's end trains on questions the first never saw. `other_articles`: the
    share of answerable questions also paired with the most alike paragraph of another article (0: none,
    and the windows are those of a run made before this choice existed). `workers` > 1: the questions
    are cut into that many chunks, each made in a process of its own with a random order of its own
    (`_in_chunks`): the same windows for the same number of workers, and with one, the windows of a run
    made before this choice existed.
    """
    rng = random.Random(seed)
    taken, others = _drawn_questions(articles, rng, questions, first, other_articles, answerable_only=False)
    chunks = _in_chunks(_chunk_windows, list(zip(taken, others)), tokenizer, rng, seed, workers, other_articles)
    windows = [w for chunk in chunks for w in chunk]
    rng.shuffle(windows)
    return windows, len(taken)


def _chunk_windows(
    drawn: list[tuple[tuple[Article, Paragraph, Question], str | None]], tokenizer: Tokenizer, rng: random.Random,
    other_articles: float,
) -> list[Window]:
    windows: list[Window] = []
    for (article, paragraph, question), other in drawn:
        windows.extend(_question_windows(article, paragraph, question, tokenizer, rng))
        if other is not None and rng.random() < other_articles:
            windows.append(as_window(_most_alike_window(tokenizer, question.text, other), None))
    return windows


def _in_chunks(build, drawn: list, tokenizer: Tokenizer, rng: random.Random, seed: int, workers: int, *extra) -> list:
    """`build(chunk, tokenizer, rng, *extra)` for each chunk of the drawn questions, in chunk order.

    One worker: one chunk, made here with `rng` itself (as before workers existed). More: `workers`
    chunks of consecutive questions, each made in a forked process with `random.Random(f"{seed}:{i}")`,
    its chunk's own order, so the result depends on the number of workers but not on their timing. A
    forked process is handed its work as it starts (nothing pickled to it); its windows come back
    through a pipe. Tokenizing is most of the time (about 8 minutes for every question on one core of
    a 2-core EPYC)."""
    if workers <= 1:
        return [build(drawn, tokenizer, rng, *extra)]
    size = -(-len(drawn) // workers)
    chunks = [drawn[i : i + size] for i in range(0, len(drawn), size)]
    import multiprocessing

    fork = multiprocessing.get_context("fork")
    started = []
    for index, chunk in enumerate(chunks):
        receive, send = fork.Pipe(duplex=False)
        process = fork.Process(target=_build_chunk, args=(send, build, chunk, tokenizer, random.Random(f"{seed}:{index}"), extra))
        process.start()
        send.close()  # the child's end: the parent only reads
        started.append((process, receive))
    try:
        return [_received(process, receive) for process, receive in started]
    finally:
        for process, _ in started:
            process.join()


def _build_chunk(send, build, chunk: list, tokenizer: Tokenizer, rng: random.Random, extra: tuple) -> None:
    send.send(build(chunk, tokenizer, rng, *extra))
    send.close()


def _received(process, receive) -> list:
    """A chunk's windows from its process; a process that died without sending them is an error."""
    try:
        return receive.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"a window worker ended without its windows (exit {process.exitcode})") from None


def _drawn_questions(
    articles: list[Article], rng: random.Random, questions: int | None, first: int, other_articles: float,
    answerable_only: bool,
) -> tuple[list[tuple[Article, Paragraph, Question]], list[str | None]]:
    """Up to `questions` questions from position `first` of one order shuffled by `rng`, and for each
    the most alike paragraph of another article where `other_articles` asks for them (else None)."""
    chosen = [
        (article, paragraph, question)
        for article in articles
        for paragraph in article.paragraphs
        for question in paragraph.questions
        if not answerable_only or question.answer_start is not None
    ]
    rng.shuffle(chosen)
    taken = chosen[first : None if questions is None else first + questions]
    others = other_article_neighbours(articles, taken) if other_articles > 0 else [None] * len(taken)
    return taken, others


def _question_windows(
    article: Article, paragraph: Paragraph, question: Question, tokenizer: Tokenizer, rng: random.Random
) -> Iterator[Window]:
    if question.answer_start is None:
        yield from (as_window(e, None) for e in encode_windows(tokenizer, question.text, paragraph.context))
        return
    answering, missing = _own_windows(tokenizer, paragraph, question)
    if not answering:
        return
    yield rng.choice(answering)
    yield from (w for w in missing if rng.random() < OWN_MISS_KEEP)
    if rng.random() < NEIGHBOUR_SHARE:
        neighbour = _nearest_other_paragraph(article, paragraph, question)
        if neighbour is not None:
            yield as_window(_most_alike_window(tokenizer, question.text, neighbour), None)
    if rng.random() < CUT_SENTENCE_SHARE:
        cut = _cut_sentence_window(tokenizer, paragraph, question)
        if cut is not None:
            yield cut


def _own_windows(tokenizer: Tokenizer, paragraph: Paragraph, question: Question) -> tuple[list[Window], list[Window]]:
    """The windows of an answerable question's own paragraph: those holding its answer (with its span)
    and those that miss it."""
    start_char = question.answer_start
    end_char = start_char + len(question.answer_text)
    answering, missing = [], []
    for encoding in encode_windows(tokenizer, question.text, paragraph.context):
        span = answer_span(encoding, start_char, end_char)
        (answering if span else missing).append(as_window(encoding, span))
    return answering, missing


def _cut_sentence_window(tokenizer: Tokenizer, paragraph: Paragraph, question: Question) -> Window | None:
    """The most alike window of the question's paragraph less its answering sentence, where what is
    left no longer holds the answer."""
    cut = without_sentence_at(paragraph.context, question.answer_start)
    if cut and question.answer_text.lower() not in cut.lower():
        return as_window(_most_alike_window(tokenizer, question.text, cut), None)
    return None


def question_groups(
    articles: list[Article], tokenizer: Tokenizer, questions: int | None, seed: int, first: int = 0,
    other_articles: float = 0.0, workers: int = 1,
) -> tuple[list[list[Window]], int]:
    """For up to `questions` answerable questions (drawn as `training_windows` draws them), a group of
    windows each: the answering window first, then up to GROUP_WINDOWS - 1 that do not answer, read
    under one normalisation in training (Clark and Gardner, 2018), so that a span's score in one window
    can be compared with a span's score in another: the reader ranks windows of one long paper against
    each other, where a window trained alone only learns whether it answers. The negatives are the
    hard ones, other paragraphs of the question's own article first. `workers`: as `training_windows`."""
    rng = random.Random(seed)
    taken, others = _drawn_questions(articles, rng, questions, first, other_articles, answerable_only=True)
    chunks = _in_chunks(_chunk_groups, list(zip(taken, others)), tokenizer, rng, seed, workers, other_articles)
    return [g for chunk in chunks for g in chunk], len(taken)


def _chunk_groups(
    drawn: list[tuple[tuple[Article, Paragraph, Question], str | None]], tokenizer: Tokenizer, rng: random.Random,
    other_articles: float,
) -> list[list[Window]]:
    groups = []
    for (article, paragraph, question), other in drawn:
        group = _question_group(article, paragraph, question, tokenizer, rng, other if rng.random() < other_articles else None)
        if group:
            groups.append(group)
    return groups


def _question_group(
    article: Article, paragraph: Paragraph, question: Question, tokenizer: Tokenizer, rng: random.Random,
    other: str | None,
) -> list[Window]:
    answering, missing = _own_windows(tokenizer, paragraph, question)
    if not answering:
        return []
    group = [rng.choice(answering)]
    for neighbour in _nearest_other_paragraphs(article, paragraph, question, GROUP_NEIGHBOURS):
        group.append(as_window(_most_alike_window(tokenizer, question.text, neighbour), None))
    extra = list(missing)
    cut = _cut_sentence_window(tokenizer, paragraph, question)
    if cut is not None:
        extra.append(cut)
    if other is not None:
        extra.append(as_window(_most_alike_window(tokenizer, question.text, other), None))
    rng.shuffle(extra)
    return group + extra[: GROUP_WINDOWS - len(group)]


def _nearest_other_paragraph(article: Article, paragraph: Paragraph, question: Question) -> str | None:
    """The other paragraph of the article sharing most words with the question, without its answer."""
    nearest = _nearest_other_paragraphs(article, paragraph, question, 1)
    return nearest[0] if nearest else None


def _nearest_other_paragraphs(article: Article, paragraph: Paragraph, question: Question, count: int) -> list[str]:
    """The `count` other paragraphs of the article sharing most words (at least one) with the question,
    without its answer, the most alike first."""
    words = content_words(question.text)
    answer = question.answer_text.lower()
    alike = []
    for position, other in enumerate(article.paragraphs):
        if other is paragraph or answer in other.context.lower():
            continue
        overlap = len(words & content_words(other.context))
        if overlap > 0:
            alike.append((-overlap, position, other.context))
    return [context for _, _, context in sorted(alike)[:count]]


def _most_alike_window(tokenizer: Tokenizer, question: str, context: str):
    words = content_words(question)
    encodings = encode_windows(tokenizer, question, context)
    return max(encodings, key=lambda e: len(words & content_words(" ".join(e.tokens))))
