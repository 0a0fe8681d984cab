"""Where a question asks how things stand now, the answer of the latest-dated file comes first: a new
user's "how much are the arrears now?" was answered from January's minutes, September's second."""

from __future__ import annotations

import pytest

from assistant.answers.latest import file_date
from projects import built_project


@pytest.mark.parametrize(
    ("source", "date"),
    [
        ("minutes/2025-09-09_board.md", (2025, 9, 9)),
        ("budget_2024.csv", (2024, 0, 0)),
        ("2025_03_notes.txt", (2025, 3, 0)),
        ("reports/2019/summary.md", (2019, 0, 0)),
        ("notes.md", None),
        ("v2.1.3.txt", None),
    ],
)
def test_the_date_a_file_s_name_gives_it(source, date):
    assert file_date(source) == date


JANUARY = "# Board meeting, 14 January 2025\n\n## Treasurer's report\n\nThe arrears are $1,420: two households owe arrears on their housing charges.\n"
SEPTEMBER = "# Board meeting, 9 September 2025\n\n## Treasurer's report\n\nOne household still owes $640.\n"


def test_the_latest_file_answers_first_what_stands_now(tmp_path):
    minutes = built_project(tmp_path, {"minutes/2025-01-14_board.md": JANUARY, "minutes/2025-09-09_board.md": SEPTEMBER})
    now = minutes.ask("How much are the arrears now?").snippets
    assert now[0].citation.source == "minutes/2025-09-09_board.md", [(s.citation.source, s.text) for s in now]
    assert any(s.citation.source == "minutes/2025-01-14_board.md" for s in now)  # what was said before stays
    # Not asked of the present, the ranking's order stands: January's line says "arrears" twice.
    assert minutes.ask("How much are the arrears?").snippets[0].citation.source == "minutes/2025-01-14_board.md"
