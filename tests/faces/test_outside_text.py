"""Names and questions from outside are data: a file name or a question that is not UTF-8, escapes
and newlines in a file name. Never a traceback, never a lost line, never a raw escape on the terminal."""

import io
import json
import os

import pytest

from assistant.faces.cli import main
from cli_runner import run_cli
from projects import SAMPLE_FILE, SAMPLE_SOURCES, write_project

BAD_NAME = os.fsdecode(b"bad\xffname.txt")  # as the file system hands it over: a lone surrogate
HOSTILE_NAME = "new\x1b]0;TITLE\x07\x1b[2J.txt"


@pytest.fixture
def hostile_project(tmp_path):
    """The sample article beside a file whose name is not UTF-8 and one whose name holds a newline."""
    config = write_project(tmp_path / "p", sources={
        SAMPLE_FILE: (SAMPLE_SOURCES / SAMPLE_FILE).read_text(encoding="utf-8"),
        "two\nlines.txt": "The ferry to Sark leaves at noon from the harbour.\n",
    })
    (config.parent / "sources" / BAD_NAME).write_text("Bananas are a yellow fruit of the tropics.\n", encoding="utf-8")
    return config


def test_a_file_name_that_is_not_utf8_is_skipped_by_name_and_the_rest_indexed(hostile_project):
    code, out, err = run_cli("--config", str(hostile_project), "index")
    assert code == 0, err
    assert "Indexed 2 files" in out
    assert "warning: bad\\xffname.txt: its name is not UTF-8 (rename the file to index it)" in err
    code, out, _ = run_cli("--config", str(hostile_project), "ask", "When does the ferry to Sark leave?")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("1. two^Jlines.txt:1")  # the newline in its name shown, one line a snippet


def test_status_shows_an_added_file_s_escapes_instead_of_sending_them(hostile_project):
    assert run_cli("--config", str(hostile_project), "index")[0] == 0
    (hostile_project.parent / "sources" / HOSTILE_NAME).write_text("added after the build\n", encoding="utf-8")
    code, out, _ = run_cli("--config", str(hostile_project), "status")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "  added: new^[]0;TITLE^G^[[2J.txt" in out.splitlines()


def test_a_question_in_latin1_bytes_is_read_as_text(built_sample):
    # (No name the sample never mentions: "Herr Müller" would be one, and the question would abstain.)
    question = os.fsdecode("How long is the temporary Kosovo document valid, f\xfcr die reise?".encode("latin-1"))
    code, out, err = run_cli("--config", str(built_sample), "ask", question)
    assert code == 0, err
    assert f"{SAMPLE_FILE}:8" in out.splitlines()[0]


def test_a_batch_line_that_is_not_utf8_is_answered_and_the_lines_after_it_too(built_sample):
    lines = b"How long is the temporary Kosovo document valid?\nW\xf6rk?\nWho is the EU facilitator?\n"
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(lines), encoding="utf-8")  # strict, as a real stdin is
    code = main(["--config", str(built_sample), "ask", "-", "--json"], stdin=stdin, out=out, err=err)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["question"] for a in answers] == [
        "How long is the temporary Kosovo document valid?", "Wörk?", "Who is the EU facilitator?",
    ]
    assert "Lajcak" in answers[2]["snippets"][0]["text"]
    assert "Traceback" not in err.getvalue() and code in (0, 1)


def test_the_core_refuses_a_question_holding_undecoded_bytes(sample_assistant):
    from assistant.errors import QuestionError

    with pytest.raises(QuestionError, match="not text"):
        sample_assistant.ask(os.fsdecode(b"W\xf6rk?"))
