"""Question + paragraph pairs cut into the reader's windows, each with its answer's token span or none."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tokenizers import Encoding, Tokenizer

# Tokens a window holds in all: [CLS] question [SEP] context [SEP]. The shipped reader reads the same.
WINDOW_TOKENS = 128
# Tokens two neighbouring windows of one paragraph share, so that every answer lies whole in one.
WINDOW_STRIDE = 64
# A question is cut to this many tokens (a handful of SQuAD questions are longer).
QUESTION_TOKENS = 40


@dataclass(frozen=True)
class Window:
    input_ids: tuple[int, ...]
    type_ids: tuple[int, ...]
    # Token positions of the answer's first and last token; both 0 ([CLS]) when the window lacks it.
    start: int
    end: int


def load_tokenizer(model_folder: Path) -> Tokenizer:
    """The model's fast tokenizer, set to cut pairs into overlapping windows and never pad."""
    tokenizer = Tokenizer.from_file(str(model_folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(
        max_length=WINDOW_TOKENS, stride=WINDOW_STRIDE, strategy="only_second"
    )
    return tokenizer


def cut_question(tokenizer: Tokenizer, question: str) -> str:
    """The question, cut to QUESTION_TOKENS tokens at a token's end."""
    encoding = tokenizer.encode(question, add_special_tokens=False)
    if len(encoding.ids) <= QUESTION_TOKENS:
        return question
    return question[: encoding.offsets[QUESTION_TOKENS - 1][1]]


def encode_windows(tokenizer: Tokenizer, question: str, context: str) -> list[Encoding]:
    """Every window of the pair, the first one first."""
    first = tokenizer.encode(cut_question(tokenizer, question), context)
    return [first, *first.overflowing]


def answer_span(encoding: Encoding, start_char: int, end_char: int) -> tuple[int, int] | None:
    """The token positions holding context characters [start_char, end_char), or None if not whole here."""
    sequence = encoding.sequence_ids
    context_tokens = [i for i, s in enumerate(sequence) if s == 1]
    if not context_tokens:
        return None
    first, last = context_tokens[0], context_tokens[-1]
    offsets = encoding.offsets
    if offsets[first][0] > start_char or offsets[last][1] < end_char:
        return None
    start = next(i for i in range(first, last + 1) if offsets[i][1] > start_char)
    end = next(i for i in range(last, first - 1, -1) if offsets[i][0] < end_char)
    return (start, end) if start <= end else None


def as_window(encoding: Encoding, span: tuple[int, int] | None) -> Window:
    start, end = span if span else (0, 0)
    return Window(tuple(encoding.ids), tuple(encoding.type_ids), start, end)


_WORD = re.compile(r"\w+")
_STOP = frozenset(
    "a an the of in on at to for by with from and or is are was were be been what which who whom whose"
    " when where why how did do does that this these those it its as into than then there their"
    " his her he she they them many much one".split()
)


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """The lower-cased words of a text, less the commonest function words."""
    return frozenset(w for w in _WORD.findall(text.lower()) if w not in _STOP)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def without_sentence_at(context: str, position: int) -> str:
    """The paragraph less the sentence that holds character `position`."""
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(context)), len(context)]
    for begin, finish in zip(bounds, bounds[1:]):
        if begin <= position < finish:
            return (context[:begin] + context[finish:]).strip()
    return context
