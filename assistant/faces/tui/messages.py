"""The messages workers and screens post to the app: small, and progress coalesces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message


if TYPE_CHECKING:
    from ...api import Assistant, Library
    from ...models import Answer, BuildReport, IndexCheck, Snippet
    from ...watcher import WatchResult


@dataclass
class AssistantOpened(Message):
    """The config was read and the core imported: the app can start its work (on ``assistant``, one of
    the ``library``'s collections, when it has one)."""

    assistant: "Assistant"
    library: "Library | None" = None


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
class ModelAwaitsIndex(Message):
    """There is no index yet: the question encoder comes with it."""


@dataclass
class IndexChecked(Message):
    """The index's state, after any build the check ran itself (a missing index is built)."""

    check: IndexCheck


@dataclass
class BuildStarted(Message):
    """A build began (one the app did not start itself: the first build of a missing index)."""

    label: str


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
class IndexUnusable(Message):
    """Opening the index (or its question encoder) found it damaged, or built otherwise."""

    error: Exception


@dataclass
class ConfigRetried(Message):
    """The user fixed the config and asks the app to read it again."""


@dataclass
class WatchStarting(Message):
    """The watch of the sources begins an update of the index (an edit was saved a second ago)."""


@dataclass
class WatchReported(Message):
    """What the watch's update did, or why the edits were not taken in."""

    result: "WatchResult"
