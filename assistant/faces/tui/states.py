"""What the chat is waiting on, as enums the app's logic compares and the header shows in words."""

from __future__ import annotations

from enum import Enum

from ...models import counted


class ModelState(Enum):
    """The question encoder: the index's ONNX export of the model, or the model itself."""

    NOT_LOADED = "not loaded"  # not yet, or waiting for an index to come with it
    LOADING = "loading…"
    READY = "ready"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value


class IndexPhase(Enum):
    """The index as the chat sees it."""

    CHECKING = "checking the index…"
    MISSING = "none yet"
    READY = "ready"  # shown as its size; stale sources are a notice, not a phase
    BUILDING = "building…"
    UNUSABLE = "unusable"


def index_label(phase: IndexPhase, passages: int, files: int, short: bool = False) -> str:
    """The index's part of the header: its size once it answers, else its phase (``short``: for a
    narrow terminal, "12 passages, 1 file" or "index: none yet")."""
    if phase is not IndexPhase.READY:
        return f"index: {phase.value}" if short and phase is not IndexPhase.CHECKING else phase.value
    return f"{counted(passages, 'passage')}{', ' if short else ' from '}{counted(files, 'file')}"
