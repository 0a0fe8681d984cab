"""A mark of the kind of value the question asks for: money for "how much did the kestrels cost", a share
for "what share of visits ..." (trial 64 marked "6" of "buy 6 Kestrel 5400 meters for £2,340")."""

from __future__ import annotations

import pytest

from assistant.answers.value_asked import value_kind_asked, value_of_kind
from projects import built_project


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how much did the kestrels cost", "money"),
        ("what's the rent", "money"),
        ("What was the price of the house?", "money"),
        ("how much do we pay the cleaner", "money"),
        ("share of visits with extreme heat stress under low canopy", "share"),
        ("what percentage of trees survived", "share"),
        ("how much notice do we have to give", None),
        # A money word that is not what the question asks for (a review's cases).
        ("what's the rent review date", None),
        ("how much notice do we have to give before we pay rent", None),
        ("what's the budget deadline", None),
        ("what's the cost centre code", None),
        ("what is the monthly rent for the flat", "money"),
        ("how much is the deposit", "money"),
        ("how much water does a tree need", None),
        ("how many trees were planted", None),
    ],
)
def test_the_kind_of_value_a_question_asks_for(question, kind):
    assert value_kind_asked(question) == kind


def test_a_mark_of_another_kind_becomes_the_quote_s_one_value_of_the_kind_asked():
    bought = "Decision: buy 6 Kestrel 5400 meters for £2,340 from the lab budget."
    at = bought.index("6")
    assert bought[slice(*value_of_kind(bought, at, at + 1, "money"))] == "£2,340"
    at = bought.index("£")
    assert value_of_kind(bought, at, at + 6, "money") == (at, at + 6)  # of the kind: kept
    two = "The share fell from 38% under low canopy to 9% under high canopy."
    assert value_of_kind(two, two.index("share"), two.index("share") + 5, "share") is None  # which of two?
    assert value_of_kind("It cost 40 euros, or 12 pounds less than before.", 3, 7, "money") is None
    # A fraction in words is a share; "page 12 p." no sum of money.
    died = "About a third of the new trees died, against 12% in the control plots."
    assert value_of_kind(died, 6, 13, "share") == (6, 13)
    assert value_of_kind("See page 12 p. 4 for 40 EUR.", 0, 3, "money") == (21, 27)  # "40 EUR"


MEETINGS = """# Supervisor meetings

## 12 February 2025

Present: Rachel, David, Priya.

- Decision: buy 6 Kestrel 5400 heat stress meters for £2,340 from the lab budget.
- Priya will calibrate them against the department's station before the field season.
"""


def test_how_much_something_cost_marks_the_money_not_the_count(tmp_path):
    notes = built_project(tmp_path, {"supervisor_meetings.md": MEETINGS})
    first = notes.ask("how much did the kestrels cost").snippets[0]
    assert "£2,340" in first.text
    assert first.answer is not None and first.answer.text == "£2,340", first.answer
