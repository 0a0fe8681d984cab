"""Read what kind of answer a question asks for: a time, an amount, a person or body, a place, or other."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from ..retrieval.codes import MONTHS, is_calendar
from ..store.lexical import STOPWORDS, tokenize

AnswerKind = Literal["when", "how many", "who", "where", "other"]
# What a sentence must hold to answer a question of a kind (``expected_answer_kind``): a time, a
# number, a name (the sentence scoring's coarse kinds, not the answer phrase's ``AnswerKind``).
KindAsked = Literal["time", "number", "name", "phone", "email"]
ANSWER_KINDS: tuple[AnswerKind, ...] = ("when", "how many", "who", "where", "other")

# A year (1066, 1990s, 27 BC, "in 911"), a century, or a decade.
_YEAR = re.compile(
    r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b|\b[0-9]{1,4}\s*(?:BC|BCE|AD|CE)\b|\b(?:AD|in|since|by|until|around|circa)\s+[0-9]{3}\b"
    r"|\b[0-9]{1,2}(?:st|nd|rd|th)[\s-]+centur(?:y|ies)\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|hundred|thousand|million|billion)\b",
    re.I,
)
_MONTH = re.compile(rf"\b({'|'.join(MONTHS)})\b")
# A question asking for someone's phone number or email address: "what's her phone number?", "what is
# the landlord's email", "which number do I call".
_ASKS_CONTACT = re.compile(
    r"^\W*(?:(?:and|so)\s+)?(?:what|what['’]?s|which)\b[^?]*?\b"
    r"(?:(?:(?P<email>e-?mail(?:\s+address)?)|(?:tele)?phone(?:\s+number)?|mobile(?:\s+number)?)(?:\s*(?:[?.!]|$)|\s+(?:of|for|at|is)\b)"
    r"|(?:the|a|her|his|their|its|your|our)\s+number\s+(?:(?:do\s+i|to)\s+call|for)\b|number\s+(?:do\s+i|to)\s+call\b)"
)
# A phone number (seven digits or more, with spaces, dots, dashes or brackets between) and an email address.
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s().-]{5,}\d(?![\w.]\d)")
_YEARS = re.compile(r"(?:19|20)\d\d\s*[-–]\s*(?:19|20)?\d\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A word not opening a sentence: a name when capitalised, in any alphabet ("Dvořák", "Łukasz").
_WORD_IN_SENTENCE = re.compile(r"(?<!^)(?<![.!?]\s)\b[^\W\d_]{2,}")

# The nouns by which a "what/which X" question names the kind of thing it asks for. General English
# question classes (after Li and Roth's), not words of any particular text.
TIME_NOUNS = frozenset(
    "year years century centuries decade decades month months day date dates time era period season age".split()
)
AMOUNT_NOUNS = frozenset(
    """number numbers amount percentage percent proportion share fraction ratio rate population size cost
    price value total sum length distance height weight speed temperature""".split()
)
PERSON_NOUNS = frozenset(
    """person people man men woman women king kings queen emperor empress president leader leaders ruler
    rulers author writer poet painter artist composer player actor actress singer scientist inventor
    commander pope bishop archbishop duke count earl lord prince princess son daughter father
    mother brother sister wife husband founder owner chairman director minister chancellor governor
    mayor saint abbot monk individual individuals""".split()
)
BODY_NOUNS = frozenset(
    """company companies corporation firm organisation organization group team band party club
    university college school agency newspaper magazine publisher network brand consortium institution
    association union army navy tribe family dynasty""".split()
)
PLACE_NOUNS = frozenset(
    """country countries city cities town towns village place places region regions area areas state
    states province county continent island islands river rivers sea ocean lake mountain mountains
    location nation kingdom land territory capital district street building site port coast valley""".split()
)
# Words between "what" and its noun that do not name the kind ("what kind of river", "which two cities").
_NOUN_OPENERS = re.compile(
    r"^(?:kind|kinds|type|types|sort|sorts|form|forms|name|names)\s+of\s+|^(?:two|three|four|five|other|main|major|first|last)\s+",
    re.I,
)
_WHAT = re.compile(r"\b(?:what|which)\b\s*((?:[\w'’-]+\s*){0,9})", re.I)
_HOW = re.compile(
    r"\bhow\s+(many|much|long|old|far|large|big|tall|high|deep|wide|heavy|fast|often|few)\b(?:\s+([a-z][\w-]*))?", re.I
)
_WH_WORD = re.compile(r"\b(who|whom|whose|when|where)\b", re.I)
_COPULAS = frozenset("is was are were".split())
_AUXILIARIES = _COPULAS | frozenset("do does did can could will would has have had should may might must shall".split())
# Words that may stand before a fronted question word ("In what year", "By what attribute").
_LEADING = frozenset("in by from to at on for with of during under within into through according".split())
# Words at a question's end that are not where the answer stands ("made out of", "known for").
_PARTICLES = frozenset("out up off over about like as onto upon".split())
_QUESTION_WORD = re.compile(r"^(?:what|which|who|whom|whose|when|where|how)$")
_WORDS = re.compile(r"\w+(?:['’-]\w+)*")
_WH_KINDS: dict[str, AnswerKind] = {"who": "who", "whom": "who", "whose": "who", "when": "when", "where": "where"}
# "how long" asks for a length of time, "how far" a distance: amounts. "How often" is not one of them
# (its answer is as often "every week" as a number).
_HOW_AMOUNT = frozenset("many much long old far large big tall high deep wide heavy fast few".split())


@dataclass(frozen=True)
class QuestionReading:
    """How a question is read for its answer phrase: the kind asked for, the noun it asks about (the
    "river" of "what river", the "men" of "how many men"), and its content words as stems."""

    kind: AnswerKind
    noun: str | None
    terms: frozenset[str]
    # Where the answer stands among the question's words once the question is put as a statement
    # ("What does X hide?" -> "X hides ___"): the stem of the content word just before that place,
    # and of the one just after (None where there is none). A copula ("What is X?") leaves both
    # sides open.
    before: str | None = None
    after: str | None = None
    # "What is X?": the answer is linked to X by a copula or a naming word ("X is called Y").
    copula: bool = False
    # On which side of the answer each question word stands in the statement: -1 before, +1 after.
    sides: Mapping[str, int] = field(default_factory=dict)

    @property
    def noun_stem(self) -> str | None:
        stems = tokenize(self.noun) if self.noun else []
        return stems[-1] if stems else None


def _noun_after_what(rest: str) -> str | None:
    """The noun a "what ..." asks about: the word after it ("what river ..."), or after a copula the
    last word before a function word ("what is the original meaning of ..." -> "meaning")."""
    words = re.findall(r"[\w'’-]+", rest.lower())
    copula = bool(words) and words[0] in _COPULAS
    if copula:
        words = words[1:]
    phrase = " ".join(words)
    for _ in range(2):
        phrase = re.sub(r"^the\s+", "", _NOUN_OPENERS.sub("", phrase))
    words = phrase.split()
    if not words or words[0] in STOPWORDS:
        return None
    if not copula:
        # "What ruined ..." asks for the doer of a verb, not for a kind of thing.
        return None if words[0].endswith("ed") else words[0]
    # The head is the last word of the phrase, not a possessor ("Bohemond's nephew") or a participle.
    run = [w for w in itertools.takewhile(lambda w: w not in STOPWORDS, words) if not re.search(r"(?:ed|['’]s?)$", w)]
    return run[-1] if run else None


def _content_stem(word: str) -> str | None:
    if word in _PARTICLES or word.endswith("ly"):
        return None
    stems = tokenize(word)
    return stems[0] if stems else None


def _stems(words: list[str]) -> list[str]:
    return [s for s in map(_content_stem, words) if s]


def _gap(words: list[str], noun: str | None) -> tuple[str | None, str | None, bool, dict[str, int]]:
    """Where the answer stands in the question put as a statement: the stems just before and after
    it (see ``QuestionReading.before``), whether a copula links it, and on which side of it each of
    the question's words stands (-1 before, +1 after; words of a copula question on neither)."""
    wh = next((i for i, w in enumerate(words) if _QUESTION_WORD.match(w)), None)
    if wh is None:
        return None, None, False, {}
    end = wh + 1
    if words[wh] in ("what", "which") and end < len(words) and words[end] in _COPULAS:
        subject = _stems(words[end + 1 :])  # "What is the X?": either side of X
        return (subject[-1] if subject else None), (subject[0] if subject else None), True, {}
    if noun is not None and noun in words[end : end + 5]:
        end = words.index(noun, end) + 1
        # A compound noun ("what type of Turing machine is ...") runs on to its verb.
        aux = next((i for i in range(end, min(end + 2, len(words))) if words[i] in _AUXILIARIES), None)
        if aux is not None:
            end = aux
    if words[wh] == "how":
        end = min(end + 1, len(words))
    if not all(w in _LEADING for w in words[:wh]):  # in place: "X is an example of what?"
        left, right = _stems(words[:wh]), _stems(words[end:])
        sides = {**dict.fromkeys(left, -1), **dict.fromkeys(right, 1)}
        return (left[-1] if left else None), (right[0] if right else None), False, sides
    rest = words[end:]
    if rest and rest[0] in _COPULAS:
        subject = _stems(rest[1:])
        return (subject[-1] if subject else None), (subject[0] if subject else None), True, {}
    if rest and rest[0] in _AUXILIARIES:  # "What does X hide?" -> "X hides ___"
        left = _stems(rest[1:])
        return (left[-1] if left else None), None, False, dict.fromkeys(left, -1)
    right = _stems(rest)  # the subject: "What ruined Richard's plans?" -> "___ ruined ..."
    return None, (right[0] if right else None), False, dict.fromkeys(right, 1)


@lru_cache(maxsize=256)
def read_question(question: str) -> QuestionReading:
    """The kind of answer ``question`` asks for, the noun it asks about, and its content stems."""
    terms = frozenset(tokenize(question))
    text = " ".join(question.split())
    how = _HOW.search(text)
    wh = _WH_WORD.search(text)
    what = _WHAT.search(text)
    # The first question word decides ("Who ... in what year?" asks who); a bare "what" yields to a
    # later wh-word ("What year ... ?" is when, "In what country ..." is where).
    found: list[tuple[int, AnswerKind, str | None]] = []
    if how and how.group(1).lower() in _HOW_AMOUNT:
        noun = how.group(2)
        found.append((how.start(), "how many", noun.lower() if noun and noun.lower() not in STOPWORDS else None))
    if wh:
        # "Who was the Norse leader?": the answer stands beside "leader" ("their leader Rollo").
        after = text[wh.end() :].split()
        noun = _noun_after_what(" ".join(after)) if after and after[0].lower() in _COPULAS else None
        found.append((wh.start(), _WH_KINDS[wh.group(1).lower()], noun))
    if what:
        noun = _noun_after_what(what.group(1))
        kind = "other"
        if noun in TIME_NOUNS:
            kind = "when"
        elif noun in AMOUNT_NOUNS:
            kind = "how many"
        elif noun in PERSON_NOUNS or noun in BODY_NOUNS:
            kind = "who"
        elif noun in PLACE_NOUNS:
            kind = "where"
        found.append((what.start(), kind, noun))
    if not found:
        return QuestionReading(kind="other", noun=None, terms=terms)
    found.sort(key=lambda f: f[0])
    _, kind, noun = found[0]
    before, after, copula, sides = _gap([w.lower() for w in _WORDS.findall(text)], noun)
    return QuestionReading(kind=kind, noun=noun, terms=terms, before=before, after=after, copula=copula, sides=sides)


# A question opening with an auxiliary verb asks yes or no ("Are pets allowed?", "Did he have a sister?",
# "Isn’t the rent due on the 1st?"), unless it offers a choice ("Is Rotavirus single or double-stranded?";
# "... or not?" offers none), asks a wh-question inside ("Do you know where the key is?") or asks for
# something ("Can you tell me the rent?", "Do you know the landlord's number?").
_YES_OR_NO = re.compile(
    r"^\W*(?:(?:and|so|but|then)\s+)?(?:is|are|was|were|am|do|does|did|can|could|will|would|has|have|had|should|"
    r"may|might|must|shall|(?:is|are|was|were|do|does|did|ca|could|wo|would|has|have|had|should|must)n['’]t)\b",
    re.I,
)
_NOT_YES_OR_NO = re.compile(
    r"\b(?:what|which|who|whom|whose|when|where|why|how)\b|\bor\b(?!\s+not\b)"
    r"|\b(?:you|u)\s+(?:tell|give|show|find|remind|list|name|send|know|have)\b",
    re.I,
)


def asks_yes_or_no(question: str) -> bool:
    """Whether the question asks yes or no, which no words of a source say: the quote is the answer."""
    return _YES_OR_NO.match(question) is not None and not _NOT_YES_OR_NO.search(question)


def expected_answer_kind(question: str) -> KindAsked | None:
    """What kind of answer the question asks for: 'time', 'number', 'name', a 'phone' number or an
    'email' address (trial 60's "what's her phone number?" quoted the officers' minutes line, which holds
    none, over the contacts row), or None."""
    q = question.lower().strip()
    if contact := _ASKS_CONTACT.match(q):
        return "email" if contact.group("email") else "phone"
    if re.match(r"^(when|what year|which year|in what year|what date|on what date|what century|in which year)\b", q):
        return "time"
    if re.match(r"^(how many|how much|how long|how old|how far|how large|how big|what percentage|what number)\b", q):
        return "number"
    if re.match(r"^(who|whom|whose|where)\b", q):
        return "name"
    return None


def matches_kind(text: str, kind: KindAsked | None) -> bool:
    """True when ``text`` holds something of the answer kind (a year or month, a number, a name, a phone
    number, an email address)."""
    if kind == "phone":  # seven digits or more, and no span of years ("2019-2020")
        return any(sum(c.isdigit() for c in m.group()) >= 7 and not _YEARS.fullmatch(m.group().strip()) for m in _PHONE.finditer(text))
    if kind == "email":
        return _EMAIL.search(text) is not None
    if kind == "time":
        return bool(_YEAR.search(text) or _MONTH.search(text))
    if kind == "number":
        return bool(_NUMBER.search(text))
    if kind == "name":
        # A month or a day names no one and nowhere: a timetable's "| Saturday | 07:30 | 16:00 |" held a "name"
        # for "who works the saturday shift there".
        return any(w[0].isupper() and w[1].islower() and not is_calendar(w, text) for w in _WORD_IN_SENTENCE.findall(text))
    return False
