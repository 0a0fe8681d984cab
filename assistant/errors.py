"""Our exception types: each carries a message a user can act on, what to do about it as data (a
``Remedy``, which each face words its own way: a command in the CLI, a key in the chat), and an exit
code for the CLI. No message names a command."""

from __future__ import annotations

from enum import StrEnum


class Remedy(StrEnum):
    """What the user can do about an error, or about the index's state."""

    UPDATE = "update"  # build the index, or bring it up to date: only new or changed text is embedded
    REBUILD = "rebuild"  # build the index again from nothing
    WAIT = "wait"  # another build is running: try again when it is done
    FIX_CONFIG = "fix-config"  # change the config (the message names the key)
    REINSTALL = "reinstall"  # a file shipped inside the package is damaged: install the assistant again
    CHOOSE_SOURCES = "choose-sources"  # no config where one was looked for: name a folder to ask, or a config


class AssistantError(Exception):
    """Base of every error the assistant reports to a user. A subclass states its exit code and its
    remedy as class keywords; a raise may give another remedy for its case."""

    exit_code = 2
    remedy: Remedy | None = None

    def __init_subclass__(cls, exit_code: int | None = None, remedy: Remedy | None = None, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if exit_code is not None:
            cls.exit_code = exit_code
        if remedy is not None:
            cls.remedy = remedy

    def __init__(self, message: str, remedy: Remedy | None = None) -> None:
        super().__init__(message)
        self.message = message
        if remedy is not None:
            self.remedy = remedy

    def __str__(self) -> str:
        return self.message


# Exit code 2: what the user asked for, or the config, cannot be used as it is.
class ConfigError(AssistantError, remedy=Remedy.FIX_CONFIG):
    """The config file is missing, unreadable, or has a bad key or value."""


class IndexFolderError(ConfigError):
    """The configured index folder is not the index's own (it holds other files, or the sources)."""


class ClusterError(AssistantError):
    """The Ray cluster cannot be used: Ray not installed, the cluster not reachable, or gone during a build."""


class QuestionError(AssistantError):
    """The question (or a request to read a source) is empty or unusable."""


class SourcesError(AssistantError):
    """The sources folder is missing or holds nothing to index."""


class UnreadableSourceError(SourcesError):
    """One source file cannot be turned into text (a broken or encrypted PDF, say); it is skipped."""


class ModelLoadError(AssistantError, remedy=Remedy.FIX_CONFIG):
    """The embedding model named in the config cannot be loaded offline."""


class ReaderError(AssistantError, remedy=Remedy.REINSTALL):
    """The reader shipped inside the package is missing or damaged (its checksum or its probe fails)."""


# Exit code 3: the index is missing, or cannot be used as it is, or cannot be written.
class IndexMissingError(AssistantError, exit_code=3, remedy=Remedy.UPDATE):
    """There is no index yet."""


class IndexUnusableError(AssistantError, exit_code=3, remedy=Remedy.REBUILD):
    """The index on disk cannot answer as it is: it must be built again (or updated, where a raise says so)."""


class IndexCorruptError(IndexUnusableError):
    """The index on disk is damaged or incomplete."""


class IndexMismatchError(IndexUnusableError):
    """The index was built by another format, model or chunking than the config asks for."""


class IndexWriteError(AssistantError, exit_code=3):
    """The new index could not be written (disk full, no permission); the previous one is untouched."""


# Exit code 4: busy, not broken.
class IndexLockedError(AssistantError, exit_code=4, remedy=Remedy.WAIT):
    """Another build holds the index lock: try again when it is done."""


class BuildCancelled(AssistantError, exit_code=1):
    """A build was cancelled by its caller; the previous index is untouched."""
