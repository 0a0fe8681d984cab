"""The command line as a user types it: ask, ask -, --json, index, status, exit codes."""

import json
import shutil
import subprocess
import sys

import pytest

from cli_runner import assert_one_line_error, run_cli, run_cli_in_fresh_python
from projects import REPO, SAMPLE_FILE, write_project


def file_text(config, source=SAMPLE_FILE):
    return (config.parent / "sources" / source).read_text(encoding="utf-8")


def test_ask_shows_the_90_days_sentence_first_with_its_line(built_sample):
    code, out, err = run_cli("--config", str(built_sample), "ask", "How long is the temporary Kosovo document valid?")
    assert code == 0, err
    first = out.splitlines()[0]
    assert first.startswith(f"1. {SAMPLE_FILE}:8  (confidence ")  # the number "unsure" goes by, not the score
    assert "valid for 90 days" in out.splitlines()[1]
    # Piped (no terminal), the answering words stand on a line of their own: bold would be lost.
    assert out.splitlines()[2] == "   answer: 90 days", out


def test_off_topic_question_abstains_with_exit_1(built_sample):
    code, out, _ = run_cli("--config", str(built_sample), "ask", "Who won the 2018 FIFA World Cup?")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("The sources do not answer this")
    # The nearest passage is shown as the chat shows it, said to be no answer (the answer a new user
    # looked for was one spelling away); only the first.
    assert lines[1] == "The nearest passage, not an answer:"
    assert lines[2].startswith(f"1. {SAMPLE_FILE}:") and "unsure" not in lines[2] and len(lines) == 4


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_blank_question_is_a_usage_error(built_sample, question):
    code, out, err = run_cli("--config", str(built_sample), "ask", question)
    assert code == 2 and out == ""
    assert err == "assistant: error: the question is empty\n"


def test_a_question_of_no_words_is_refused_before_any_index_is_built(tmp_path):
    """A new user's "?!..." on a folder with no index yet built the whole index (20 s) before saying the
    question has no words."""
    config = write_project(tmp_path / "fresh", sources={"note.txt": "The harbour light is painted green.\n"})
    code, out, err = run_cli("--config", str(config), "ask", "?!...")
    assert (code, out) == (2, "")
    assert err == "assistant: error: the question has no words (only punctuation or symbols)\n"
    assert not (tmp_path / "fresh" / "index").exists()


def test_json_shape_and_citation_slices_the_file(built_sample):
    code, out, _ = run_cli("--config", str(built_sample), "ask", "--json", "-k", "2", "When do the bans take effect?")
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == {"question", "abstained", "reason", "snippets", "timings_ms", "changed_sources", "read_with", "read_with_question", "restated", "read_as"}
    assert answer["changed_sources"] == []
    assert answer["abstained"] is False and answer["reason"] is None
    assert set(answer["timings_ms"]) == {"embed", "search", "answer", "read"}
    assert len(answer["snippets"]) == 2
    text = file_text(built_sample)
    for snippet in answer["snippets"]:
        assert set(snippet) == {"text", "score", "citation", "passage", "answer", "also", "confidence", "is_answer", "unsure"}
        citation = snippet["citation"]
        assert {"source", "start", "end", "line_start", "line_end", "passage_id"} <= set(citation)
        assert text[citation["start"] : citation["end"]] == snippet["text"]
        if snippet["answer"] is not None:
            assert text[snippet["answer"]["start"] : snippet["answer"]["end"]] == snippet["answer"]["text"]
        passage = snippet["passage"]
        assert text[passage["start"] : passage["end"]] == passage["text"]
        assert passage["id"] == citation["passage_id"]
        assert 0 <= snippet["score"] <= 1
    assert "September 1" in answer["snippets"][0]["text"]
    assert answer["snippets"][0]["answer"]["text"] == "September 1"


def test_questions_from_stdin_one_json_object_a_line(built_sample):
    questions = "How long is the temporary Kosovo document valid?\n\nWho is the EU facilitator?\n"
    code, out, _ = run_cli("--config", str(built_sample), "ask", "-", "--json", stdin=questions)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    answers = [json.loads(line) for line in lines]
    assert "90 days" in answers[0]["snippets"][0]["text"]
    assert "Lajcak" in answers[1]["snippets"][0]["text"]


def test_ask_builds_a_missing_index_then_answers(tmp_path):
    config = write_project(tmp_path)
    shutil.copy(REPO / "sources" / SAMPLE_FILE, tmp_path / "sources" / SAMPLE_FILE)
    code, out, err = run_cli("--config", str(config), "ask", "Who is the EU facilitator?")
    assert code == 0
    assert "building it" in err and "Indexed 1 file" in err
    assert "Lajcak" in out
    assert (tmp_path / "index" / "manifest.json").exists()


def test_status_reports_index_and_stale_sources(sample_project):
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 0 and "passages: 12" in out and "no, up to date" in out
    (sample_project.parent / "sources" / "new.md").write_text("# New\n\nA new note about ferries.\n", encoding="utf-8")
    code, out, _ = run_cli("--config", str(sample_project), "status", "--json")
    status = json.loads(out)
    assert status["changes"]["added"] == ["new.md"]


def test_status_names_the_files_the_build_passed_over(sample_project):
    (sample_project.parent / "sources" / "blob.txt").write_bytes(b"\x00\x01\x02 not text")
    code, _, err = run_cli("--config", str(sample_project), "index")
    assert code == 0, err
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 0 and "skipped:  blob.txt: binary file (NUL byte in the first 8 KiB)" in out
    code, out, _ = run_cli("--config", str(sample_project), "status", "--json")
    assert json.loads(out)["skipped"] == [{"source": "blob.txt", "reason": "binary file (NUL byte in the first 8 KiB)"}]


def test_status_says_again_what_the_build_warned_of_a_file_it_indexed(sample_project):
    """A new user's cp1252 file was named by `index` and the chat, not by `status`."""
    (sample_project.parent / "sources" / "legacy.txt").write_bytes(
        "Café crème brûlée – a naïve “façade”.\n\nThe garçon said: déjà vu. Übermäßig!\n".encode("cp1252")
    )
    code, out, err = run_cli("--config", str(sample_project), "index")
    assert code == 0 and "warning: legacy.txt: not UTF-8; read as cp1252" in out + err
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 0 and "warning:  legacy.txt: not UTF-8; read as cp1252" in out and "skipped:  legacy.txt" not in out
    code, out, _ = run_cli("--config", str(sample_project), "status", "--json")
    assert json.loads(out)["warnings"] == [{"source": "legacy.txt", "reason": "not UTF-8; read as cp1252"}]


def test_index_and_status_name_the_files_no_include_pattern_takes(sample_project):
    """A new user's licence texts were passed over without a word: a type the patterns do not name is
    said to be not read, and how to have it read."""
    (sample_project.parent / "sources" / "figures.xlsx").write_text("PK not a spreadsheet\n", encoding="utf-8")
    code, out, err = run_cli("--config", str(sample_project), "index")
    note = 'not read: 1 file no include pattern takes (figures.xlsx): add "**/*.xlsx" to [sources] include in config.toml'
    assert code == 0 and note in err, out + err
    code, out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 0 and note in out and "no, up to date" in out
    code, out, _ = run_cli("--config", str(sample_project), "status", "--json")
    assert json.loads(out)["changes"]["not_included"] == ["figures.xlsx"]


def test_the_pattern_named_for_files_not_read_takes_them_as_written():
    """The patterns tell "ORG" from "org": a new user's Timeline.ORG was told to add "**/*.org"."""
    from assistant.faces.cli import not_included_note
    from assistant.sources.documents import _matches

    note = not_included_note(("Timeline.ORG", "x.[draft]"))
    assert note.endswith("""add "**/*.ORG", '**/*.\\[draft\\]' to [sources] include in config.toml to read them""")
    assert _matches("Timeline.ORG", ("**/*.ORG",)) and _matches("x.[draft]", ("**/*.\\[draft\\]",))
    assert "a pattern" in not_included_note(("LICENSE.1", "README"))  # one without a type: no pattern by type


def test_a_folder_of_no_type_read_says_so_in_words_not_patterns(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "figures.xlsx").write_text("PK not a spreadsheet\n", encoding="utf-8")
    code, _, err = run_cli("--sources", str(tmp_path / "docs"), "--index", str(tmp_path / "index"), "index")
    assert code != 0 and err.count("\n") == 1, err
    assert "no text, Markdown, HTML, PDF, Word or CSV file, nor one named without a type" in err and "**" not in err


def asked_of_folder(tmp_path, name: str, text: str, question: str) -> str:
    """What `assistant --sources docs ask` prints for a folder of one file; it must answer."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    code, out, err = run_cli("--sources", str(tmp_path / "docs"), "--index", str(tmp_path / "index"), "ask", question)
    assert code == 0, err
    return out


def test_a_table_row_is_printed_after_its_columns_names(tmp_path):
    """A row alone ("| x264 | 0.164 | GPL-2.0 | Wei Zhang |") did not say which cell was the owner."""
    table = (
        "# Dependencies\n\n| Package | Version | Licence | Owner |\n| --- | --- | --- | --- |\n"
        "| x264 | 0.164 | GPL-2.0 | Wei Zhang |\n| Django | 4.2.11 | BSD-3-Clause | Olga Petrova |\n"
    )
    out = asked_of_folder(tmp_path, "dependencies.md", table, "Who owns x264?")
    lines = out.splitlines()
    assert lines[1] == "   columns: Package · Version · Licence · Owner", out
    assert lines[2].startswith("   “| x264 | 0.164 |")


def test_a_quote_is_printed_under_the_headings_it_stands_under(tmp_path):
    """A changelog's "Upgraded Postgres from 14 to 15." was printed with no version or date."""
    changelog = (
        "# Changelog\n\n## [2.4.0] - 2024-11-05\n\n### Added\n- Support for Swiss francs.\n\n"
        "## [2.3.0] - 2024-08-27\n\n### Changed\n- Upgraded Postgres from 14 to 15.\n"
    )
    out = asked_of_folder(tmp_path, "CHANGELOG.md", changelog, "When was Postgres upgraded?")
    lines = out.splitlines()
    assert lines[0].startswith("1. CHANGELOG.md:11  (confidence ")
    assert lines[1] == "   section: [2.3.0] - 2024-08-27 — Changed", out
    assert lines[2] == "   “Upgraded Postgres from 14 to 15.”"


def test_index_prints_what_it_did(sample_project):
    code, out, _ = run_cli("--config", str(sample_project), "index")
    assert code == 0
    assert "Indexed 1 file, 12 passages" in out and "0 passages embedded, 12 reused" in out


def test_unknown_command_and_bad_flag_are_one_line_exit_2(built_sample):
    code, _, err = run_cli("--config", str(built_sample), "frobnicate")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run_cli("--config", str(built_sample), "ask", "-k", "many", "q")
    assert code == 2 and err.count("\n") == 1


def test_help_and_status_do_not_import_torch(built_sample):
    # status reads only the manifest: not even numpy, FAISS or onnxruntime.
    heavy = ("torch", "sentence_transformers", "transformers", "numpy", "faiss", "onnxruntime")
    result = run_cli_in_fresh_python(["--config", str(built_sample), "status"], heavy)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and "ask" in result.stdout
    # ask's help says what its exit codes mean (a new user's batch exited 1 with nothing said).
    result = subprocess.run([sys.executable, "-m", "assistant", "ask", "--help"], capture_output=True, text=True, cwd=REPO)
    said = " ".join(result.stdout.split())
    assert result.returncode == 0 and "1 the sources do not answer it" in said and "130 interrupted" in said, said
    assert '0 answered (an answer marked "unsure' in said and "blank lines are passed over" in said, said


def test_a_hub_model_that_is_not_on_disk_is_a_clear_error(tmp_path):
    config = write_project(tmp_path, '[model]\nname = "sentence-transformers/all-mpnet-base-v2"\n')
    shutil.copy(REPO / "sources" / SAMPLE_FILE, tmp_path / "sources" / SAMPLE_FILE)
    code, out, err = run_cli("--config", str(config), "ask", "What is valid for 90 days?")
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("assistant: error: cannot load embedding model 'sentence-transformers/all-mpnet-base-v2' offline")
    assert "Traceback" not in err
    assert not (tmp_path / "index" / "manifest.json").exists()


def test_a_model_folder_that_does_not_exist_is_a_clear_error(tmp_path):
    config = write_project(tmp_path, '[model]\nname = "./models/mine"\n', {"a.txt": "Some text to index here."})
    code, _, err = run_cli("--config", str(config), "index")
    assert code == 2 and "model folder not found" in err and err.count("\n") == 1


def test_a_bad_line_in_a_batch_gets_its_own_error_and_the_rest_are_answered(built_sample):
    too_long = "why " * 600
    questions = f"How long is the temporary Kosovo document valid?\n{too_long}\nWho is the EU facilitator?\n"
    code, out, err = run_cli("--config", str(built_sample), "ask", "-", "--json", stdin=questions)
    assert code == 2  # something failed
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert "90 days" in lines[0]["snippets"][0]["text"]
    assert lines[1] == {"question": too_long.strip(), "error": "the question is longer than 2000 characters"}
    assert "Lajcak" in lines[2]["snippets"][0]["text"]
    assert err == "assistant: error: line 2: the question is longer than 2000 characters\n"
    code, out, err = run_cli("--config", str(built_sample), "ask", "-", stdin=questions)
    assert code == 2 and out.count("Q: ") == 3 and "Lajcak" in out and err.count("\n") == 1
    # The line as the file numbers it: blank lines are skipped, not uncounted.
    code, _, err = run_cli("--config", str(built_sample), "ask", "-", "--json", stdin="\n\n" + questions)
    assert err == "assistant: error: line 4: the question is longer than 2000 characters\n"


def test_control_characters_are_never_sent_raw_to_the_terminal(built_sample):
    question = "How long is the \x1b[2Jtemporary\x07 document valid?"
    code, out, _ = run_cli("--config", str(built_sample), "ask", "-", stdin=question + "\n")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert out.splitlines()[0] == "Q: How long is the ^[[2Jtemporary^G document valid?"


def test_a_stale_index_locked_by_another_build_answers_from_the_last_good_one(sample_project):
    from assistant.store.folder import lock_path
    from assistant.store.lock import BuildLock

    (sample_project.parent / "sources" / "extra.txt").write_text("The ferry to Sark leaves at noon.\n", encoding="utf-8")
    with BuildLock(lock_path(sample_project.parent / "index")):  # as if another build were updating it
        code, out, err = run_cli("--config", str(sample_project), "ask", "How long is the temporary Kosovo document valid?")
        status_code, status_out, _ = run_cli("--config", str(sample_project), "status")
    assert code == 0 and f"{SAMPLE_FILE}:8" in out
    # Said once, without first claiming to update it: another build is, and the last index answers.
    assert "updating the index" not in err
    assert "another build is running (pid" in err and "answering from the last built index" in err
    assert err.count("\n") == 1
    assert status_code == 0 and "building: now, by pid" in status_out
    assert not lock_path(sample_project.parent / "index").exists()  # nothing left once the build let go
    assert "building:" not in run_cli("--config", str(sample_project), "status")[1]


def test_no_core_message_names_a_command():
    """The core says what mends a problem as data (a remedy); only the faces name a command or a key."""
    faces = {REPO / "assistant" / "faces"}
    core = [p for p in (REPO / "assistant").rglob("*.py") if not any(p == f or f in p.parents for f in faces)]
    assert core
    for path in core:
        assert "run `assistant" not in path.read_text(encoding="utf-8"), path


def test_progress_into_a_log_is_drawn_seldom_not_a_line_an_update(monkeypatch):
    import io

    from assistant.faces.cli import _progress_bars
    from assistant.models import BuildProgress, BuildStage

    log = io.StringIO()
    monkeypatch.setattr(sys, "stderr", log)
    with _progress_bars() as report:
        for done in range(0, 1314):
            report(BuildProgress(stage=BuildStage.SCAN, done=done, total=1313))
    drawn = log.getvalue()
    assert drawn.count("\r") <= 6 and len(drawn) < 1000, drawn
    # A stage shorter than a redraw's interval is a line saying it began, no bar stuck at 0%.
    assert drawn == "Reading 1313 files\n", drawn


def test_ctrl_c_during_a_build_stops_it_at_its_next_step_and_leaves_nothing(tmp_path):
    """ctrl+c asks the build to stop (it used to raise KeyboardInterrupt wherever the interpreter was:
    inside an import's lock it was swallowed, and the build went on to report success)."""
    import os
    import signal
    import time

    words = "harbour lantern keeper storm pier tide gull rope anchor sail".split()
    sources = {
        f"note-{n:03}.txt": "\n\n".join(
            f"The {words[(n + k) % 10]} of note {n} stood beside the {words[(n * k) % 10]} in paragraph {k}." for k in range(8)
        )
        for n in range(300)
    }
    config = write_project(tmp_path / "many", "", sources)
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--config", str(config), "index"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as from a terminal
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(p.name.startswith(".index.") for p in config.parent.iterdir()):
            time.sleep(0.05)  # the new index's folder is made: the build is under way
        time.sleep(1.5)  # the model loading or 2,400 passages being embedded
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, (out, err)
    assert err.rstrip().endswith("assistant: interrupted") and "Traceback" not in err and "Indexed" not in out
    assert sorted(p.name for p in config.parent.iterdir()) == ["config.toml", "sources"]  # nothing half-built left


def test_an_index_that_cannot_be_updated_still_answers_from_the_last_one_with_a_warning(tmp_path):
    """Sources changed, and the index's folder cannot be written (read-only, a full disk): the question
    is answered from the last built index, with a warning (it was exit 3, no answer)."""
    import os

    config = write_project(tmp_path / "ro", "", {SAMPLE_FILE: (REPO / "sources" / SAMPLE_FILE).read_text(encoding="utf-8")})
    assert run_cli("--config", str(config), "index")[0] == 0
    (config.parent / "sources" / "extra.txt").write_text("A line added after the build.\n", encoding="utf-8")
    command = [sys.executable, "-m", "assistant", "--config", str(config), "ask", "How long is the temporary Kosovo document valid?"]
    if os.geteuid() == 0:  # root writes anywhere: ask without the capabilities that let it
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: a read-only folder cannot be made")
        drop = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *command]
    os.chmod(config.parent, 0o555)
    try:
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    finally:
        os.chmod(config.parent, 0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"1. {SAMPLE_FILE}:8 ")
    assert "; answering from the last built index" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_in_a_build_is_a_request_to_stop_heard_however_late_and_twice_is_at_once():
    """What the CLI's builds run under: ctrl+c sets the flag the build polls (no KeyboardInterrupt in the
    middle of whatever runs), ends the command once the block is done even if the build never polled
    it again, and a second ctrl+c interrupts at once."""
    import os
    import signal

    from assistant.faces.cli import _ctrl_c_cancels

    runner = signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a terminal (a test worker may ignore it)
    try:
        with pytest.raises(KeyboardInterrupt):
            with _ctrl_c_cancels() as interrupted:
                os.kill(os.getpid(), signal.SIGINT)
                assert interrupted()  # heard, and nothing raised here
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with pytest.raises(KeyboardInterrupt):
            with _ctrl_c_cancels():
                os.kill(os.getpid(), signal.SIGINT)
                os.kill(os.getpid(), signal.SIGINT)  # the second one raises here
                raise AssertionError("not interrupted at once")
        with _ctrl_c_cancels() as interrupted:  # no ctrl+c: nothing raised
            assert not interrupted()
    finally:
        signal.signal(signal.SIGINT, runner)


def test_an_option_given_after_the_command_says_where_it_goes():
    code, _, err = run_cli("ask", "--sources", "papers", "Who is the treasurer?")
    assert code == 2
    assert_one_line_error(err, "unrecognized arguments: --sources", "--sources goes before the command")


def test_a_mistyped_option_is_named_with_the_one_meant_and_its_command_s_help():
    """A new user's "ask --jsn" was pointed to the top-level help, which does not list ask's options."""
    code, _, err = run_cli("ask", "--jsn", "Who is the treasurer?")
    assert code == 2
    assert_one_line_error(err, "unrecognized arguments: --jsn", "did you mean --json?", "see `assistant ask --help`")
    code, _, err = run_cli("index", "--rebild")
    assert code == 2
    assert_one_line_error(err, "did you mean --rebuild?", "see `assistant index --help`")


def test_an_index_under_a_file_names_the_file(tmp_path):
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    sources = tmp_path / "docs"
    sources.mkdir()
    (sources / "a.txt").write_text("Some text to index.", encoding="utf-8")
    code, _, err = run_cli("--sources", str(sources), "--index", str(tmp_path / "afile" / "idx"), "index")
    assert code == 3
    assert_one_line_error(err, "cannot create the build lock", f"({tmp_path / 'afile'} is a file, not a folder)")


def test_the_answering_words_are_printed_on_one_line_as_the_quote_is():
    """Trial 64: a PDF's mark across a line break was printed "answer: about a^Jthird"."""
    from assistant.faces.cli import answer_lines
    from assistant.models import Answer, AnswerPhrase, Citation, Passage, Snippet

    text = "Canopy cover fell by about a\nthird in the old town."
    passage = Passage(id="p1", source="paper.pdf", start=0, end=len(text), line_start=1, line_end=2, text=text)
    citation = Citation(source="paper.pdf", start=0, end=len(text), line_start=1, line_end=2, passage_id="p1")
    at = text.index("about")
    mark = AnswerPhrase(text=text[at : at + 13], start=at, end=at + 13)
    snippet = Snippet(text=text, score=0.9, confidence=0.9, is_answer=True, citation=citation, passage=passage, answer=mark)
    lines = answer_lines(Answer(question="How much did canopy cover fall?", snippets=(snippet,)), bold=False, answer_words=True)
    assert "   answer: about a third" in lines and "   “Canopy cover fell by about a third in the old town.”" in lines, lines
