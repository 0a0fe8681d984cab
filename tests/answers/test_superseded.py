"""Where a sentence says one value replaced another, the mark is the one holding now: a new user's "how
much is a croissant" marked £2.60 of "Croissant: was £2.60, now £2.85"."""

from __future__ import annotations

import pytest

from assistant.answers.superseded import value_of_time_asked
from projects import built_project

NOTICE = """PRICE CHANGES FROM MONDAY 3 NOVEMBER 2025

From Monday 3 November 2025 the prices below change at both sites. They replace the prices in the menu.

Croissant: was £2.60, now £2.85
Pain au chocolat: was £2.90, now £3.20
Flat white: was £3.30, now £3.50
Cappuccino and latte: were £3.40, now £3.60
Oat milk: now free (it was 40p extra)

Everything else on the menu stays at its current price.
"""


@pytest.mark.parametrize(
    ("question", "text", "marked", "now"),
    [
        ("how much is a croissant", "Croissant: was £2.60, now £2.85\nPain au chocolat: was £2.90, now £3.20", "£2.60", "£2.85"),
        ("and a cappuccino?", "Cappuccino and latte: were £3.40, now £3.60", "£3.40", "£3.60"),
        ("how much is oat milk", "Oat milk: now free (it was 40p extra)", "40p extra", "free"),
        ("what does butter cost", "Butter is now £6.10 a kilo, up from £4.70 in March.", "£4.70", "£6.10"),
        ("what's the repayment", "The bank reduced the monthly repayment from £1,150 to £850 from October.", "£1,150", "£850"),
        ("how long is the bake", "The bake was 40 minutes, now 45 minutes at 230°C.", "40 minutes", "45 minutes"),
        # Asked of the past, the old value is the answer.
        ("what did a cappuccino cost before the increase", "Cappuccino and latte: were £3.40, now £3.60", "£3.40", None),
        ("what did a cappuccino cost before the increase", "Cappuccino and latte: were £3.40, now £3.60", "£3.60", "£3.40"),
        ("what was the old price of a croissant", "Croissant: was £2.60, now £2.85", "£2.85", "£2.60"),
        ("what was oat milk before", "Oat milk: now free (it was 40p extra)", "free", "40p"),
        ("what did butter cost before", "Butter is now £6.10 a kilo, up from £4.70 in March.", "£6.10", "£4.70"),
        ("what was the repayment before", "The bank reduced the monthly repayment from £1,150 to £850 from October.", "£850", "£1,150"),
        ("what was the opening time", "Open from Monday to Friday.", "Friday", None),
        # No value replaced: a range, a past fact with nothing after it.
        ("when is it open", "Open from Monday to Friday.", "Monday", None),
        ("when is it open", "Open from 9 to 5 every day.", "9", None),
        ("who is the treasurer", "The treasurer was Raj Patel.", "Raj Patel", None),
        ("who chairs it", "The chair was Ann Lee, now Bob Smith.", "Ann Lee", "Bob Smith"),
        # What follows "now" must be a value of the mark's shape (a review's cases).
        ("who is the treasurer", "The treasurer was Raj Patel, now retired.", "Raj Patel", None),
        ("what is the fee", "The fee was £5, now payable by card.", "£5", None),
        ("what is the fee", "We now charge for parking and the fee was £5 a day.", "£5", None),
        ("when is it open", "Opening hours changed: open from 9am to 5pm daily.", "9am", None),
        ("when does it apply", "The increase applies from 1 April to all members.", "1 April", None),
        # "was" or "did" alone asks of no time before; "after" asks of now.
        ("how much was a croissant", "Croissant: was £2.60, now £2.85", "£2.60", "£2.85"),
        ("what did a croissant cost after the increase", "Croissant: was £2.60, now £2.85", "£2.60", "£2.85"),
        ("how old is the price list", "Croissant: was £2.60, now £2.85", "£2.60", "£2.85"),
    ],
)
def test_the_value_holding_now_of_a_sentence_saying_it_replaced_another(question, text, marked, now):
    at = text.index(marked)
    found = value_of_time_asked(question, text, at, at + len(marked))
    assert (text[found[0] : found[1]] if found else None) == now


def test_a_price_notice_s_new_price_is_marked_and_its_old_one_when_asked(tmp_path):
    shop = built_project(tmp_path, {"price_increase_notice.txt": NOTICE})
    for question, price in (("how much is a croissant", "£2.85"), ("price of a flat white", "£3.50"), ("how much is oat milk", "free")):
        first = shop.ask(question).snippets[0]
        assert first.answer is not None and first.answer.text == price, (question, first.text, first.answer)
        source = (tmp_path / "sources" / "price_increase_notice.txt").read_text(encoding="utf-8")
        assert source[first.answer.start : first.answer.end] == price
    for question, price in (("what did a croissant cost before the increase", "£2.60"), ("what was the old price of a cappuccino", "£3.40")):
        first = shop.ask(question).snippets[0]
        assert first.answer is not None and first.answer.text == price, (question, first.text, first.answer)
