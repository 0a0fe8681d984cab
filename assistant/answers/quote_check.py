"""Whether a source file still says what the index quotes from it, at the cited place.

An index is a snapshot: a file edited since (in the chat's long session, or with its modification
time kept) may no longer hold the sentence the index would cite. Before a snippet is shown, its file
is looked at: unchanged since the build (the same stat), or read and found to hold the quoted text at
the cited offsets. A snippet that fails is not shown, and the answer names the changed file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import SourcesError
from ..models import Snippet
from ..sources.documents import Stamped, read_source_text, source_stat, stat_unchanged


class QuoteCheck:
    """Checks snippets against their source files as they are now; one check per file and answer."""

    def __init__(self, sources_dir: Path, records: Mapping[str, Stamped]) -> None:
        self.sources_dir = sources_dir
        self.records = records
        self._texts: dict[str, str | None] = {}  # None: unchanged since the build, no need to read
        self._read: dict[str, str | None] = {}  # each file read once an answer (None: unreadable)

    def holds(self, snippet: Snippet) -> bool:
        """True when the snippet's file still holds its text at the cited span."""
        citation = snippet.citation
        source = citation.source
        if source not in self._texts:
            self._texts[source] = self._current_text(source)
        text = self._texts[source]
        return text is None or text[citation.start : citation.end] == snippet.text

    def text_of(self, source: str) -> str | None:
        """The source's text as it is now (read once an answer), or None where it cannot be read."""
        if source not in self._read:
            try:
                self._read[source] = read_source_text(self.sources_dir, source)
            except SourcesError:
                self._read[source] = None
        return self._read[source]

    def _current_text(self, source: str) -> str | None:
        try:
            stat = source_stat(self.sources_dir, source)
            record = self.records.get(source)
            if record is not None and stat_unchanged(record, stat):
                return None
        except SourcesError:
            return ""  # gone or unreadable: it holds nothing any more
        text = self.text_of(source)
        return "" if text is None else text
