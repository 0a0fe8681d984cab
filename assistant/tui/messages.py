"""The messages workers post back to the app: small, and progress coalesces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message


if TYPE_CHECKING:
    from ..models import Answer, BuildReport, IndexStatus, Snippet
    from ..api import Assistant


@dataclass
class AssistantOpened(Message):
    """The config was read and the core imported: the app can start its work."""

    assistant: "Assistant"


@dataclass
class ConfigFailed(Message):
    error: Exception


@dataclass
class ModelReady(Message):
    """The embedding model is loaded."""


@dataclass
class ModelFailed(Message):
    error: Exception


@dataclass
class IndexChecked(Message):
    status: IndexStatus


@dataclass
class BuildStep(Message):
    """A build's progress; a newer step replaces one not yet handled."""

    stage: str
    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BuildStep)


@dataclass
class BuildDone(Message):
    report: BuildReport


@dataclass
class BuildFailed(Message):
    error: Exception


@dataclass
class Answered(Message):
    ticket: int
    answer: Answer


@dataclass
class AskFailed(Message):
    ticket: int
    error: Exception


@dataclass
class SnippetChosen(Message):
    """A snippet was activated (Enter or click): open its source."""

    snippet: Snippet


@dataclass
class SnippetSelected(Message):
    """A snippet got focus: it is the one ctrl+y copies."""

    snippet: Snippet


@dataclass
class IndexDamaged(Message):
    error: Exception


@dataclass
class EncoderDamaged(Message):
    """The index's question encoder failed its checks when it was opened."""

    error: Exception
