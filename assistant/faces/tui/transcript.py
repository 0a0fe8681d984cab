"""Write a conversation as Markdown with citations, to a file named by date and time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..shown_quote import snippet_label, sureness

if TYPE_CHECKING:
    from ...models import Answer


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in " ".join(text.split()).splitlines() or [""])


def _inline(text: str) -> str:
    return " ".join(text.split())


def _escaped(text: str) -> str:
    """Text whose Markdown marks ("0.66**", "*p*") are read as the characters they are."""
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def _origin(sources: Sequence[Path | str], config_path: Path | str | None) -> list[str]:
    """The lines that say where the answers came from: the sources folder (each collection's that
    answered), and the config file where one was read (a chat over ``--sources DIR`` reads none)."""
    lines = [f"Sources: {', '.join(f'`{folder}`' for folder in sources)}", ""] if sources else []
    if config_path is not None:
        lines += [f"Config: `{config_path}`", ""]
    return lines


def transcript_markdown(
    answers: Sequence[Answer], when: datetime, sources: Sequence[Path | str], config_path: Path | str | None
) -> str:
    """The conversation as Markdown: where it was answered from, each question, then its quoted
    snippets with citations, what each is where it is no plain answer (unsure, nearest), and the
    answering words it marks."""
    out = [f"# Conversation, {when:%Y-%m-%d %H:%M:%S}", "", *_origin(sources, config_path)]
    for answer in answers:
        out += [f"## Q: {_inline(answer.question)}", ""]
        if how := _inline(answer.how_read()):
            out += [f"_{how[0].upper()}{how[1:]}_", ""]
        if answer.abstained:
            out += [f"_The sources do not answer this ({_inline(answer.reason or 'no reason given')})._", ""]
            if answer.snippets:
                out += ["Nearest passages:", ""]
        for rank, snippet in enumerate(answer.snippets, start=1):
            label = snippet_label(snippet)
            nearest = f", {label}" if label and not answer.abstained else ""
            name, value = sureness(snippet)
            out += [f"{rank}. `{snippet.citation.label()}` ({name} {value:.2f}{nearest})", "", _quote(snippet.text), ""]
            if snippet.answer is not None:  # the words the chat marks, which a saved answer lost
                out += [f"Answer: **{_escaped(_inline(snippet.answer.text))}**", ""]
            if snippet.also:
                out += ["Also in " + ", ".join(f"`{c.label()}`" for c in snippet.also) + ".", ""]
    return "\n".join(out).rstrip() + "\n"


def save_transcript(
    answers: Sequence[Answer],
    folder: Path,
    sources: Sequence[Path | str],
    config_path: Path | str | None,
    when: datetime | None = None,
) -> Path:
    """Write the transcript into ``folder`` (created if needed); returns the new file's path."""
    when = when or datetime.now()
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{when:%Y-%m-%d_%H-%M-%S}"
    path = folder / f"{stem}.md"
    count = 2
    while path.exists():
        path = folder / f"{stem}-{count}.md"
        count += 1
    path.write_text(transcript_markdown(answers, when, sources, config_path), encoding="utf-8")
    return path
