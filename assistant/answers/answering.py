"""Turn ranked passages into an Answer: pick the sentences that answer, cite them, or abstain."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..models import Answer, AnswerPhrase, Citation, Passage, Sentence, Snippet, Timings
from ..retrieval.codes import asked_years, years_in
from ..retrieval.conversation import is_name, name_terms
from ..retrieval.named_sources import file_naming_terms
from ..retrieval.query import Focus, Query
from ..retrieval.search import RankedPassage, folded
from ..sources.passages import is_abbreviation
from ..sources.structure import (
    ATTACHED_LABELS,
    NOT_ANSWERS,
    RECORDS,
    TITLE_PARTS,
    field_opened,
    label_of,
    line_start,
    opens_with_item,
    section_heading,
    table_title,
)
from ..store.lexical import tokenize
from ..store.loaded import LoadedIndex
from .answer_kind import asks_yes_or_no, expected_answer_kind, matches_kind
from .answer_phrase import answer_phrase
from .heading_quote import asked_of_heading
from .reader import Reading
from .referents import SPECIFIC_CODE_PASSAGES, Asked, codes_missing, heading_names, matched_words, motion_of, motion_span, spoken_of
from .form_field import asked_field
from .numbered import Numbered
from .retracted import Retracted, retracted
from .superseded import value_of_time_asked
from .value_asked import value_kind_asked, value_of_kind
from .table_cell import asked_cell

# How many of the ranked passages have their sentences scored. Sixteen (2026-12-06, with eight windows
# read, hit@1/hit@3) read SQuAD 0.935/0.975, CoQA follow-ups 0.726/0.853, COVID-QA 0.613/0.727 (against
# 0.935/0.980, 0.728/0.856, 0.608/0.703): the answering passage of a long paper is more often among
# them, but the windows read are chosen by resemblance, and the reader then tells them apart no better.
PASSAGES_SCORED = 8
# A sentence's score: its cosine similarity to the question, the share of the question's IDF weight it
# holds, and its passage's standing among the candidates (0 for the last scored, 1 for the first).
W_SIMILARITY = 0.5
W_LEXICAL = 0.5
W_PASSAGE = 0.1
# Bonus for a sentence holding the kind of answer the question asks for (a year for "when", ...).
W_ANSWER_KIND = 0.03
# A sentence speaking of someone other than whom the question names (``referents.Asked.of_another``) keeps this
# much less of its score: "He joined the project in May 2022", of Marcus Okafor, stood first for "When
# did she join?" asked of Ingrid Solberg, just after her paragraph.
# On the sample sets (reader on) SQuAD, CoQA and COVID-QA read the same with it as without.
ANOTHER_PERSON = 0.5
# So much less keeps a sentence of a passage that does not hold a specific code the question names
# (``referents.Asked.codes``, under its heading or in its text): "When was version 3.2.0 released?"
# quoted a security policy's "Version: 2.3, approved 3 February 2025" over the changelog's 3.2.0 section;
# and one naming another numbered thing of the kind the question numbers (``numbered.Numbered``:
# "Assignment 1 is due Friday 14 February" for "When is assignment 2 due?"), or naming another year than
# the one asked (``of_another_year``); and one the sentence after it retracts (``retracted``: "The member
# handbook says that visitor parking is in the front lot. That is no longer correct.") or making a claim
# one retracts (``Retracted.says_again``).
ANOTHER_CODE = 0.5
# The reader's span is the marked answer when its probability that the window says it reaches this
# (on the SQuAD sample, among first-snippet hits: at 0.5 coverage 0.844 / precision 0.870, at 0.4
# 0.858 / 0.863, at 0.3 with the rules where the reader is unsure 0.904 / 0.848).
MARK_PROBABILITY = 0.4
# A sentence shorter than this is quoted with the sentence after it.
SHORT_SENTENCE_CHARS = 80
# In a follow-up, a sentence of the previous answer's source gains up to this much (times how much the
# question leans on that place) for standing right at or after the previous answer, decaying over
# FOCUS_REACH characters (twice as fast backwards): answers move forward through a text.
W_FOCUS_NEAR = 0.25
FOCUS_REACH = 400
# The previous answer's own closeness when the question asks for something beyond it.
BEYOND_SAME = 0.0
# ... and this much (times how much the question stays, and the source's share of the recent
# answers) for standing in a source the conversation has been answered from.
W_FOCUS_SOURCE = 0.1

# A sentence opening like this leans on the one before it ("It in turn evolved into Modern English.",
# "For example, consider quicksort."): it is quoted together with its predecessor, whose words the
# question likely matched. Pronouns, discourse markers, and a demonstrative among the first words
# ("The best algorithm for this problem ...").
_CONTINUES = re.compile(
    r"^[\"“'(]*(it|its|this|that|these|those|they|their|them|he|his|him|she|her|such|but|however|thus|"
    r"therefore|so|then|also|yet|instead|there|here|both|neither|either|in turn|as a result|consequently|"
    r"afterwards|later|meanwhile|nevertheless|despite this|for example|for instance|similarly|likewise|"
    r"of course|indeed|moreover|furthermore|in addition|in particular|specifically|in contrast|conversely|"
    r"if so|otherwise|hence|accordingly|again)\b",
    re.I,
)
_REFERS_BACK = re.compile(r"^(?:\W*\w+){0,4}?\W+(this|these|those|such)\b", re.I)
@dataclass(frozen=True)
class ScoredSentence:
    """A candidate answer sentence: its passage (and the passage's row), its index in the passage,
    its score and similarity."""

    passage: Passage
    row: int
    sentence_index: int
    score: float
    similarity: float
    # Passages with the same text elsewhere (copies): the snippet cites them too.
    copies: tuple[Passage, ...] = ()
    # The reader's span in this sentence, where the reader read it and found one here.
    reading: Reading | None = None
    # Whether a span here would answer something other than what the question names
    # (``referents.Asked``): the reader's span in it counts for nothing.
    off_subject: bool = False


def lexical_overlap(
    question_terms: list[str] | dict[str, float], text: str, idf: dict[str, float], codes: tuple[tuple[str, ...], ...] = ()
) -> float:
    """Share of the question's IDF weight whose terms appear in ``text`` (0..1); with weighted terms,
    each term's IDF counts times its weight. The terms of each of ``codes`` (``codes_in``) count only
    where the text holds the whole code."""
    weights = question_terms if isinstance(question_terms, dict) else dict.fromkeys(question_terms, 1.0)
    total = sum(idf.get(t, 0.0) * w for t, w in weights.items())
    if total <= 0:
        return 0.0
    terms = tokenize(text)
    present = set(terms) - codes_missing(terms, codes)
    return sum(idf.get(t, 0.0) * w for t, w in weights.items() if t in present) / total


def focus_closeness(sentence: Sentence, passage: Passage, focus: Focus) -> float:
    """1 for a sentence at or just after the previous answer, fading with distance (0 elsewhere); a
    question asking for more ("what else?"), or the same of another thing ("and in the US?", but for a
    table's row, which holds every column), is not answered by the previous answer itself."""
    if passage.source != focus.source:
        return 0.0
    if sentence.end > focus.start and sentence.start < focus.end:
        elsewhere = focus.beyond or (focus.another is not None and passage.kind not in RECORDS and not names_another(sentence, focus))
        return BEYOND_SAME if elsewhere else 1.0
    distance = sentence.start - focus.end if sentence.start >= focus.end else 2 * (focus.start - sentence.end)
    return 0.5 ** (distance / FOCUS_REACH)


def is_the_answer_before(sentence: Sentence, passage: Passage, focus: Focus) -> bool:
    """Whether ``sentence`` is the previous answer's own, asked of another thing ("and in the US?",
    "what about Aquinas?" restated) that it does not name: never its answer ("Where did Aquinas teach
    rhetoric?" was answered with Augustine's "he taught rhetoric in Carthage, Rome and Milan"); a
    table's row still may be, as it holds every column, and so may a sentence naming the thing (the
    answer before was wrong: "In staging the limit is 20" quoted for production, then "and in staging?")."""
    return (
        focus.another is not None and passage.kind not in RECORDS and passage.source == focus.source
        and sentence.end > focus.start and sentence.start < focus.end and not names_another(sentence, focus)
    )


def names_another(sentence: Sentence, focus: Focus) -> bool:
    """Whether ``sentence`` names the other thing a restated follow-up asks about (``Focus.another``)."""
    return bool(focus.another) and focus.another <= set(tokenize(sentence.text))


# A question about who wrote a document or when it was written or reviewed: what its header of
# authors and dates says ("Who is the author of the runbook?", "When was it last reviewed?").
_ASKS_WHO_MADE_IT = re.compile(
    r"\bwho\b.*\b(?:wrote|written|authored|reviewed)\b|\bauthors?\s+of\b"
    r"|\bwhen\s+was\b.*\b(?:reviewed|updated|published|revised|written)\b|\blast\s+(?:reviewed|updated|revised|modified|edited)\b",
    re.I,
)
# The words of such a question that ask it, not what about.
_WHO_MADE_IT_WORDS = frozenset(tokenize("who when was is the an of author authors authored wrote written writer reviewed updated published revised last modified edited first"))


def may_answer(passage: Passage, query: Query) -> bool:
    """Whether ``passage`` may be quoted as an answer to ``query``: metadata headers, reference lists and
    tables of contents are searched (a question may find its paper through them) but answer nothing,
    but for a header asked who wrote its own document or when (``_ASKS_WHO_MADE_IT``), the question's
    other words all in the document's title, or none and the conversation on that file: a new user's
    "Who is the author of the runbook?" abstained over "Author: Aiko Tanaka. Last reviewed on 20
    February 2025."; "Who wrote Membrane proteins of bone?" asks about a paper it cites, not its authors."""
    if passage.kind not in NOT_ANSWERS:
        return True
    if passage.kind != "metadata" or not _ASKS_WHO_MADE_IT.search(query.text):
        return False
    about = set(tokenize(query.text)) - _WHO_MADE_IT_WORDS
    if not about:
        return query.focus is not None and query.focus.source == passage.source
    return about <= set(tokenize(passage.title))


def carried_names(query: Query) -> frozenset[str]:
    """The terms of the names a follow-up carries from the turns before ("LedgerReplicationLag" into "who
    do I escalate to?"): a section's heading naming one is what the conversation is about."""
    return frozenset(term for term, word in query.term_words.items() if is_name(word))


def score_sentences(index: LoadedIndex, ranked: list[RankedPassage], query: Query) -> list[ScoredSentence]:
    """Every sentence of the top passages with its combined score, best first."""
    top = [c for c in ranked if may_answer(index.passages[c.row], query)][:PASSAGES_SCORED]
    if not top:
        return []
    # Carried terms count in a sentence's overlap as they do in the passage search: the sentence that
    # answers a follow-up often names what the earlier turns asked about (measured on CoQA: keeping
    # them at a quarter of their weight lost 0.03 of hit@3).
    question_terms = query.terms
    idf = index.lexical.idf(list(question_terms))
    kind = expected_answer_kind(query.text)
    passages = {c.row: index.passages[c.row] for c in top}
    spoken = {row: spoken_of(passage) for row, passage in passages.items()}
    asked = Asked.of(query, index, spoken.values(), passages.values())
    names = frozenset(name_terms(query.as_asked)) | {t for code in asked.all_codes for t in code} | carried_names(query)
    # A sentence under the heading of a table among the candidates is matched with the heading, as the
    # table's rows are, where the question says every word of it; another keeps its own words (a
    # handbook's "laundry room hours" came to quote "Please remove your laundry promptly").
    own_words = frozenset(tokenize(query.as_asked))
    tables_under = {table[0].rpartition(TITLE_PARTS)[2] for p in passages.values() if (table := table_title(p.kind, p.title))}
    headings = {
        row: heading_names(passage, names, own_words if section_heading(passage) in tables_under else frozenset())
        for row, passage in passages.items()
    }
    other_rows = asked.rows_of_another(passages.values())
    numbered = Numbered.of(query.as_asked) or Numbered.of(query.whole_question)  # "what's the reading?" of week 7
    numbered = numbered.specific(list(passages.values()), SPECIFIC_CODE_PASSAGES)
    withdrawn = Retracted.among(passages.values())
    naming = file_naming_terms(index, query.as_asked)
    held = {row: passage_terms(p) for row, p in passages.items()} if naming else {}
    naming = naming_its_files(naming, [(passages[row].source, terms) for row, terms in held.items()])
    years = frozenset(asked_years(query.as_asked))
    of_year = index.yearly_files() if years else {}
    focus = query.focus
    high, low = top[0].score, top[-1].score
    spread = high - low
    scored: list[ScoredSentence] = []
    for candidate in top:
        passage, said, heading = passages[candidate.row], spoken[candidate.row], headings[candidate.row]
        copies = tuple(index.passages[row] for row in candidate.copies)
        standing = (candidate.score - low) / spread if spread > 0 else 1.0
        # A passage holding no specific code, or numbering the asked kind but not the asked one: each
        # of its sentences keeps ANOTHER_CODE less.
        elsewhere = (
            not asked.holds_codes(passage) or numbered.elsewhere(passage) or of_another_named(passage.source, held.get(candidate.row), naming)
        )
        for j, sentence in enumerate(passage.sentences):
            if focus is not None and is_the_answer_before(sentence, passage, focus):
                continue
            # A vote on a motion ("Carried 5–1 (Amira Haddad opposed).") is as like the question as its motion.
            similarity = float(max(candidate.sentence_similarities[j], candidate.sentence_similarities[motion_of(passage, j)]))
            score = (
                W_SIMILARITY * max(similarity, 0.0)
                + W_LEXICAL * lexical_overlap(question_terms, matched_words(passage, j, said, heading), idf, asked.all_codes)
                + W_PASSAGE * standing
            )
            if kind and matches_kind(sentence.text, kind):
                score += W_ANSWER_KIND
            another = asked.of_another(passage, j, said)
            if another:
                score *= 1.0 - ANOTHER_PERSON
            another_thing = (
                elsewhere or numbered.of_another(passage, j) or retracted(passage, j) or withdrawn.says_again(sentence.text, passage.source)
                or (passage.kind not in RECORDS and of_another_year(sentence.text, years))
                or of_another_years_file(passage, of_year, years)
            )
            if another_thing:
                score *= 1.0 - ANOTHER_CODE
            if focus is not None:
                score += focus.near * W_FOCUS_NEAR * focus_closeness(sentence, passage, focus)
                score += focus.stay * W_FOCUS_SOURCE * focus.sources.get(passage.source, 0.0)
            scored.append(
                ScoredSentence(
                    passage=passage, row=candidate.row, sentence_index=j, score=min(score, 1.0),
                    similarity=similarity, copies=copies,
                    off_subject=another or another_thing or (passage.id, j) in other_rows,
                )
            )
    scored.sort(key=lambda s: (-s.score, s.passage.source, s.passage.start, s.sentence_index))
    return scored


def without_restatements(question: str, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """The candidates less those whose quote only restates the question (``restates``): never an
    answer, and no measure of how well the sources answer it (a question line's likeness to the
    question would lend its confidence to whatever is quoted instead). One under a heading that holds
    what the question asks (``heading_quote.asked_of_heading``) stays: "Removed the `--legacy-fonts`
    flag." under "## 2.0.0 - 2023-06-12" answers "Which version removed the --legacy-fonts flag?"."""
    asked = set(tokenize(question))
    if not asked:
        return scored
    pattern = asked_of_heading(question)
    kept = []
    for candidate in scored:
        first, last = snippet_span(candidate.passage, candidate.sentence_index)
        start = first.start - candidate.passage.start
        answered_above = pattern is not None and pattern.search(section_heading(candidate.passage)) is not None
        if answered_above or not restates(question, candidate.passage.text[start : last.end - candidate.passage.start]):
            kept.append(candidate)
    return kept


# A line opening with a label holding a digit and a colon: an entry of a list of codes ("QM-103: The
# preview port is already in use.", "E21: ..."; not "Note:" or "WARNING:", which go with the line
# before, nor "A:" after "Q:", which goes with its question).
_ENTRY_LABEL = re.compile(r"(?=[^\s:]*\d)[^\W_]+(?:[-._][^\W_]+)*:\s")


def opens_another_point(text: str, start: int) -> bool:
    """Whether the sentence at ``start`` of ``text`` is another point than the one before it: a list's
    item (``structure.opens_with_item``) or a line opening with a code's label (``_ENTRY_LABEL``). A
    troubleshooting file's "QM-103: ..." was quoted after "QM-102: ...", opening its quote with the
    code not asked about."""
    if opens_with_item(text, start):
        return True
    return line_start(text, start) == start and _ENTRY_LABEL.match(text, start) is not None


def _field_label(text: str, start: int) -> str | None:
    """The label of the field (``structure.field_opened``) the sentence at ``start`` opens, lower-cased,
    where it opens its line; else None."""
    found = field_opened(text, start) if line_start(text, start) == start else None
    return label_of(found) if found is not None else None


def next_field(text: str, start: int, following: int) -> bool:
    """Whether the sentences at ``start`` and ``following`` of ``text`` are two fields of a form or a
    header ("**Policy number:** HLC-4471902" and "**Period of cover:** ..."), the second no note or
    answer to the first (``structure.ATTACHED_LABELS``): each is quoted alone, not a short line with
    the next."""
    label = _field_label(text, following)
    return _field_label(text, start) is not None and label is not None and label not in ATTACHED_LABELS


def of_another_year(text: str, years: frozenset[str]) -> bool:
    """Whether ``text`` names years, none of the ``years`` the question asks about and none between
    them ("Between 1848 and 1852 ..." speaks of 1850): "The snow removal contract was renewed for the
    2025 season at $2,900." answers nothing of the budget in 2024. (Not asked of a table's row, whose
    numbers are amounts as often: "| 1800 |".)"""
    named = [int(year) for year in years_in(text)] if years else []
    return bool(named) and not any(min(named) <= int(year) <= max(named) for year in years)


def passage_terms(passage: Passage) -> set[str]:
    """The terms of a passage's title and text."""
    return set(tokenize(f"{passage.title}\n{passage.text}"))


def naming_its_files(naming: dict[str, frozenset[str]], candidates: Iterable[tuple[str, set[str]]]) -> dict[str, frozenset[str]]:
    """Of the words naming files (``file_naming_terms``), those most of whose candidates (each its file
    and the terms of its title and text) holding them stand in the files they name: "Warsaw" of a Warsaw
    paper, not "Transmission" of a paper's title, which papers of every kind write (COVID-QA lost first
    snippets to such words). A word no candidate holds has no say."""
    candidates = list(candidates)
    kept = {}
    for term, files in naming.items():
        holders = [source for source, terms in candidates if term in terms]
        if holders and 2 * sum(source in files for source in holders) >= len(holders):
            kept[term] = files
    return kept


def of_another_named(source: str, terms: set[str] | None, naming: dict[str, frozenset[str]]) -> bool:
    """Whether a passage (of file ``source``, the ``terms`` of its title and text) stands in none of the
    files the question names by a name (``naming``: ``named_sources.file_naming_terms``) and names none
    of those names itself: trial 64's "how much cooler were the Warsaw streets with trees" was answered
    with the Madrid paper's 2.8 °C."""
    if not naming or terms is None or any(source in files for files in naming.values()):
        return False
    return not set(naming) & terms


def of_another_years_file(passage: Passage, of_year: dict[str, int], years: frozenset[str]) -> bool:
    """Whether the passage stands in a file of another year than the ``years`` asked (``of_year``: files
    named alike but for the year, ``LoadedIndex.yearly_files``), and names none of them (a table's
    columns, in its title, too: "2024 actual" of ``budget_2025.csv``): trial 60's "What was the snow
    removal budget in 2023?" over ``budget_2024.csv`` and ``budget_2025.csv`` (the bylaws naming 2023 for
    another reason) was answered with 2024's row."""
    year = of_year.get(passage.source)
    return year is not None and str(year) not in years and not years & set(years_in(f"{passage.title}\n{passage.text}"))


def snippet_span(passage: Passage, index: int) -> tuple[Sentence, Sentence]:
    """The first and last sentence a snippet quotes: the sentence, and the next one when it is short
    or when the next one continues it; a table's row alone (the next row is another record), and a
    list's item alone where the next sentence is the next item; a motion with its mover and its vote
    (``referents.motion_span``: "what was the vote on the 3% increase motion" quoted the motion alone)."""
    sentence = passage.sentences[index]
    first, last = motion_span(passage, index) if passage.kind not in RECORDS else (index, index)
    if last > first:
        return passage.sentences[first], passage.sentences[last]
    if index + 1 < len(passage.sentences) and passage.kind not in RECORDS:
        following = passage.sentences[index + 1]
        if opens_another_point(passage.text, following.start - passage.start):
            return sentence, sentence  # a list's next item is another point, quoted on its own
        if next_field(passage.text, sentence.start - passage.start, following.start - passage.start):
            return sentence, sentence  # a form's next field too
        leans_back = _CONTINUES.match(following.text) or _REFERS_BACK.match(following.text)
        if len(sentence.text) < SHORT_SENTENCE_CHARS or leans_back:
            return sentence, following
    return sentence, sentence


def cite(passage: Passage, first: Sentence, last: Sentence) -> Citation:
    """The citation of the sentences ``first`` to ``last`` of a passage."""
    return Citation(
        source=passage.source,
        start=first.start,
        end=last.end,
        line_start=first.line_start,
        line_end=last.line_end,
        passage_id=passage.id,
        page=passage.page,
    )


def make_snippet(scored: ScoredSentence) -> Snippet:
    """A snippet quoting the scored sentence (with a neighbour where needed), its citation, and the
    same sentences where they stand in the passage's copies."""
    passage = scored.passage
    first, last = snippet_span(passage, scored.sentence_index)
    text = passage.text[first.start - passage.start : last.end - passage.start]
    span = (passage.sentences.index(first), passage.sentences.index(last))
    also = []
    for copy in scored.copies:
        # A copy has the same text up to case and spacing: its sentences are split the same way.
        if len(copy.sentences) == len(passage.sentences):
            copy_first, copy_last = copy.sentences[span[0]], copy.sentences[span[1]]
            quoted = copy.text[copy_first.start - copy.start : copy_last.end - copy.start]
            if folded(quoted) == folded(text):
                also.append(cite(copy, copy_first, copy_last))
    return Snippet(
        text=text, score=round(scored.score, 4), citation=cite(passage, first, last), passage=passage, also=tuple(also)
    )


def adjacent(a: Snippet, b: Snippet) -> bool:
    """Whether two snippets quote neighbouring sentences of one passage (nothing between them), the later
    not another point (``opens_another_point``: a list's next item, quoted on its own)."""
    if a.passage.id != b.passage.id:
        return False
    later = max(a.citation.start, b.citation.start)
    if opens_another_point(a.passage.text, later - a.passage.start):
        return False
    starts = [sentence.start for sentence in a.passage.sentences]
    ends = [sentence.end for sentence in a.passage.sentences]
    return (a.citation.end in ends and b.citation.start in starts and starts.index(b.citation.start) == ends.index(a.citation.end) + 1) or (
        b.citation.end in ends and a.citation.start in starts and starts.index(a.citation.start) == ends.index(b.citation.end) + 1
    )


def joined(a: Snippet, b: Snippet) -> Snippet:
    """One snippet quoting two adjacent snippets of a passage, with the better score."""
    first, last = (a, b) if a.citation.start < b.citation.start else (b, a)
    passage = a.passage
    start_sentence = next(s for s in passage.sentences if s.start == first.citation.start)
    end_sentence = next(s for s in passage.sentences if s.end == last.citation.end)
    text = passage.text[start_sentence.start - passage.start : end_sentence.end - passage.start]
    return a.model_copy(update={"text": text, "citation": cite(passage, start_sentence, end_sentence), "score": max(a.score, b.score), "also": ()})


@dataclass(frozen=True)
class Picked:
    """A snippet chosen for the answer, with what its confidence is judged on: the cosine of its best
    sentence to the question, and how far its score stands above the next distinct candidate's."""

    snippet: Snippet
    similarity: float
    margin: float
    # The reader's span in the snippet's sentences, where it read them and found one.
    reading: Reading | None = None


def surer(a: Reading | None, b: Reading | None) -> Reading | None:
    """The reading the reader is surer of, of two (either may be None)."""
    if a is None or b is None:
        return a or b
    return a if a.margin >= b.margin else b


# An asked cell of at most this many words is marked whole where the words found lie inside it: the
# reader's "Fridge 2 shelf" of "Fridge 2 shelf A" for "Where is the DAPI stored?". A longer cell (a
# table's notes) keeps the words found in it.
WHOLE_CELL_WORDS = 5


def marked_words(question: str, picked: Picked, reader_used: bool) -> AnswerPhrase | None:
    """The words of a snippet that answer the question: the cell of a table's row under the column the
    question names (``table_cell.asked_cell``) where the words found lie outside it, or inside a short
    one (WHOLE_CELL_WORDS); the value of the field of its lines that the question names by its label
    (``form_field.asked_field``) where the words found lie outside it; none for a question asking yes or no (``asks_yes_or_no``: "Are pets
    allowed?" marked "Dogs and cats" in "Dogs and cats are not permitted", which read as a yes; "Are
    mobile phones covered away from home?" marked "not"); else, with the
    reader, its span when it is sure enough (MARK_PROBABILITY) and the span lies inside the quote;
    without it, the hand-written rules; either moved to the value that replaced it where the quote
    says one did ("was £2.60, now £2.85": ``superseded``), or the other way where the question asks of
    the past; and, where the question asks for money or a share and the words found are neither, the
    quote's one value of that kind (``value_asked``)."""
    if asks_yes_or_no(question):
        return None
    found = (_read_span if reader_used else _phrase)(question, picked)
    found = _of_value_asked(question, picked.snippet, _holding_now(question, picked.snippet, found))
    cell = asked_cell(question, picked.snippet)
    if cell is None:
        field = asked_field(question, picked.snippet)
        if field is not None and (found is None or found.start < field.start or found.end > field.end):
            return field
        return found
    if found is None or found.start < cell.start or found.end > cell.end or len(cell.text.split()) <= WHOLE_CELL_WORDS:
        return cell
    return found


def _holding_now(question: str, snippet: Snippet, found: AnswerPhrase | None) -> AnswerPhrase | None:
    """``found``, or the value that replaced it where the snippet says one did, or the one it replaced where
    the question asks of the past (``superseded.value_of_time_asked``)."""
    if found is None:
        return None
    offset = snippet.citation.start
    now = value_of_time_asked(question, snippet.text, found.start - offset, found.end - offset)
    if now is None:
        return found
    return AnswerPhrase.in_quote(snippet, *now)


def _of_value_asked(question: str, snippet: Snippet, found: AnswerPhrase | None) -> AnswerPhrase | None:
    """``found`` where it is of the kind of value the question asks for (``value_asked``: money, a share)
    or it asks for none; else the quote's one value of that kind, or None."""
    kind = value_kind_asked(question) if found is not None else None
    if kind is None:
        return found
    offset = snippet.citation.start
    span = value_of_kind(snippet.text, found.start - offset, found.end - offset, kind)
    if span is None:
        return None
    return AnswerPhrase.in_quote(snippet, *span)


def _phrase(question: str, picked: Picked) -> AnswerPhrase | None:
    """The words the hand-written rules mark (the reader turned off)."""
    return answer_phrase(question, picked.snippet)


def _read_span(question: str, picked: Picked) -> AnswerPhrase | None:
    """The reader's span, where it is sure enough and lies inside the quote, tidied."""
    reading, citation = picked.reading, picked.snippet.citation
    if reading is None or reading.probability < MARK_PROBABILITY or not reading.text.strip():
        return None
    if reading.start < citation.start or reading.end > citation.end:
        return None
    first, last = tidy_span(reading.text)
    if first == last:
        return None
    at = reading.start + first - citation.start
    if is_section_reference(question, picked.snippet.text, at, at + last - first):
        return None
    at, end = whole_code(picked.snippet.text, at, at + last - first)
    end = bracket_closed(picked.snippet.text, at, whole_token(picked.snippet.text, end))
    end = within_emphasis(picked.snippet.text, at, end)
    return AnswerPhrase.in_quote(picked.snippet, at, end)


# Inline code in Markdown: `tw deploy rollback billing-api`, on one line.
_INLINE_CODE = re.compile(r"`([^`\n]+)`")


# What goes on a token cut short at a span's end: the rest of its word, and a joined part after a mark
# (".edu" of "p.raman@halvorsen.edu", "-04-14" of "2025-04-14", ",000" of "40,000"); not a part in
# capitals, another word ("In March.The next", "Marcus/Webb").
_TOKEN_GOES_ON = re.compile(r"(?:\w|[.@/_:+-](?=[a-z\d])|,(?=\d{3}(?!\d)))*")


def whole_token(text: str, end: int) -> int:
    """The end of a span ending at ``end`` of ``text``, past the rest of the token it cuts (``_TOKEN_GOES_ON``):
    a new user's mark "p.raman@halvorsen" of an email address."""
    return _TOKEN_GOES_ON.match(text, end).end() if end < len(text) and text[end - 1 : end].strip() else end


def within_emphasis(text: str, start: int, end: int) -> int:
    """The end of the span ``text[start:end]``, before the mark that closes an emphasis it opens inside
    ("Tuesday 4 March" of "**Tuesday 4 March**,\n18:00–19:30", which a new user was shown as marked)."""
    opened_at = text.rfind("\n", 0, start) + 1
    for mark in ("**", "__"):
        inside = text[start:end]
        if inside.count(mark) % 2 == 1 and inside.find(mark) > 0 and text.count(mark, opened_at, start) % 2 == 1:
            return start + inside.find(mark)
    return end


def bracket_closed(text: str, start: int, end: int) -> int:
    """The end of the span ``text[start:end]``, past the bracket that closes one it opens where that
    bracket follows it at once: "Every other Tuesday (next: 4 February 2025" -> "... 2025)"."""
    opened = text.count("(", start, end) - text.count(")", start, end)
    return end + 1 if opened > 0 and text[end : end + 1] == ")" else end


def whole_code(text: str, start: int, end: int) -> tuple[int, int]:
    """The span ``text[start:end]`` or, where it lies inside inline code, the whole code: a command is one
    thing ("How do I roll back billing-api?" marked "tw deploy" of `tw deploy rollback billing-api`)."""
    for code in _INLINE_CODE.finditer(text):
        if code.start(1) <= start and end <= code.end(1):
            return code.start(1), code.end(1)
    return start, end


# A question asking how to do something: "How do I descale ...?", "how to reset the router", "What are
# the steps to ...?", "How can we ...?", "What should I do when the alert fires?", "what to do if ...".
# Not "How long ...?", "How many ...?", "How does it work?".
ASKS_HOW = re.compile(
    r"^\s*(?:how\s+(?:do|can|could|should|would|must|may)\s+(?:i|we|you|one)\b|how\s+to\b|what\s+(?:are\s+)?the\s+steps\b|what\s+steps\b"
    r"|what\s+(?:should|do|must|can|shall)\s+(?:i|we|you|one)\s+do\b|what\s+to\s+do\b)",
    re.I,
)


def asks_how(question: str) -> bool:
    """Whether the question asks how to do something, which a procedure's steps answer."""
    return ASKS_HOW.match(question) is not None


# A section's number as a span may stand: "5.3", "7.1", "section 6", "Chapter 4.2".
# The words that name a part of a document by its number.
_PART_WORDS = "section|chapter|part|step|clause"
_SECTION_NUMBER = re.compile(rf"(?:(?:{_PART_WORDS})\s+)?\d+(?:\.\d+)*\.?", re.I)
# A question that asks for a section, a step or a version, which such a number answers.
_ASKS_FOR_NUMBERING = re.compile(rf"\b(?:{_PART_WORDS}|version|release|paragraph|page)s?\b", re.I)


def is_section_reference(question: str, text: str, start: int, end: int) -> bool:
    """Whether the span ``text[start:end]`` of a quote is a section's number, not an answer: a heading's
    number ("7.1 Tyre pressures (cold)"), a cross-reference ("Descale the machine (5.3)", "see section
    6"), unless the question asks for a section, a step or a version. The reader marked "5.3", "4.1",
    "7.1" and "section 6" as the answers to a new user's questions about their manuals."""
    span = text[start:end]
    if not _SECTION_NUMBER.fullmatch(span) or _ASKS_FOR_NUMBERING.search(question):
        return False
    before, after = text[:start], text[end:]
    if not span[0].isdigit():
        return True  # "section 6"
    if re.search(rf"\b(?:{_PART_WORDS})\s*$", before, re.I):
        return True  # "see section 6.1", "in chapter 4"
    if "." not in span.rstrip("."):
        return False  # a number alone is a year or a count: "the Battle of Hastings (1066)"
    if (not before or before.endswith("\n")) and re.match(r"[ \t]+[^\W\d_]", after):
        return True  # a heading's number: "7.1 Tyre pressures (cold)"
    # A dotted number in brackets is a cross-reference where the question asks what to do ("Descale the
    # machine (5.3)"); elsewhere it is as often a measure, a price or a version ("pH (7.4)", "(3.20)").
    referred = (before.rstrip().endswith("(") and after.lstrip().startswith(")")) or re.search(r"\bsee\s*$", before, re.I)
    return bool(referred) and asks_how(question)


# A span's end past the end of a line's sentence (a PDF's "kilometre.\n5", the next heading's number),
# or past a line before a numbered heading ("press reset\n5.1").
# or past the end of a sentence into the next ("23 days of paid annual leave per calendar year.
# Employees in the Berlin office receive 28"). (And past a line before a field: ``tidy_span``.)
_LINE_ENDS_SENTENCE = re.compile(r"[.!?]\s*\n|\r?\n(?=[ \t]*\d+(?:\.\d+)+\.?[ \t]+[^\W\d_]*[A-Z])|[.!?][\"”’)]*[ \t]+(?=[A-Z])")
# Markup a span may take in at its ends: Markdown's emphasis and code marks ("**1 September 2024"; an
# underscore is a word's own: "__init__").
_EDGE_MARKS = "*`~ \t\r\n"


def tidy_span(text: str) -> tuple[int, int]:
    """The part of a reader's span that is the answer, as offsets into ``text``: up to the end of its
    first sentence (the next line is another sentence, or a heading, or a field, ``structure.field_opened``,
    or the next sentence opens on the same line; an abbreviation ends none: "Dr.\nJohn Smith", "Dr. John
    Smith"), without the markup at its ends."""
    last = len(text)
    for end in _LINE_ENDS_SENTENCE.finditer(text):
        if not (text[end.start()] == "." and is_abbreviation(text[: end.start() + 1])):
            last = end.start()
            break
    field = next((m.start() for m in re.finditer(r"\r?\n", text[:last]) if field_opened(text, m.end())), None)
    last = field if field is not None else last
    first = 0
    while first < last and text[first] in _EDGE_MARKS:
        first += 1
    while last > first and text[last - 1] in _EDGE_MARKS:
        last -= 1
    return first, last


def pick_snippets(
    scored: list[ScoredSentence],
    count: int,
    still_quoted: Callable[[Snippet], bool] = lambda _snippet: True,
) -> tuple[list[Picked], tuple[str, ...]]:
    """The best ``count`` distinct snippets, and the sources found changed on the way.

    Overlapping snippets are skipped; the same words found in another place join the first snippet's
    ``also``; the next sentence of a snippet already taken joins it, so that one passage is not quoted
    twice; a snippet whose file no longer holds its text (``still_quoted`` says no) is left out and its
    source named as changed. Each freed place goes to the next distinct sentence.
    """
    snippets: list[Snippet] = []
    similarities: list[float] = []
    readings: list[Reading | None] = []
    scores: list[float] = []
    changed: dict[str, None] = {}
    for candidate in scored:
        snippet = make_snippet(candidate)
        c = snippet.citation
        if any(t.citation.source == c.source and c.start < t.citation.end and t.citation.start < c.end for t in snippets):
            continue
        if not still_quoted(snippet):
            changed[c.source] = None
            continue
        same = next((i for i, t in enumerate(snippets) if folded(t.text) == folded(snippet.text)), None)
        if same is not None:  # the same words in another place: one snippet, citing both
            first = snippets[same]
            snippets[same] = first.model_copy(update={"also": (*first.also, c, *snippet.also)})
            continue
        # The next sentence of a snippet already taken: one quote, not two (a table's next row is
        # another record: a snippet of its own, so that the words marked stand in the row asked about).
        beside = None if snippet.passage.kind in RECORDS else next((i for i, t in enumerate(snippets) if adjacent(t, snippet)), None)
        if beside is not None:
            snippets[beside] = joined(snippets[beside], snippet)
            similarities[beside] = max(similarities[beside], candidate.similarity)
            readings[beside] = surer(readings[beside], candidate.reading)
            continue
        if len(snippets) == count:
            scores.append(candidate.score)  # the first candidate left out: the last snippet's margin
            break
        snippets.append(snippet)
        similarities.append(candidate.similarity)
        readings.append(candidate.reading)
        scores.append(candidate.score)
    scores.append(0.0)
    picked = [
        Picked(snippet, similarity, scores[i] - scores[i + 1], reading)
        for i, (snippet, similarity, reading) in enumerate(zip(snippets, similarities, readings))
    ]
    return picked, tuple(changed)


def restates(question: str, text: str) -> bool:
    """Whether a quote says nothing the question does not: a fragment of the question's own words
    (the line "proxy" for "nginx reverse proxy"; "The cat was orange." for "Was the cat orange?" says
    them all, and is kept), or itself a question, most of whose words are the question's (an FAQ's
    question line, or one with no answer under it). Such a quote is no answer."""
    asked = set(tokenize(question))
    words = set(tokenize(text))
    own = words - asked
    if text.rstrip().rstrip("\"'”’)").endswith("?") and len(words & asked) > len(own):
        return True
    return not own and len(words) < len(asked)


def compose_answer(
    question: str,
    picked: list[Picked],
    confidences: list[float],
    bar: float,
    timings: Timings,
    changed_sources: tuple[str, ...] = (),
    unmentioned: tuple[str, ...] = (),
    reader_used: bool = False,
) -> Answer:
    """The answer: every picked snippet with its confidence, those at or above ``bar`` as answers and
    the rest as the nearest passages; an abstention when even the best is below the bar (``unmentioned``:
    the names the question asks about that the sources never mention, said as the reason).

    The snippets keep the ranking's order, not their confidences': ordered by confidence (2026-12-06,
    reader on), hit@1 fell on SQuAD from 0.935 to 0.925, on CoQA's follow-ups from 0.760 to 0.521, on
    COVID-QA from 0.619 to 0.592. The confidence says whether the sources answer the question, which the
    features of any snippet near the answer tell; the ranking, with the reader's say, which quote does."""
    snippets = tuple(
        p.snippet.model_copy(update={"confidence": round(c, 4), "is_answer": c >= bar, "answer": marked_words(question, p, reader_used) if c >= bar else None})
        for p, c in zip(picked, confidences)
    )
    if not snippets:
        reason = "nothing in the index matches"
        if changed_sources:
            reason = f"what the index would quote is no longer in {', '.join(changed_sources)} (changed since the index was built)"
        return Answer(question=question, snippets=(), abstained=True, reason=reason, timings=timings, changed_sources=changed_sources)
    best = max(confidences)
    if best < bar:
        # As many places as tell them apart: "0.14 < 0.14" read as a bar the answer reached.
        places = 2 if f"{best:.2f}" != f"{bar:.2f}" else 4
        reason = f"nothing in the sources is likely to answer it (confidence {best:.{places}f} < {bar:.{places}f})"
        if unmentioned:
            reason = f"the sources never mention {', '.join(unmentioned)}"
        return Answer(
            question=question,
            snippets=snippets,
            abstained=True,
            reason=reason,
            timings=timings,
            changed_sources=changed_sources,
        )
    return Answer(question=question, snippets=snippets, timings=timings, changed_sources=changed_sources)
