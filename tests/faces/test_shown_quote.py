"""A Markdown file's quotes are shown as its reader sees them (its inline marks left out), the words
that answer still marked; the JSON keeps the file's exact text."""

from __future__ import annotations

import json

import pytest

from assistant import Assistant
from assistant.faces.cli import BOLD, NORMAL, quote_line
from assistant.faces.shown_quote import as_shown

from cli_runner import run_cli
from projects import built_project, write_project


@pytest.mark.parametrize(
    "text, seen",
    [
        ("UK employees receive **25 days** of leave.", "UK employees receive 25 days of leave."),
        ("Lock it (__always__) with *Ctrl+L* or _Win+L_.", "Lock it (always) with Ctrl+L or Win+L."),
        ("Run `sudo wg-quick up` and see [the portal](https://hr.example.com \"HR\").", "Run sudo wg-quick up and see the portal."),
        ("![the floor plan](plan.png) shows it.", "the floor plan shows it."),
        # What pairs with nothing, or stands inside code, is the text's own.
        ("2 * 3 = 6, snake_case_name and a lone _ stay.", "2 * 3 = 6, snake_case_name and a lone _ stay."),
        ("Call `f(*args, **kw)` twice.", "Call f(*args, **kw) twice."),
        ("- [ ] Lunch with your buddy", "- [ ] Lunch with your buddy"),
        ("It is ***25 days*** a year.", "It is 25 days a year."),
        ("See [Foo](https://en.wikipedia.org/wiki/Foo_(bar)) for more.", "See Foo for more."),
        ("Write \\*not emphasis\\* here.", "Write *not emphasis* here."),  # escaped: plain asterisks
        ("Use `**` for bold, and **this** for real.", "Use ** for bold, and this for real."),
        ("Square it: x**2 + y**2 = r**2.", "Square it: x**2 + y**2 = r**2."),  # a formula, not bold
    ],
)
def test_a_markdown_quote_is_shown_without_its_inline_marks(text, seen):
    view = as_shown(text, "notes.md")
    assert view.text == seen
    assert all(text[at] == c for c, at in zip(view.text, view.offsets))  # every character shown is the file's


def test_other_formats_are_shown_as_they_are():
    assert as_shown("UK employees receive **25 days**.", "notes.txt").text == "UK employees receive **25 days**."


def test_the_answer_is_marked_in_the_quote_as_shown_and_the_json_keeps_the_file_s_text(tmp_path):
    text = "# Leave\n\nFull-time UK employees receive **25 days** of annual leave per year, plus bank holidays.\n"
    config = write_project(tmp_path, sources={"leave.md": text})
    assistant = Assistant.open(config)
    assistant.build_index()
    snippet = assistant.ask("How many days of annual leave do UK employees get?").snippets[0]
    assert snippet.answer is not None and "25" in snippet.answer.text
    line = quote_line(snippet, bold=True)
    assert "**" not in line and f"{BOLD}25" in line and NORMAL in line
    assert quote_line(snippet, bold=False).startswith("Full-time UK employees receive 25 days of annual leave")
    code, out, _ = run_cli("--config", str(config), "ask", "--json", "How many days of annual leave do UK employees get?")
    assert "**25 days**" in json.loads(out)["snippets"][0]["text"]


def test_an_answer_the_marks_would_hide_is_shown_with_them():
    """The answer to "Where do I book leave?" may be a link's address: hidden, nothing was marked."""
    text = "Book leave in [the HR portal](https://hr.example.com/leave)."
    address = (text.index("https"), text.index(")"))
    assert as_shown(text, "leave.md", keep=address).text == text
    assert as_shown(text, "leave.md", keep=(text.index("the HR"), text.index("]"))).text == "Book leave in the HR portal."


def test_mcp_reads_the_file_s_exact_text(tmp_path):
    from assistant.faces.cli import answer_lines

    text = "# Leave\n\nFull-time UK employees receive **25 days** of annual leave per year, plus bank holidays.\n"
    answer = built_project(tmp_path, {"leave.md": text}).ask("How many days of annual leave do UK employees get?")
    assert "**25 days**" in "\n".join(answer_lines(answer, bold=False, shown=False))
    assert "**" not in "\n".join(answer_lines(answer, bold=False))
