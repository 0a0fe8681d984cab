"""A year a question names: the file of that year is the one asked about (a co-op's ``budget_2024.csv``
and ``budget_2025.csv`` hold the same items, the year only in their names), a follow-up naming another
year asks the same of it, and a year the sources never mention is one they do not answer about (a new
user's "What was the insurance budget in 2024?" was answered with the minutes' "the 2024 year ended with
a small surplus", "and in 2024?" kept the 2025 of the question before, and "what was the snow removal
budget in 2023" quoted the 2025 contract's amount)."""

from __future__ import annotations

import pytest

from assistant.models import Conversation
from assistant.retrieval.codes import years_in
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


def test_a_follow_up_naming_another_year_asks_the_question_before_of_it():
    restated = contrast("and in 2024?", "how much is the insurance budget for 2025")
    assert restated is not None and restated.question == "how much is the insurance budget for 2024"


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
    first = again.snippets[0]
    assert first.citation.source == "budget_2024.csv" and first.text.startswith("| Expense | Insurance | 16600 |"), first.text


def test_a_year_the_sources_never_mention_is_not_answered_about(coop):
    answer = coop.ask("What was the snow removal budget in 2023?")
    assert answer.abstained and answer.reason == "the sources never mention 2023", answer.reason
    assert not coop.ask("What was the snow removal budget in 2024?").abstained
