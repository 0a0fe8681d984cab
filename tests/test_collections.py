"""Named collections: folders declared in the config or added from the command line, each with an index
of its own, asked one at a time (-c NAME) or all together, every citation naming its collection; the
indexes of one model share one ONNX export of it."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant.named_collections import registry_path
from assistant.store.layout import ENCODER_FILE, MARKER

from cli_runner import assert_one_line_error, run_cli
from projects import DATA, SAMPLE_FILE, SAMPLE_SOURCES, write_project


@pytest.fixture(scope="module")
def two_collections(tmp_path_factory):
    """A project answering from the sample article (main) and the Normans article (``normans``, declared
    in the config with its index in the project), both built."""
    root = tmp_path_factory.mktemp("collections")
    (root / "normans").mkdir()
    shutil.copy(DATA / "Normans.txt", root / "normans" / "Normans.txt")
    config = write_project(
        root,
        '[collections.normans]\nsources = "normans"\nindex = "normans-index"\n',
        {SAMPLE_FILE: (SAMPLE_SOURCES / SAMPLE_FILE).read_text(encoding="utf-8")},
    )
    code, _, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    return config


def test_collections_are_declared_added_listed_and_removed_but_never_their_folders(tmp_path):
    config = write_project(tmp_path / "project", '[collections.papers]\nsources = "../papers"\n', {"a.txt": "Some text."})
    (tmp_path / "papers").mkdir()
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.txt").write_text("A note.", encoding="utf-8")
    code, out, err = run_cli("--config", str(config), "collections", "add", "notes", str(notes), "--exclude", "drafts/")
    assert code == 0 and "Added the collection notes" in out, err
    assert json.loads(registry_path().read_text(encoding="utf-8"))["notes"]["exclude"] == ["drafts/"]
    code, out, _ = run_cli("--config", str(config), "collections", "list")
    rows = [line.split("\t") for line in out.splitlines()]
    assert [(row[0], row[-1]) for row in rows] == [
        ("main", "([sources] of the config)"), ("papers", "(config.toml)"), ("notes", "(collections add)")
    ]
    # Names taken or not names, folders that are not there: one line each, nothing written.
    for args, fragment in (
        (("add", "notes", str(notes)), "already"),
        (("add", "main", str(notes)), "'main' is the config's own"),
        (("add", "two words", str(notes)), "not a collection name"),
        (("add", "other", str(tmp_path / "nowhere")), "does not exist"),
        (("remove", "papers"), "declared in"),
        (("remove", "nothing"), "no collection named 'nothing'"),
    ):
        code, _, err = run_cli("--config", str(config), "collections", *args)
        assert code == 2
        assert_one_line_error(err, fragment)
    # Removing takes the entry, never the folder, nor the folder's own index: `--sources FOLDER` answers
    # from it too (a new user's next `--sources` run built it all again).
    code, out, _ = run_cli("--config", str(config), "collections", "list")
    index = tmp_path / out.splitlines()[2].split("\t")[2].removeprefix("index: ")
    index.mkdir(parents=True)
    (index / MARKER).write_text("index", encoding="utf-8")
    code, out, _ = run_cli("--config", str(config), "collections", "remove", "notes")
    assert code == 0 and index.exists() and (notes / "n.txt").read_text(encoding="utf-8") == "A note."
    assert f"its index, which `assistant --sources {notes}` answers from: {index}" in out
    assert "notes" not in json.loads(registry_path().read_text(encoding="utf-8"))


def test_a_damaged_list_of_collections_or_a_bad_name_in_the_config_is_one_line(tmp_path):
    config = write_project(tmp_path, "", {"a.txt": "Some text."})
    registry_path().parent.mkdir(parents=True, exist_ok=True)
    registry_path().write_text("{not json", encoding="utf-8")
    code, _, err = run_cli("--config", str(config), "collections", "list")
    assert code == 2
    assert_one_line_error(err, "collections.json", "cannot read")
    registry_path().unlink()
    config.write_text('[collections."bad name"]\nsources = "x"\n', encoding="utf-8")
    code, _, err = run_cli("--config", str(config), "status")
    assert code == 2
    assert_one_line_error(err, "not a collection name")


def test_every_collection_answers_and_each_citation_names_its_own(two_collections):
    config = str(two_collections)
    code, out, _ = run_cli("--config", config, "ask", "--json", "Who was the leader of the Normans who swore fealty to Charles III?")
    answer = json.loads(out)
    assert code == 0 and answer["snippets"][0]["citation"]["collection"] == "normans"
    code, out, _ = run_cli("--config", config, "ask", "How long is the temporary Kosovo document valid?")
    assert code == 0 and out.startswith(f"1. main:{SAMPLE_FILE}:8 ")
    # One collection alone: -c NAME; its citations still name it.
    code, out, _ = run_cli("--config", config, "-c", "normans", "ask", "--json", "How long is the temporary Kosovo document valid?")
    snippets = json.loads(out)["snippets"]
    assert {s["citation"]["collection"] for s in snippets} == {"normans"}
    code, out, _ = run_cli("--config", config, "-c", "main", "ask", "--json", "Who was Rollo?")
    assert {s["citation"]["collection"] for s in json.loads(out)["snippets"]} <= {"main"}
    code, _, err = run_cli("--config", config, "-c", "papers", "ask", "Who was Rollo?")
    assert code == 2
    assert_one_line_error(err, "no collection named 'papers'", "main, normans")


def test_a_conversation_across_collections_says_how_each_follow_up_was_read(two_collections):
    """Asked of every collection together, a follow-up still says the words it carried and the earlier
    question the reader read it with, as one collection's answer does."""
    lines = "How long is the temporary Kosovo document valid?\nWho issues it?\n"
    code, out, err = run_cli("--config", str(two_collections), "ask", "-", "--conversation", "--json", stdin=lines)
    assert code == 0, err
    first, follow_up = (json.loads(line) for line in out.splitlines())
    assert first["read_with_question"] is None and "Kosovo" in follow_up["read_with"]
    assert follow_up["read_with_question"] == "How long is the temporary Kosovo document valid?"


def test_status_reports_every_collection(two_collections):
    code, out, _ = run_cli("--config", str(two_collections), "status")
    assert code == 0
    assert out.startswith("collection: main\n") and "\ncollection: normans\n" in out and "passages: 12" in out
    code, out, _ = run_cli("--config", str(two_collections), "status", "--json")
    statuses = json.loads(out)
    assert code == 0 and set(statuses) == {"main", "normans"} and statuses["normans"]["files"] == 1
    code, _, err = run_cli("--config", str(two_collections), "eval", "questions.jsonl")
    assert code == 2
    assert_one_line_error(err, "one collection", "-c NAME")


def test_a_second_collection_of_the_same_model_links_its_export_and_adds_a_few_megabytes(tmp_path):
    first = tmp_path / "first"
    second = tmp_path / "second"
    for folder in (first, second):
        folder.mkdir()
        shutil.copy(SAMPLE_SOURCES / SAMPLE_FILE, folder / SAMPLE_FILE)
    config = write_project(tmp_path / "project", f'[sources]\npath = "{first}"\n[collections.copy]\nsources = "{second}"\n')
    code, out, err = run_cli("--config", str(config), "index")
    assert code == 0, err
    code, out, _ = run_cli("--config", str(config), "status", "--json")
    indexes = [tmp_path / "project" / "index", *(p for p in registry_path().parent.glob("indexes/*"))]
    exports = [(index / ENCODER_FILE).stat() for index in indexes]
    assert len({(s.st_dev, s.st_ino) for s in exports}) == 1  # one file, linked
    own = sum(p.stat().st_size for p in indexes[1].rglob("*") if p.is_file() and p.stat().st_nlink == 1)
    assert own < 5_000_000
    # Each index still checks its export as its own: both answer.
    code, out, _ = run_cli("--config", str(config), "ask", "--json", "How long is the temporary Kosovo document valid?")
    answer = json.loads(out)
    assert code == 0 and {s["citation"]["collection"] for s in answer["snippets"][:1]} <= {"main", "copy"}
    assert answer["snippets"][0]["also"][0]["collection"] in {"main", "copy"}  # the same words, both places


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_the_chat_names_its_collection_and_ctrl_o_moves_to_the_next(two_collections):
    from assistant.faces.tui.app import AssistantApp
    from assistant.faces.tui.chat_log import SnippetCard, Turn
    from assistant.faces.tui.question_input import QuestionInput
    from assistant.faces.tui.source_screen import SourceScreen

    from pilot_waits import chat_ready, wait_for

    app = AssistantApp(str(two_collections), cursor_blink=False)
    async with app.run_test(size=(110, 36)) as pilot:
        await wait_for(pilot, lambda: app.library is not None and chat_ready(app))
        assert "collection: main" in app.screen.sub_title
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: app.assistant.config.collection == "normans" and chat_ready(app))
        assert "collection: normans" in app.screen.sub_title
        box = app.screen.query_one(QuestionInput)
        box.focus()
        box.value = "Who was the leader who swore fealty to King Charles III?"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(t.answer for t in app.screen.query(Turn)))
        (turn,) = app.screen.query(Turn)
        first = list(turn.query(SnippetCard))[0]
        assert first.snippet.citation.source == "Normans.txt" and first.snippet.citation.label().startswith("normans:")
        await pilot.press("ctrl+o")  # and round again, to the config's own sources
        await wait_for(pilot, lambda: app.assistant.config.collection == "main" and chat_ready(app))
        # The answer from before the switch still opens its source, from its own collection.
        first.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SourceScreen))
        assert app.screen.snippet.citation.source == "Normans.txt" and "Rollo" in "".join(app.screen.lines.lines)


def test_collections_need_no_config_and_a_gone_folder_is_named_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config.toml here, no sources/ folder
    code, _, err = run_cli("status")
    assert code == 2
    assert_one_line_error(err, "config file not found")
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / "g.txt").write_text("Gone soon.", encoding="utf-8")
    code, out, err = run_cli("collections", "add", "gone", str(gone))
    assert code == 0, err
    shutil.rmtree(gone)
    code, _, err = run_cli("status")
    assert code == 2
    assert_one_line_error(err, "the folder of the collection 'gone' does not exist", "remove the collection")
    code, out, _ = run_cli("collections", "list")
    assert code == 0 and out.startswith("gone\t") and out.rstrip().endswith("(collections add, its folder is gone)")
    code, out, _ = run_cli("collections", "remove", "gone")
    assert code == 0 and out.startswith("Removed the collection gone")
    code, _, err = run_cli("-c", "main", "status")
    assert code == 2
    assert_one_line_error(err, "config file not found")


def test_a_collection_whose_folder_is_gone_is_left_out_and_the_others_answer(tmp_path):
    """A drive not mounted: the collection on it is named in a warning, the others answer as before,
    and asked for alone it is the one-line error; its index is kept for when the folder is back."""
    config = str(write_project(tmp_path / "project", "", {SAMPLE_FILE: (SAMPLE_SOURCES / SAMPLE_FILE).read_text(encoding="utf-8")}))
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "garden.txt").write_text("The garden gate is painted green every spring.", encoding="utf-8")
    assert run_cli("--config", config, "collections", "add", "usb", str(usb))[0] == 0
    assert run_cli("--config", config, "index")[0] == 0
    moved = tmp_path / "unmounted"
    usb.rename(moved)
    code, out, err = run_cli("--config", config, "ask", "How long is the temporary Kosovo document valid?")
    assert code == 0 and out.startswith(f"1. main:{SAMPLE_FILE}:8 "), err
    assert err.splitlines() == [
        f"warning: the collection 'usb' is left out: its folder does not exist: {usb} (bring it back, or remove the collection)"
    ]
    code, out, err = run_cli("--config", config, "status")
    assert code == 0 and "passages: 12" in out and err.startswith("warning: the collection 'usb' is left out")
    from assistant.api import Library
    from assistant.faces.mcp_server import AssistantTools

    status = AssistantTools(Library.open(config)).status()  # MCP's status tool, as an agent reads it
    assert not status.is_error and "warning: the collection 'usb' is left out" in status.content[0].text
    code, _, err = run_cli("--config", config, "-c", "usb", "ask", "What colour is the garden gate?")
    assert code == 2
    assert_one_line_error(err, "the folder of the collection 'usb' does not exist", "bring it back")
    moved.rename(usb)
    code, out, err = run_cli("--config", config, "ask", "What colour is the garden gate?")
    assert code == 0 and out.startswith("1. usb:garden.txt:1 ") and err == ""
    # The drive's empty mount point: nothing to index there, and the others still answer.
    (usb / "garden.txt").rename(tmp_path / "garden.txt")
    code, out, err = run_cli("--config", config, "ask", "How long is the temporary Kosovo document valid?")
    assert code == 0 and out.startswith(f"1. main:{SAMPLE_FILE}:8 "), err
    assert f"warning: collection usb: nothing to index under {usb}" in err and "answering from the last built index" in err


def test_removing_one_of_two_names_for_a_folder_keeps_the_index_the_other_answers_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "gate.txt").write_text("The garden gate is painted green every spring.", encoding="utf-8")
    assert run_cli("collections", "add", "garden", str(folder))[0] == 0
    assert run_cli("collections", "add", "yard", str(folder))[0] == 0
    assert run_cli("-c", "garden", "index")[0] == 0
    code, out, _ = run_cli("collections", "remove", "yard")
    assert code == 0 and out.startswith("Removed the collection yard (its index is kept: garden answers from it too)")
    code, out, err = run_cli("-c", "garden", "status")
    assert code == 0 and "passages: 1" in out, err  # it was "no index yet": removed with the other name


def test_the_collections_of_a_library_load_the_model_once(two_collections):
    from assistant.api import Library

    library = Library.open(two_collections)
    # Before any question has shared anything (a watch of each collection loads it as it starts).
    assert library.assistant("normans").load_model() is library.assistant("main").load_model()


def test_a_config_whose_own_folder_is_not_there_is_said_when_collections_answer(tmp_path, monkeypatch):
    """A typo in the config's sources path, with a collection added: the collection answered "the
    sources never mention B3" without a word of the config's folder. It is left out with a warning, as a
    collection whose folder is gone is, and listed so."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "gate.txt").write_text("The garden gate is painted green every spring.", encoding="utf-8")
    assert run_cli("collections", "add", "garden", str(folder))[0] == 0
    config = tmp_path / "typo.toml"
    config.write_text('[sources]\npath = "missing-folder"\n', encoding="utf-8")
    code, out, err = run_cli("--config", str(config), "ask", "What colour is the garden gate?")
    assert code == 0 and "garden:gate.txt:1" in out, err
    assert f"warning: {config}: 'sources.path' names a folder that does not exist: {tmp_path / 'missing-folder'}" in err
    code, out, _ = run_cli("--config", str(config), "collections", "list")
    assert out.startswith(f"main\t{tmp_path / 'missing-folder'}\t") and "its folder is gone" in out.splitlines()[0]
