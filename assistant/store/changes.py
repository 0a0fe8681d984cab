"""Which sources were added, changed or removed since the index was built: from the manifest's record
of every file and a look at the files now (stat first, content hash only where the stat differs)."""

from __future__ import annotations

import stat as stat_module
from dataclasses import dataclass

from ..config import Config
from ..models import SourceChanges
from ..sources.documents import content_hash, find_source_files, stat_unchanged
from ..sources.formats import reading_of
from .manifest import FileRecord, IndexedSource, Manifest


def detect_changes(config: Config, manifest: Manifest) -> SourceChanges:
    """Which source files were added, changed or removed since the index was built (no model needed).

    Files the build passed over (binary, empty, too large) are remembered in the manifest too, so
    that they do not look new, and trigger an update, on every run.
    """
    return look_at_sources(config, manifest).changes


@dataclass(frozen=True)
class SourcesLook:
    """What changed, and the files whose stat no longer matches the manifest's though their content
    does (touched, restored, checked out again): each look reads them again until a build stamps them."""

    changes: SourceChanges
    restamp: tuple[str, ...]


def look_at_sources(config: Config, manifest: Manifest) -> SourcesLook:
    """``detect_changes``, with the files it had to read to tell them unchanged."""
    indexed, passed_over = manifest.sources, manifest.skipped
    found = find_source_files(config.sources_dir, config.settings.sources, skip=[config.index_dir])
    added, changed, unchanged, restamp, reread = [], [], [], [], []
    seen = set()
    for source, path in found.files:
        try:
            stat = path.stat()
        except OSError:
            continue  # gone or unreadable now: as good as absent (removed, if it was indexed)
        seen.add(source)
        old: FileRecord | None = indexed.get(source) or passed_over.get(source)
        if old is None:
            added.append(source)
            continue
        same = stat_unchanged(old, stat)
        if not same and _same_content(old, path, stat):
            same = True
            restamp.append(source)
        if same and source in indexed and indexed[source].reading != reading_of(source):
            same = False  # read out of its file another way than this version reads it: read it again
            reread.append(source)
        if same:
            if source in indexed:
                unchanged.append(source)
        elif source in indexed:
            changed.append(source)
        else:
            added.append(source)  # passed over last time and different now: it may be readable
    removed = sorted(s for s in indexed if s not in seen)
    changes = SourceChanges(
        added=tuple(added), changed=tuple(changed), removed=tuple(removed), unchanged=tuple(unchanged), reread=tuple(reread),
        not_included=tuple(found.not_included),
    )
    return SourcesLook(changes, tuple(restamp))


def _same_content(old: FileRecord, path, stat) -> bool:
    if not old.sha256 or not stat_module.S_ISREG(stat.st_mode):  # never block reading a pipe
        return False
    try:
        return content_hash(path.read_bytes()) == old.sha256
    except OSError:
        return False


def compare_sources(old: dict[str, IndexedSource], new: dict[str, IndexedSource]) -> SourceChanges:
    """What a build changed: sources added, changed (another content hash, or read another way: those
    are ``reread`` too), removed and unchanged. A build that read every file again after an upgrade said
    "12 unchanged" under "This version reads 12 sources another way"."""
    added = tuple(s for s in new if s not in old)
    removed = tuple(sorted(s for s in old if s not in new))
    kept = [s for s in new if s in old]
    same_content = {s for s in kept if old[s].sha256 == new[s].sha256}
    same_reading = {s for s in kept if old[s].reading == new[s].reading}
    reread = tuple(s for s in kept if s in same_content and s not in same_reading)
    changed = tuple(s for s in kept if s not in same_content or s not in same_reading)
    unchanged = tuple(s for s in kept if s in same_content and s in same_reading)
    return SourceChanges(added=added, changed=changed, removed=removed, unchanged=unchanged, reread=reread)
