"""Damage done on purpose: damaged index files, a changed model, two builds at once, builds killed mid-way.

Each ends with the user told in one line what to do, and a working index: the previous one, or a rebuilt one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from assistant.config import load_config
from assistant.errors import IndexCorruptError, Remedy
from assistant.store.folder import lock_path, recover_interrupted_swap
from assistant.store.layout import MANIFEST
from assistant.store.loaded import load_index
from assistant.store.lock import BuildLock
from assistant.store.manifest import read_manifest

from cli_runner import assert_one_line_error, run_cli
from projects import REPO, SAMPLE_FILE, edit_manifest

QUESTION = "How long is the temporary document valid?"
INDEX_FILES = [
    "vectors.faiss",
    "sentence_vectors.npy",
    "passages.sqlite",
    "manifest.json",
    "lexical/vocab.index.json",
    "lexical/data.csc.index.npy",
    "lexical/params.index.json",
]


def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garble":  # same size, so only the checksum or the parser can tell
        # The manifest has no checksum of its own: garble its start, which no valid JSON survives.
        at = 0 if path.name == MANIFEST else len(data) // 2
        path.write_bytes(data[:at] + bytes(b ^ 0x5A for b in data[at : at + 32]) + data[at + 32 :])
    else:
        path.unlink()


def spawn(*args: str, code: str | None = None) -> subprocess.Popen:
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "assistant", *args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def assert_answers_from_sample(config: Path) -> None:
    code, out, err = run_cli("--config", str(config), "ask", QUESTION, "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["snippets"][0]["citation"]["source"] == SAMPLE_FILE
    assert "90 days" in answer["snippets"][0]["text"]


@pytest.mark.parametrize("how", ["truncate", "garble", "delete"])
@pytest.mark.parametrize("name", INDEX_FILES)
def test_a_damaged_index_file_is_one_line_saying_to_rebuild(sample_project, name, how):
    damage(sample_project.parent / "index" / name, how)
    if name == MANIFEST and how == "delete":
        # Without a manifest there is no index: `ask` would build one; status says so.
        code, out, _ = run_cli("--config", str(sample_project), "status")
        assert code == 3 and "no index yet" in out
        return
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTION)
    assert code == 3, err
    assert_one_line_error(err, "--rebuild")
    # status checks sizes and checksums without loading anything heavy: it never calls a damaged index up to date.
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 3 and "problem:" in out and "--rebuild" in out
    assert "up to date" not in out


@pytest.mark.parametrize("name", ["vectors.faiss", "sentence_vectors.npy", "passages.sqlite", "lexical/vocab.index.json"])
def test_damage_the_checksums_miss_is_still_caught_by_the_reader(sample_project, name):
    """Damage with the manifest's size and checksum rewritten to match: the parsers must fail cleanly."""
    folder = sample_project.parent / "index"
    damage(folder / name, "truncate")
    data = (folder / name).read_bytes()
    edit_manifest(folder, lambda m: m["files"].update({name: {"size": len(data), "crc32": f"{zlib.crc32(data):08x}"}}))
    with pytest.raises(IndexCorruptError) as raised:
        load_index(load_config(sample_project), "all-MiniLM-L6-v2")
    assert raised.value.remedy is Remedy.REBUILD


def test_a_damaged_scale_in_a_file_too_large_to_checksum_is_one_line_saying_to_rebuild(sample_project):
    """At scale the sentence vectors are checked by size alone: a scale out of range is caught when read."""
    import numpy as np

    folder = sample_project.parent / "index"
    records = np.load(folder / "sentence_vectors.npy")
    records["scale"][:] = np.float32(3e38)  # every row, so that whatever the question reads hits one
    np.save(folder / "sentence_vectors.npy", records)
    edit_manifest(folder, lambda m: m["files"]["sentence_vectors.npy"].pop("crc32"))  # as for a large file
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTION)
    assert code == 3
    assert_one_line_error(err, "sentence_vectors.npy is damaged", "--rebuild")


def test_postings_pointing_past_the_passages_are_one_line_from_the_search_run_beside_the_encode(sample_project):
    """The lexical search runs on its own thread while the question is encoded: its error still reaches the user."""
    import numpy as np

    folder = sample_project.parent / "index"
    name = "lexical/indices.csc.index.npy"
    np.save(folder / name, np.load(folder / name) + 10_000)
    data = (folder / name).read_bytes()
    edit_manifest(folder, lambda m: m["files"].update({name: {"size": len(data), "crc32": f"{zlib.crc32(data):08x}"}}))
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTION)
    assert code == 3
    assert_one_line_error(err, "BM25 index refers to passages it does not have", "--rebuild")


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(files=[]),
        lambda m: m["counts"].update(passages=m["counts"]["passages"] + 1),
        lambda m: m["model"].update(dimension="wide"),
        lambda m: m["files"].pop("vectors.faiss"),
    ],
    ids=["files-not-a-table", "counts-disagree", "dimension-not-a-number", "vectors-unlisted"],
)
def test_a_manifest_that_parses_but_lies_is_caught(sample_project, change):
    edit_manifest(sample_project.parent / "index", change)
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTION)
    assert code == 3
    assert_one_line_error(err, "--rebuild")


@pytest.mark.parametrize("signed", [False, True], ids=["hand-edited", "re-signed"])
def test_a_manifest_whose_model_name_was_edited_does_not_answer(sample_project, signed):
    index_dir = sample_project.parent / "index"
    if signed:  # as if the checksum had been made to match: the model check itself must catch it
        edit_manifest(index_dir, lambda m: m["model"].update(name="all-mpnet-base-v2"))
    else:
        path = index_dir / MANIFEST
        path.write_text(path.read_text().replace('"name": "all-MiniLM-L6-v2"', '"name": "all-mpnet-base-v2"'))
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTION)
    assert code == 3
    assert_one_line_error(err, "--rebuild")
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 3 and "problem:" in out


def test_rebuild_recovers_a_damaged_index(sample_project):
    damage(sample_project.parent / "index" / "vectors.faiss", "garble")
    code, out, err = run_cli("--config", str(sample_project), "index", "--rebuild")
    assert code == 0, err
    assert "0 reused" in out
    assert_answers_from_sample(sample_project)


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ('[model]\nname = "sentence-transformers/paraphrase-MiniLM-L3-v2"\n', "model"),
        ("[chunking]\nmax_passage_chars = 400\n", "max_passage_chars"),
    ],
)
def test_a_changed_model_or_chunking_is_a_clear_error_to_rebuild(sample_project, setting, said):
    sample_project.write_text(setting, encoding="utf-8")
    code, _, err = run_cli("--config", str(sample_project), "ask", QUESTION)
    assert code == 3
    assert_one_line_error(err, said, "--rebuild")
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 3 and "problem:" in out and "--rebuild" in out


def test_a_second_build_is_refused_naming_the_holder_and_a_dead_holders_lock_is_taken_over(sample_project):
    lock = lock_path(sample_project.parent / "index")
    first = spawn("--config", str(sample_project), "index", "--rebuild")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            holder = lock.read_text() if lock.exists() else ""
            if f'"pid": {first.pid}' in holder:
                break
            assert first.poll() is None, first.stderr.read().decode()
            time.sleep(0.05)
        else:
            pytest.fail("the first build never took the lock")
        # The first build holds the lock from its start through loading the model: seconds.
        code, _, err = run_cli("--config", str(sample_project), "index")
        assert code == 4  # busy: not a damaged index (3)
        assert_one_line_error(err, "another build is running", f"pid {first.pid}")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    with BuildLock(lock):  # the kernel dropped the dead build's lock: taken over, no manual cleanup
        pass
    assert load_index(load_config(sample_project), "all-MiniLM-L6-v2").passages


def test_a_build_killed_while_embedding_leaves_the_previous_index(sample_project):
    sources = sample_project.parent / "sources"
    index_dir = sample_project.parent / "index"
    before = (index_dir / MANIFEST).read_bytes()
    # Enough new text that embedding it takes seconds, so the kill lands in the middle.
    paragraphs = [
        f"Report {i} describes the orchard number {i}. It grew {i * 7} pears in a dry year. "
        f"Keeper {i} wrote it down on page {i + 3}."
        for i in range(150)
    ]
    (sources / "orchards.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    build = spawn("--config", str(sample_project), "index")
    try:
        seen = b""
        deadline = time.monotonic() + 120
        while b"Embedding" not in seen:
            assert time.monotonic() < deadline and build.poll() is None, seen.decode()
            seen += os.read(build.stderr.fileno(), 4096)
        build.send_signal(signal.SIGKILL)
    finally:
        build.wait()
    assert build.returncode == -signal.SIGKILL
    assert (index_dir / MANIFEST).read_bytes() == before
    (sources / "orchards.txt").unlink()
    assert_answers_from_sample(sample_project)
    # The dead build's half-made folder (its passage table, its queue) goes with the next build.
    assert list(index_dir.parent.glob(".index.tmp-*"))
    code, _, err = run_cli("--config", str(sample_project), "index")
    assert code == 0, err
    assert not list(index_dir.parent.glob(".index.tmp-*"))
    code, out, err = run_cli("--config", str(sample_project), "index")
    assert code == 0, err
    assert "0 passages embedded" in out


KILL_AT = """
import os, signal, sys
import assistant.store.folder as folder

def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[2] == "write":
    # Every file is written into the temporary folder; the swap has not begun.
    folder.fsync_tree = die
else:
    real_rename = os.rename

    def rename(source, target):
        real_rename(source, target)
        if ".old-" in str(target):  # the old index is aside, the new one not yet in place
            die()

    folder.os.rename = rename
from assistant.faces.cli import main
main(["--config", sys.argv[1], "index", "--rebuild"])  # a build that writes (an update of unchanged sources has nothing to do)
"""


@pytest.mark.parametrize("point", ["write", "between-renames"])
def test_a_build_killed_while_writing_or_swapping_leaves_the_previous_index(sample_project, point):
    index_dir = sample_project.parent / "index"
    before = (index_dir / MANIFEST).read_bytes()
    identity = index_dir.stat().st_ino
    build = spawn(str(sample_project), point, code=KILL_AT)
    build.wait(timeout=120)
    assert build.returncode == -signal.SIGKILL, build.stderr.read().decode()
    if point == "between-renames":
        assert not index_dir.exists() and list(index_dir.parent.glob(".index.old-*"))
    else:
        assert list(index_dir.parent.glob(".index.tmp-*"))
    assert_answers_from_sample(sample_project)  # the reader puts the previous index back
    assert index_dir.stat().st_ino == identity
    assert (index_dir / MANIFEST).read_bytes() == before
    code, out, err = run_cli("--config", str(sample_project), "index")
    assert code == 0, err
    assert "0 passages embedded" in out
    assert not list(index_dir.parent.glob(".index.tmp-*")) and not list(index_dir.parent.glob(".index.old-*"))


STATUS_WITHOUT_MODEL = """
import sys
from assistant.faces.cli import main
code = main(["--config", sys.argv[1], "status"])
heavy = sorted(m for m in ("torch", "sentence_transformers", "transformers", "faiss") if m in sys.modules)
print("heavy modules:", heavy)
sys.exit(code)
"""


def test_status_reports_stale_sources_without_loading_the_model(sample_project):
    sources = sample_project.parent / "sources"
    with (sources / SAMPLE_FILE).open("a", encoding="utf-8") as handle:
        handle.write("\nA paragraph added after the build.\n")
    (sources / "new.md").write_text("# New\n\nA new file.\n", encoding="utf-8")
    status = spawn(str(sample_project), code=STATUS_WITHOUT_MODEL)
    out, err = status.communicate(timeout=120)
    text = out.decode()
    assert status.returncode == 0, err.decode()
    assert "heavy modules: []" in text
    assert f"changed: {SAMPLE_FILE}" in text and "added: new.md" in text


def test_a_build_that_cannot_write_says_so_and_keeps_the_previous_index(sample_project, monkeypatch):
    import errno

    import assistant.store.build as build_module

    def disk_full(folder: Path, *_args) -> None:
        (folder / "vectors.faiss").write_bytes(b"half of it")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, "finish_index_folder", disk_full)
    index_dir = sample_project.parent / "index"
    before = (index_dir / MANIFEST).read_bytes()
    code, _, err = run_cli("--config", str(sample_project), "index", "--rebuild")
    assert code == 3
    assert_one_line_error(err, "No space left on device", "the previous index is unchanged")
    assert (index_dir / MANIFEST).read_bytes() == before
    assert not list(index_dir.parent.glob(".index.tmp-*"))
    monkeypatch.undo()
    assert load_index(load_config(sample_project), "all-MiniLM-L6-v2").passages


def test_a_reader_never_restores_the_backup_under_a_live_builds_feet(sample_project):
    """Between a live build's two renames the index is briefly absent: readers wait for the new one."""
    import threading

    index_dir = sample_project.parent / "index"
    backup = index_dir.with_name(".index.old-1")
    new = index_dir.with_name(".index.tmp-1")
    with BuildLock(lock_path(index_dir)):  # this test plays the live build
        shutil.copytree(index_dir, new)
        edit_manifest(new, lambda m: m.update(built_at="the new one"))
        os.rename(index_dir, backup)
        finish = threading.Timer(0.3, os.rename, (new, index_dir))
        finish.start()
        try:
            recover_interrupted_swap(index_dir)  # the step a reader takes before it reads
            assert read_manifest(index_dir).built_at == "the new one"
        finally:
            finish.join()
        assert backup.exists()  # left for the build to remove, not renamed over its new index
