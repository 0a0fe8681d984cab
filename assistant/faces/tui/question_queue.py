"""The chat's questions in order: each waits for the question encoder and the index, and one is
asked at a time, so that a follow-up is read in the context of the answer before it."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

from .states import IndexPhase, ModelState

Shown = TypeVar("Shown")  # what shows a question in the chat (its turn)

MODEL_FAILED = "Not answered: the embedding model could not load (see the notice above)."


def waiting_reason(model: ModelState, phase: IndexPhase) -> str | None:
    """What a question waits for before it can be asked, in words; None when nothing stands in its way."""
    if phase is IndexPhase.BUILDING:
        return "waiting for the index build to finish…"
    if phase is IndexPhase.UNUSABLE:
        return "waiting for the index: it cannot be used as it is (press ctrl+r to mend it)"
    if phase is IndexPhase.MISSING:
        return "waiting for the index: there is none yet (press ctrl+r to build it)"
    if model is not ModelState.READY:
        return "waiting for the model to load…"
    return None


class QuestionQueue(Generic[Shown]):
    """Questions waiting their turn, oldest first, each with what shows it."""

    def __init__(self) -> None:
        self._waiting: OrderedDict[int, tuple[str, Shown]] = OrderedDict()
        self._asked: dict[int, Shown] = {}
        self._tickets = 0

    def add(self, question: str, shown: Shown) -> int:
        """Queue a question; its ticket names it in the answer that comes back."""
        self._tickets += 1
        self._waiting[self._tickets] = (question, shown)
        return self._tickets

    @property
    def asking(self) -> bool:
        return bool(self._asked)

    def waiting(self) -> list[Shown]:
        return [shown for _, shown in self._waiting.values()]

    def start_next(self) -> tuple[int, str, Shown] | None:
        """The oldest waiting question, now being asked; None while another is asked or none waits."""
        if self._asked or not self._waiting:
            return None
        ticket, (question, shown) = self._waiting.popitem(last=False)
        self._asked[ticket] = shown
        return ticket, question, shown

    def finish(self, ticket: int) -> Shown | None:
        """The question with this ticket is answered (or failed): what shows it."""
        return self._asked.pop(ticket, None)

    def drain(self) -> list[Shown]:
        """Every waiting question, taken off the queue (they cannot be asked)."""
        shown = self.waiting()
        self._waiting.clear()
        return shown
