"""What a question names, and whom a sentence speaks of: the people and the codes an answer must be about.

A code ("QM-103", "2.4.0", "SARS-CoV-2") is one thing: its parts count in a sentence only together, and
"QM-104" is no part of "QM-103". A sentence opening with "He", "She", "His" or "Her" speaks of the
person the sentence before its run of such sentences opens with ("Marcus Okafor is the second
maintainer. He lives in Lagos. He joined the project in May 2022."), or, where its passage opens with
them, of whom the passage's title names (a biography's "He died in 1274"). A question naming a person
that the sources speak of so is not answered by a sentence speaking of another: "When did Ingrid
Solberg join?" quoted Marcus Okafor's "He joined the project in May 2022" and marked its date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..models import Passage
from ..retrieval.codes import codes_in, holds_run, versions_in
from ..retrieval.conversation import is_identifier, name_runs
from ..retrieval.query import Query
from ..sources.structure import HEADER_CELLS, RECORDS, TITLE_PARTS, opens_with_item, row_cells, section_heading, table_title
from ..store.lexical import STOPWORDS, tokenize
from ..store.loaded import LoadedIndex

# A name of words joined in capitals ("WebhookQueueBacklog", "PagerDuty"): an alert's, a product's, one
# thing as a code is (three letters a word at least: not "McDonald").
_JOINED_NAME = re.compile(r"(?<![\w-])[A-Z][a-z0-9]{2,}(?:[A-Z][a-z0-9]{2,})+(?![\w-])")
# A sentence going on about a person named before it.
_OF_A_PERSON = re.compile(r"(?:He|She|His|Her)\b")
# A sentence of minutes saying what became of the motion before it, without naming it: who moved and
# seconded it, how it was voted ("Moved by Tom Kowalski, seconded by Marcus Delgado. Carried 5–1 (Amira
# Haddad opposed).", "The motion carried.", "Moved by Raj Patel.", "Tabled until the next meeting."); not
# prose's "Moved by the sight, she wept.", "Carried away, ...", "Defeated, the mayor resigned.", "Adopted
# by a Quaker family", "Passed with distinction.", "Carried 40 passengers.".
_OF_THE_MOTION = re.compile(
    r"(?:Moved\s+by\b(?:.*\bseconded\b|(?:\s+[A-Z][\w.'’-]*){1,4}\s*(?:\(.*\))?\s*\.\s*$)|Seconded\s+by\b|"
    r"(?i:(?:the\s+)?motion\s+(?:was\s+)?)?(?i:Carried|Passed|Defeated|Adopted|Rejected|Tabled|Withdrawn)"
    r"(?:\s+(?:\d+\s*(?:[–—-]|to)\s*\d+|unanimously\b|with\s+(?:\d|one|two|three|an?\s+abstention|no\b)|"
    r"by\s+a\s+(?:vote|majority|show)|until\b)|\s*[.(]|\s*$))",
)
# A list item's label: the words before its first colon ("Summit Roofing Ltd.: $38,400, ...").
_ITEM_LABEL = re.compile(r"([^:\n]{2,60}?):\s")
# Words that open a sentence in capitals without being a name: English's function words.
_OPENERS = STOPWORDS | frozenset(
    """after before under over during despite although though however according since following throughout
    unlike like upon within without among between because once until unless whereas yet also still later
    earlier today now meanwhile nevertheless moreover furthermore additionally finally first second third
    thus therefore hence instead indeed often sometimes soon eventually all both each every many most
    some no not one two three several another other such even only just born""".split()
)
# A title or an initial before a name ("Dr. Jane Goodall", "J. K. Rowling").
_HONORIFIC = re.compile(r"(?:Dr|Mr|Mrs|Ms|Prof|Sir|Dame|St|[^\W\d_])\.$")
# A code is a specific thing, whose passages the reader's span must stand in, where its rarest term is
# in at most this many passages ("QM-103" in an error table), not the subject of a collection ("SARS-CoV-2").
SPECIFIC_CODE_PASSAGES = 3


def codes_missing(terms: list[str], codes: tuple[tuple[str, ...], ...]) -> set[str]:
    """The terms of the codes that ``terms`` do not hold whole, less those of the codes they do: "What is
    the difference between QM-103 and QM-104?" keeps "qm" for a line holding QM-103."""
    held = {t for code in codes if holds_run(terms, code) for t in code}
    return {t for code in codes if not holds_run(terms, code) for t in code} - held


def opening_name(sentence: str) -> str | None:
    """The name a sentence opens with: its capitalised words from the start, titles and initials with
    them ("Marcus Okafor", "Stephen B. Shepard", "Dr. Jane Goodall", "Émile Zola"), to a comma; None
    where its first word is one of English's that open sentences ("In 1982, ...", "Under Shepard, ...")."""
    words, comma = [], False
    for word in sentence.split():
        bare = word.rstrip(",;:")
        if not bare[:1].isupper():
            break
        words.append(bare)
        if bare != word:
            comma = True
            break
    content = [w for w in words if not _HONORIFIC.match(w)]
    if not content or content[0].lower().strip("'’") in _OPENERS or (comma and len(words) == 1):
        return None  # "Unfortunately, ...", "Yesterday, ...": one word and a comma open the sentence
    return " ".join(words)


def is_person(name: str, titles: set[str]) -> bool:
    """Whether a name a "He" or "She" goes on from is a person's as far as words tell: two words or more
    ("Marcus Okafor"), none a word of the candidate passages' titles. "Quillmark was first written by
    Ingrid Solberg. She still leads it." opens with a product's name, which its documents' titles hold."""
    words = [w for w in name.split() if not _HONORIFIC.match(w)]
    return len(words) >= 2 and not titles & set(tokenize(name))


@dataclass(frozen=True)
class Spoken:
    """Whom a sentence opening with "He", "She", "His" or "Her" speaks of: the name opening the sentence
    before its run (``name``), and that sentence (``before``)."""

    name: str
    before: str


def spoken_of(passage: Passage) -> list[Spoken | None]:
    """For each sentence of the passage, whom it speaks of (``Spoken``), in one pass: None for a sentence
    opening otherwise, for one of a run opening the passage (its title may say whom), and for one after a
    sentence opening with no name."""
    found: list[Spoken | None] = []
    before = None  # the last sentence opening otherwise
    for sentence in passage.sentences:
        if not _OF_A_PERSON.match(sentence.text):
            before = sentence.text
            found.append(None)
            continue
        name = opening_name(before) if before is not None else None
        found.append(Spoken(name, before) if name and before is not None else None)
    return found


def heading_names(passage: Passage, names: frozenset[str], asked: frozenset[str] = frozenset()) -> str:
    """The passage's section heading (``section_heading``) where it holds a term of ``names`` (the terms
    of the names and codes the question asks about), or the question's own words (``asked``) hold every
    word of it, else "": a runbook's "Escalation: Marcus Webb" stands under "## LedgerReplicationLag", a
    changelog's bullet under "## 3.2.0 - 2025-04-14", and neither line names what its heading does; an
    inspection report's "Rating awarded: 4 (Good)." stands under "Food hygiene rating", which a table's
    rows under it were matched with ("what's our food hygiene rating" quoted "| Hygienic food handling |
    5 |")."""
    heading = section_heading(passage)
    terms = set(tokenize(heading)) if heading else set()
    return heading if terms and (names & terms or terms <= asked) else ""


def motion_of(passage: Passage, index: int) -> int:
    """The sentence of the motion that sentence ``index`` says what became of ("Moved by ...", "Carried
    5–1 (Amira Haddad opposed)."; ``_OF_THE_MOTION``), else ``index`` itself."""
    motion = index
    while motion > 0 and _OF_THE_MOTION.match(passage.sentences[motion].text):
        motion -= 1
    return motion


def motion_span(passage: Passage, index: int) -> tuple[int, int]:
    """The first and last sentence of the motion sentence ``index`` is part of: the motion, its mover and
    its vote ("Motion: That ... Moved by ..., seconded by .... Carried 5–1 (...)."); a sentence of no
    motion alone."""
    last = index
    while last + 1 < len(passage.sentences) and _OF_THE_MOTION.match(passage.sentences[last + 1].text):
        last += 1
    return motion_of(passage, index), last


def matched_words(passage: Passage, index: int, spoken: list[Spoken | None], heading: str = "") -> str:
    """The words sentence ``index`` of a passage is matched with the question on: its own; a table's row
    with its columns' names ("| Tomás Rivera | Postdoc | B220 | 4437 |" is Tomás Rivera's extension) and
    its section's heading ("| Date | Thursday 6 March 2025 |" under "Midterm exam" says when the midterm
    is), or with none its file's title ("| Expense | Insurance | 16600 |" of ``budget_2024.csv`` is the
    insurance budget in 2024); a
    sentence under a heading naming what the question asks about, the heading (``heading_names``); a
    sentence opening with "He", "She", "His" or "Her", the name of whom it speaks of (``spoken``, from
    ``spoken_of``), or, where its passage opens with such sentences, the passage's title ("When did Thomas
    Aquinas die?" quoted "Thomas Aquinas was ... born in 1225" over "He died in 1274"); a sentence of
    minutes saying what became of a motion, the motion's (``motion_of``). On the sample sets
    (reader on) SQuAD and COVID-QA read the same with the title, CoQA's follow-ups 0.753/0.874 ->
    0.756/0.874; the title for every sentence, 0.747/0.872."""
    own = passage.sentences[index].text
    motion = motion_of(passage, index)
    if motion != index:  # the motion a "Carried 5–1" is the vote on: who voted against the Summit Roofing contract?
        own = f"{own} {passage.sentences[motion].text}"
    if heading:  # the section's heading naming what the question asks about (``heading_names``)
        own = f"{own} {heading}"
    table = table_title(passage.kind, passage.title)
    if table is not None:  # its columns' names, and the heading of the section it stands in, or its file's
        above = table[0].rsplit(TITLE_PARTS, 1)
        return f"{own} {table[1]} {above[-1]}"
    if passage.kind == "table" and TITLE_PARTS in passage.title:  # a table with no header: its section's heading
        return f"{own} {passage.title.rsplit(TITLE_PARTS, 1)[1]}"
    if not _OF_A_PERSON.match(own):
        return own
    if all(_OF_A_PERSON.match(s.text) for s in passage.sentences[: index + 1]):
        return f"{own} {passage.title}"
    said = spoken[index]
    return f"{own} {said.name}" if said is not None else own


@dataclass(frozen=True)
class Asked:
    """What an answer must be about: the terms of the names of the people the question asks about
    (``people``: names the candidate passages go on of with "He" or "She", persons by ``is_person``; a
    product or a place the question names is none: "When did the second Quillmark maintainer join?"),
    and its specific codes (``codes``, each its terms in order: SPECIFIC_CODE_PASSAGES), names of words
    joined in capitals among them ("Who owns the WebhookQueueBacklog alert?" was answered from meeting
    notes on "the webhook-dispatcher backlog alert", not the line under its heading)."""

    people: frozenset[str] = frozenset()
    codes: tuple[tuple[str, ...], ...] = ()
    # Every code the question names (``codes_in``), specific or not: each counts in a sentence only whole.
    all_codes: tuple[tuple[str, ...], ...] = ()
    # The question's names, identifiers and codes, each its terms in order: what a table's row it asks
    # about holds (``rows_of_another``).
    keys: tuple[tuple[str, ...], ...] = ()
    # The question's own terms: a table's row it asks about is named by them (``rows_of_another``).
    terms: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, query: Query, index: LoadedIndex, spoken: Iterable[list[Spoken | None]], passages: Iterable[Passage] = ()
    ) -> "Asked":
        """What ``query`` asks about, over whom the candidate passages speak of (``spoken_of`` each) and
        the candidate ``passages`` themselves."""
        passages = list(passages)
        title_terms = {t for p in passages for t in tokenize(p.title)}
        asked = query.as_asked
        named = {t for name in name_runs(asked) for t in tokenize(name)}
        people = [s.name for found in spoken for s in found if s is not None and is_person(s.name, title_terms)]
        said = {t for name in people for t in tokenize(name)}
        rare = index.lexical.idf_of_rows(SPECIFIC_CODE_PASSAGES)
        codes = codes_in(asked)
        joined = tuple((t,) for word in _JOINED_NAME.findall(asked) for t in tokenize(word))
        versions = {tuple(tokenize(found)) for found in versions_in(asked)}
        specific = tuple(
            code for code in (*codes, *joined)
            if max(index.lexical.idf(list(code)).values(), default=0.0) >= rare or (code in versions and _few_hold(code, passages))
        )
        keys = [tuple(tokenize(run)) for run in (*name_runs(asked), *name_runs(asked, is_identifier))]
        return cls(
            frozenset(named & said), specific, codes, tuple(dict.fromkeys(k for k in (*keys, *codes) if k)), frozenset(tokenize(asked))
        )

    def holds_codes(self, passage: Passage) -> bool:
        """Whether the passage (or its section's heading) holds each specific code whole."""
        if not self.codes:
            return True
        return all(holds_run(_terms_under_heading(passage), code) for code in self.codes)

    def rows_of_another(self, passages: Iterable[Passage]) -> set[tuple[str, int]]:
        """The rows (passage id, sentence index) of the tables among ``passages`` that are not the ones the
        question asks about: those holding none of its names, identifiers or codes (``keys``; not those
        naming a column, in the table's header) where another row of the same table holds one ("what
        language is the billing-api written in?" found "Python" in notification-worker's row, surer than
        "Go"); and those whose own name, the first cell telling the rows apart (``_name_column``), holds
        fewer of the question's words (``terms``) than another row's ("When is the black bin collected?"
        quoted the "Blue wheelie bin" row, which says "alternating with the black bin", over the "Black
        wheelie bin" row; "how much is the insurance budget for 2025" the "| Reserve | Contribution to
        capital reserve | 44000 |" row, both under "category · item · amount", over the insurance one)."""
        if not self.keys and not self.terms:
            return set()
        tables: dict[tuple[str, str], list[tuple[str, int, bool, list[str]]]] = {}  # id, row, held, cells
        for passage in passages:
            if passage.kind not in RECORDS:
                continue
            header = tokenize(passage.title)  # a column's name is no row's key ("and in the US?" of a UK | US table)
            keys = [key for key in self.keys if not holds_run(header, key)]
            # A question naming the first column asks for a row's name, not about a row it names ("Which
            # service is written in Java?" of "| java-importer | ... |" and "| ledger-api | Java |").
            by_name = passage.kind == "table" and not self._names_first_column(passage)
            for j, row in enumerate(passage.sentences):
                cells = [row.text[a:b].strip() for a, b in row_cells(row.text)] if by_name else []
                held = any(holds_run(tokenize(row.text), key) for key in keys)
                tables.setdefault((passage.source, passage.title), []).append((passage.id, j, held, cells))
        off: set[tuple[str, int]] = set()
        for rows in tables.values():
            if any(held for _, _, held, _ in rows):
                off |= {(pid, j) for pid, j, held, _ in rows if not held}
                rows = [row for row in rows if row[2]]  # the name rule among those left: never every row
            column = _name_column([cells for *_, cells in rows])
            named = [len(self.terms & set(tokenize(cells[column]))) if column < len(cells) else 0 for *_, cells in rows]
            off |= {(pid, j) for (pid, j, _, _), n in zip(rows, named) if n < max(named)}
        return off | self._items_of_another(passages)

    def _items_of_another(self, passages: Iterable[Passage]) -> set[tuple[str, int]]:
        """The labelled items of a list ("- Hartwell Roofing & Sheet Metal: $41,250, start in August,
        15-year warranty.") holding none of the question's names where another item's label of the same
        passage holds one: "what warranty did A-1 Roof Care offer" was answered with Hartwell's warranty,
        its list's neighbour (A-1's own item names none: the minutes do not say). An item holding one
        anywhere is about it ("- Update: A-1 Roof Care confirmed a 12-year warranty.")."""
        if not self.keys:
            return set()
        off: set[tuple[str, int]] = set()
        for passage in passages:
            if passage.kind in RECORDS:
                continue
            items = []
            for j, sentence in enumerate(passage.sentences):
                label = _ITEM_LABEL.match(sentence.text)
                if label is not None and opens_with_item(passage.text, sentence.start - passage.start):
                    named = any(holds_run(tokenize(label.group(1)), key) for key in self.keys)
                    items.append((j, named, named or any(holds_run(tokenize(sentence.text), key) for key in self.keys)))
            if any(named for _, named, _ in items):
                off |= {(passage.id, j) for j, _, held in items if not held}
        return off

    def _names_first_column(self, passage: Passage) -> bool:
        """Whether the question names the first column of the passage's table (every word of its name)."""
        table = table_title(passage.kind, passage.title)
        if table is None:
            return False
        first = set(tokenize(table[1].split(HEADER_CELLS)[0]))
        return bool(first) and first <= self.terms

    def of_another(self, passage: Passage, index: int, spoken: list[Spoken | None]) -> bool:
        """Whether sentence ``index`` of a passage speaks of someone other than the people asked about:
        a "He" after a sentence naming none of them, naming none itself ("He won the Mr. Universe title"
        still answers "Who won the Mr. Universe title?"; "Google hired Marcus Okafor. He ..." speaks of
        Marcus Okafor)."""
        said = spoken[index]
        if not self.people or said is None:
            return False
        return not self.people & set(tokenize(f"{passage.sentences[index].text} {said.before}"))


def _terms_under_heading(passage: Passage) -> list[str]:
    """The terms of a passage with its section's heading before them."""
    return tokenize(f"{section_heading(passage)} {passage.text}")


def _few_hold(code: tuple[str, ...], passages: list[Passage]) -> bool:
    """Whether a code of numbers (a version, "3.2.0": each of its terms stands in most passages) is held
    whole by one to SPECIFIC_CODE_PASSAGES of the candidate ``passages`` (their headings with them): a
    changelog's section, not every page that counts."""
    holding = sum(holds_run(_terms_under_heading(p), code) for p in passages)
    return 1 <= holding <= SPECIFIC_CODE_PASSAGES


def _name_column(rows: list[list[str]]) -> int:
    """Which column of a table's rows names them: the first whose cells tell them apart (a budget's
    "item" after a "category" of "Expense" in row after row); the first where none does."""
    width = min((len(cells) for cells in rows), default=0)
    return next((c for c in range(width) if len({cells[c].casefold() for cells in rows}) == len(rows)), 0)
