"""``assistant mcp`` as an agent's host drives it: a real MCP client session (the SDK's stdio client) on a
server started as a user registers it, over a project of the sample article with no index yet."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.types import CallToolResult

from cli_runner import run_cli, run_cli_in_fresh_python
from pdf_files import LIGHTHOUSE_FILE, LIGHTHOUSE_PDF, LIGHTHOUSE_QUESTION
from projects import DATA, REPO, SAMPLE_FILE, SAMPLE_SOURCES, write_project

VALID_FOR = "How long is the temporary Kosovo document valid?"
FACILITATOR = "Who is the EU facilitator?"
FOLLOW_UP = "What did he say?"
OFF_TOPIC = "How does photosynthesis turn sunlight into sugar in plants?"


@dataclass
class Server:
    """A running ``assistant mcp`` and the client session talking to it, callable from a sync test."""

    portal: BlockingPortal
    session: ClientSession
    log: Path  # the server's stderr
    # Whatever came on the server's stdout that was not a protocol message.
    stray: list[Exception] = field(default_factory=list)

    def call(self, tool: str, **arguments) -> CallToolResult:
        return self.portal.call(lambda: self.session.call_tool(tool, arguments))

    def ok(self, tool: str, **arguments) -> dict:
        """The structured content of a call that must succeed."""
        result = self.call(tool, **arguments)
        assert not result.is_error, result.content
        return result.structured_content

    def error(self, tool: str, **arguments) -> str:
        """The one line of a call that must fail as a tool error."""
        result = self.call(tool, **arguments)
        assert result.is_error and result.structured_content is None
        (content,) = result.content
        assert "\n" not in content.text and "Traceback" not in content.text
        return content.text


@contextmanager
def mcp_server(config: Path, log: Path) -> Iterator[Server]:
    """``python -m assistant --config CONFIG mcp`` with a client session on it, initialized."""
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant", "--config", str(config), "mcp"],
        # The user data folder (a --sources index, the shared model export) is the test's, never the real one.
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "XDG_DATA_HOME": str(config.parent / "user-data")},
        cwd=str(REPO),
    )
    stray: list[Exception] = []

    async def on_message(message) -> None:
        if isinstance(message, Exception):  # a stdout line that does not parse as JSON-RPC
            stray.append(message)

    @asynccontextmanager
    async def session():
        with log.open("w", encoding="utf-8") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write, message_handler=on_message) as client:
                    await client.initialize()
                    yield client

    with start_blocking_portal() as portal, portal.wrap_async_context_manager(session()) as client:
        yield Server(portal, client, log, stray)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The sample article in a project with no index yet, with a binary file the build skips, and beside
    the sources a file that a symlink in them leads to; returns the config path."""
    root = tmp_path_factory.mktemp("mcp-project")
    config = write_project(root)
    shutil.copy(SAMPLE_SOURCES / SAMPLE_FILE, root / "sources" / SAMPLE_FILE)
    (root / "secret.txt").write_text("Not a source.\n", encoding="utf-8")
    os.symlink(root / "secret.txt", root / "sources" / "escape.txt")
    (root / "sources" / "blob.txt").write_bytes(b"\x00\x01\x02 not text")
    return config


@pytest.fixture(scope="module")
def server(project) -> Iterator[Server]:
    with mcp_server(project, project.parent / "server-stderr.log") as running:
        yield running


def sample_text(config: Path) -> str:
    return (config.parent / "sources" / SAMPLE_FILE).read_text(encoding="utf-8")


def test_three_tools_each_read_only(server):
    tools = {tool.name: tool for tool in server.portal.call(server.session.list_tools).tools}
    assert set(tools) == {"ask", "get", "status"}
    for tool in tools.values():
        assert tool.annotations.read_only_hint is True and tool.description
    assert set(tools["ask"].input_schema["properties"]) == {"question", "collection", "k", "conversation"}
    assert tools["ask"].input_schema["required"] == ["question"]
    assert set(tools["get"].input_schema["properties"]) == {"source", "line_start", "line_end", "collection", "page"}


def test_first_ask_builds_the_index_saying_so_on_stderr_only(server, project):
    server.ok("ask", question=VALID_FOR)
    log = server.log.read_text(encoding="utf-8")
    assert "No index yet: building it" in log and "Indexed 1 file, 12 passages" in log
    assert (project.parent / "index" / "manifest.json").exists()
    assert server.stray == []  # nothing but the protocol on stdout, progress bars and all


def test_ask_answers_with_the_cli_json_shape_and_a_numbered_text(server, project):
    result = server.call("ask", question=VALID_FOR)
    answer = result.structured_content
    assert set(answer) == {"question", "abstained", "reason", "snippets", "timings_ms", "changed_sources", "read_with", "read_with_question", "restated", "read_as"}
    assert answer["abstained"] is False
    first = answer["snippets"][0]
    assert first["citation"]["source"] == SAMPLE_FILE and first["citation"]["line_start"] == 8
    assert "90 days" in first["text"] and first["answer"]["text"] == "90 days"
    citation = first["citation"]
    assert sample_text(project)[citation["start"] : citation["end"]] == first["text"]
    (text,) = result.content
    lines = text.text.splitlines()
    assert lines[0].startswith(f"1. {SAMPLE_FILE}:8  (confidence ")
    assert "valid for 90 days" in lines[1] and lines[2] == "   answer: 90 days"


def test_an_unrelated_question_abstains_as_a_result_not_an_error(server):
    result = server.call("ask", question=OFF_TOPIC)
    assert not result.is_error
    answer = result.structured_content
    assert answer["abstained"] is True and answer["reason"]
    assert result.content[0].text.startswith("The sources do not answer this: ")


def test_a_follow_up_is_read_in_its_conversation_and_only_there(server):
    first = server.ok("ask", question=FACILITATOR, conversation="talk-1")
    assert "Lajcak" in first["snippets"][0]["text"] and first["read_with"] == []
    follow_up = server.call("ask", question=FOLLOW_UP, conversation="talk-1")
    # "he": the facilitator the question before was answered with.
    assert {"Miroslav", "Lajcak"} <= set(follow_up.structured_content["read_with"])
    assert follow_up.structured_content["read_with_question"] == "What did Miroslav Lajcak say?"
    # What the facilitator said, quoted from his paragraph (alone, "he" could be anyone).
    assert "He signaled that dialogue would persist" in follow_up.structured_content["snippets"][0]["text"]
    assert follow_up.content[0].text.startswith("(read with: ")
    # Another id is another conversation: the same words, read alone.
    assert server.ok("ask", question=FOLLOW_UP, conversation="talk-2")["read_with"] == []
    assert server.ok("ask", question=FOLLOW_UP)["read_with"] == []


def test_mcp_gives_the_snippets_of_ask_json(server, project):
    def snippets(answer: dict) -> list:
        return [(s["text"], s["citation"], s["answer"], s["is_answer"]) for s in answer["snippets"]]

    for question in (VALID_FOR, FACILITATOR, OFF_TOPIC):
        code, out, err = run_cli("--config", str(project), "ask", "--json", "-k", "4", question)
        assert code in (0, 1), err
        over_mcp = server.ok("ask", question=question, k=4)
        assert snippets(over_mcp) == snippets(json.loads(out))
        assert over_mcp["abstained"] == json.loads(out)["abstained"]
    # A conversation too: the follow-up as `ask - --conversation` reads it.
    code, out, err = run_cli("--config", str(project), "ask", "-", "--conversation", "--json", stdin=f"{FACILITATOR}\n{FOLLOW_UP}\n")
    assert code == 0, err
    server.ok("ask", question=FACILITATOR, conversation="same-as-cli")
    over_mcp = server.ok("ask", question=FOLLOW_UP, conversation="same-as-cli")
    from_cli = json.loads(out.splitlines()[1])
    assert snippets(over_mcp) == snippets(from_cli) and over_mcp["read_with"] == from_cli["read_with"]


def test_get_a_cited_range_gives_exactly_its_lines(server, project):
    citation = server.ok("ask", question=VALID_FOR)["snippets"][0]["citation"]
    lines = sample_text(project).split("\n")
    got = server.call("get", source=citation["source"], line_start=citation["line_start"] - 1, line_end=citation["line_end"] + 1)
    excerpt = got.structured_content
    assert excerpt["text"] == "\n".join(lines[citation["line_start"] - 2 : citation["line_end"] + 1])
    assert got.content[0].text == excerpt["text"]
    assert sample_text(project)[excerpt["start"] : excerpt["end"]] == excerpt["text"]
    assert excerpt["start"] <= citation["start"] and citation["end"] <= excerpt["end"]
    assert (excerpt["line_start"], excerpt["line_end"], excerpt["lines"]) == (7, 9, 12)
    assert server.ok("get", source=SAMPLE_FILE)["text"] == sample_text(project)  # the whole file, as it is
    assert server.ok("get", source=SAMPLE_FILE, line_start=12)["text"] == sample_text(project).split("\n", 11)[11]


def test_get_refuses_what_is_not_an_indexed_source(server, project):
    assert server.error("get", source="../config.toml") == "not a source file: ../config.toml (not a path inside the sources folder)"
    assert server.error("get", source=str(project.parent / "secret.txt")).startswith("not a source file: /")
    assert server.error("get", source="escape.txt") == "not a source file: escape.txt (not a path inside the sources folder)"
    # Each refusal says why, in words an agent can act on.
    assert server.error("get", source="missing.txt") == (
        "not an indexed source: missing.txt (no such file in the sources folder: name it as a citation does, its path in the folder)"
    )
    assert server.error("get", source="blob.txt").startswith(
        "not an indexed source: blob.txt (passed over when the index was built: binary file"
    )
    assert server.error("get", source="") == "the source is empty"


def test_get_takes_a_source_as_an_agent_may_write_it(server, project):
    """The file's absolute path inside the folder, "./" before it, or a whole citation for the source
    and its lines."""
    whole = sample_text(project)
    assert server.ok("get", source=str(project.parent / "sources" / SAMPLE_FILE))["text"] == whole
    assert server.ok("get", source=f"./{SAMPLE_FILE}")["source"] == SAMPLE_FILE
    citation = server.ok("ask", question=VALID_FOR)["snippets"][0]["citation"]
    label = f"{SAMPLE_FILE}:{citation['line_start']}-{citation['line_end'] + 1}"
    cited = server.ok("get", source=label)
    assert (cited["source"], cited["line_start"], cited["line_end"]) == (SAMPLE_FILE, citation["line_start"], citation["line_end"] + 1)
    assert server.error("get", source=f"{SAMPLE_FILE}:40").endswith("line 40 is past its end")


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ({"line_start": 0}, "line_start must be at least 1 (got 0)"),
        ({"line_start": 9, "line_end": 8}, "line_end 8 is before line_start 9"),
        ({"line_start": 13}, f"{SAMPLE_FILE} has 12 lines: line 13 is past its end"),
        ({"line_end": 40}, f"{SAMPLE_FILE} has 12 lines: line 40 is past its end"),
    ],
)
def test_get_with_lines_the_file_does_not_have_is_one_line(server, lines, message):
    assert server.error("get", source=SAMPLE_FILE, **lines) == message


def test_status_reports_what_assistant_status_does(server, project):
    server.ok("ask", question=VALID_FOR)  # the index is built by now
    result = server.call("status")
    status = result.structured_content
    code, out, _ = run_cli("--config", str(project), "status", "--json")
    assert status == json.loads(out)
    assert (status["exists"], status["files"], status["passages"], status["model"]) == (True, 1, 12, "all-MiniLM-L6-v2")
    assert status["built_at"] and status["changes"]["unchanged"] == [SAMPLE_FILE]
    assert status["skipped"] == [{"source": "blob.txt", "reason": "binary file (NUL byte in the first 8 KiB)"}]
    text = result.content[0].text
    assert "passages: 12" in text and "stale:    no, up to date" in text and "skipped:  blob.txt: binary file" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"question": ""}, "the question is empty"),
        ({"question": "   "}, "the question is empty"),
        ({"question": "?!"}, "the question has no words (only punctuation or symbols)"),
        ({"question": "why " * 600}, "the question is longer than 2000 characters"),
        ({"question": VALID_FOR, "k": 0}, "k must be between 1 and 20 (got 0)"),
        ({"question": VALID_FOR, "k": 21}, "k must be between 1 and 20 (got 21)"),
        ({"question": VALID_FOR, "conversation": " "}, "the conversation id is empty"),
        ({"question": VALID_FOR, "collection": "papers"}, "no collection named 'papers' here (the collections: main)"),
    ],
)
def test_bad_arguments_are_one_line_tool_errors(server, arguments, message):
    assert server.error("ask", **arguments) == message


def test_a_config_error_is_the_cli_line_before_any_protocol(tmp_path):
    config = write_project(tmp_path, "[answer]\nsnippets = 'many'\n")
    code, out, err = run_cli("--config", str(config), "mcp")
    assert code == 2 and out == ""
    assert err.startswith("assistant: error: ") and err.count("\n") == 1


def test_other_commands_do_not_load_the_sdk(server, project):
    result = run_cli_in_fresh_python(["--config", str(project), "status"], ("mcp", "mcp_types", "starlette"))
    assert result.returncode == 0, result.stderr


def test_a_source_edited_while_serving_is_quoted_as_it_now_reads_and_status_says_when_it_was_taken_in(server, project):
    import time

    server.ok("ask", question=VALID_FOR)  # the index is built by now
    path = project.parent / "sources" / SAMPLE_FILE
    original = sample_text(project)
    try:
        # Asked at once, before the watch's quiet second is over: the ask takes the edit in first.
        path.write_text(original.replace("valid for 90 days", "valid for 60 days"), encoding="utf-8")
        answer = server.ok("ask", question=VALID_FOR)
        assert "valid for 60 days" in answer["snippets"][0]["text"] and answer["changed_sources"] == []
        # Left alone, the server's watch takes an edit in by itself, and status says when.
        path.write_text(original.replace("valid for 90 days", "valid for 45 days"), encoding="utf-8")
        deadline = time.monotonic() + 60
        # Until the update is told and no build runs (one for a late event of the same write may follow it).
        while "(kosovo-serbia-tensions.txt)" not in (text := server.call("status").content[0].text) or "building: now" in text:
            assert time.monotonic() < deadline, text
            time.sleep(0.1)
        assert "watching: yes" in text and "stale:    no, up to date" in text
        last = next(line for line in text.splitlines() if line.startswith("last update: "))
        assert ", updated: 1 file changed, 1 passage embedded in " in last
        assert "valid for 45 days" in server.ok("ask", question=VALID_FOR)["snippets"][0]["text"]
        assert "updated: 1 file changed, 1 passage embedded" in server.log.read_text(encoding="utf-8")
    finally:
        path.write_text(original, encoding="utf-8")


def test_get_reads_a_pdfs_lines_from_the_top_of_the_page_its_citation_names(tmp_path):
    """A PDF's citation counts its lines from its page's top (p2:6-7, where page 2 begins at the whole
    text's line 12): get takes the page with the lines, or the whole citation, and says the page."""
    config = write_project(tmp_path / "pdf", sources={LIGHTHOUSE_FILE: LIGHTHOUSE_PDF})
    with mcp_server(config, tmp_path / "stderr.log") as pdf:
        (snippet,) = pdf.ok("ask", question=LIGHTHOUSE_QUESTION, k=1)["snippets"]
        citation = snippet["citation"]
        assert (citation["page"], citation["line_start"], citation["line_end"]) == (2, 6, 7)
        lines = pdf.ok("get", source=LIGHTHOUSE_FILE, page=2, line_start=6, line_end=7)
        assert (lines["text"], lines["start"], lines["end"]) == (snippet["text"], citation["start"], citation["end"])
        assert (lines["page"], lines["line_start"], lines["line_end"], lines["lines"]) == (2, 6, 7, 7)
        assert pdf.ok("get", source=f"{LIGHTHOUSE_FILE}:p2:6-7") == lines  # the whole citation: the same lines
        page = pdf.ok("get", source=LIGHTHOUSE_FILE, page=2)  # a page alone: all of its lines
        assert pdf.ok("get", source=f"{LIGHTHOUSE_FILE}:p2") == page  # ... or as a citation of the page
        assert pdf.ok("get", source=f"{LIGHTHOUSE_FILE}:p1:6-7", page=2) == lines  # what is given beside it wins
        assert page["text"].startswith("The last keeper\n") and page["text"].endswith(snippet["text"])
        whole = pdf.ok("get", source=LIGHTHOUSE_FILE)  # no page: the whole text, as its offsets slice it
        assert whole["page"] is None and whole["text"][citation["start"] : citation["end"]] == snippet["text"]
        # Shown to the agent with each page's start marked: p2:6-7 are the 6th and 7th lines under "— page 2 —".
        assert whole["page_starts"][0] == 0 and len(whole["page_starts"]) == 2
        (shown,) = pdf.call("get", source=LIGHTHOUSE_FILE).content
        rows = shown.text.splitlines()
        assert rows[0] == "— page 1 —" and rows.count("— page 2 —") == 1
        under = rows[rows.index("— page 2 —") + 1 :]
        assert "\n".join(under[5:7]) == snippet["text"]
        assert pdf.error("get", source=LIGHTHOUSE_FILE, line_start=6, line_end=7) == (
            f"{LIGHTHOUSE_FILE} counts its lines from the top of each page: pass the page with them (page=2 for {LIGHTHOUSE_FILE}:p2:6-7)"
        )
        assert pdf.error("get", source=LIGHTHOUSE_FILE, page=3) == f"{LIGHTHOUSE_FILE} has 2 pages: page 3 is past its end"


def test_collections_are_asked_together_or_one_at_a_time(tmp_path):
    root = tmp_path / "two"
    (root / "normans").mkdir(parents=True)
    shutil.copy(DATA / "Normans.txt", root / "normans" / "Normans.txt")
    config = write_project(root, '[collections.normans]\nsources = "normans"\nindex = "normans-index"\n')
    shutil.copy(SAMPLE_SOURCES / SAMPLE_FILE, root / "sources" / SAMPLE_FILE)
    with mcp_server(config, tmp_path / "stderr.log") as two:
        answer = two.ok("ask", question=VALID_FOR)
        assert answer["snippets"][0]["citation"]["collection"] == "main"
        assert "main:kosovo-serbia-tensions.txt:8" in two.call("ask", question=VALID_FOR).content[0].text
        rollo = two.ok("ask", question="Who was the leader who swore fealty to King Charles III?", collection="normans")
        assert {s["citation"]["collection"] for s in rollo["snippets"]} == {"normans"}
        citation = rollo["snippets"][0]["citation"]
        lines = two.ok("get", source=citation["source"], collection="normans",
                       line_start=citation["line_start"], line_end=citation["line_end"])
        assert rollo["snippets"][0]["text"] in lines["text"]
        assert two.error("get", source=citation["source"]) == (  # not in main: the error names where it is
            f"not an indexed source of main: {citation['source']} (it is in the collection 'normans': pass collection='normans')"
        )
        assert two.error("get", source="nowhere.txt").startswith("not an indexed source: nowhere.txt (no such file")
        label = f"normans:{citation['source']}:{citation['line_start']}"  # a whole citation names its collection
        assert rollo["snippets"][0]["text"].split("\n")[0] in two.ok("get", source=label)["text"]
        assert two.error("ask", question=VALID_FOR, collection="papers") == (
            "no collection named 'papers' here (the collections: main, normans)"
        )
        statuses = two.ok("status")["collections"]
        assert set(statuses) == {"main", "normans"} and statuses["normans"]["files"] == 1
    assert "collection normans: No index yet" in (tmp_path / "stderr.log").read_text(encoding="utf-8")
