"""The reader: a question and a stretch of a source read together, giving the words that answer it.

Our own model (``training/``, `make reader`): the packaged MiniLM fine-tuned on SQuAD v1.1 as an
extractive reader, shipped as int8 ONNX with its tokenizer and card under ``data/reader/``. For each
stretch it gives the best answering span (start and end logits over the stretch's tokens) and how far
that span's score stands above the score of "no answer" (the [CLS] position): the margin, positive
when the stretch likely says the answer. It never writes a word: a span is a slice of the source.

Loading checks the file's checksum against the card and runs the card's probe: a damaged or
mismatched file is a ``ReaderError`` whose remedy is to install the assistant again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ReaderError
from ..store.question_encoder import cpu_session

if TYPE_CHECKING:
    from tokenizers import Encoding

READER_FILE = "reader.onnx"
TOKENIZER_FILE = "tokenizer.json"
CARD_FILE = "reader.json"
# Tokens two windows of one long stretch share, so that an answer lies whole in one of them.
WINDOW_STRIDE = 64
# A question is cut to this many tokens, as in training.
QUESTION_TOKENS = 40
# The longest answer considered, in tokens (as the held-out figures were measured).
MAX_ANSWER_TOKENS = 30
# The probe must give the card's span, with a margin this close to the card's.
PROBE_TOLERANCE = 1.0
# Windows a forward pass holds at most.
BATCH_WINDOWS = 16


@dataclass(frozen=True)
class Stretch:
    """Text to read, and where it stands in its source file: ``file_text[start:start+len(text)] == text``;
    or, with ``pieces``, text written for the reader (a table's row with its header: "Sensors: 8") of
    which only the pieces are the file's: (start in ``text``, end in ``text``, start in the file) each,
    and a span is found inside one of them alone."""

    text: str
    start: int
    pieces: tuple[tuple[int, int, int], ...] = ()


def logistic(x: float) -> float:
    """1 / (1 + e^-x), its argument clamped to +-40 (beyond, it is 0 or 1 to double precision)."""
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))


@dataclass(frozen=True)
class Reading:
    """The reader's best span in a stretch, in file offsets, and how sure it is that the stretch says it:
    ``margin`` (span score less no-answer score) and ``probability`` (its logistic)."""

    start: int
    end: int
    text: str
    margin: float
    tokens: int  # the tokens of every window the stretch was read in

    @property
    def probability(self) -> float:
        return logistic(self.margin)


def shipped_folder() -> Path:
    """The folder of the reader shipped inside the package."""
    return Path(str(resources.files("assistant").joinpath("data/reader")))


class Reader:
    """The ONNX reader and its tokenizer; ``read`` gives each stretch its best span."""

    def __init__(self, session, tokenizer, card: dict) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.card = card

    @classmethod
    def load(cls, folder: Path | None = None) -> "Reader":
        """Open the reader in ``folder`` (the shipped one by default), checked against its card."""
        folder = folder or shipped_folder()
        try:
            card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
            weights = (folder / READER_FILE).read_bytes()
        except (OSError, ValueError) as exc:
            raise ReaderError(f"the reader's files in {folder} cannot be read ({type(exc).__name__})") from exc
        if not isinstance(card, dict) or hashlib.sha256(weights).hexdigest() != card.get("sha256"):
            raise ReaderError(f"the reader ({folder / READER_FILE}) is damaged: its checksum is not its card's")
        try:
            from tokenizers import Tokenizer

            # The reader's windows are worth both cores (up to four).
            session = cpu_session(weights, min(os.cpu_count() or 1, 4))
            tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
            tokenizer.no_padding()
            tokenizer.enable_truncation(
                max_length=int(card["window_tokens"]), stride=WINDOW_STRIDE, strategy="only_second"
            )
            reader = cls(session, tokenizer, card)
            probe = card["probe"]
            reading = reader.read(probe["question"], [Stretch(probe["context"], 0)])[0]
        except Exception as exc:  # onnxruntime and tokenizers raise their own exception types
            raise ReaderError(f"the reader in {folder} cannot be opened ({type(exc).__name__})") from exc
        if reading is None or reading.text != probe["answer"] or abs(reading.margin - probe["margin"]) > PROBE_TOLERANCE:
            raise ReaderError(f"the reader in {folder} no longer gives its card's answer to the probe question")
        return reader

    def read(self, question: str, stretches: list[Stretch]) -> list[Reading | None]:
        """Each stretch's best span (None for an empty stretch), read with ``question``."""
        windows = self.windows(question, stretches)
        best: list[Reading | None] = [None] * len(stretches)
        tokens = [0] * len(stretches)
        for begin in range(0, len(windows), BATCH_WINDOWS):
            batch = windows[begin : begin + BATCH_WINDOWS]
            starts, ends = self.run(feed([encoding for _, encoding in batch]))
            for (k, encoding), start, end in zip(batch, starts, ends):
                tokens[k] += len(encoding.ids)
                reading = _best_reading(encoding, start, end, stretches[k])
                if reading is not None and (best[k] is None or reading.margin > best[k].margin):
                    best[k] = reading
        # A stretch's tokens are those of every window it was read in, not only the best one's.
        return [replace(r, tokens=tokens[k]) if r is not None else None for k, r in enumerate(best)]

    def windows(self, question: str, stretches: list[Stretch]) -> list[tuple[int, Encoding]]:
        """The windows the reader reads: (the stretch's index, the question and stretch tokenized
        together); a stretch longer than a window is read in overlapping windows."""
        question = self._cut(question)
        windows = []
        for k, stretch in enumerate(stretches):
            if not stretch.text.strip():
                continue
            first = self._tokenizer.encode(question, stretch.text)
            windows.extend((k, encoding) for encoding in (first, *first.overflowing))
        return windows

    def run(self, inputs: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The forward pass alone: start and end logits, each (windows, tokens)."""
        start, end = self._session.run(None, inputs)
        return start, end

    def _cut(self, question: str) -> str:
        encoding = self._tokenizer.encode(question, add_special_tokens=False)
        if len(encoding.ids) <= QUESTION_TOKENS:
            return question
        return question[: encoding.offsets[QUESTION_TOKENS - 1][1]]


def feed(encodings: list[Encoding]) -> dict[str, np.ndarray]:
    """The model's inputs for a batch of windows, padded to the longest."""
    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        n = len(encoding.ids)
        ids[row, :n] = encoding.ids
        mask[row, :n] = 1
        types[row, :n] = encoding.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


def _best_reading(encoding: Encoding, start: np.ndarray, end: np.ndarray, stretch: Stretch) -> Reading | None:
    """The window's best span of context tokens (at most MAX_ANSWER_TOKENS long) as a Reading."""
    positions = [i for i, s in enumerate(encoding.sequence_ids) if s == 1]
    piece_of = None
    if stretch.pieces:  # only the file's pieces can hold a span, each span inside one
        inside = {i: k for i in positions for k, (a, b, _) in enumerate(stretch.pieces) if a <= encoding.offsets[i][0] and encoding.offsets[i][1] <= b}
        positions = [i for i in positions if i in inside]
        piece_of = np.asarray([inside[i] for i in positions], dtype=np.int64)
    if not positions:
        return None
    at = np.asarray(positions, dtype=np.int64)
    s, e = start[at], end[at]
    scores = s[:, None] + e[None, :]
    gaps = at[None, :] - at[:, None]
    allowed = (gaps >= 0) & (gaps < MAX_ANSWER_TOKENS)
    if piece_of is not None:
        allowed &= piece_of[:, None] == piece_of[None, :]
    scores = np.where(allowed, scores, -np.inf)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    first, last = encoding.offsets[at[i]][0], encoding.offsets[at[j]][1]
    margin = float(scores[i, j] - (start[0] + end[0]))
    where = stretch.start + first
    if piece_of is not None:
        a, _, in_file = stretch.pieces[int(piece_of[i])]
        where = in_file + first - a
    return Reading(start=where, end=where + last - first, text=stretch.text[first:last], margin=margin, tokens=len(encoding.ids))
