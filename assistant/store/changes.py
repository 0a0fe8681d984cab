"""Which sources were added, changed or removed since the index was built: from the manifest's record
of every file and a look at the files now (stat first, content hash only where the stat differs)."""

from __future__ import annotations

import stat as stat_module

from ..config import Config
from ..documents import content_hash, find_source_files, stat_unchanged
from ..models import SourceChanges
from .manifest import FileRecord, IndexedSource, Manifest


def detect_changes(config: Config, manifest: Manifest) -> SourceChanges:
    """Which source files were added, changed or removed since the index was built (no model needed).

    Files the build passed over (binary, empty, too large) are remembered in the manifest too, so
    that they do not look new, and trigger an update, on every run.
    """
    indexed, passed_over = manifest.sources, manifest.skipped
    files, _ = find_source_files(config.sources_dir, config.settings.sources, skip=[config.index_dir])
    added, changed, unchanged = [], [], []
    seen = set()
    for source, path in files:
        try:
            stat = path.stat()
        except OSError:
            continue  # gone or unreadable now: as good as absent (removed, if it was indexed)
        seen.add(source)
        old: FileRecord | None = indexed.get(source) or passed_over.get(source)
        if old is None:
            added.append(source)
        elif stat_unchanged(old, stat) or _same_content(old, path, stat):
            if source in indexed:
                unchanged.append(source)
        elif source in indexed:
            changed.append(source)
        else:
            added.append(source)  # passed over last time and different now: it may be readable
    removed = sorted(s for s in indexed if s not in seen)
    return SourceChanges(added=tuple(added), changed=tuple(changed), removed=tuple(removed), unchanged=tuple(unchanged))


def _same_content(old: FileRecord, path, stat) -> bool:
    if not old.sha256 or not stat_module.S_ISREG(stat.st_mode):  # never block reading a pipe
        return False
    try:
        return content_hash(path.read_bytes()) == old.sha256
    except OSError:
        return False


def compare_sources(old: dict[str, IndexedSource], new: dict[str, IndexedSource]) -> SourceChanges:
    """What a build changed: sources added, changed (another content hash), removed and unchanged."""
    added = tuple(s for s in new if s not in old)
    removed = tuple(sorted(s for s in old if s not in new))
    changed = tuple(s for s in new if s in old and old[s].sha256 != new[s].sha256)
    unchanged = tuple(s for s in new if s in old and old[s].sha256 == new[s].sha256)
    return SourceChanges(added=added, changed=changed, removed=removed, unchanged=unchanged)
