"""`assistant --sources DIR` (and `--index DIR`): asking about your own folder in one command, no config."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from cli_runner import assert_one_line_error, run_cli
from projects import REPO, SAMPLE_FILE

NINETY_DAYS = "How long is the temporary Kosovo document valid?"


def tree(folder: Path) -> list[str]:
    """Every path under ``folder``, hidden ones too, relative and sorted."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.fixture
def papers(tmp_path, monkeypatch) -> Path:
    """A user's folder of documents, and a working directory with no config.toml in it."""
    folder = tmp_path / "papers"
    folder.mkdir()
    shutil.copy(REPO / "sources" / SAMPLE_FILE, folder / SAMPLE_FILE)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return folder


def user_indexes() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "assistant" / "indexes"


def test_a_fresh_folder_is_indexed_in_the_user_data_folder_and_a_second_run_reuses_it(papers):
    before = tree(papers)
    code, out, err = run_cli("--sources", str(papers), "ask", NINETY_DAYS)
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"1. {SAMPLE_FILE}:8 ")
    assert "building it" in err and "Indexed 1 file, 12 passages" in err
    [index] = [p for p in user_indexes().iterdir() if not p.name.startswith(".")]
    assert index.name.startswith("papers-") and (index / "manifest.json").exists()
    assert tree(papers) == before  # nothing written into the user's folder
    assert not (Path.cwd() / "index").exists()

    code, out, err = run_cli("--sources", str(papers), "ask", NINETY_DAYS)
    assert code == 0 and err == ""  # no build: the index is found and up to date
    code, out, _ = run_cli("--sources", str(papers), "index")
    assert code == 0 and "0 passages embedded, 12 reused" in out
    code, out, _ = run_cli("--sources", str(papers), "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["index_path"] == str(index) and status["passages"] == 12
    assert status["config_path"] is None  # no config file was read
    assert tree(papers) == before


def test_the_same_folder_spelled_another_way_finds_the_same_index(papers):
    from assistant.config import Overrides, load_config

    absolute = load_config(overrides=Overrides(sources=papers))
    relative = load_config(overrides=Overrides(sources=Path("..") / "papers" / "."))
    assert absolute.index_dir == relative.index_dir
    assert absolute.index_dir.parent == user_indexes()
    other = papers.parent / "other" / "papers"
    other.mkdir(parents=True)
    assert load_config(overrides=Overrides(sources=other)).index_dir != absolute.index_dir


def test_index_option_puts_the_index_where_it_says(papers):
    index = papers.parent / "my-index"
    code, out, err = run_cli("--sources", str(papers), "--index", str(index), "ask", NINETY_DAYS)
    assert code == 0, err
    assert (index / "manifest.json").exists() and (index / ".assistant-index").exists()
    assert not user_indexes().exists()
    code, out, _ = run_cli("--sources", str(papers), "--index", str(index), "status")
    assert code == 0 and f"index:    {index}" in out and "passages: 12" in out


def test_index_option_inside_the_sources_is_left_out_of_the_scan(papers):
    code, out, err = run_cli("--sources", str(papers), "--index", str(papers / ".index"), "index")
    assert code == 0, err
    assert "Indexed 1 file, 12 passages" in out
    assert (papers / ".index" / "manifest.json").exists()


def test_index_option_naming_a_folder_of_other_files_is_refused_untouched(papers):
    theirs = papers.parent / "thesis"
    theirs.mkdir()
    (theirs / "chapter1.tex").write_text("years of work\n", encoding="utf-8")
    before = tree(papers.parent)
    code, out, err = run_cli("--sources", str(papers), "--index", str(theirs), "index")
    assert code == 2 and out == ""
    assert_one_line_error(err, "will not use", str(theirs), "chapter1.tex")
    code, _, err = run_cli("--sources", str(papers), "--index", str(papers), "index")
    assert code == 2
    assert_one_line_error(err, "it is the sources folder", "the index needs a folder of its own (a new or empty one)")
    assert tree(papers.parent) == before


@pytest.mark.parametrize("flag", ["--sources", "--index", "--config"])
def test_an_empty_folder_option_is_named_not_taken_for_none(papers, flag):
    code, _, err = run_cli("--sources", str(papers), flag, "", "status")
    assert code == 2
    assert_one_line_error(err, f"{flag} names no folder or file (it is empty)")


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs a /proc, a folder that takes no new file")
def test_an_index_where_no_file_can_be_made_is_a_write_error_not_a_build_to_wait_for(papers):
    code, _, err = run_cli("--sources", str(papers), "--index", "/proc/no-index-here", "index")
    assert code == 3  # it said "another build is running", exit 4: a user would wait for nothing
    assert_one_line_error(err, "cannot create the build lock /proc/.no-index-here.lock")


@pytest.mark.parametrize("command", [[], ["chat"], ["ask", "anything"], ["index"], ["status"], ["eval", "q.jsonl"]])
def test_a_sources_folder_that_does_not_exist_is_one_line_exit_2(papers, command):
    missing = papers.parent / "papres"
    code, out, err = run_cli("--sources", str(missing), *command)
    assert code == 2 and out == ""
    assert_one_line_error(err, "the sources folder does not exist", str(missing))
    assert not missing.exists() and not user_indexes().exists()


def test_a_sources_file_is_not_a_folder(papers):
    code, _, err = run_cli("--sources", str(papers / SAMPLE_FILE), "status")
    assert code == 2
    assert_one_line_error(err, "the sources folder is not a folder", f"(name the folder that holds it, {papers})")


def test_a_config_in_the_working_directory_still_applies_but_not_its_index(papers):
    (Path.cwd() / "config.toml").write_text("[answer]\nsnippets = 1\n", encoding="utf-8")
    code, out, err = run_cli("--sources", str(papers), "ask", "--json", NINETY_DAYS)
    assert code == 0, err
    assert len(json.loads(out)["snippets"]) == 1  # the config's answer.snippets
    assert not (Path.cwd() / "index").exists()  # the config's index.path is the config's sources' index
    code, out, _ = run_cli("--sources", str(papers), "status")
    assert f"config:   {Path.cwd() / 'config.toml'}" in out and str(user_indexes()) in out


def test_a_config_named_but_missing_is_still_an_error_with_sources(papers):
    code, _, err = run_cli("--config", "nope.toml", "--sources", str(papers), "status")
    assert code == 2
    assert_one_line_error(err, "config file not found")


def test_without_sources_a_missing_default_config_is_still_an_error(papers):
    """A first run in a folder of one's own, no config there: the error says how to ask that folder."""
    code, _, err = run_cli("ask", "Who", "is", "the", "treasurer?")
    assert code == 2
    assert_one_line_error(err, "config file not found", "; ask about a folder of your own with `assistant --sources DIR`", "`assistant collections add NAME DIR`")


def test_an_unquoted_question_is_asked_as_its_words(papers):
    code, out, err = run_cli("--sources", str(papers), "ask", "How", "long", "is", "the", "temporary", "Kosovo", "document", "valid?")
    assert code == 0, err
    assert out.startswith(f"1. {SAMPLE_FILE}:8 ")


def test_the_chat_without_a_terminal_is_one_line_not_a_screen_drawn_into_a_file(papers):
    code, out, err = run_cli("--sources", str(papers))  # stdin and stdout are not a terminal here
    assert code == 2 and out == ""
    assert_one_line_error(err, "the chat needs a terminal", f"`assistant --sources {papers} ask QUESTION`")


def test_status_without_a_config_says_the_defaults_are_used(papers):
    code, out, _ = run_cli("--sources", str(papers), "status")
    assert code == 3  # no index yet
    assert "config:   none (every setting its default)" in out
    assert f"sources:  {papers}" in out and f"index:    {user_indexes()}" in out


def test_every_command_it_says_to_run_names_the_folder_it_was_given(papers):
    """Told to run `assistant index --rebuild` without the --sources it was given, a user mended nothing:
    in the folder of the question there was no config ("config file not found")."""
    spaced = papers.rename(papers.parent / "my papers")
    code, out, _ = run_cli("--sources", str(spaced), "status")
    assert code == 3 and f"no index yet (run `assistant --sources '{spaced}' index`)" in out
    assert run_cli("--sources", str(spaced), "index")[0] == 0
    [index] = [p for p in user_indexes().iterdir() if not p.name.startswith(".")]
    (index / "vectors.faiss").unlink()
    code, _, err = run_cli("--sources", str(spaced), "ask", NINETY_DAYS)
    assert code == 3
    assert_one_line_error(err, "the index is missing vectors.faiss", f"run `assistant --sources '{spaced}' index --rebuild`")
    assert run_cli("--sources", str(spaced), "index", "--rebuild")[0] == 0  # as it said: mended
    assert run_cli("--sources", str(spaced), "ask", NINETY_DAYS)[0] == 0


def test_sources_that_hold_the_user_data_folder_are_refused(papers, monkeypatch):
    # `assistant --sources ~`: the per-user index would land inside the sources.
    monkeypatch.setenv("XDG_DATA_HOME", str(papers / ".local" / "share"))
    before = tree(papers)
    code, _, err = run_cli("--sources", str(papers), "index")
    assert code == 2
    assert_one_line_error(err, "the index would be inside the sources folder")
    assert tree(papers) == before


def test_sources_answers_from_that_folder_alone_not_the_collections_beside_it(papers):
    other = papers.parent / "other"
    other.mkdir()
    (other / "ferry.txt").write_text("The temporary Kosovo document is valid for a week on the ferry.\n", encoding="utf-8")
    assert run_cli("collections", "add", "other", str(other))[0] == 0
    code, out, err = run_cli("--sources", str(papers), "ask", "--json", NINETY_DAYS)
    assert code == 0, err
    citations = [s["citation"] for s in json.loads(out)["snippets"]]
    assert {c["source"] for c in citations} == {SAMPLE_FILE} and {c.get("collection") for c in citations} == {None}
    assert "collection" not in err
