"""The index folder is the index's alone: a configured path that holds anything else is refused
before anything is touched, and a build only ever moves or removes folders it made itself."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant.errors import IndexFolderError
from assistant.store import folder as index_folder

from cli_runner import assert_one_line_error, run_cli
from projects import SAMPLE_FILE, SAMPLE_SOURCES, write_project

QUESTION = "How long is the temporary document valid?"


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every entry under ``root`` (files with their bytes, folders as None), by relative path."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        found[path.relative_to(root).as_posix()] = path.read_bytes() if path.is_file() else None
    return found


def user_project(root: Path, index_path: str) -> Path:
    """A project whose config puts the index at ``index_path``, beside a thesis and notes of the user's."""
    config = write_project(root / "project", f'[index]\npath = "{index_path}"\n')
    shutil.copy(SAMPLE_SOURCES / SAMPLE_FILE, config.parent / "sources" / SAMPLE_FILE)
    (config.parent / "thesis.tex").write_text("\\chapter{Years of work}\n", encoding="utf-8")
    notes = config.parent / "notes"
    notes.mkdir()
    (notes / "ideas.md").write_text("# Ideas\n\nThe ones not yet written down anywhere else.\n", encoding="utf-8")
    (config.parent / "report.pdf").write_text("a regular file at the index path\n", encoding="utf-8")
    return config


@pytest.mark.parametrize(
    ("index_path", "said"),
    [
        (".", "holds the sources folder"),
        ("", "holds the sources folder"),
        ("sources", "it is the sources folder"),
        ("notes", "holds files that are not an index's ('ideas.md')"),
        ("report.pdf", "it is a file"),
    ],
    ids=["dot", "empty", "sources", "user-folder", "regular-file"],
)
@pytest.mark.parametrize("command", [["ask", QUESTION], ["index", "--rebuild"], ["status"], ["ask", "-"]])
def test_a_folder_that_is_not_the_index_is_refused_and_nothing_is_touched(tmp_path, index_path, said, command):
    config = user_project(tmp_path, index_path)
    before = snapshot(tmp_path)
    code, out, err = run_cli("--config", str(config), *command, stdin=QUESTION + "\n")
    assert code == 2 and out == ""
    assert_one_line_error(err, said)
    assert snapshot(tmp_path) == before  # nothing moved, removed or created, not even a lock beside it


def test_an_index_inside_the_sources_is_left_out_of_the_scan(tmp_path):
    config = write_project(tmp_path, '[index]\npath = "sources/the-index"\n[sources]\ninclude = ["**/*"]\n')
    shutil.copy(SAMPLE_SOURCES / SAMPLE_FILE, config.parent / "sources" / SAMPLE_FILE)
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    assert "Indexed 1 file" in out and "warning" not in out
    code, out, err = run_cli("--config", str(config), "status")
    assert code == 0 and "no, up to date" in out
    code, out, _ = run_cli("--config", str(config), "ask", QUESTION)
    assert code == 0 and f"{SAMPLE_FILE}:8" in out


def test_leftovers_beside_the_index_are_removed_only_when_a_build_made_them(sample_project):
    index_dir = sample_project.parent / "index"
    users = index_dir.with_name(".index.tmp-4242")  # named like a temporary, but the user's
    users.mkdir()
    (users / "keep.txt").write_text("mine\n", encoding="utf-8")
    dead = index_folder.new_build_folder(index_dir).rename(index_dir.with_name(".index.tmp-4343"))
    empty_backup = index_dir.with_name(".index.old-4444")
    empty_backup.mkdir()
    code, _, err = run_cli("--config", str(sample_project), "index", "--rebuild")
    assert code == 0, err
    assert (users / "keep.txt").read_text(encoding="utf-8") == "mine\n"
    assert not dead.exists() and not empty_backup.exists()


def test_an_index_from_before_the_marker_is_still_the_index(sample_project):
    index_dir = sample_project.parent / "index"
    (index_dir / index_folder.MARKER).unlink()
    assert index_folder.why_not_ours(index_dir) is None
    code, _, err = run_cli("--config", str(sample_project), "index", "--rebuild")
    assert code == 0, err
    assert (index_dir / index_folder.MARKER).exists()


def test_a_swap_refuses_an_index_folder_that_gained_someone_elses_files(sample_project):
    index_dir = sample_project.parent / "index"
    (index_dir / index_folder.MARKER).unlink()
    (index_dir / "draft.docx").write_bytes(b"the user's")
    new = index_folder.new_build_folder(index_dir)
    with pytest.raises(IndexFolderError, match="draft.docx"):
        index_folder.swap_in(new, index_dir)
    assert (index_dir / "draft.docx").read_bytes() == b"the user's" and new.exists()


@pytest.mark.parametrize(
    ("entries", "ours"),
    [
        ({}, True),
        ({".gitignore": "*\n!.gitignore\n"}, True),
        ({".gitignore": "my own rules\n"}, False),
        ({"manifest.json": "{}"}, False),  # a web project's manifest, with nothing of an index beside it
        ({"manifest.json": "{}", "vectors.faiss": ""}, True),
        ({".assistant-index": "", "anything.txt": ""}, True),
    ],
    ids=["empty", "our-gitignore", "their-gitignore", "their-manifest", "old-index", "marked"],
)
def test_which_folders_are_the_index_s_own(tmp_path, entries, ours):
    folder = tmp_path / "candidate"
    folder.mkdir()
    for name, text in entries.items():
        (folder / name).write_text(text, encoding="utf-8")
    assert (index_folder.why_not_ours(folder) is None) is ours
    assert index_folder.why_not_ours(tmp_path / "absent") is None


def test_a_dead_build_s_swap_is_recovered_only_into_an_empty_or_absent_folder(sample_project):
    index_dir = sample_project.parent / "index"
    backup = index_dir.with_name(f".index.old-{os.getpid() + 1}")
    os.rename(index_dir, backup)
    index_dir.mkdir()
    (index_dir / "scratch.txt").write_text("the user's\n", encoding="utf-8")
    index_folder.restore_backup(index_dir)
    assert (index_dir / "scratch.txt").exists() and backup.exists()  # left alone: not ours to replace
    (index_dir / "scratch.txt").unlink()
    index_folder.restore_backup(index_dir)
    assert (index_dir / "manifest.json").exists() and not backup.exists()
