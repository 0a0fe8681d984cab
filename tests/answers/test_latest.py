"""Where a question asks how things stand now, the answer of the latest-dated file comes first: a new
user's "how much are the arrears now?" was answered from January's minutes, September's second."""

from __future__ import annotations

import pytest

from assistant.store.file_dates import file_date
from assistant.answers.latest import asks_now
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
    # Asked in the present tense, it asks of now too (a new user's "Which contractor is replacing the roof?"
    # quoted March's quotes over September's award).
    assert minutes.ask("How much are the arrears?").snippets[0].citation.source == "minutes/2025-09-09_board.md"
    # Asked of another time, the ranking's order stands: January's line says "arrears" twice.
    for question in ("How much were the arrears?", "What were the arrears before?", "How much are the arrears in January 2025?"):
        assert minutes.ask(question).snippets[0].citation.source == "minutes/2025-01-14_board.md", question


@pytest.mark.parametrize(
    ("question", "now"),
    [
        ("Which contractor is replacing the roof?", True),
        ("who's the treasurer?", True),
        ("how much does a latte cost", True),
        ("Is the kiosk open on Sundays?", True),
        ("how much are the arrears now?", True),
        ("Who was the treasurer?", False),
        ("What is the budget for 2024?", False),
        ("How much were the arrears in Sept?", False),
        ("What did the board decide about the roof?", False),
        ("Who moved the motion?", False),
        ("What was the old price?", False),
        ("What is the first step?", False),
        ("What is the next meeting date?", True),
        ("Where does Jan live?", True),  # a given name, not a month
        ("What is the rent in March?", False),
        ("Who chairs the 14 May meeting?", False),
    ],
)
def test_a_question_asks_of_now_in_words_or_in_the_present_tense_naming_no_other_time(question, now):
    assert asks_now(question) is now


def test_a_year_alone_in_unlike_names_orders_only_for_a_question_saying_now(tmp_path):
    """A year in a paper's name may be its topic's ("coronavirus_disease_2019"): asked in the present
    tense alone, the later of two such files is not put first (COVID-QA lost two first snippets so)."""
    papers = built_project(tmp_path, {"household_survey_2019.md": JANUARY, "arrears_review_2025.md": SEPTEMBER})
    assert papers.ask("How much are the arrears?").snippets[0].citation.source == "household_survey_2019.md"
    assert papers.ask("How much are the arrears now?").snippets[0].citation.source == "arrears_review_2025.md"
