"""Our exception types: each carries a message a user can act on, and an exit code for the CLI."""


class AssistantError(Exception):
    """Base of every error the assistant reports to a user."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(AssistantError):
    """The config file is missing, unreadable, or has a bad key or value."""

    exit_code = 2


class QuestionError(AssistantError):
    """The question is empty or unusable."""

    exit_code = 2


class SourcesError(AssistantError):
    """The sources folder is missing or holds nothing to index."""

    exit_code = 2


class UnreadableSourceError(SourcesError):
    """One source file cannot be turned into text (a broken or encrypted PDF, say); it is skipped."""


class ModelLoadError(AssistantError):
    """The embedding model named in the config cannot be loaded offline."""

    exit_code = 2


class IndexMissingError(AssistantError):
    """There is no index yet."""

    exit_code = 3


class IndexCorruptError(AssistantError):
    """The index on disk is damaged, incomplete, or does not match the config."""

    exit_code = 3


class IndexWriteError(AssistantError):
    """The new index could not be written (disk full, no permission); the previous one is untouched."""

    exit_code = 3


class IndexLockedError(AssistantError):
    """Another build holds the index lock: try again when it is done."""

    exit_code = 4


class IndexFolderError(ConfigError):
    """The configured index folder is not the index's own (it holds other files, or the sources)."""


class BuildCancelled(AssistantError):
    """A build was cancelled by its caller; the previous index is untouched."""

    exit_code = 1
