"""The command line as a user types it: ask, ask -, --json, index, status, exit codes."""

import json
import subprocess
import sys

import pytest

from assistant.cli import main

from conftest import REPO, SAMPLE_FILE, run_cli_in_fresh_python


def run_cli(argv, capsys, stdin=None):
    import io

    code = main(argv, stdin=io.StringIO(stdin) if stdin is not None else None)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def file_text(config, source=SAMPLE_FILE):
    return (config.parent / "sources" / source).read_text(encoding="utf-8")


def test_ask_shows_the_90_days_sentence_first_with_its_line(built_sample, capsys):
    code, out, err = run_cli(["--config", str(built_sample), "ask", "How long is the temporary Kosovo document valid?"], capsys)
    assert code == 0, err
    first = out.splitlines()[0]
    assert first.startswith(f"1. {SAMPLE_FILE}:8 ")
    assert "valid for 90 days" in out.splitlines()[1]


def test_off_topic_question_abstains_with_exit_1(built_sample, capsys):
    code, out, _ = run_cli(["--config", str(built_sample), "ask", "Who won the 2018 FIFA World Cup?"], capsys)
    assert code == 1
    assert out.startswith("The sources do not answer this")


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_blank_question_is_a_usage_error(built_sample, capsys, question):
    code, out, err = run_cli(["--config", str(built_sample), "ask", question], capsys)
    assert code == 2 and out == ""
    assert err == "assistant: error: the question is empty\n"


def test_json_shape_and_citation_slices_the_file(built_sample, capsys):
    code, out, _ = run_cli(["--config", str(built_sample), "ask", "--json", "-k", "2", "When do the bans take effect?"], capsys)
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == {"question", "abstained", "reason", "snippets", "timings_ms", "changed_sources", "read_with"}
    assert answer["changed_sources"] == []
    assert answer["abstained"] is False and answer["reason"] is None
    assert set(answer["timings_ms"]) == {"embed", "search", "answer"}
    assert len(answer["snippets"]) == 2
    text = file_text(built_sample)
    for snippet in answer["snippets"]:
        assert set(snippet) == {"text", "score", "citation", "passage", "answer", "also", "confidence", "is_answer"}
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


def test_questions_from_stdin_one_json_object_a_line(built_sample, capsys):
    questions = "How long is the temporary Kosovo document valid?\n\nWho is the EU facilitator?\n"
    code, out, _ = run_cli(["--config", str(built_sample), "ask", "-", "--json"], capsys, stdin=questions)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    answers = [json.loads(line) for line in lines]
    assert "90 days" in answers[0]["snippets"][0]["text"]
    assert "Lajcak" in answers[1]["snippets"][0]["text"]


def test_ask_builds_a_missing_index_then_answers(tmp_path, capsys):
    from conftest import write_project
    import shutil

    config = write_project(tmp_path)
    shutil.copy(REPO / "sources" / SAMPLE_FILE, tmp_path / "sources" / SAMPLE_FILE)
    code, out, err = run_cli(["--config", str(config), "ask", "Who is the EU facilitator?"], capsys)
    assert code == 0
    assert "building it" in err and "Indexed 1 files" in err
    assert "Lajcak" in out
    assert (tmp_path / "index" / "manifest.json").exists()


def test_status_reports_index_and_stale_sources(sample_project, capsys):
    code, out, _ = run_cli(["--config", str(sample_project), "status"], capsys)
    assert code == 0 and "passages: 12" in out and "no, up to date" in out
    (sample_project.parent / "sources" / "new.md").write_text("# New\n\nA new note about ferries.\n", encoding="utf-8")
    code, out, _ = run_cli(["--config", str(sample_project), "status", "--json"], capsys)
    status = json.loads(out)
    assert status["changes"]["added"] == ["new.md"]


def test_index_prints_what_it_did(sample_project, capsys):
    code, out, _ = run_cli(["--config", str(sample_project), "index"], capsys)
    assert code == 0
    assert "Indexed 1 files, 12 passages" in out and "0 passages embedded, 12 reused" in out


def test_unknown_command_and_bad_flag_are_one_line_exit_2(built_sample, capsys):
    code, _, err = run_cli(["--config", str(built_sample), "frobnicate"], capsys)
    assert code == 2 and err.count("\n") == 1
    code, _, err = run_cli(["--config", str(built_sample), "ask", "-k", "many", "q"], capsys)
    assert code == 2 and err.count("\n") == 1


def test_help_and_status_do_not_import_torch(built_sample):
    # status reads only the manifest: not even numpy, FAISS or onnxruntime.
    heavy = ("torch", "sentence_transformers", "transformers", "numpy", "faiss", "onnxruntime")
    result = run_cli_in_fresh_python(["--config", str(built_sample), "status"], heavy)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0 and "ask" in result.stdout


def test_a_hub_model_that_is_not_on_disk_is_a_clear_error(tmp_path, capsys):
    from conftest import write_project
    import shutil

    config = write_project(tmp_path, '[model]\nname = "sentence-transformers/all-mpnet-base-v2"\n')
    shutil.copy(REPO / "sources" / SAMPLE_FILE, tmp_path / "sources" / SAMPLE_FILE)
    code, out, err = run_cli(["--config", str(config), "ask", "What is valid for 90 days?"], capsys)
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("assistant: error: cannot load embedding model 'sentence-transformers/all-mpnet-base-v2' offline")
    assert "Traceback" not in err
    assert not (tmp_path / "index" / "manifest.json").exists()


def test_a_model_folder_that_does_not_exist_is_a_clear_error(tmp_path, capsys):
    from conftest import write_project

    config = write_project(tmp_path, '[model]\nname = "./models/mine"\n', {"a.txt": "Some text to index here."})
    code, _, err = run_cli(["--config", str(config), "index"], capsys)
    assert code == 2 and "model folder not found" in err and err.count("\n") == 1


def test_a_bad_line_in_a_batch_gets_its_own_error_and_the_rest_are_answered(built_sample):
    from cli_runner import run_cli as run

    too_long = "why " * 600
    questions = f"How long is the temporary Kosovo document valid?\n{too_long}\nWho is the EU facilitator?\n"
    code, out, err = run("--config", str(built_sample), "ask", "-", "--json", stdin=questions)
    assert code == 2  # something failed
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert "90 days" in lines[0]["snippets"][0]["text"]
    assert lines[1] == {"question": too_long.strip(), "error": "the question is longer than 2000 characters"}
    assert "Lajcak" in lines[2]["snippets"][0]["text"]
    assert err == "assistant: error: line 2: the question is longer than 2000 characters\n"
    code, out, err = run("--config", str(built_sample), "ask", "-", stdin=questions)
    assert code == 2 and out.count("Q: ") == 3 and "Lajcak" in out and err.count("\n") == 1


def test_control_characters_are_never_sent_raw_to_the_terminal(built_sample):
    from cli_runner import run_cli as run

    question = "How long is the \x1b[2Jtemporary\x07 document valid?"
    code, out, _ = run("--config", str(built_sample), "ask", "-", stdin=question + "\n")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert out.splitlines()[0] == "Q: How long is the ^[[2Jtemporary^G document valid?"
