"""The texts of the banner notices (literal Content: file names and error messages are never markup) and of the build's toast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from ...errors import AssistantError, Remedy
from ...models import counted

if TYPE_CHECKING:
    from ...models import BuildReport, SourceChanges
    from ...watcher import WatchProblem


MAX_NAMES = 5
# A remedy in the chat's words: the key that mends it (ctrl+r rebuilds an index that cannot be used,
# and updates one that can), or what else to do.
REMEDY_KEYS: dict[Remedy, tuple[str, str]] = {
    Remedy.UPDATE: ("Press ctrl+r", " to update it (only new or changed text is embedded)."),
    Remedy.REBUILD: ("Press ctrl+r", " to rebuild it from the sources."),
    Remedy.WAIT: ("Wait for the other build to finish", ", then press ctrl+r."),
    Remedy.FIX_CONFIG: ("Fix the config", ", then restart the assistant."),
    Remedy.REINSTALL: ("Install the assistant again", ", then restart it."),
    Remedy.CHOOSE_SOURCES: ("Start the assistant with --sources DIR", " to ask a folder of your own (or add it: assistant collections add NAME DIR), or with --config PATH."),
}


def remedy_text(remedy: Remedy | None) -> Content:
    """What the user can do about it, as the chat says it; empty when there is nothing to do."""
    if remedy is None:
        return Content("")
    key, rest = REMEDY_KEYS[remedy]
    return Content.assemble((key, "bold"), rest)


def describe_error(error: Exception) -> str:
    """A user-facing line for an error: our own messages as they are, anything else with its type."""
    if isinstance(error, AssistantError):
        return error.message
    return f"unexpected {type(error).__name__}: {error}"


def _sentence(text: str) -> str:
    return text.strip().rstrip(".;, ") + "."


def _listed(names) -> str:
    """The first MAX_NAMES names, and how many more there are."""
    return ", ".join(names[:MAX_NAMES]) + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def stale_sources_notice(changes: SourceChanges) -> Content:
    """Which sources changed since the build, and that ctrl+r updates the index."""
    names = [*changes.added, *changes.changed, *changes.removed]
    listed = _listed(names)
    if changes.only_reread:  # an upgrade, not an edit: said as such
        return Content.assemble(
            (f"This version reads {counted(len(changes.reread), 'source')} another way ", "bold"),
            f"({listed}). Answers come from the index as it was read before until you update it: ", ("press ctrl+r", "bold"), ".",
        )
    return Content.assemble(
        ("Sources changed since the last build ", "bold"),
        f"({changes.describe()}: ", listed, "). Answers come from the old index until you update it: ",
        ("press ctrl+r", "bold"), ".",
    )


def not_read_notice(names: tuple[str, ...]) -> Content:
    """Files in the sources folder no include pattern takes, said when the chat opens on an index built
    elsewhere (a new user's timeline.org went unread and the chat never said so; a build says it in its
    summary, ``build_summary``)."""
    listed = _listed(names)
    return Content.assemble(
        (f"{counted(len(names), 'file')} not read: ", "bold"),
        f"no include pattern takes {'it' if len(names) == 1 else 'them'} ({listed}). `assistant status` says which pattern would.",
    )


def changed_sources_notice(sources: tuple[str, ...]) -> Content:
    """Files edited since the build no longer say what the index would quote: those quotes are left out."""
    listed = _listed(sources)
    return Content.assemble(
        ("Changed since the index was built: ", "bold"), listed,
        ". What the index would quote from it is no longer there, so it is left out of answers. To update: ",
        ("press ctrl+r", "bold"), ".",
    )


def unusable_index_notice(problem: str, remedy: Remedy | None = Remedy.REBUILD) -> Content:
    """The index is damaged or does not match the config: say why, and what mends it."""
    return Content.assemble(("The index cannot be used: ", "bold"), _sentence(problem), " ", remedy_text(remedy))


def model_failed_notice(problem: str) -> Content:
    """The embedding model did not load: say why and what to change."""
    return Content.assemble(
        ("The embedding model could not load: ", "bold"), _sentence(problem), " Fix the model name in the config, then restart the assistant."
    )


def reader_failed_notice(problem: str) -> Content:
    """The shipped reader did not load: say why; installing again mends it (or the config turns it off)."""
    return Content.assemble(
        ("The reader could not load: ", "bold"), _sentence(problem), " ", remedy_text(Remedy.REINSTALL),
        " Until then, set reader = false under [answer] in the config to answer without it.",
    )


def build_failed_notice(problem: str, remedy: Remedy | None = None) -> Content:
    """A build stopped with an error: say why, and what to do before ctrl+r tries again."""
    if remedy in (Remedy.WAIT, Remedy.FIX_CONFIG):
        return Content.assemble(("The index could not be built: ", "bold"), _sentence(problem), " ", remedy_text(remedy))
    return Content.assemble(
        ("The index could not be built: ", "bold"), _sentence(problem), " Fix the problem, then ", ("press ctrl+r", "bold"), "."
    )


def no_index_notice() -> Content:
    return Content.assemble(("There is no index yet. ", "bold"), ("Press ctrl+r", "bold"), " to build it.")


REBUILD_QUESTION = Content("Rebuild the index from scratch?")
REBUILD_DETAIL = Content(
    "Every passage is read and embedded again, which takes as long as the first build. "
    "To take in new or changed files only, ctrl+r updates the index instead."
)


def build_summary(report: BuildReport) -> str:
    """One line on a finished build: what was indexed and, when files were skipped, how to see them."""
    summary = report.describe()
    if report.skipped:
        summary += f" {counted(len(report.skipped), 'file')} skipped or read with a warning: f2 lists them."
    not_included = report.changes.not_included
    if not_included:
        summary += (
            f" {counted(len(not_included), 'file')} not read, no include pattern takes "
            f"{'it' if len(not_included) == 1 else 'them'} (`status` names them)."
        )
    return summary


def watch_problem_text(problem: WatchProblem) -> str:
    """Why the watch of the sources did not take the edits in, and what to do (a toast, so plain text).
    Edits held off by another build are tried again by the watch itself."""
    from ...watcher import ProblemKind

    text = _sentence(problem.describe())
    if problem.kind is ProblemKind.LOCKED:
        return text + " They are taken in once it is done."
    if problem.remedy is None:
        return text
    key, rest = REMEDY_KEYS[problem.remedy]
    return f"{text} {key}{rest}"
