"""A correction comes before what it corrects: a new user's "when is the midterm review session" was
answered with the first announcement's date, the correction posted two days later second."""

from __future__ import annotations

from projects import built_project

ANNOUNCEMENTS = """# Course announcements

## 2025-02-24 — Midterm review session

The midterm review session will be held on Monday 3 March from 18:00 to 19:30 in Brennan Hall 114.
Bring your questions about the past midterms.

## 2025-02-26 — CORRECTION: midterm review session date

The midterm review session is on **Tuesday 4 March**, 18:00–19:30, and it will be in **Brennan Hall 120**,
not 114. Sorry for the confusion.

## 2025-03-07 — Midterm grades

Midterm grades will be released on Gradescope by Friday 14 March.
"""


def test_a_correction_is_quoted_before_the_announcement_it_corrects(tmp_path):
    notices = built_project(tmp_path, {"announcements.md": ANNOUNCEMENTS})
    snippets = notices.ask("When is the midterm review session?").snippets
    texts = [s.text for s in snippets]
    first = next(k for k, t in enumerate(texts) if "Tuesday 4 March" in t)
    assert first == 0, texts
    assert any("Monday 3 March" in t for t in texts[1:])  # what was said first is still shown
    assert snippets[0].answer is None or "**" not in snippets[0].answer.text


def test_an_entry_that_corrects_nothing_ranked_above_keeps_its_place(tmp_path):
    notices = built_project(tmp_path, {"announcements.md": ANNOUNCEMENTS})
    first = notices.ask("When will midterm grades be released?").snippets[0]
    assert "Friday 14 March" in first.text


PARKING_NOTICE = """CORRECTION — VISITOR PARKING

Posted September 26, 2025, by Lindsay Brooks, Secretary.

The member handbook says that visitor parking is in the two marked spaces in the front lot on Alder Street. That is no longer correct.

From October 1, 2025, the two visitor spaces are in the rear lot, next to the bike shed, off Cedar Lane. The front lot spaces will be used for the roofing contractor's waste bin until the roof work is finished.

Visitors may still park for up to 48 hours. Please remind your guests.
"""


def test_a_sentence_the_next_one_retracts_is_no_answer(tmp_path):
    """A new user's "where do visitors park" quoted the notice's restatement of the rule it corrects,
    "Alder Street" marked; the sentence after it says it no longer holds, and the handbook's own line
    making the same claim is retracted with it."""
    handbook = "# Member handbook\n\n## Parking\n\nVisitor parking is in the two marked spaces in the front lot on Alder Street. Visitors may park for up to 48 hours.\n"
    notice = built_project(tmp_path, {"correction_parking.txt": PARKING_NOTICE, "handbook.md": handbook})
    answer = notice.ask("Where do visitors park?")
    texts = [s.text for s in answer.snippets]
    rear = next(k for k, t in enumerate(texts) if "rear lot" in t)
    assert all(rear < k for k, t in enumerate(texts) if "Alder Street" in t), texts
    assert not any(s.answer is not None and "Alder" in s.answer.text for s in answer.snippets), texts


def test_what_retracts_the_sentence_before_it():
    from assistant.answers.retracted import retracted
    from projects import passage_of

    said = ["The handbook says visitors park in the front lot.", "That is no longer correct.", "They park in the rear lot.",
            "This was an error.", "Rofecoxib was approved in 1999.", "It was withdrawn from the market in 2004.",
            "Code E4 means the door is open.", "This is an error that occurs when the door is open.", "This is correct.",
            "Park on the drive.", "That's no longer correct; visitors now park in the rear lot.", "Do not park here.",
            "It is wrong to park on the grass."]
    passage = passage_of(*said, source="n.txt", sep=" ")
    assert [retracted(passage, j) for j in range(len(said))] == [
        True, False, True, False, False, False, False, False, False, True, False, False, False
    ]


def test_the_same_claim_made_elsewhere_is_retracted_with_it():
    from assistant.answers.retracted import Retracted
    from assistant.store.lexical import tokenize

    claim = frozenset(tokenize("The member handbook says that visitor parking is in the front lot on Alder Street."))
    withdrawn = Retracted((("notice.txt", claim), ("notice.txt", frozenset(tokenize("The AGM is on 12 May at 7 pm in the community room.")))))
    assert withdrawn.says_again("Visitor parking is in the front lot on Alder Street.", "handbook.md")
    assert not withdrawn.says_again("Visitor parking is in the front lot on Alder Street.", "notice.txt")  # the notice's own
    assert not withdrawn.says_again("From October 1, visitor parking is in the rear lot off Cedar Lane.", "handbook.md")
    assert not withdrawn.says_again("Visitor parking.", "handbook.md")  # too short to be the claim
    assert not withdrawn.says_again("The AGM is at 7 pm in the community room.", "handbook.md")  # the retracted date not said
    assert not Retracted().says_again("Visitor parking is in the front lot on Alder Street.", "handbook.md")
