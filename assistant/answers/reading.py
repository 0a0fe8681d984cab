"""Where the reader reads, and what its readings change: the best sentences are read with their
neighbours, and the sentence holding a confident span rises above those that only resemble the question.

The reader costs a forward pass a window, so it reads what quality needs and no more: the windows around
the READ_WINDOWS best distinct sentences (a sentence with the one before and the one after: the span is
rarely far from the words the question shares, and three sentences fit the reader's window), not whole
passages. A follow-up that cannot be read on its own ("when did she leave?", "and?") is read with the
question it goes on asking (``Query.whole_question``) and the words it carried from the turns before
(``Query.carried_words``) that the question lacks, so that it is read knowing who; its marked words are
then read again with its own and the carried ones (``read_for_marks``). A question that can be read on
its own is read as asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..models import Passage, Sentence, Snippet
from ..retrieval.query import Query
from ..sources.structure import ATTACHED_LABELS, RECORDS, column_cells, field_opened, label_of, section_heading
from ..store.lexical import tokenize
from .answering import MARK_PROBABILITY, Picked, ScoredSentence
from .heading_quote import asked_of_heading, heading_at
from .reader import Reader, Reading, Stretch, logistic
from .referents import motion_span

# How many of the best distinct sentences have their window read. Eight (2026-12-06, the two-stage
# reader, hit@1/hit@3) read SQuAD 0.940/0.973 against five's 0.935/0.980, CoQA follow-ups 0.733/0.860
# against 0.728/0.856, COVID-QA 0.613/0.714 against 0.608/0.703, for 8/5 of the tokens read: no target
# crossed, SQuAD's hit@3 lost.
READ_WINDOWS = 5
# A sentence's score becomes (1 - W_READER) of its own and W_READER of the reader's probability that
# its window says the answer, where the sentence holds the window's span (0 for every other sentence):
# a score stays in 0..1, and the order is that of own score + 0.5 x the reader's probability.
W_READER = 1 / 3
# The reader's say in that blend is the logistic of its margin over this temperature. At 1 it would be
# the reading's probability, which rounds a margin of 5 and one of 10 both to 1: two windows that both
# hold an answer-like span (common in a long paper) were then told apart by resemblance alone. At 3 the
# surer span still counts for more (measured on the sample sets, hit@1 with the reader of 2026-12-05,
# at 1 and at 3: SQuAD 0.908 and 0.915, CoQA follow-ups 0.726 and 0.744, COVID-QA 0.602 and 0.608).
READER_TEMPERATURE = 3.0
# Other ways of reading the reader's say were measured on COVID-QA from cached readings (2026-12-06,
# the shipped reader): a window's best span score against the mean no-answer score of the question's
# windows instead of its own, a softmax over the windows read, each sentence's probability mass (the
# log-sum of its start and end scores) for every sentence of a window, at weights 1/3 to 0.95,
# temperatures 1 to 10, and 5 to 15 windows: hit@1 0.54 to 0.62, none above 0.62 (0.608 as shipped).
# Of COVID-QA's 633 questions, the answer is in no sentence scored for 122; its window is not read for
# 32; read, the reader's span lies elsewhere in it for 24, and for 70 it lies in the answering sentence
# but another sentence still ranks above it. The reader's judgement is the limit, not how it is used.


@dataclass(frozen=True)
class Read:
    """The sentences read and what the reader found in each window: ``readings[i]`` is the reading of
    the window around ``centres[i]``; ``tokens`` the tokens it read in all."""

    centres: tuple[ScoredSentence, ...]
    readings: tuple[Reading | None, ...]

    @property
    def tokens(self) -> int:
        return sum(r.tokens for r in self.readings if r is not None)

    @property
    def best_probability(self) -> float:
        return max((r.probability for r in self.readings if r is not None), default=0.0)


def window_around(scored: ScoredSentence) -> Stretch:
    """The sentence with the one before and the one after it in its passage (a motion with its mover
    and its vote: ``referents.motion_span``), as a stretch of its file;
    a table's row alone (read beside its neighbours, the span the reader found was as often another
    row's value: "4.50 euros", the sourdough's, for "How much is a rye loaf?")."""
    if scored.passage.kind in RECORDS:
        return _record_stretch(scored.passage, scored.passage.sentences[scored.sentence_index])
    # A motion, its mover and its vote are read together ("Who voted against the Summit Roofing contract?"
    # of "Motion: That the Co-op award the roof to Summit Roofing Ltd. ... Carried 5–1 (Amira Haddad opposed).").
    return _sentences_window(scored.passage, *motion_span(scored.passage, scored.sentence_index))


def _record_stretch(passage: Passage, record: Sentence) -> Stretch:
    """A record (``structure.RECORDS``) as the reader reads it: a table's row under its columns' names
    where they are known (``labelled_row``), else the record's own text."""
    return labelled_row(passage, record) or Stretch(record.text, record.start)


def labelled_row(passage: Passage, row: Sentence) -> Stretch | None:
    """A table's row as the reader reads it: each cell said of its column's name, a sentence a cell ("The
    Site is B3. ... The Sensors is 8."), the cells the file's own text (``Stretch.pieces``); None where
    the table's header (the last part of the passage's title, ``structure.header_words``) does not name
    as many columns as the row has cells. Alone, "| B3 | Kreuzberg | extensive sedum | 1,120 | 15 | 8 |"
    gave the reader no way to tell which number is the sensors' (a new user's "How many sensors were on
    site B3?"). Read as sentences rather than as "Site: B3; ...; Sensors: 8", the reader (trained on
    prose) finds the asked cell more often and surer: of 20 questions over five tables' rows (a
    reagents list, a staff list, an on-call rota, tyre pressures, bin collections), 19 spans right
    against 17, the margin 3.9 against 2.8 on average ("Where is the DAPI stored?": -2.2, so refused,
    then 0.9; "What is Hannah Becker's extension?" found "4402" where it had found the column's name)."""
    columns = column_cells(passage.kind, passage.title, row.text)
    if columns is None or len(columns) < 2:
        return None
    said, pieces = "", []
    for name, (start, end) in columns:
        said += f" The {name} is " if said else f"The {name} is "
        said = _said_piece(said, pieces, row.text, start, end, row.start) + "."
    return Stretch(said, row.start, tuple(pieces))


def quote_window(snippet: Snippet) -> Stretch:
    """A snippet's quote with the sentence before and the one after it in its passage, as a stretch of
    its file (as ``window_around`` reads a sentence)."""
    passage, citation = snippet.passage, snippet.citation
    first = next((j for j, s in enumerate(passage.sentences) if s.start == citation.start), None)
    last = next((j for j, s in enumerate(passage.sentences) if s.end == citation.end), None)
    if first is None or last is None:
        return Stretch(snippet.text, citation.start)
    if passage.kind in RECORDS and first == last:  # a row alone, read as ``window_around`` reads it
        return _record_stretch(passage, passage.sentences[first])
    return _sentences_window(passage, first, last)


def _sentences_window(passage: Passage, first: int, last: int) -> Stretch:
    """Sentences ``first`` to ``last`` of the passage with one more on each side where there is one,
    a form's fields said as sentences (``fields_said``)."""
    sentences = passage.sentences
    start, end = sentences[max(first - 1, 0)].start, sentences[min(last + 1, len(sentences) - 1)].end
    return fields_said(passage.text[start - passage.start : end - passage.start], start)


def fields_said(text: str, start: int) -> Stretch:
    """A stretch of a file (``text``, standing at ``start``) as the reader reads it: where two lines or
    more open fields (a form's, a header's; ``structure.field_opened``, not a note or an answer,
    ``ATTACHED_LABELS``), each said as a sentence, as a table's row is (``labelled_row``): "Model number:
    KDW-614X" is read "The Model number is KDW-614X.", its label and its value (its line and the
    indented lines that run it on) the file's own text (``Stretch.pieces``), so that either may be
    marked ("Priya: I'll send the minutes." read "The Priya is I'll send the minutes." still finds who);
    every other line as it stands. Read as it stands, "What is the model number of the dishwasher?"
    found "60 cm" in the line above (margin 1.0), and "What is our home insurance policy number?" found
    "HLC-4471902" unsure (-3.4); as sentences, 8.5 and 5.1."""
    lines = [m for m in re.finditer(r"[^\r\n]+", text) if m.group(0).strip()]
    fields = [field_opened(m.group(0)) for m in lines]
    fields = [f if f is not None and label_of(f) not in ATTACHED_LABELS else None for f in fields]
    if sum(f is not None for f in fields) < 2:
        return Stretch(text, start)
    said, pieces = "", []
    k = 0
    while k < len(lines):
        line, field = lines[k], fields[k]
        last = k
        while last + 1 < len(lines) and fields[last + 1] is None and lines[last + 1].group(0)[:1].isspace():
            last += 1  # the indented lines that run the field (or the line) on
        end = lines[last].end()
        if field is None:
            said = _said_piece(said, pieces, text, line.start(), end, start)
        else:
            label = line.start() + field.start("label")
            said += " The " if said else "The "
            said = _said_piece(said, pieces, text, label, label + len(field.group("label").rstrip()), start)
            said += " is "
            said = _said_piece(said, pieces, text, line.start() + field.end() - 1, end, start)
        said += "" if said.rstrip().endswith((".", "!", "?", ":", ";")) else "."
        k = last + 1
    return Stretch(said, start, tuple(pieces))


def _said_piece(said: str, pieces: list[tuple[int, int, int]], text: str, a: int, b: int, start: int) -> str:
    """``said`` with ``text[a:b]`` (stripped, after a space where ``said`` ends without one) after it, as
    one of the file's pieces."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a == b:
        return said
    if said and not said[-1].isspace():
        said += " "
    pieces.append((len(said), len(said) + b - a, start + a))
    return said + text[a:b]


def windows_to_read(scored: list[ScoredSentence], count: int | None = None) -> list[ScoredSentence]:
    """The best ``count`` (READ_WINDOWS) sentences whose windows do not overlap one already chosen (a
    table's row is read alone: the row beside a chosen one is no overlap; it was, and a new user's "and
    in the US?" after the meals allowance never had the meals row read, the US hotels' row above it)."""
    count = READ_WINDOWS if count is None else count
    chosen: list[ScoredSentence] = []
    for candidate in scored:
        if len(chosen) == count:
            break
        if not _overlaps(candidate, chosen):
            chosen.append(candidate)
    return chosen


# How many lines, beyond READ_WINDOWS, have their windows read where their label names what the
# question asks about ("Landlord: Margaret Ellison, ...", "**Policy number:** HLC-4471902").
LABELLED_WINDOWS = 2


def label_terms(text: str) -> set[str]:
    """The terms of the field's label a sentence opens with (``structure.field_opened``: "Landlord:
    Margaret Ellison, ..." -> {landlord}), or none."""
    found = field_opened(text)
    return set(tokenize(found.group("label"))) if found is not None else set()


def labelled_lines(scored: list[ScoredSentence], query: Query, chosen: list[ScoredSentence]) -> list[ScoredSentence]:
    """The best LABELLED_WINDOWS sentences past those ``chosen`` whose label names only what the question
    asks about ("Landlord: Margaret Ellison, ..." for "Who is the landlord?") and whose windows overlap
    none chosen. Every sentence of a lease names the Landlord, and that line, an address in most of its
    words, ranked tenth by resemblance: never read, the landlord was never found."""
    asked = set(query.own_terms)
    if not asked:
        return []
    extra: list[ScoredSentence] = []
    for candidate in scored:
        if len(extra) == LABELLED_WINDOWS:
            break
        label = label_terms(candidate.passage.sentences[candidate.sentence_index].text)
        if not label or not label <= asked or _overlaps(candidate, chosen + extra):
            continue
        extra.append(candidate)
    return extra


def _overlaps(candidate: ScoredSentence, chosen: list[ScoredSentence]) -> bool:
    """Whether the candidate's window overlaps that of one already chosen (a table's row only itself; a
    vote's, its motion's: ``window_around``)."""
    if candidate.passage.kind in RECORDS:
        return any(c.passage.id == candidate.passage.id and c.sentence_index == candidate.sentence_index for c in chosen)
    first, last = motion_span(candidate.passage, candidate.sentence_index)
    return any(
        c.passage.id == candidate.passage.id
        and max(first, (span := motion_span(c.passage, c.sentence_index))[0]) - min(last, span[1]) <= 1
        for c in chosen
    )


def reader_question(query: Query) -> str:
    """The question as the reader reads it to find the sentence that answers: a follow-up that leans on
    the turns before it, its own words, then in brackets the question it goes on asking
    (``Query.whole_question``) and the words carried into it that neither holds; a question that can be
    read on its own, as asked. Its carried words, if any, serve the search: "What must happen to
    license plates?" after talk of NATO and the EU facilitator (8% incomplete: everyday words) is not
    read with "(NATO EU facilitator ...)". On the CoQA sample's follow-ups (in conversation, reader on)
    hit@1/hit@3 0.758/0.867 with the carried words in brackets, 0.760/0.874 as asked."""
    if query.restated:  # "and in the US?" read as the question before, about the US
        return query.whole_question
    if not query.whole_question:
        return query.text
    return _bracketed(query, query.whole_question)


def own_words_question(query: Query) -> str:
    """The question as the reader reads it to mark the words that answer: a follow-up's own words, then
    the words carried into it."""
    return _bracketed(query, "")


def _bracketed(query: Query, whole_question: str) -> str:
    held = f"{query.text} {whole_question}".lower()
    inside = [whole_question] if whole_question else []
    inside += [word for word in query.carried_words if word.lower() not in held]
    return f"{query.text} ({' '.join(inside)})" if inside else query.text


def read_candidates(
    reader: Reader, query: Query, scored: list[ScoredSentence], read_text: Callable[[str], str | None] | None = None
) -> Read:
    """The reader's readings of the windows around the best sentences; none for a window whose span
    stands in a sentence off the question's subject (``ScoredSentence.off_subject``: "When did Ingrid
    Solberg join?" found "May 2022" in Marcus Okafor's "He joined the project in May 2022"). With
    ``read_text`` (a source's text), a window under a heading that holds what the question asks is read
    with it (``under_heading``)."""
    centres = windows_to_read(scored)
    centres += labelled_lines(scored, query, centres)
    windows = [window_around(c) for c in centres]
    pattern = asked_of_heading(query.text) if read_text is not None else None
    if pattern is not None:
        windows = [under_heading(w, c.passage, pattern, read_text) for w, c in zip(windows, centres)]
    readings = reader.read(reader_question(query), windows)
    off = {(s.passage.id, s.sentence_index) for s in scored if s.off_subject}
    tallies_asked = asks_a_tally(query.as_asked)
    kept = [
        None if r is not None and (
            (c.passage.id, holding_sentence(c.passage, r)) in off or asks_again(r.text) or (is_tally(r.text) and not tallies_asked)
        ) else r
        for c, r in zip(centres, readings)
    ]
    return Read(tuple(centres), tuple(kept))


# A vote's tally ("5–1", "15-4"), and a question asking one: how a motion was voted, by how many.
_TALLY = re.compile(r"\d+\s*[–—-]\s*\d+")
_ASKS_TALLY = re.compile(r"\b(?:vote[ds]?|voting|tally|result|outcome|carried|passed|defeated|how\s+many|score)\b", re.I)


def is_tally(span: str) -> bool:
    """Whether the reader's span is a tally alone ("5–1")."""
    return _TALLY.fullmatch(span.strip()) is not None


def asks_a_tally(question: str) -> bool:
    """Whether ``question`` asks how something was voted or scored (``_ASKS_TALLY``): a motion, read with
    its vote (``window_around``), gave "What warranty did A-1 Roof Care offer?" the tally "5–1"."""
    return _ASKS_TALLY.search(question) is not None


def under_heading(window: Stretch, passage: Passage, pattern: re.Pattern[str], read_text: Callable[[str], str | None]) -> Stretch:
    """The window with its section's heading before it, both pieces of the file, where the heading holds
    what the question asks (``heading_quote.asked_of_heading``: a date, a version) and stands just above
    it (``heading_quote.heading_at``); else the window. The reader chooses between the heading's version
    and one a bullet names ("still sent until 3.5.0"). "When was 2.4.0
    released?" read the changelog's bullets, none of which holds a date, and found "3 June 2024" in the
    meeting notes' plans for 2.5."""
    heading = section_heading(passage)
    if not heading or not pattern.search(heading):
        return window
    text = read_text(passage.source)
    at = heading_at(text, passage, window.start) if text else None
    if at is None:
        return window
    shift = len(heading) + 2
    pieces = [(a + shift, b + shift, f) for a, b, f in window.pieces] or [(shift, shift + len(window.text), window.start)]
    return Stretch(f"{heading}. {window.text}", at, ((0, len(heading), at), *pieces))


# A span opening with a question word asks, it does not answer: "who owns it" in "Each alert section
# lists who owns it, who to escalate to, ..." for "who do I escalate to?". Not "when" and "where",
# which open an answer as often ("when the indicator light turns red").
_ASKING = re.compile(r"(?:who|whom|whose|what|which|why)(?![\w'’-])", re.I)


def asks_again(span: str) -> bool:
    """Whether the reader's span opens with a question word (``_ASKING``): it says what is asked, not
    the answer."""
    return _ASKING.match(span) is not None


def holding_sentence(passage: Passage, reading: Reading) -> int | None:
    """The index of the passage's sentence where the reading's span starts, if any."""
    return next((j for j, s in enumerate(passage.sentences) if s.start <= reading.start < s.end), None)


def read_for_marks(reader: Reader, query: Query, picked: list[Picked], shown: list[bool]) -> list[Picked]:
    """The picked snippets with the readings their marks are taken from. Read with the question it goes
    on asking, a follow-up finds the sentence that answers it more often (in a conversation the answer
    is often beside the last), but the span the reader finds there may answer the bracketed question:
    "Who issues it? (How long is the document valid?)" finds "90 days". Where the follow-up was read so,
    each quote that would be marked (one ``shown`` as an answer, its reading sure enough) is read again
    with its own words and those carried into it, in its window, and that reading's span is the one
    marked, if it is sure enough. On the CoQA sample (in conversation,
    first snippets that hold the answer) the marks' precision was 0.929 (coverage 0.634) before the
    whole question, 0.853 (0.630) read with it, 0.924 (0.569) read again so, at 9 ms more a follow-up
    (median, 2-core AVX2 CPU); every quote read again alone, 0.921 (0.587) at 26 ms more. The
    confidence stays with the first reading."""
    if not query.whole_question or query.restated:  # a restated question's span answers it alone
        return picked
    marked = [
        i for i, (p, answer) in enumerate(zip(picked, shown))
        if answer and p.reading is not None and p.reading.probability >= MARK_PROBABILITY
    ]
    if not marked:
        return picked
    stretches = [quote_window(picked[i].snippet) for i in marked]
    again = dict(zip(marked, reader.read(own_words_question(query), stretches)))
    return [replace(p, reading=again[i]) if i in again else p for i, p in enumerate(picked)]


def rerank(scored: list[ScoredSentence], read: Read) -> list[ScoredSentence]:
    """The sentences with the reader's say blended in (W_READER): the sentence holding a window's span
    by the logistic of the reader's margin over READER_TEMPERATURE, every other by 0; the one holding a span carries its reading (for its
    mark and its confidence)."""
    holding: dict[tuple[str, int], Reading] = {}
    for centre, reading in zip(read.centres, read.readings):
        j = holding_sentence(centre.passage, reading) if reading is not None else None
        if reading is not None and j is None and reading.start < centre.passage.start:
            j = centre.sentence_index  # a span in the heading above (``under_heading``): quoted with it
        if reading is None or j is None:
            continue
        key = (centre.passage.id, j)
        if key not in holding or reading.margin > holding[key].margin:
            holding[key] = reading
    out = []
    for s in scored:
        reading = holding.get((s.passage.id, s.sentence_index))
        said = logistic(reading.margin / READER_TEMPERATURE) if reading is not None else 0.0
        out.append(replace(s, score=(1 - W_READER) * s.score + W_READER * said, reading=reading))
    out.sort(key=lambda s: (-s.score, s.passage.source, s.passage.start, s.sentence_index))
    return out
