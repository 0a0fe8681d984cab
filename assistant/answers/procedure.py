"""A procedure quoted whole: "How do I descale the coffee machine?" is answered by the numbered steps of
the manual's descaling section, and one step alone (step 6, "Press and hold the Menu button for 3
seconds ...", its number gone) answers nothing a user can follow: a new user's manuals gave one to three
loose steps out of eleven, whatever ``-k``.

Where a question asks how to do something (``asks_how``) and a snippet quotes an item of a numbered list,
the snippet becomes the list: its items from the first, their numbers with them, to the last (at most
``STEPS_MAX_CHARS``, cut after a whole step), cited over its lines; the other snippets quoting steps of
the same list are dropped. Every offset is still the file's.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..models import Citation, Passage, Snippet
from ..sources.structure import RECORDS, item_opened, section_heading
from .answering import Picked, asks_how
from .confidence import Confidences

# A procedure quoted is at most this long: the steps up to the last one that ends within it.
STEPS_MAX_CHARS = 1500


def _step_line(passage: Passage, at: int) -> int | None:
    """Where the numbered step that the sentence at file offset ``at`` opens begins (its number's line,
    as a file offset), or None: the sentence does not open a numbered item of a list."""
    item = item_opened(passage.text, at - passage.start)
    return passage.start + item.start() if item is not None and not item.group("bullet") else None


def _step_number(passage: Passage, line: int | None) -> int | None:
    """The number of the step whose line starts at file offset ``line``."""
    if line is None:
        return None
    number = re.match(r"[ \t]*(\d+)", passage.text[line - passage.start :])
    return int(number.group(1)) if number else None


def numbered_steps(passage: Passage, index: int) -> tuple[int, int, int] | None:
    """The numbered list the passage's sentence ``index`` is a step of (or a step's further sentence):
    where its first step's line starts (a file offset), and the indices of its first and last sentences;
    None where the sentence is no part of a numbered list of two steps or more. A list is a paragraph's
    run of sentences from its first step to the end of its last step's line (a blank line ends it; a
    sentence before the first step is no step)."""
    if passage.kind in RECORDS:
        return None
    sentences = passage.sentences
    opens = [_step_line(passage, s.start) for s in sentences]
    if opens[0] is None and sentences[0].start == passage.start:
        # Step 1, whose number stands before the passage (a passage starts at its text), of one sentence
        # or more ("1. Call the claims line on 0800 555 0199. It is open 24 hours a day.\n2. Have ...").
        second = next((j for j in range(1, len(sentences)) if opens[j] is not None or _paragraph_break(passage, j - 1, j)), None)
        if second is not None and _step_number(passage, opens[second]) == 2:
            opens[0] = passage.start
    first = index
    while first > 0 and not _paragraph_break(passage, first - 1, first):
        first -= 1
    last = index
    while last + 1 < len(sentences) and not _paragraph_break(passage, last, last + 1):
        last += 1
    steps = [j for j in range(first, last + 1) if opens[j] is not None]
    if len(steps) < 2 or steps[0] > index:
        return None
    # The last step ends with its line: a sentence on a line of its own after it is the text after the
    # list ("If you need to repressurise more than twice a year, ..."), not a step's.
    last = steps[-1]
    while last + 1 < len(sentences) and "\n" not in passage.text[sentences[last].end - passage.start : sentences[last + 1].start - passage.start]:
        last += 1
    if index > last:
        return None
    return opens[steps[0]], steps[0], last


def _paragraph_break(passage: Passage, j: int, k: int) -> bool:
    """Whether a blank line stands between the passage's sentences ``j`` and ``k``."""
    between = passage.text[passage.sentences[j].end - passage.start : passage.sentences[k].start - passage.start]
    return re.search(r"\n[ \t]*\n", between) is not None


def whole_procedure(snippet: Snippet) -> Snippet | None:
    """The snippet widened to the numbered list it quotes a step of (``numbered_steps``), or None."""
    passage = snippet.passage
    quoted = [j for j, s in enumerate(passage.sentences) if snippet.citation.start <= s.start and s.end <= snippet.citation.end]
    if not quoted:
        return None
    # The quote's last sentence: a list's lead-in ("To descale the machine:") is quoted with its first step.
    index = quoted[-1]
    steps = numbered_steps(passage, index)
    if steps is None:
        return None
    start, first, last = steps
    if quoted[0] < first:  # the lead-in stays at the head of the quote
        start, first = passage.sentences[quoted[0]].start, quoted[0]
    while last > first and passage.sentences[last].end - start > STEPS_MAX_CHARS:
        last -= 1
    if last < index:
        return None  # the step quoted lies past what a quote may hold: it stays as it is
    end = passage.sentences[last].end
    if start >= snippet.citation.start and end <= snippet.citation.end:
        return None  # it is quoted whole already
    text = passage.text[start - passage.start : end - passage.start]
    citation = Citation(
        source=passage.source, start=start, end=end, line_start=passage.sentences[first].line_start,
        line_end=passage.sentences[last].line_end, passage_id=passage.id, page=passage.page,
    )
    return Snippet(text=text, score=snippet.score, citation=citation, passage=passage)


def with_whole_procedures(
    question: str, picked: list[Picked], confidences: Confidences, bar: float = 0.0
) -> tuple[list[Picked], Confidences]:
    """The picked snippets, each step of a numbered list widened to the whole list where the question
    asks how to do something (``asks_how``); a snippet inside another (a step of a list quoted whole,
    ranked before it or after) is dropped, as is the second of two the same; the first list widened so,
    where it is an answer (its confidence reaches ``bar``), before the snippets of its section above it
    (a list quoted whole already stays where it is)."""
    if not asks_how(question):
        return picked, confidences
    chosen = [
        (replace(p, snippet=whole) if (whole := whole_procedure(p.snippet)) is not None else p, probability, feature)
        for p, probability, feature in zip(picked, confidences.probabilities, confidences.features)
    ]
    kept = [
        (p, probability, feature) for k, (p, probability, feature) in enumerate(chosen)
        if not any(j != k and _inside(p.snippet.citation, q.snippet.citation) and (q.snippet.citation != p.snippet.citation or j < k) for j, (q, _, _) in enumerate(chosen))
    ]
    widened = {id(p) for (p, probability, _), q in zip(chosen, picked) if p is not q and probability >= bar}
    kept = _procedure_first(kept, widened)
    return [p for p, _, _ in kept], replace(
        confidences, probabilities=[pr for _, pr, _ in kept], features=[f for _, _, f in kept]
    )


def _procedure_first(kept: list, widened: set[int]) -> list:
    """``kept`` (picked snippets with their probabilities and features) with the first procedure quoted
    whole (one of ``widened``, by ``id``) before the snippets of its own section ranked above it: "What
    should I do when BillingApiHighErrorRate fires?" quoted the alert's "Fires when more than 2% of
    requests ..." first, the steps under it second."""
    at = next((k for k, (p, _, _) in enumerate(kept) if id(p) in widened), None)
    if at is None:
        return kept
    procedure = kept[at][0].snippet
    section = (procedure.citation.source, section_heading(procedure.passage))
    before = next((k for k, (p, _, _) in enumerate(kept[:at]) if (p.snippet.citation.source, section_heading(p.snippet.passage)) == section), None)
    if before is None or not section[1]:
        return kept
    return [*kept[:before], kept[at], *kept[before:at], *kept[at + 1 :]]


def _inside(inner: Citation, outer: Citation) -> bool:
    """Whether the quote cited by ``inner`` lies within the one ``outer`` cites (a step of a procedure
    quoted whole, before or after it)."""
    return inner.source == outer.source and outer.start <= inner.start and inner.end <= outer.end
