"""Read a question in the context of the conversation before it, without a language model.

A follow-up ("What did he define?", "When?", "and?") leans on the turns before it. How much it leans
(its dependence, 0..1) is judged from the question itself: words that point back (he, it, that,
there, else, ...), how specific its most specific word is (rare in the index and in English: a name,
not "country"), and whether its specific words are found where the conversation stands or only
elsewhere (a topic switch, which then carries nothing). As much as it leans, the question is read with:

- the earlier turns' salient terms, carried into the lexical query at a fading weight (Historical
  Query Expansion, Lin et al. 2020, without its retrieval-score gate), while its own words that only
  ask for more ("any other examples?") weigh less;
- a vector moved toward the previous turn's, so that the dense search stays on the subject;
- a focus on the previous answer's place: its passage and the ones after it are candidates, and
  passages and sentences near it are favoured (answers move forward through a text; CoQA).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from ..models import Answer, Conversation, TurnContext
from ..store.lexical import STOPWORDS, tokenize
from ..store.loaded import LoadedIndex
from .codes import asks_version, dates_a_year, is_version, is_year, numbered_matches, numbered_things, versions_in
from .query import Focus, Query

# The verbs a question asks with, before the thing it asks of ("when was that released?").
_AUXILIARIES = r"(?:was|is|were|are|did|does|do|will|would|can|could|has|had)"
# Words that point back to something said before: a pronoun, a "that" ending the question or asked of
# ("does that ...", not "is that the one ...", which goes on to name it).
_POINTS_BACK = re.compile(
    r"\b(he|she|it|its|it's|they|them|their|theirs|his|him|her|hers|this|these|those|there|then|"
    r"one|ones|another|other|others|else|also|too|same|such|former|latter)\b|\bthat\W*$"
    rf"|\b{_AUXILIARIES}\s+that\b(?!\s+(?:the|a|an|he|she|they|it|we|you|i)\b)",
    re.I,
)
# Openings of a question that continues the one before ("and?", "what else?", "why?").
_CONTINUES = re.compile(r"^\s*(and|or|but|so|also|what else|anything else|any others?|why|how|when|where|who|what)\W*$", re.I)
_STARTS_WITH_AND = re.compile(r"^\s*(and|but|so|or|also|then)\b", re.I)
# Words asking for something beyond what the last answer said.
_BEYOND = re.compile(r"\b(else|other|others|another|more|next|then|after|later|besides|additional)\b", re.I)
# Question words that say what is asked, not what it is about: they do not count as the question's own
# subject. (The confidence model reads the question's subject words through ``own_subject_terms`` and
# was fitted with this list: change it, refit.)
GENERIC = frozenset(
    tokenize(
        "name named names called call happen happened happens mention mentioned say said type kind kinds "
        "many much long old far big large number year years time times thing things way ways one two first "
        "last example examples reason reasons purpose result results"
    )
)
# More words that, in a follow-up, ask for something about the subject before rather than name a new
# one ("how often?", "like who?", "such as?", "name three", "the second?", "any other examples?", "what
# about Aquinas?"). They are never carried to a later turn, and weigh in the search only as much as the
# question stands alone.
FOLLOW_UP_GENERIC = GENERIC | frozenset(
    tokenize(
        "often usually frequently like such three four five second third "
        "any anything another other others else more also same some something again about"
    )
) | frozenset(
    # What the tokenizer leaves of a negation ("didn't" -> "didn", "t"): no subject either.
    "didn doesn isn wasn weren aren hasn haven hadn wouldn couldn shouldn mustn needn ain".split()
)
# A number of this many digits or fewer, alone in a follow-up, counts what is asked for ("name 2",
# "top 10"); a longer one names something ("What happened in 1066?").
COUNT_DIGITS = 2
# A word after the question's first: a name, which a later pronoun may stand for, when it is
# capitalised (``names``). A name that opens the question is not told from "Tell" or "Describe".
_WORD_AFTER_FIRST = re.compile(r"(?<=\W)[^\W\d_][\w'’-]*")
# A pronoun that is the subject of a closing "is it", "was he", "are they": it points back even after
# the question's own words ("What kind of land is it?"), unlike "What did Microsoft say it would rename?".
_CLOSING_PRONOUN = re.compile(r"\b(is|was|are|were|does|do|did)\s+(it|he|she|they|this|that)\W*$", re.I)

# How incomplete a question is without its context (0: complete, 1: cannot be read alone): one that
# continues the last ("and?", "why?") or has no subject words of its own is wholly incomplete; one that
# points back ("What did he define?") is this much incomplete.
POINTS_BACK_INCOMPLETE = 0.6
# A question stands alone in full when its most specific word (``specificity``) is this specific; one
# of everyday words only ("in what country?", "Where did the women want to go?") leans on the turns
# before it as much as it falls short.
SPECIFIC = 0.7
# A word's rarity in English: full at this Zipf frequency (about 30 in a million words: a name, a
# term) or below, none at this one (one in a thousand: man, want, country) or above.
UNCOMMON_ZIPF = 4.5
EVERYDAY_ZIPF = 6.0
# A question stays with the conversation's source in full when its ``Continuity.stays`` is this high
# (less, less): one that names things found only elsewhere has switched subject. The confidence
# model's measure of the same (``Continuity.found``) is scaled alike.
STAYS = 0.5
# A carried term's weight: the question's incompleteness, times this, fading by FADE per turn further back.
CARRY_WEIGHT = 0.6
FADE = 0.5
CARRIED_MAX = 6
# A source's share of the conversation fades more slowly: one answer from elsewhere (a misstep, an
# aside) does not move the conversation's home.
SOURCE_FADE = 0.7
# How far the question's vector moves toward the previous turn's (times its incompleteness).
VECTOR_BLEND = 0.6
# A follow-up this incomplete or more goes on asking the last question that could be read on its own
# ("and?" after "Which rivers meet at Pittsburgh?"), and the reader reads it with that question, not
# only with the words carried from it. On the CoQA sample's follow-ups (reader on, shipped confidence
# model) hit@1/hit@3 rose from 0.723/0.856 to 0.756/0.867 at 0.3 or 0.5 (0.735/0.860 at 0.7; 0.753/0.870
# at any incompleteness); the question alone in brackets, without the carried words it lacks, 0.737/0.860,
# and the whole question put before the follow-up, 0.693/0.870.
LEANS_ON_QUESTION = 0.5


def own_subject_terms(terms: list[str]) -> list[str]:
    """The question's terms that say what it is about (not 'how many', 'name', 'happened')."""
    return [t for t in terms if t not in GENERIC]


def is_follow_up_generic(term: str) -> bool:
    """Whether, in a follow-up, a term asks for something rather than names what about: a word of
    FOLLOW_UP_GENERIC, or a small number ("name 2")."""
    return term in FOLLOW_UP_GENERIC or (term.isdigit() and len(term) <= COUNT_DIGITS)


def subject_words(query: Query) -> list[str]:
    """The question's own subject terms as a conversation weighs them ("how often", "like who?" and
    "name 2" have none; "What happened in 1066?" has 1066). A name is never a word that asks for
    more: "What about Thomas More?" has "more" as its subject."""
    return _subject_terms(query.text, query.own_terms)


def _subject_terms(text: str, own_terms: Iterable[str]) -> list[str]:
    """``subject_words`` of a question's text and its own terms."""
    names = name_terms(text)
    return [t for t in own_terms if t in names or not is_follow_up_generic(t)]


def name_terms(text: str) -> set[str]:
    """The terms of the question's names: its capitalised words after the first (none in a question
    written all in capitals)."""
    if text.isupper():
        return set()
    return {t for word in _WORD_AFTER_FIRST.findall(text) if word[0].isupper() for t in tokenize(word)}


def points_back(question: str) -> bool:
    """Whether the question refers to something said before: a pronoun or a word like "else" with no
    name of the question's own before it that it could stand for ("What did he define?", "How many
    went with him?", but not "What did Microsoft say it would rename?", where "it" is Microsoft), or a
    pronoun as the subject of a closing "is it" ("What kind of land is it?")."""
    if _CLOSING_PRONOUN.search(question):
        return True
    match = _POINTS_BACK.search(question)
    if match is None:
        return False
    names = [word for word in _WORD_AFTER_FIRST.findall(question[: match.start()]) if word[0].isupper()]
    return not any(own_subject_terms(tokenize(name)) for name in names)


@dataclass(frozen=True)
class Subject:
    """The question's subject words (``subject_words``) as the index and English see them.

    ``idf``: the IDF of each word the index knows; ``unseen``: the IDF given to each word it never saw
    (the highest). Such a word locates nothing in the sources: it counts only for whether the place
    can answer (``Continuity.found``). ``rarity``: how uncommon each known word is in English
    (``english_rarity``), a name (capitalised after the question's first word: "What about France?")
    in full. ``specific``: how specific each known word is (0..1): a name in full, however many
    passages of its own document name it; another word, its IDF's share of the highest times its
    rarity, for a small index makes every word look rare ("country" in 14 of 201 passages)."""

    idf: dict[str, float]
    unseen: dict[str, float]
    rarity: dict[str, float]
    specific: dict[str, float]

    @property
    def terms(self) -> set[str]:
        """Every subject word, known to the index or not."""
        return {*self.idf, *self.unseen}

    @classmethod
    def of(cls, query: Query, index: LoadedIndex) -> "Subject":
        return cls.of_text(query.text, query.own_terms, index)

    @classmethod
    def of_text(cls, text: str, own_terms: Iterable[str], index: LoadedIndex) -> "Subject":
        """The subject of a question's ``text``, its own terms ``own_terms`` (``Query.own_terms``)."""
        subject = _subject_terms(text, own_terms)
        idf = index.lexical.idf(subject)
        highest = index.lexical.highest_idf()
        words, names = words_by_term(text), name_terms(text)
        rarity = {t: 1.0 if t in names else english_rarity(words.get(t, t)) for t in subject}
        return cls(
            idf=idf,
            unseen={t: highest for t in subject if t not in idf},
            rarity=rarity,
            specific={t: 1.0 if t in names else w / highest * rarity[t] for t, w in idf.items()},
        )


def words_by_term(text: str) -> dict[str, str]:
    """Each term of ``text`` with the word it was written as."""
    return {term: word for word in re.findall(r"\w+", text) for term in tokenize(word)}


def english_rarity(word: str) -> float:
    """1 for a word no more frequent in English than UNCOMMON_ZIPF (a name, a term), falling to 0 at
    EVERYDAY_ZIPF (man, want, go); Zipf frequencies from ``wordfreq``."""
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(word, "en")
    return min(1.0, max(0.0, (EVERYDAY_ZIPF - zipf) / (EVERYDAY_ZIPF - UNCOMMON_ZIPF)))


def load_word_frequencies() -> None:
    """Read the English word frequencies now (``wordfreq`` keeps them once read)."""
    english_rarity("the")


def incompleteness(query: Query, subject: Subject, answered: bool = True) -> float:
    """How much the question needs the turns before it to be understood (0..1).

    Wholly, when it continues the last one ("and?", "why?") or has no subject words of its own; much,
    when it points back ("What did he define?", "And where?"); and as much as its most specific word
    the sources use falls short of specific ("in what country?"; a name makes it stand alone). One
    whose every subject word the sources never use names something, only nothing they know ("who
    invented the flux capacitor?"): it leans only as much as it points back ("What was she wearing?").
    After a turn that found no answer (``answered`` false) only its form says it leans: with no story or
    file to stand on, "Who is on call in week 13?" after "What is the Wi-Fi password?" is a question of
    its own (its everyday words made it lean, and it was refused for the Wi-Fi it carried). Two words
    or more the sources never use count as specific as the most uncommon of them (``unheard_of``).
    """
    text = query.text
    if _CONTINUES.match(text) or not subject.terms:
        return 1.0
    missing = POINTS_BACK_INCOMPLETE if points_back(text) or _STARTS_WITH_AND.match(text) else 0.0
    if not subject.specific or not answered:
        return missing
    most_specific = max([*subject.specific.values(), unheard_of(subject)])
    return max(missing, min(1.0, max(0.0, 1.0 - most_specific / SPECIFIC)))


def unheard_of(subject: Subject) -> float:
    """How specific the words of the question the sources never use are together: where two or more
    are, as uncommon in English as the most uncommon of them ("dress code" in "What is the
    company's dress code?" names a thing of its own, even beside the everyday "company", and the
    question stands alone: read after a question about leave, it was answered with the leave rule at
    1.00); one alone says nothing (0), as it is as often a typo or another word for the text's ("the
    city has how many nickmanes?", "What was the spokesperson's name?", CoQA follow-ups that lean on
    their story: counted alone, its follow-ups fell from 0.758/0.874 to 0.747/0.867)."""
    uncommon = sorted((subject.rarity[t] for t in subject.unseen), reverse=True)
    return uncommon[0] if len(uncommon) >= 2 else 0.0


@dataclass(frozen=True)
class Continuity:
    """How the question's subject words sit with the source the conversation stands on (each 0..1).

    ``stays``: how much the search should stay there. Each word the index knows that the source lacks
    (weighted by IDF) is a sign of a switch as strong as the word is uncommon in English: a name
    found only elsewhere is a switch, a common word the source happens not to use ("What was the
    man's name?" of a story that says "the butler") hardly one. A word the index never saw is in no
    source and says nothing of which.
    ``found``: the share of all its subject words (by IDF; one the index never saw at the highest) the
    source uses, whatever their kind: what the confidence model weighs, since a source that lacks the
    question's words answers it less often, even where the search had better not leave it.
    A question without subject words stays in full, and its words are found."""

    stays: float
    found: float


def continuity(subject: Subject, previous: TurnContext, index: LoadedIndex) -> Continuity:
    """How the question's subject words sit with the previous answer's source."""
    known = sum(subject.idf.values())
    total = known + sum(subject.unseen.values())
    if total <= 0 or previous.row is None:
        return Continuity(stays=1.0, found=1.0)
    first, last = index.passages.source_rows(previous.row)
    inside = index.lexical.occurs_within(subject.idf, first, last)
    absent = {t: w for t, w in subject.idf.items() if t not in inside}
    switch = sum(w * subject.rarity[t] for t, w in absent.items())
    return Continuity(
        stays=1.0 - switch / known if known > 0 else 1.0,
        found=sum(w for t, w in subject.idf.items() if t in inside) / total,
    )


# An elliptical follow-up: a connective or "what about", a preposition, an article, and a name, nothing
# else ("and in the US?", "And Obama?", "and on Windows?", "And in New York?", "and in staging?", "what
# about MPL 2.0?"); not "And who is the CEO?".
_PREPOSITIONS = "in|for|at|on|of|with|from|to|by|under|during|about"
_ELLIPTICAL = re.compile(
    rf"\s*(?:(?:and|or|but)\s+)?(?P<about>(?:what|how)\s+about\s+)?(?:(?P<preposition>{_PREPOSITIONS})\s+)?(?:the\s+)?"
    r"(?P<name>[^\W_][\w'’.&-]*(?:\s+[^\W_][\w'’.&-]*){0,3}?)\s*[?.!]*\s*",
    re.I,
)
_WORD_AT = re.compile(r"[^\W_][\w'’.&-]*")
# A question opening as one asks: with a question word or a verb.
_ASKS = re.compile(
    r"\s*(?:(?:and|but|so)\s+)?(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|"
    r"will|would|has|have|had|should|may|might|must)\b",
    re.I,
)
# An "it" that stands for nothing ("is it legal to ride ...?", "is it true that ...?").
_EXPLETIVE_IT = re.compile(r"it\s+(?:\w+\s+){1,2}(?:to|that)\b", re.I)
# A pronoun that stands for a thing or a person in the place a name would stand.
_STANDS_FOR = re.compile(r"(?<![\w'’-])(?:it|he|she|they|him|them)(?![\w'’-])", re.I)
# Words after "her" that make it the object, not a possessive ("promote her to manager", "told her
# about it", "fire her in 2020", "give her a raise").
_AFTER_AN_OBJECT = (
    "to|for|in|on|at|with|from|by|into|about|after|before|again|back|up|out|off|over|a|an|the|and|or|but|"
    "last|too|yesterday|today|now|then|there|here|home|anything|something|that|this|what|when|why|how|if"
)
_POSSESSED = rf"\s+(?!(?:{_AFTER_AN_OBJECT})\b)[^\W\d_]"
# A person the question stands for by a pronoun ("When did she join?", "Who hired her?").
_PERSON = re.compile(rf"(?<![\w'’-])(?:he|she|him|her(?!{_POSSESSED}))(?![\w'’-])", re.I)
# A person the question stands for by a possessive before a word ("her extension", "his room").
_POSSESSOR = re.compile(rf"(?<![\w'’-])(?:his|her)(?={_POSSESSED})", re.I)
# A preposition of place just before the words marked as a who-question's answer: they name a place.
_PLACED = re.compile(r"(?<![\w'’-])(?:in|at|from|near)\s+(?:the\s+)?$", re.I)
# A question asking who: its answer is a person a later "he" or "she" may stand for.
_ASKS_WHO = re.compile(r"\W*(?:(?:and|but|so)\s+)?(?:who|whom)\b", re.I)
_POSSESSIVE = re.compile(r"['’]s$")
# A version after a name ("MPL 2.0", "Windows 11", "Python v3.12"): part of the name.
_VERSION = re.compile(r"[vV]?\d+(?:\.\d+)*")
# A word written as an identifier: letters joined to others by a hyphen or an underscore, or holding a
# digit ("ledger-service", "invoice_worker", "python3").
_IDENTIFIER = re.compile(r"(?=.*[^\W\d_])[^\W_]+(?:[-_][^\W_]+)+|(?=.*[^\W\d_])(?=.*\d)[^\W_]\w*")


def without_stop(word: str) -> str:
    """A word without the stop that closes its sentence ("UK." -> "UK"; "U.S." keeps its own)."""
    return word[:-1] if word.endswith(".") and "." not in word[:-1] else word


def is_name(word: str) -> bool:
    """A word that names something as written: two letters or more with a capital among them ("UK",
    "Obama", "macOS", "U.S."; not "I")."""
    return len(word) > 1 and any(c.isupper() for c in word)


def is_identifier(word: str) -> bool:
    """A word written as a thing's identifier, not as English: "ledger-service", "invoice_worker",
    "python3" (the names of a developer's services, packages and hosts are lower case)."""
    return not is_name(word) and _IDENTIFIER.fullmatch(word) is not None


def name_runs(text: str, named: Callable[[str], bool] = is_name) -> list[str]:
    """The names of a question as written, a run of name words each ("New York"), the first word only
    where it is an acronym ("UK employees: ...", not "What ..."), each once; a sentence's closing stop is
    no part of one ("in the UK." -> "UK", "the U.S." stays). ``named`` tells a name word (``is_name``,
    or ``is_identifier`` for a developer's lower-case names)."""
    runs: list[list[str]] = []
    last_end = -2
    for k, match in enumerate(_WORD_AT.finditer(text)):
        word = _POSSESSIVE.sub("", without_stop(match.group()))  # "Augustine's mother": Augustine
        goes_on = runs and text[last_end : match.start()] == " "
        if goes_on and _VERSION.fullmatch(word):
            runs[-1].append(word)  # "MPL 2.0": the name's version
        elif not named(word) or (k == 0 and not word.isupper() and named is is_name):
            last_end = -2
            continue
        elif goes_on:
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = match.start() + len(word)
    return list(dict.fromkeys(" ".join(run) for run in runs))


def is_run(words: list[str], named: Callable[[str], bool]) -> bool:
    """Whether ``words`` are one name of the kind ``named`` tells: name words, a version after them
    ("MPL 2.0")."""
    return bool(words) and named(words[0]) and all(named(w) or _VERSION.fullmatch(w) for w in words[1:])


def asks_about(follow_up: str) -> bool:
    """Whether the follow-up is "what about X?" or "how about X?" (the question before, asked of X)."""
    match = _ELLIPTICAL.fullmatch(follow_up)
    return match is not None and match["about"] is not None


@dataclass(frozen=True)
class Contrast:
    """A follow-up restated as the question it asks: one that names one thing in place of the one the
    question before named ("and in the US?" after "How many days of leave do UK employees get?"), or
    one whose pronoun stands for a person or a thing ("When did he die?" as "When did Thomas Aquinas
    die?"). The question restated (``question``), its terms (``kept``) and the terms no longer asked
    about (``replaced``: what the new name replaced; for a pronoun, what the question before asked
    beyond the restated one): neither those nor a name of the turns before that it does not hold (one
    an earlier contrast replaced) is carried any more."""

    question: str
    kept: frozenset[str]
    replaced: frozenset[str]
    named: frozenset[str]  # the terms of the new thing (``Focus.another``)


def contrast(follow_up: str, before: str, asked: str = "") -> Contrast | None:
    """The follow-up read as the question ``before`` about another thing, where it is elliptical
    (``_ELLIPTICAL``: "and in the US?", "And Obama?", "and the notification-service?", "and in
    staging?", "what about MPL 2.0?") and ``before`` names one thing of its kind (``_named_in_place``;
    for words of neither kind, ``_placed_in_place``), another; else None. Asked where the follow-up
    leans on the question before (``LEANS_ON_QUESTION``) or asks "what about" it. Carried as it was, the
    old name stayed in the question the reader read and in the search's terms, and a new user's "and in
    the US?" was answered with the UK rule again. A name asks ``asked``, the last turn's question as
    asked, where that one stands for its thing by a pronoun (``_pronoun_in_place``: "and Greyford?"
    after "who rules it?" is "who rules Greyford?", not the question before it could be read alone,
    "How far is Duskwater from the capital?")."""
    match = _ELLIPTICAL.fullmatch(follow_up)
    if match is None:
        return None
    new = without_stop(match["name"])
    words = new.split()
    named = is_name if is_run(words, is_name) else is_identifier if is_run(words, is_identifier) else None
    if named is is_name and not follow_up[: match.start("name")].strip() and not new.replace(".", "").isupper():
        return None  # a capital opening the follow-up is the sentence's: "How?" names nothing ("US?" does)
    found = None
    if named is not None:
        found = (match["preposition"] is None and _pronoun_in_place(new, asked)) or _named_in_place(new, before, named)
    elif is_version(new):  # "and 3.2.1?" after "what changed in 3.2.0?"
        found = _named_in_place(new, before, is_version)
    elif len(numbered := numbered_things(new)) == 1 and " ".join(words[-1:]).isdigit():
        found = _number_in_place(numbered[0], words[-1], before)  # "and week 8?" after "... for week 7?"
    elif is_year(new):  # "and in 2024?" after "how much is the insurance budget for 2025"
        # Not a date's year ("... on 14 January 2025?"), nor one of two: no other place for it either.
        found = None if dates_a_year(before) else _named_in_place(new, before, is_year)
        if found is None:
            return None
    # A name where the question before has none of its kind stands after the preposition as any words
    # would ("and on Sundays?" after "Is the shop open on weekdays?").
    found = found or _placed_in_place(new, match["preposition"], before)
    if found is None:
        return None
    old, question = found
    if set(tokenize(new)) <= set(tokenize(old)):
        return None  # the same thing again ("and in the UK?" after the UK)
    kept = frozenset(tokenize(question))
    return Contrast(question, kept, frozenset(tokenize(old)) - kept, frozenset(tokenize(new)))


def _number_in_place(thing: tuple[str, str], number: str, before: str) -> tuple[str, str] | None:
    """The one thing of ``before`` numbered as ``thing``'s kind ("week 7"), and ``before`` with
    ``number`` in place of its number; None where it numbers none or several of that kind."""
    old = [match for term, match in numbered_matches(before) if term == thing[0]]
    if len(old) != 1:
        return None
    at = old[0]
    return at.group(0), before[: at.start(2)] + number + before[at.end(2) :]


def _named_in_place(new: str, before: str, named: Callable[[str], bool]) -> tuple[str, str] | None:
    """The one name of ``before`` of the new name's kind (``named``), and ``before`` with ``new`` in every
    place it stands ("Do UK staff get the UK bank holidays?"); None where it names none or several."""
    old = name_runs(before, named)
    if len(old) != 1:
        return None
    return old[0], re.sub(rf"(?<!\w){re.escape(old[0])}(?!\w)", lambda _: new, before)


def _pronoun_in_place(new: str, asked: str) -> tuple[str, str] | None:
    """``asked`` with ``new`` in place of its one pronoun standing for a thing or a person ("who rules
    it?" -> "who rules Greyford?"), where it names nothing itself and asks as a question does (opening
    with a question word or a verb: not "and him?"); else None. A possessive ("her", "its") is left:
    "what is her name?" has no place for a name; so is an "it" standing for nothing ("is it legal to
    ride a bike there?"). Asked only of a follow-up without a preposition: "and on Sundays?" after "Is it
    open on weekdays?" puts Sundays after the "on", not in the place of "it"."""
    if not _ASKS.match(asked) or name_runs(asked, is_name) or name_runs(asked, is_identifier):
        return None
    pronouns = list(_STANDS_FOR.finditer(asked))
    if len(pronouns) != 1 or _EXPLETIVE_IT.match(asked, pronouns[0].start()):
        return None
    at = pronouns[0]
    return at.group(), asked[: at.start()] + new + asked[at.end() :]


# How many of the passages naming a person are read for the pronoun its text goes on with.
_SAID_OF_PASSAGES = 50
# A sentence opening with a person's name, and the next with a pronoun: "Tobias Brandt is the co-founder
# ... He was born in Hamburg".
_NEXT_PRONOUN = re.compile(r"[^.!?]*[.!?][\"”’)]*\s+(He|She|His|Her)\b")
# A passage opening with a pronoun: it goes on about what its title names.
_OPENS_WITH_PRONOUN = re.compile(r"\s*(He|She|His|Her)\b")


def said_of(name: str, follow_up: str, index: LoadedIndex, row: int | None = None, answered: bool = True) -> bool:
    """Whether the follow-up's "he" or "she" may stand for ``name``: where the sources open a sentence
    with the name (or its last word) and the next with "He" or "She", more often with the follow-up's
    pronoun than the other; where they never do, a name of two words or more that ``answered`` a
    who-question may. "Where was she born?" after "Who founded Norrow Systems?" (answered "Tobias
    Brandt": "Tobias Brandt is the co-founder ... He was born in Hamburg") was asked of him; a single
    capitalised word is as often a place, and a name a question held as often a thing ("When did he
    die?" after "Who wrote the Summa Theologica?" is no question about the Summa Theologica)."""
    pronoun = _PERSON.search(follow_up) or _POSSESSOR.search(follow_up)
    if not name or pronoun is None:
        return False
    asked_she = pronoun.group().lower() in ("she", "her")
    last = name.split()[-1]
    opens = re.compile(rf"(?:^|[.!?][\"”’)]*\s+)(?:{re.escape(name)}|{re.escape(last)})(?![\w'’-])")
    counts = {True: 0, False: 0}  # she, he
    terms = tokenize(last)
    # The answer's own file first (``row``: its passage): its passages naming the person, then its first
    # ones (one under a title naming the person may go on with "He"); then the index's first naming it.
    rows: list[int] = []
    if terms and row is not None:
        first_row, last_row = index.passages.source_rows(row)
        rows += index.lexical.rows_with(terms[0], _SAID_OF_PASSAGES // 2, first_row, last_row)
        rows += range(first_row, min(last_row, first_row + _SAID_OF_PASSAGES // 2 - 1) + 1)
    rows += index.lexical.rows_with(terms[0], _SAID_OF_PASSAGES) if terms else []
    for passage in index.passages.many(list(dict.fromkeys(rows))[:_SAID_OF_PASSAGES]):
        for found in opens.finditer(passage.text):
            following = _NEXT_PRONOUN.match(passage.text, found.end())
            if following:
                counts[following.group(1) in ("She", "Her")] += 1
        going_on = _OPENS_WITH_PRONOUN.match(passage.text)
        if going_on and terms[0] in tokenize(passage.title):  # "Thomas Aquinas" over "He died in 1274 ..."
            counts[going_on.group(1) in ("She", "Her")] += 1
    if counts[True] or counts[False]:
        return counts[asked_she] > counts[not asked_she]
    return answered and len(name.split()) >= 2


def person_in_place(follow_up: str, name: str, before: str) -> Contrast | None:
    """The follow-up with ``name`` in place of its one "he", "she", "him" or "her" (or "his" or "her"
    before a word, as the name's: "What is her extension?"), where it names no one itself, as the
    question it asks (``Contrast``: what ``before`` asked beyond it is replaced, not carried); else None. The name is the person the question before was answered with
    (``TurnContext.answered_name``: "And when does she start?" after "who replaces him?" answered "Sofia
    Lindqvist" is "And when does Sofia Lindqvist start?") or the one it named ("When did he die?" after
    "Where was Thomas Aquinas born?" is "When did Thomas Aquinas die?"). Read with the question before
    in brackets, the reader answered that one again ("end of March", when the man she replaces leaves;
    "1225", the year Aquinas was born)."""
    pronouns = [*_PERSON.finditer(follow_up), *_POSSESSOR.finditer(follow_up)]
    if not name or len(pronouns) != 1 or name_runs(follow_up) or not _ASKS.match(follow_up):
        return None
    at = pronouns[0]
    said = f"{name}'s" if at.re is _POSSESSOR else name  # "What is her extension?": "Hannah Becker's extension"
    question = follow_up[: at.start()] + said + follow_up[at.end() :]
    kept = frozenset(tokenize(question))
    return Contrast(question, kept, frozenset(tokenize(before)) - kept, frozenset())


# A question asking with "do": its last word is its verb ("When does the shop open?"), no part of a thing.
_DO_SUPPORT = re.compile(r"\W*(?:\w+\s+){0,3}?(?:do|does|did)\b", re.I)
_IT = re.compile(r"(?<![\w'’-])it(?![\w'’-])", re.I)
# A "that" standing for a thing, after a verb that asks ("when was that released?", "does that ...").
_THAT = re.compile(rf"\b{_AUXILIARIES}\s+(that)(?![\w'’-])", re.I)
# An "it" standing for nothing: "is it true that ...", "is it legal to ...", "it is too late to ..."
# (not "Is it connected to the network?": the adjectives that put a clause after "it").
_EXTRAPOSED = "true|possible|legal|safe|necessary|ok|okay|hard|easy|likely|worth|better|important|allowed|normal|wise|late|early|too"
_STANDS_FOR_NOTHING = re.compile(
    rf"\b(?:is|was|isn't|wasn't)\s+it\s+(?:not\s+)?(?:{_EXTRAPOSED})\b|\bit\s+(?:is|was|'s)\s+(?:not\s+)?(?:{_EXTRAPOSED})\b", re.I
)
# Verbs that end a thing's words themselves ("What does the watermark option do?").
_VERBS_OF_THEIR_OWN = frozenset("do does did be is are was were have has had".split())
# A question whose "the" runs to its end names its thing to the end ("Who owns the billing-api?", "What
# is the policy number?") but where a copula may put a word of what is said of it last ("How long is the
# document valid?", "Is the shop open?").
_COPULA = re.compile(r"(?<![\w'’-])(?:is|are|was|were|be|been|being)(?![\w'’-])|['’]s\b", re.I)
_NAMES_TO_ITS_END = re.compile(r"\s*(?:(?:and|but|so)\s+)?(?:what|which|who)(?:\s+|['’]s\s+)(?:(?:is|are|was|were)\s+)?the\b", re.I)
# A verb's past participle, after the thing a passive question names ("What language is the
# billing-api written in?"): a word in -ed but not a noun in -eed or one of the few others ("the wind
# speed", "the hospital bed"), or a common irregular one that is no noun.
_PARTICIPLE = re.compile(
    r"(?![a-z]*eed$|(?:bed|red|shed|sled|hundred|wed)$)[a-z]+ed|(?:written|built|made|held|known|born|found|done|"
    r"given|taken|seen|sold|paid|sent|kept|shown|grown|drawn|thrown|chosen|spoken|broken|stolen|frozen|"
    r"driven|eaten|fallen|brought|bought|taught|caught|thought|fought|told|spent)",
    re.I,
)
# At most this many words after "the" name the thing.
_THING_WORDS = 4


def thing_named(question: str) -> str:
    """The one thing a question names with "the" ("the watermark option" in "What does the watermark
    option do?", "the hotel limit" in "What is the hotel limit in Lisbon?"): "the" and the content words
    after it, to the first word of no content; at the question's end, less its verb in a question asking
    with "do" ("the shop" of "When does the shop open?"), whole where no copula may have put what is
    said of it last ("the billing-api" of "Who owns the billing-api?", "the policy number" of "What is
    the policy number?"; "How long is the document valid?" does not say where the thing ends); less a
    passive's participle ("the billing-api" of "What language is the billing-api written in?"); "" where
    it names none or several."""
    words = _WORD_AT.findall(question)
    do_support = _DO_SUPPORT.match(question) is not None
    found = []
    for i, word in enumerate(words):
        if word.lower() != "the":
            continue
        run = []
        for following in words[i + 1 : i + 2 + _THING_WORDS]:
            if following.lower() in STOPWORDS or not tokenize(following):
                break
            run.append(following)
        after = words[i + 1 + len(run)].lower() if i + 1 + len(run) < len(words) else ""
        if len(run) > _THING_WORDS:
            run = []  # cut short: where the thing ends is not told
        elif do_support and after not in _VERBS_OF_THEIR_OWN:
            run = run[:-1]  # "When does the shop open?", "When does the office close on Fridays?": the verb
        elif i + 1 + len(run) == len(words) and not _NAMES_TO_ITS_END.match(question) and _COPULA.search(question):
            run = []  # "How long is the document valid?": which of "document valid" is the thing?
        elif len(run) > 1 and _COPULA.search(question) and _PARTICIPLE.fullmatch(run[-1]):
            run = run[:-1]  # "What language is the billing-api written in?": the verb
        found.append(" ".join(["the", *run]) if run else "")
    return found[0] if len(found) == 1 else ""


def code_named(question: str) -> str:
    """The one name of a question where it holds a digit, a code's ("F3" in "What does F3 mean?", "QM-103"),
    or, where it names nothing else, its one version ("3.2.0" in "When was version 3.2.0 released?");
    "" where it names none such, or more than one thing."""
    name = named_once(question)
    if any(c.isdigit() for c in name):
        return name
    versions = versions_in(question)
    return versions[0] if len(versions) == 1 and not name_runs(question) else ""


def thing_in_place(follow_up: str, thing: str) -> Contrast | None:
    """The follow-up with ``thing`` (``thing_named`` of the question before) in place of its one "it",
    where it names nothing itself and asks as a question does, its "it" standing for something ("is it
    true that ..." stands for nothing): "What does it default to?" after "What does the watermark option
    do?" is "What does the watermark option default to?" (the rest of the question before, "in Lisbon"
    of "the hotel limit in Lisbon", is carried as for any follow-up). Read with the question before in
    brackets, it was answered with another default."""
    pronouns = [m.span() for m in _IT.finditer(follow_up)] + [m.span(1) for m in _THAT.finditer(follow_up)]
    if not thing or len(pronouns) != 1 or name_runs(follow_up) or not _ASKS.match(follow_up):
        return None
    start, end = pronouns[0]
    if _STANDS_FOR_NOTHING.search(follow_up):
        return None
    question = follow_up[:start] + thing + follow_up[end:]
    return Contrast(question, frozenset(tokenize(question)), frozenset(), frozenset())


def named_once(question: str) -> str:
    """The one name a question holds ("Thomas Aquinas" in "Where was Thomas Aquinas born?"); "" where it
    holds none or several."""
    names = name_runs(question)
    return names[0] if len(names) == 1 else ""


def _placed_in_place(new: str, preposition: str | None, before: str) -> tuple[str, str] | None:
    """Words that are no name ("staging", "the dryer", "2020") put after the same preposition in
    ``before`` in place of the words that stand there, up to the first that is no content word or the
    question's end ("What does E21 mean on the washing machine?" -> "... on the dryer?"; it was "on the
    dryer machine"), where ``before`` has that preposition once and a content word after it; else None."""
    if preposition is None or any(not _is_content_word(word) for word in new.split()):
        return None
    places = list(re.finditer(rf"(?<!\w){preposition}\s+(?:the\s+)?", before, re.I))
    if len(places) != 1:
        return None
    after = []
    for word in _WORD_AT.finditer(before, places[0].end()):
        gap = before[after[-1].end() : word.start()] if after else before[places[0].end() : word.start()]
        if gap.strip() or not _is_content_word(without_stop(word.group())):
            break
        after.append(word)
        if word.group() != without_stop(word.group()):
            break  # a stop ends the question's words
    if not after:
        return None
    start, end = after[0].start(), after[-1].start() + len(without_stop(after[-1].group()))
    return before[start:end], before[:start] + new + before[end:]


def _is_content_word(word: str) -> bool:
    """A word that says what a question is about, not how it asks ("staging", "2020"; not "it", "what")."""
    terms = tokenize(word)
    return bool(terms) and all(term not in STOPWORDS for term in terms)


def read_in_context(query: Query, conversation: Conversation, index: LoadedIndex) -> Query:
    """The question as read in its conversation: carried terms, a vector leaning on the previous
    turn's, and a focus on the last answer's place, each as much as the question leans. A question that
    only goes on asking a turn that found no answer ("why?", "and?"), where that turn asked about
    something else than where the conversation stood (``asked_there``), stands nowhere, and only that
    turn's own words go on: "why?" after the refused "What is the Wi-Fi password?" was answered from
    the place, and with the words, of the turn before it."""
    turns = [t.context for t in conversation.turns if t.context is not None]
    if not turns:
        return query
    previous = turns[-1]
    subject = Subject.of(query, index)
    leaning = incompleteness(query, subject, answered=previous.row is not None)
    last_placed = next((t for t in reversed(turns) if t.row is not None), previous)
    refused_only = previous.row is None and leaning >= 1.0 and not asked_there(previous, last_placed, index)
    placed = previous if refused_only else last_placed
    asks = leaning >= LEANS_ON_QUESTION or asks_about(query.text)
    instead = contrast(query.text, previous.whole_question, previous.asked) if asks else None
    # A "he" or "she" asking something new of the person the turn before was about, or the one a turn it
    # went on asking was answered with ("what else does he own?" after "Who owns the search-indexer?",
    # answered "Liam Byrne", and "and its port?").
    people = [(previous.answered_name, True, previous.row), (named_once(previous.whole_question), False, previous.row)]
    if len(turns) > 1 and turns[-2].whole_question == previous.whole_question:
        people.append((turns[-2].answered_name, True, turns[-2].row))
    for name, answered, row in people if asks and instead is None else ():
        person = person_in_place(query.text, name, previous.whole_question)
        if person is not None and said_of(name, query.text, index, row, answered):
            instead = person
            break
    if asks and instead is None:  # an "it" standing for the version the turn before answered, or the thing it named
        thing = previous.answered_version or thing_named(previous.whole_question) or code_named(previous.whole_question)
        instead = thing_in_place(query.text, thing)
    # "what about Apache 2.0?" stands alone as words, yet asks the question before: it borrows that
    # question's words as one that leans on it would, but stays in the place the conversation stands only
    # as its own words are found there (the thing it names may be elsewhere).
    missing = max(leaning, LEANS_ON_QUESTION) if instead is not None else leaning
    sits = continuity(subject, placed, index)
    staying = max(leaning, min(1.0, sits.stays / STAYS)) if placed.row is not None else 0.0
    if missing <= 0 and staying <= 0:
        return replace(query, incomplete=missing)
    carried: dict[str, float] = {}
    words: dict[str, str] = {}
    if missing > 0:
        leaning_on = turns[-1:] if refused_only else turns
        for distance, turn in enumerate(reversed(leaning_on)):
            if distance > 0 and turn.row is None:
                continue  # a turn further back that found no answer leaves nothing to go on ("and in week 14?")
            fade = CARRY_WEIGHT * missing * FADE**distance
            own = set(tokenize(turn.asked)) if refused_only else None
            numbers = {number for _, number in numbered_things(turn.whole_question)}  # "7" of "week 7"
            for term, weight in turn.terms.items():
                if own is not None and term not in own:
                    continue  # what a refused turn carried from the turns before it
                if term in query.terms or term in STOPWORDS or (is_follow_up_generic(term) and (term.lstrip("0") or "0") not in numbers):
                    continue
                if instead is not None and (term in instead.replaced or (term not in instead.kept and turn.words.get(term, "")[:1].isupper())):
                    continue  # what the question now asks in place of, or a name one of the turns before it replaced
                carried[term] = max(carried.get(term, 0.0), weight * fade)
                words.setdefault(term, turn.words.get(term, term))
    if instead is not None:  # the question restated is what is asked: its words are carried as the last turn's
        for term, word in words_by_term(instead.question).items():
            if term not in query.terms and not is_follow_up_generic(term):
                carried[term], words[term] = max(carried.get(term, 0.0), CARRY_WEIGHT * missing), word
    strongest = sorted(carried.items(), key=lambda item: -item[1])[:CARRIED_MAX]
    terms = dict(query.terms)
    if strongest:  # what is carried stands in for the words that only ask for more
        own = subject.terms
        terms = {t: w if t in own or not is_follow_up_generic(t) else w * (1.0 - missing) for t, w in terms.items()}
    terms.update(strongest)
    vector = query.vector + VECTOR_BLEND * missing * np.asarray(previous.vector, dtype=np.float32)
    vector = (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)
    focus = None
    if placed.source is not None and placed.row is not None:
        focus = Focus(
            placed.source, placed.row, placed.start, placed.end, missing, staying, recent_sources(turns),
            beyond=bool(_BEYOND.search(query.text)),
            another=instead.named if instead is not None and instead.named else None,
            words_held=max(leaning, min(1.0, sits.found / STAYS)),
            footing=placed.reader_say,
            said_before=reader_say_so_far(turns),
        )
    return Query(
        text=query.text,
        vector=vector,
        terms=terms,
        focus=focus,
        carried_words=tuple(words[t] for t, _ in strongest),
        own_terms=query.own_terms,
        incomplete=missing,
        own_vector=query.vector,
        term_words={t: words[t] for t, _ in strongest},
        whole_question=(instead.question if instead is not None else previous.whole_question) if missing >= LEANS_ON_QUESTION else "",
        restated=instead is not None,
    )


def asked_there(refused: TurnContext, placed: TurnContext, index: LoadedIndex) -> bool:
    """Whether a turn that found no answer asked about where the conversation stood: most of its subject
    words (by IDF) are in the source of the answer before it. "Who then?" after the refused "Was Jennifer
    Lopez the 2nd highest earning actress?" goes on asking about the story's actresses; "why?" after
    the refused "What is the wifi password?" asks nothing of the microscope's manual."""
    if placed.row is None:
        return False
    asked = Subject.of_text(refused.asked, tokenize(refused.asked), index)
    return continuity(asked, placed, index).found >= STAYS


def answered_name(question: str, answer: Answer) -> str:
    """The person a who-question was answered with: the words marked in its first snippet where they are
    a name ("Sofia Lindqvist"); else ""."""
    first = answer.snippets[0]
    if not _ASKS_WHO.match(question) or first.answer is None or not first.is_answer:
        return ""
    before = first.text[: first.answer.start - first.citation.start]
    if _PLACED.search(before):  # "they founded Norrow Systems together in Lisbon": a place, no person
        return ""
    words = first.answer.text.split()
    return first.answer.text if is_run(words, is_name) else ""


def answered_version(question: str, answer: Answer) -> str:
    """The version a which-version question was answered with: the words marked in its first snippet,
    where they are one ("3.0.0"); else ""."""
    first = answer.snippets[0]
    if not asks_version(question) or first.answer is None or not first.is_answer:
        return ""
    return first.answer.text if is_version(first.answer.text) else ""


def person_restated(query: Query) -> str:
    """The person a follow-up's "she" or "her" was read as (``person_in_place``): the one name of its
    restated question, whom a "she" of the next stands for as well ("where does she live?" after "what's
    her phone number?", read "what's Margaret Ellison's phone number?", asked of her, not of the phone
    number's question again); "" for a question not so restated."""
    if not query.restated or not (_PERSON.search(query.text) or _POSSESSOR.search(query.text)):
        return ""
    return named_once(query.whole_question)


def by_recency(turns: list[TurnContext]) -> list[tuple[float, TurnContext]]:
    """Each turn with its weight in what the conversation remembers: 1 for the newest, SOURCE_FADE as
    much for each one further back."""
    return [(SOURCE_FADE**distance, turn) for distance, turn in enumerate(reversed(turns))]


def reader_say_so_far(turns: list[TurnContext]) -> float:
    """The reader's say over the conversation's turns, weighed by recency (``by_recency``): a
    conversation that has just found its footing on a new subject is not held back by the doubts of
    the one before."""
    weighed = by_recency(turns)
    return sum(w * turn.reader_say for w, turn in weighed) / sum(w for w, _ in weighed)


def recent_sources(turns: list[TurnContext]) -> dict[str, float]:
    """The sources the recent answers came from, each with its share, weighed by recency (``by_recency``)."""
    shares: dict[str, float] = {}
    for weight, turn in by_recency(turns):
        if turn.source is not None:
            shares[turn.source] = shares.get(turn.source, 0.0) + weight
    total = sum(shares.values()) or 1.0
    return {source: share / total for source, share in shares.items()}


def remember(answer: Answer, query: Query, rows: dict[str, int], reader_say: float = 0.0) -> Answer:
    """The answer with what the next turn needs of it: how its question was read, where its first
    snippet stood (``rows`` maps passage ids to their rows), and how sure the reader was of it."""
    context = TurnContext(
        terms=dict(query.terms),
        words={**query.term_words, **words_by_term(query.text)},
        vector=tuple(float(x) for x in query.vector),
        reader_say=reader_say,
        whole_question=query.whole_question or query.text,
        asked=query.text,
    )
    if answer.snippets and not answer.abstained:
        first = answer.snippets[0].citation
        context = context.model_copy(update={
            "source": first.source, "row": rows.get(first.passage_id), "start": first.start, "end": first.end,
            "answered_name": answered_name(query.as_asked, answer) or person_restated(query),
            "answered_version": answered_version(query.as_asked, answer),
        })
    return answer.model_copy(update={"context": context, "read_with": query.carried_words})
