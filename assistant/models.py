"""The data types that cross module boundaries: frozen pydantic models."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import Remedy


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Span(Frozen):
    """A stretch of a source file's decoded text, with 1-based inclusive line numbers."""

    start: int
    end: int
    line_start: int
    line_end: int


class Sentence(Span):
    text: str


class Passage(Span):
    """A piece of a source file; ``file_text[start:end] == text`` always holds."""

    id: str
    source: str
    text: str
    title: str = ""
    sentences: tuple[Sentence, ...] = ()
    # The 1-based page of a paged source (PDF); None for formats without pages.
    page: int | None = None
    # What part of its document the passage is (see ``structure``): "body", "caption", "table",
    # "metadata" (a header of authors, dates, DOI), "references" or "contents" (a table of contents).
    # The last three are searched, never quoted as an answer.
    kind: str = "body"


class Citation(Frozen):
    source: str
    start: int
    end: int
    line_start: int
    line_end: int
    passage_id: str
    # The 1-based page of a paged source (PDF); None for formats without pages.
    page: int | None = None
    # The collection the source belongs to, where there are named collections; else None.
    collection: str | None = None

    def label(self) -> str:
        """The citation as people read it: ``file.txt:17``, ``file.txt:17-18``, or ``paper.pdf:p3:12-14``,
        after its collection where there are named ones (``papers:paper.pdf:p3:12``).

        For a PDF the lines are those of its extracted text (what the source viewer shows), counted from
        the top of the page: line 1 is the page's first, and a quote run on over the page break goes on
        counting past the page's last. ``cited_place`` reads a label back.
        """
        lines = str(self.line_start) if self.line_start == self.line_end else f"{self.line_start}-{self.line_end}"
        page = f"p{self.page}:" if self.page is not None else ""
        collection = f"{self.collection}:" if self.collection else ""
        return f"{collection}{self.source}:{page}{lines}"


# A citation as ``Citation.label`` writes it: [collection:]source:[pPAGE:]LINE[-LINE], or a page alone
# (source:pPAGE).
_CITATION = re.compile(r"(?P<source>.+?):(?:p(?P<page>\d+)(?=$|:):?)?(?:(?P<first>\d+)(?:-(?P<last>\d+))?)?")


class CitedPlace(Frozen):
    """The place a citation's label names (``cited_place``): no offsets, only what the label says."""

    source: str
    line_start: int | None
    line_end: int | None
    collection: str | None
    page: int | None = None  # a PDF's, whose lines count from its top


def cited_place(text: str, collections: list[str]) -> CitedPlace | None:
    """The place a whole citation names, as an agent may pass it to ``get`` for the source: a leading
    name is its collection only when it is one of ``collections`` ("notes:draft.txt" may be a file's
    name); None when ``text`` is not a citation."""
    match = _CITATION.fullmatch(text.strip())
    if match is None or not (match["page"] or match["first"]):
        return None
    collection, source = None, match["source"]
    head, _, rest = source.partition(":")
    if rest and head in collections:
        collection, source = head, rest
    first = int(match["first"]) if match["first"] else None
    last = int(match["last"]) if match["last"] else first
    page = int(match["page"]) if match["page"] else None
    return CitedPlace(source=source, line_start=first, line_end=last, collection=collection, page=page)


class AnswerPhrase(Frozen):
    """The words of a snippet that answer the question ("90 days"): ``file_text[start:end] == text``,
    offsets into the source file as the citation's are."""

    text: str
    start: int
    end: int

    @classmethod
    def in_quote(cls, snippet: "Snippet", start: int, end: int) -> "AnswerPhrase":
        """The words ``snippet.text[start:end]``, placed in the file as the snippet's citation is."""
        offset = snippet.citation.start
        return cls(text=snippet.text[start:end], start=offset + start, end=offset + end)


# A snippet shown as an answer whose confidence is under this is said to be unsure (``Snippet.unsure``).
# The confidence model is fitted with both classes weighed alike, so its 0.5 is no even odds among the
# questions users ask, most of which the sources answer. On the sample sets' held-out splits (shipped
# model, bar 0.14; the first snippets that hold the answer / the wrong answers to questions whose source
# was held out, said to be unsure): under 0.5, SQuAD's hits 0.156, CoQA's 0.103 / 0.825, COVID-QA's
# 0.050 / 0.670; under 0.4, 0.090, 0.080 / 0.763, 0.013 / 0.527; under 0.3, 0.037, 0.049 / 0.546, 0.013
# / 0.352. A new user's staff handbook: under 0.4, 9 of its 10 answered questions it does not answer,
# none it does.
UNSURE_BELOW = 0.4


class Snippet(Frozen):
    text: str
    score: float
    citation: Citation
    passage: Passage
    # The words of the quote that answer the question, when some clearly do; else None.
    answer: AnswerPhrase | None = None
    # The other places the same text stands (copies of the file, the passage quoted elsewhere).
    also: tuple[Citation, ...] = ()
    # The calibrated probability (0..1) that the sources answer the question here, and whether that
    # clears the bar: a snippet below it is shown as the nearest passage, not as an answer.
    confidence: float | None = None
    is_answer: bool = True

    @property
    def unsure(self) -> bool:
        """Shown as an answer, but likely not one: its confidence, a calibrated probability, is under
        UNSURE_BELOW. The default bar answers first (it keeps answering 0.97 of
        the sample sets' answerable questions, their vaguest conversations included), so a clear
        question the sources do not answer ("Who is the CEO?" of a staff handbook that names the CEO
        once) is often answered at 0.2 to 0.4: said so, the user is not told it as an answer."""
        return self.is_answer and self.confidence is not None and self.confidence < UNSURE_BELOW


class Timings(Frozen):
    """Milliseconds of a question's stages; ``read`` (the reader's part) is part of ``answer``."""

    embed: float = 0.0
    search: float = 0.0
    answer: float = 0.0
    read: float = 0.0


class TurnContext(Frozen):
    """What the next question of a conversation needs of this turn: how this question was read (its
    weighted terms and vector), and where its answer stood. Kept in memory, never shown or written."""

    terms: dict[str, float]
    words: dict[str, str]  # a term's stem -> the word as the user wrote it (for "read with")
    vector: tuple[float, ...]
    source: str | None = None
    row: int | None = None
    start: int = 0
    end: int = 0
    # How sure the reader was that what it read for this turn says the answer (its best probability; 0
    # with the reader off), kept for an abstention too: a follow-up standing on this answer stands no
    # surer, and a conversation whose answers the reader doubted turn after turn goes on doubtful.
    reader_say: float = 0.0
    # The last question of the conversation, up to this turn, that could be read on its own (this
    # turn's own where it could): what a later "and?" or "From which years?" goes on asking.
    whole_question: str = ""
    # This turn's question as asked ("who rules it?"): what a later "and Greyford?" asks of another thing.
    asked: str = ""
    # The person a who-question of this turn was answered with (the name marked in its first snippet):
    # whom a "he" or "she" of the next question stands for ("and who replaces him?" -> Sofia Lindqvist,
    # "And when does she start?").
    answered_name: str = ""
    # The version a which-version question of this turn was answered with (the words marked in its first
    # snippet, where they are one): what an "it" or "that" of the next question stands for ("when was
    # that released?" after "Which version removed /v1/invoices/search?", answered 3.0.0).
    answered_version: str = ""


class Answer(Frozen):
    question: str
    snippets: tuple[Snippet, ...]
    abstained: bool = False
    reason: str | None = None
    timings: Timings = Field(default_factory=Timings)
    # Sources that changed since the index was built and no longer hold what it would have quoted:
    # those snippets were left out. The index needs an update.
    changed_sources: tuple[str, ...] = ()
    # In a conversation: the words carried over from earlier turns that the question was read with.
    read_with: tuple[str, ...] = ()
    # In a conversation, with the reader on: the earlier question the reader read a follow-up that cannot
    # be read on its own with ("and?" after "Which rivers meet at Pittsburgh?").
    read_with_question: str = ""
    # Whether ``read_with_question`` is the follow-up itself restated, the question it asks ("and in 2024?"
    # as "how much is the insurance budget for 2024"), rather than the earlier question it was read with.
    restated: bool = False
    # The question as the search and the reader read it, where a word the sources never use was taken as
    # mistyped ("who is the landlaord" read "who is the landlord"); empty where it was read as asked.
    read_as: str = ""
    context: TurnContext | None = Field(default=None, exclude=True, repr=False)

    def how_read(self) -> str:
        """How a question was read, in one line for people: as spelled where a word was taken as mistyped
        ("read as “who is the landlord”"), and, for a follow-up, the words the search carried into it and
        the earlier question the reader read it with ("read with: Augustine, come; as a follow-up to
        “Where did Augustine come from?”"), or the question it was restated as ("asked as “how much is
        the insurance budget for 2024”"); empty for a question read as asked, taking nothing from the
        turns before."""
        parts = [f"read as “{self.read_as}”"] if self.read_as else []
        if self.read_with:
            parts.append(f"read with: {', '.join(self.read_with)}")
        if self.read_with_question:  # a restated follow-up's question is its own (a new user read it as an earlier one)
            parts.append(f"{'asked as' if self.restated else 'as a follow-up to'} “{self.read_with_question}”")
        return "; ".join(parts)

    def to_json_dict(self) -> dict:
        """The answer in the documented JSON shape (see DESIGN.md)."""
        return {
            "question": self.question,
            "abstained": self.abstained,
            "reason": self.reason,
            "snippets": [
                {
                    "text": s.text,
                    "score": round(s.score, 4),
                    "confidence": s.confidence,
                    "is_answer": s.is_answer,
                    "unsure": s.unsure,
                    "citation": s.citation.model_dump(),
                    "answer": s.answer.model_dump() if s.answer else None,
                    "also": [c.model_dump() for c in s.also],
                    "passage": {
                        "id": s.passage.id,
                        "source": s.passage.source,
                        "text": s.passage.text,
                        "start": s.passage.start,
                        "end": s.passage.end,
                        "line_start": s.passage.line_start,
                        "line_end": s.passage.line_end,
                        "page": s.passage.page,  # a PDF's lines count from this page's top
                        # Where it stands ("Document — Section"; a table's row: "... — its · columns' · names")
                        # and what it is (body, table, caption, ...): an agent reading a row's cells by JSON
                        # could not tell the requester's from the assignee's.
                        "title": s.passage.title,
                        "kind": s.passage.kind,
                    },
                }
                for s in self.snippets
            ],
            "timings_ms": {k: round(v, 2) for k, v in self.timings.model_dump().items()},
            "changed_sources": list(self.changed_sources),
            "read_with": list(self.read_with),
            "read_with_question": self.read_with_question or None,
            "restated": self.restated,
            "read_as": self.read_as or None,
        }


class Conversation(Frozen):
    """The turns so far, oldest first: each question with the answer that was shown for it. A follow-up
    is answered in their context; a new conversation is empty."""

    turns: tuple[Answer, ...] = ()

    # Only the most recent turns can bear on the next question; older ones are let go.
    KEPT_TURNS: ClassVar[int] = 8

    def then(self, answer: Answer) -> "Conversation":
        """This conversation with ``answer`` as its newest turn."""
        return Conversation(turns=(*self.turns, answer)[-self.KEPT_TURNS :])


class SourceExcerpt(Frozen):
    """Lines ``line_start``..``line_end`` (1-based, inclusive, as citations count them) of a source:
    ``file_text[start:end] == text``; ``lines`` is how many lines the file has, or with a ``page`` (a
    PDF's, 1-based), how many that page has, its lines counted from its top."""

    source: str
    text: str
    start: int
    end: int
    line_start: int
    line_end: int
    lines: int
    page: int | None = None
    # A paged source (a PDF) read whole, without a page: where each page begins in ``text``, to count a
    # line from its page's top as its citations do (``sources.lines.with_page_marks`` marks them).
    page_starts: tuple[int, ...] = ()


class SkippedFile(Frozen):
    """A source file that was not indexed (or was read with a fallback), and why."""

    source: str
    reason: str


class SourceChanges(Frozen):
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    # Of ``changed``, those the same on disk that this version reads another way (``formats.READINGS``):
    # after an upgrade, every such file, which is no edit of the user's.
    reread: tuple[str, ...] = ()
    # Files in the sources folder that no include pattern takes (not hidden, not excluded): no change,
    # but a new user's folder of licence texts without a suffix was passed over without a word.
    not_included: tuple[str, ...] = ()

    @property
    def edited(self) -> tuple[str, ...]:
        """Of ``changed``, those the user edited (not only read anew by this version)."""
        reread = set(self.reread)
        return tuple(source for source in self.changed if source not in reread)

    @property
    def only_reread(self) -> bool:
        """Whether every change is a file this version reads another way, none the user's edit."""
        return bool(self.reread) and not self.added and not self.removed and len(self.reread) == len(self.changed)

    @property
    def is_stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    @property
    def kinds(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The files added, changed and removed, each kind with its word, in that order."""
        return (("added", self.added), ("changed", self.changed), ("removed", self.removed))

    def describe(self) -> str:
        """A short human summary such as ``1 added, 2 changed`` (``1 read anew by this version``)."""
        counts = {"added": len(self.added), "changed": len(self.edited), "removed": len(self.removed)}
        parts = [f"{count} {kind}" for kind, count in counts.items() if count]
        if self.reread:
            parts.append(f"{len(self.reread)} read anew by this version")
        return ", ".join(parts) if parts else "no changes"


class BuildStage(StrEnum):
    """The steps of a build, in order."""

    SCAN = "scan"  # reading the sources
    LOAD = "load"  # loading the embedding model (a few seconds, before the first passage is embedded)
    EMBED = "embed"  # embedding new or changed text
    EXPORT = "export"  # exporting the question encoder
    WRITE = "write"  # writing the new index and swapping it in


class BuildProgress(Frozen):
    """A step of a build: ``done`` of ``total`` units of ``stage``."""

    stage: BuildStage
    done: int
    total: int


# What a build reports its progress to.
ProgressCallback = Callable[[BuildProgress], None]


class BuildReport(Frozen):
    files: int
    passages: int
    passages_embedded: int
    passages_reused: int
    changes: SourceChanges
    skipped: tuple[SkippedFile, ...] = ()
    seconds: float

    def describe(self) -> str:
        """What the build did, in a sentence: ``Indexed 1 file, 12 passages in 3.1 s (1 passage embedded, 11 reused).``"""
        return (
            f"Indexed {counted(self.files, 'file')}, {counted(self.passages, 'passage')} in {self.seconds:.1f} s "
            f"({counted(self.passages_embedded, 'passage')} embedded, {self.passages_reused} reused)."
        )


def counted(count: int, noun: str) -> str:
    """``1 file``, ``2 files``: a count and its noun, plural unless one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


class IndexStatus(Frozen):
    config_path: str | None  # None: no config file was read (``--sources`` alone), every setting its default
    sources_path: str
    index_path: str
    exists: bool
    model: str
    files: int = 0
    passages: int = 0
    built_at: str | None = None
    changes: SourceChanges = Field(default_factory=SourceChanges)
    skipped: tuple[SkippedFile, ...] = ()  # the files the index's build passed over, and why
    warnings: tuple[SkippedFile, ...] = ()  # the files it indexed with a warning, and what it said
    problem: str | None = None
    remedy: Remedy | None = None  # what mends the problem
    # How questions are encoded: "onnx" (the index's export of the model), or "model" (the model
    # cannot be exported, so it encodes them itself); None without a usable manifest.
    question_encoder: Literal["onnx", "model"] | None = None
    # Who is building this index now (``pid 123 on host, since 14:02:11``); None when no build runs.
    building: str | None = None


class IndexState(StrEnum):
    """Where the index stands, as ``Assistant.check_index`` finds it and ``ensure_index`` leaves it."""

    READY = "ready"  # up to date: answers come from it
    MISSING = "missing"  # none yet
    STALE = "stale"  # sources changed since it was built; it still answers
    UNUSABLE = "unusable"  # damaged, or built by another format, model or chunking
    BUILT = "built"  # was missing, built now
    UPDATED = "updated"  # was stale, updated now
    LOCKED = "locked"  # stale, and another build is updating it: answers come from the last good one


class IndexCheck(Frozen):
    """The index's state and the next step as data: ``remedy`` is what the user can do (None: nothing
    to do), ``problem`` why the index cannot be used or was not updated, ``status`` what was looked at,
    and ``report`` the build this check ran, if it ran one."""

    state: IndexState
    remedy: Remedy | None = None
    problem: str | None = None
    status: IndexStatus | None = None
    report: BuildReport | None = None


class Conversations(Frozen):
    """A conversation across collections: each collection's turns, as its own answers gave them, so a
    follow-up is read in each one's context."""

    turns: dict[str, Conversation] = Field(default_factory=dict)

    def of(self, collection: str) -> Conversation:
        return self.turns.get(collection) or Conversation()

    def then(self, answers: dict[str, Answer]) -> "Conversations":
        """This conversation with each collection's answer as its newest turn."""
        turns = dict(self.turns)
        for name, answer in answers.items():
            turns[name] = self.of(name).then(answer)
        return Conversations(turns=turns)
