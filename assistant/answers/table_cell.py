"""The cell of a table's row that the question names by its column: "Who is the secondary on call in the
week of 24 March 2025?" over the rota's row "| 13 | 2025-03-24 | Aiko Tanaka | Priya Raman | 4418 | 4411 |"
(columns week · start date · primary · secondary · primary ext · secondary ext) asks for the secondary's
cell. The reader, reading the row under its columns' names, marked the primary, "Aiko Tanaka".

A column is asked where every word of its name is in the question (a short one as the start of a
question's word: "ext" in "extension"), but not one whose cell the question already holds (the week it
gives, "week 13"), nor one of a kind the question does not ask for (a week's number for "who"). Of
several asked, the one whose name holds all the others' words: "the primary extension" names "primary"
and "primary ext", and asks for the extension. Where none is named whole, the one column whose name's
last word the question holds ("What is Tomás Rivera's extension?" of "Phone extension"). Where neither,
and the question opens with "where", "when", "who" or "how many/much", the one column whose name holds
a word for that kind of thing (``KIND_COLUMNS``) and whose cell holds one (a time, an amount): "Where is
the DAPI stored?" asks for the cell under "location" (the reader marked the supplier, "Thermo Fisher").
Where no one name holds the others' ("the primary extension in the week of 24 March": week, primary,
primary ext), or the header's words were cut short (a title keeps at most 120 characters of them) so
that names and cells no longer pair, nothing changes.
"""

from __future__ import annotations

import re

from ..models import AnswerPhrase, Snippet
from ..sources.structure import column_cells
from ..store.lexical import tokenize
from .answer_kind import (
    AMOUNT_NOUNS,
    PERSON_NOUNS,
    PLACE_NOUNS,
    TIME_NOUNS,
    AnswerKind,
    expected_answer_kind,
    matches_kind,
)

# What a question asks for follows its question word: "which quintile", "what is the mean LST".
_ASKED_AFTER = re.compile(r"\b(?:what|which|who|whose)\b(?:\s+(?:is|was|are|were|'s|’s)\b)?(?:\s+(?:the|a|an)\b)?", re.I)
# A unit after a column's name, no word of it: "Mean LST (°C)", "Share (%)".
_UNIT = re.compile(r"\s*\([^()]*\)\s*$")
# A question opening so asks for a kind of thing (``answer_kind``'s kinds).
_WH_OPENING = re.compile(r"^\W*(?:(?:and|so|but)\s+)?(where|when|who|whom|how\s+(?:many|much))\b", re.I)
_WH_KINDS: dict[str, AnswerKind] = {"where": "where", "when": "when", "who": "who", "whom": "who", "how": "how many"}
# The words of a column's name that say which kind of question its cells answer: the question's own
# kind nouns, and the names tables give such columns. A "number" is as often a label ("catalogue
# number", "phone number") as an amount; for "who", only the words that name whoever the row is of, not
# a role ("Who is Priya Raman?" asks for her row, not for her manager's cell).
KIND_COLUMNS: dict[AnswerKind, frozenset[str]] = {
    kind: frozenset(tokenize(" ".join(words)))
    for kind, words in {
        "where": PLACE_NOUNS | {"where", "room", "office", "address", "shelf", "storage", "stored", "kept", "venue", "floor", "desk"},
        "when": (TIME_NOUNS - {"age"}) | {"when", "deadline", "schedule"},
        "who": {"who", "name", "names", "person", "contact"},
        "how many": (AMOUNT_NOUNS - {"number", "numbers"}) | {"quantity", "count", "qty", "stock", "fee"},
    }.items()
}


def asked_cell(question: str, snippet: Snippet) -> AnswerPhrase | None:
    """The cell of the snippet's row under the one column the question names, as words of the file, or
    None: not a table's single row, no column named, or several."""
    columns = column_cells(snippet.passage.kind, snippet.passage.title, snippet.text)
    if columns is None or "\n" in snippet.text.strip():
        return None
    words = [tokenize(_UNIT.sub("", name)) or tokenize(name) for name, _ in columns]
    names = [set(w) for w in words]
    cells = [cell for _, cell in columns]
    asked_words = set(tokenize(question))
    kind = expected_answer_kind(question)
    wh = _wh_kind(question)
    kind_words = KIND_COLUMNS.get(wh, frozenset())
    named, headed, of_kind = [], [], []
    for k, (name, (start, end)) in enumerate(zip(names, cells)):
        cell = snippet.text[start:end]
        if not name or not cell or set(tokenize(cell)) <= asked_words:
            continue
        # A cell is no sentence: a place holds no name past its first word ("Fridge 2 shelf A", a repo's
        # "github.com/tidewater/ledger" for "Where is the repo for ...?"); a time and an amount it must
        # hold ("Paid on", not "Amount due", for "When did Northwind pay?").
        fits = kind is None or matches_kind(cell, kind) or wh == "where"
        if name & kind_words and (fits or kind == "name"):
            of_kind.append(k)
        if not fits:
            continue
        if all(_asked(word, asked_words) or (wh == "who" and _doer_asked(word, asked_words)) for word in name):
            named.append(k)
        elif _asked(words[k][-1], asked_words):
            headed.append(k)
    widest = widest_named(names, named)
    if len(named) > 1 and not widest:  # "mean LST in the greenest quintile": the one it names first
        widest = _named_first(question, [words[k] for k in named], named)
    if not named and len(headed) == 1:
        widest = headed  # "What is Tomás Rivera's extension?" of a column "Phone extension"
    elif not named and not headed:
        widest = of_kind  # "Where is the DAPI stored?" of a column "location"
    if len(widest) != 1:
        return None
    start, end = cells[widest[0]]
    return AnswerPhrase.in_quote(snippet, start, end)


def widest_named(names: list[set[str]], named: list[int]) -> list[int]:
    """Of the ``named`` (indices into ``names``, each a name's terms), those whose name holds every other
    named one's words: "the primary extension" names "primary" and "primary ext", and asks for the
    extension; "the contact email" names "Contact" and "Contact email"."""
    return [k for k in named if all(names[other] <= names[k] for other in named)]


def _named_first(question: str, names: list[list[str]], named: list[int]) -> list[int]:
    """Of several columns the question names, none holding the others' words: the one it asks for after
    its question word ("which quintile has the highest mean LST", "what is the mean LST in the greenest
    quintile"); else the one not the table's first column, which names the rows ("In the greenest quintile,
    what is the mean LST?" picks the row by its quintile)."""
    after = _ASKED_AFTER.search(question)
    if after is not None:
        said = tokenize(question[after.end() :])[:1]
        opening = [k for k, name in zip(named, names) if name and name[:1] == said]
        if len(opening) == 1:
            return opening
    others = [k for k in named if k != 0]
    return others if len(others) == 1 else []


def _wh_kind(question: str) -> AnswerKind | None:
    """The kind a question opening with "where", "when", "who" or "how many/much" asks for; None for
    any other ("What is the area of roof B4?" asks for the area's column, not a place's)."""
    found = _WH_OPENING.match(question)
    return _WH_KINDS[found.group(1).lower().split()[0]] if found else None


def _asked(word: str, asked_words: set[str]) -> bool:
    """Whether a column's word is among the question's, or, short, opens one of them ("ext", "extension")."""
    return word in asked_words or (len(word) >= 3 and any(asked.startswith(word) for asked in asked_words))


def _doer_asked(word: str, asked_words: set[str]) -> bool:
    """Whether a column's word names the doer of one of the question's verbs: "supplier" of "Who supplies
    our flour?", "owner" of "who owns it" (the contact's cell was marked for "who supplies", a column "who"
    names)."""
    return len(word) >= 5 and word.endswith(("er", "or")) and word[:-2] in asked_words
