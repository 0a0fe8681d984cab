"""The manifest is parsed once while its file stays the same, and read anew when a build or an edit
changes it: what the MCP server's get and status ask for several times a call."""

from __future__ import annotations

import pytest

from assistant.config import load_config
from assistant.errors import IndexCorruptError, IndexMissingError
from assistant.store.layout import MANIFEST
from assistant.store.manifest import ManifestReads

from projects import edit_manifest


def test_the_manifest_is_parsed_again_only_when_its_file_changed(sample_project):
    index_dir = load_config(sample_project).index_dir
    reads = ManifestReads(index_dir)
    first = reads.read()
    assert reads.read() is first  # the same file: the manifest already parsed
    edit_manifest(index_dir, lambda m: m["counts"].update(passages=m["counts"]["passages"] + 1))
    edited = reads.read()
    assert edited is not first and edited.counts.passages == first.counts.passages + 1
    (index_dir / MANIFEST).write_text("{ damaged", encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        reads.read()  # a damaged file is never answered from memory


def test_no_manifest_is_no_index(tmp_path):
    with pytest.raises(IndexMissingError):
        ManifestReads(tmp_path / "index").read()
