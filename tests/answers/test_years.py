"""A year a question names: the file of that year is the one asked about (a co-op's ``budget_2024.csv``
and ``budget_2025.csv`` hold the same items, the year only in their names), a follow-up naming another
year asks the same of it, and a year the sources never mention is one they do not answer about (a new
user's "What was the insurance budget in 2024?" was answered with the minutes' "the 2024 year ended with
a small surplus", "and in 2024?" kept the 2025 of the question before, and "what was the snow removal
budget in 2023" quoted the 2025 contract's amount)."""

from __future__ import annotations

import pytest

from assistant.models import Conversation
from assistant.retrieval.codes import asked_years, years_in
from assistant.retrieval.conversation import contrast
from projects import DATA, built_project


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("What was the insurance budget in 2024?", ["2024"]),
        ("the 2023 budget, and 1974's", ["2023"]),  # a year's possessive is a decade's too: "1899's"
        ("What happened in the 1980s?", []),  # a decade
        ("It cost $2025, or 2025%", []),  # an amount, a percentage
        ("due 2025-03-01 at 20:25", []),  # a date's part, a time
    ],
)
def test_the_years_a_text_names(text, years):
    assert years_in(text) == years


@pytest.mark.parametrize(
    ("question", "years"),
    [
        ("What was the snow removal budget in 2023?", ["2023"]),
        ("What was the 2023 budget for insurance?", ["2023"]),
        ("Which expenses cost more than 1500?", []),
        ("What has changed since 2019?", []),
        ("I started in 2019; how many vacation days do I get?", []),  # the asker's own year
        ("What happened on 14 January 2025?", []),  # a date's year
        ("What was our snow removal budget in 2023?", ["2023"]),  # a possessive is no asker's clause
        ("What discount is given for 1500 units?", []),  # an amount of things
        ("How many seats for 2000 people?", []),
        ("Compare the insurance budgets in 2024 and 2025", ["2024", "2025"]),
        ("What happened in World War I in 1917?", ["1917"]),
    ],
)
def test_the_years_a_question_asks_about(question, years):
    assert asked_years(question) == years


def test_a_follow_up_naming_another_year_asks_the_question_before_of_it():
    restated = contrast("and in 2024?", "how much is the insurance budget for 2025")
    assert restated is not None and restated.question == "how much is the insurance budget for 2024"
    assert contrast("and in 2024?", "What happened on 14 January 2025?") is None  # a date's year
    assert contrast("and in 2024?", "What changed between 2023 and 2025?") is None  # which of two?


@pytest.fixture(scope="module")
def coop(tmp_path_factory):
    folder = DATA / "coop"
    files = {str(f.relative_to(folder)): f.read_text(encoding="utf-8") for f in folder.rglob("*") if f.is_file() and f.name != "README.md"}
    return built_project(tmp_path_factory.mktemp("coop"), files)


@pytest.mark.parametrize(
    ("question", "source", "row"),
    [
        ("What was the insurance budget in 2024?", "budget_2024.csv", "| Expense | Insurance | 16600 |"),
        ("how much is the insurance budget for 2025", "budget_2025.csv", "| Expense | Insurance | 18950 |"),
    ],
)
def test_the_row_of_the_file_of_the_year_asked_is_quoted(coop, question, source, row):
    first = coop.ask(question).snippets[0]
    assert first.citation.source == source and first.text.startswith(row), (first.citation.source, first.text)


def test_a_follow_up_naming_another_year_is_answered_from_that_year_s_file(coop):
    conversation = Conversation()
    before = coop.ask("how much is the insurance budget for 2025", conversation=conversation)
    again = coop.ask("and in 2024?", conversation=conversation.then(before))
    assert again.read_with_question == "how much is the insurance budget for 2024"
    # Said as the question it asks, not as an earlier one it follows (a new user read it so).
    assert again.restated and "asked as “how much is the insurance budget for 2024”" in again.how_read()
    assert not before.restated and again.to_json_dict()["restated"] is True
    # The 2024 budget's insurance row is the budgets' first quote (the reader may rank the minutes' "the
    # 2024 year ended with a small surplus of $3,860" above it: it finds an amount there, none in a row).
    budgets = [s for s in again.snippets if s.citation.source.startswith("budget_")]
    assert budgets[0].citation.source == "budget_2024.csv" and budgets[0].text.startswith("| Expense | Insurance | 16600 |"), [
        (s.citation.source, s.text) for s in again.snippets
    ]


def test_a_year_the_sources_never_mention_is_not_answered_about(coop):
    answer = coop.ask("What was the snow removal budget in 2023?")
    assert answer.abstained and answer.reason == "the sources never mention 2023", answer.reason
    # The year asked's row, not the minutes' 2025 contract ("renewed for the 2025 season at $2,900").
    first = coop.ask("What was the snow removal budget in 2024?").snippets[0]
    assert first.citation.source == "budget_2024.csv" and "Snow removal" in first.text, first.text
    # A number that is no year asked about: an amount, the asker's own year, one things changed since.
    for question in ("Which expenses cost more than 1500?", "I joined in 2019; what does insurance cost?", "What has changed since 2019?"):
        assert "never mention" not in (coop.ask(question).reason or ""), question
    assert coop.ask("What was our snow removal budget in 2023?").reason == "the sources never mention 2023"


def test_a_sentence_of_other_years_than_the_one_asked():
    from assistant.answers.answering import of_another_year

    asked = frozenset({"2024"})
    assert of_another_year("The snow removal contract was renewed for the 2025 season at $2,900.", asked)
    assert not of_another_year("The 2024 year ended with a small surplus.", asked)
    assert not of_another_year("Between 2022 and 2026 the reserve grows each year.", asked)  # a span holding it
    assert not of_another_year("The reserve fund study recommends a higher contribution.", asked)  # no year at all
    assert not of_another_year("Renewed for the 2025 season.", frozenset())  # the question asks of none


def test_the_file_of_the_year_asked_is_named_among_several_years_files(tmp_path):
    """Digits are no distinctive word of a file's name: with three years' budgets no file was named."""
    from assistant.retrieval.named_sources import named_sources

    budgets = {f"budget_{year}.csv": f"category,item,amount\nExpense,Insurance,{amount}\n" for year, amount in
               (("2023", 15100), ("2024", 16600), ("2025", 18950))}
    index = built_project(tmp_path, budgets).load_index()
    assert named_sources(index, "What was the insurance budget in 2024?") == {"budget_2024.csv": 1.0}
    assert named_sources(index, "I joined in 2024; what does insurance cost?") == {}


def test_the_files_of_other_years_of_a_dated_series_do_not_answer_of_a_year_they_are_not(tmp_path):
    """Trial 60: with the bylaws naming 2023 for another reason, "What was the snow removal budget in
    2023?" was answered with the 2024 budget's row."""
    from assistant.store.file_dates import series_years, yearly_files

    folder = DATA / "coop"
    files = {str(f.relative_to(folder)): f.read_text(encoding="utf-8") for f in folder.rglob("*") if f.is_file() and f.name != "README.md"}
    files["bylaws.md"] = "# Bylaws\n\nThese bylaws were adopted at the general meeting of 12 March 2023.\n\nThe board has seven directors.\n"
    coop = built_project(tmp_path, files)
    answer = coop.ask("What was the snow removal budget in 2023?")
    budgets = [s for s in answer.snippets if s.citation.source.startswith("budget_")]
    assert not answer.snippets[0].citation.source.startswith("budget_"), [(s.citation.source, s.text) for s in answer.snippets]
    assert all(s.unsure or not s.is_answer for s in budgets), [(s.citation.source, s.text, s.confidence) for s in budgets]
    first = coop.ask("What was the snow removal budget in 2024?").snippets[0]  # its own year's file answers
    assert first.citation.source == "budget_2024.csv" and "Snow removal" in first.text, first.text
    # A series: dated to the month, or named alike but for the year; a year alone in a name is no date.
    names = ["budget_2024.csv", "budget_2025.csv", "minutes/2025-01-14_board.md", "First_cases_of_disease_2019.txt", "smith2019.pdf"]
    assert series_years(names) == {"budget_2024.csv": 2024, "budget_2025.csv": 2025, "minutes/2025-01-14_board.md": 2025}
    # Of another year for a question: only files named alike but for the year (minutes of January may
    # speak of the year before).
    assert yearly_files(names) == {"budget_2024.csv": 2024, "budget_2025.csv": 2025}


def test_a_table_whose_columns_name_the_year_asked_is_of_that_year(tmp_path):
    """A review's case: next year's budget holds this year's actuals in a column ("2024 actual")."""
    budgets = {
        "budget_2024.csv": "Line,2023 actual,2024 budget\nSnow removal,7400,8000\nInsurance,15100,16600\n",
        "budget_2025.csv": "Line,2024 actual,2025 budget\nSnow removal,11250,9000\nInsurance,16480,18950\n",
    }
    from assistant.answers.answering import of_another_years_file

    project = built_project(tmp_path, budgets)
    index = project.load_index()
    of_2025 = next(p for p in index.passages.many(range(len(index.passages))) if p.source == "budget_2025.csv")
    assert not of_another_years_file(of_2025, index.yearly_files(), frozenset({"2024"}))  # "2024 actual"
    assert of_another_years_file(of_2025, index.yearly_files(), frozenset({"2023"}))
    quoted = [(s.citation.source, s.is_answer) for s in project.ask("What did snow removal actually cost in 2024?").snippets]
    assert ("budget_2025.csv", True) in quoted, quoted
