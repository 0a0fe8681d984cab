"""The ``assistant`` command: a thin layer over ``Assistant`` that turns errors into one-line messages."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import PurePosixPath
from typing import TextIO

from ..config import check_ray_address
from ..errors import AssistantError, BuildCancelled, QuestionError, Remedy
from ..sources.outside_text import recovered, shown
from .shown_quote import as_shown, snippet_label, sureness
from ..models import Conversations, IndexCheck, IndexState, ProgressCallback, counted

EXIT_OK, EXIT_NO_ANSWER, EXIT_USAGE, EXIT_INDEX = 0, 1, 2, 3


class UsageError(AssistantError):
    exit_code = EXIT_USAGE


# The options given before the command (``assistant --sources DIR ask ...``), not after it.
_GLOBAL_OPTIONS = ("--sources", "--index", "--config", "-c", "--collection")


class _Parser(argparse.ArgumentParser):
    """A parser whose errors are one line; the top one keeps its commands' parsers (``commands``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands: dict[str, _Parser] = {}

    def error(self, message: str) -> None:  # one line and exit 2, as every other usage error
        raise UsageError(f"{message} (see `{self.prog} --help`)")

    def option_strings(self) -> list[str]:
        return [option for action in self._actions for option in action.option_strings]


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line read; what it does not know is a usage error saying where an option given after
    the command goes, or which of the command's options was meant ("--jsn": "did you mean --json?")."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if not extra:
        return args
    message = f"unrecognized arguments: {' '.join(extra)}"
    misplaced = next((o for o in _GLOBAL_OPTIONS if o in (word.split("=")[0] for word in extra)), None)
    if misplaced is not None:
        raise UsageError(f"{message}: {misplaced} goes before the command (assistant {misplaced} ... ask ...)")
    command = parser.commands.get(args.command)
    options = (command or parser).option_strings()
    meant = [m for word in extra if word.startswith("-") for m in difflib.get_close_matches(word.split("=")[0], options, n=1, cutoff=0.6)]
    hint = f"did you mean {' or '.join(dict.fromkeys(meant))}? " if meant else ""
    raise UsageError(f"{message} ({hint}see `assistant {args.command + ' ' if command else ''}--help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="assistant",
        description="Answers questions with snippets quoted from your own documents, each cited to file and line.",
    )
    parser.add_argument("--config", metavar="PATH", help="config file (default: $ASSISTANT_CONFIG or ./config.toml)")
    parser.add_argument(
        "--sources", metavar="DIR",
        help="answer from this folder instead of the config's sources (no config needed); its index is kept "
        "in your user data folder unless --index says where",
    )
    parser.add_argument("--index", metavar="DIR", help="keep the index in this folder instead of the config's (or the default)")
    parser.add_argument(
        "-c", "--collection", metavar="NAME",
        help="answer from this collection alone ('main': the config's sources); default: every collection",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    parser.commands = commands.choices
    commands.add_parser("chat", help="open the terminal chat (the default)")
    ask = commands.add_parser(
        "ask", help="answer one question (or '-' for one per line on stdin)",
        epilog="exit status: 0 answered (an answer marked \"unsure: the sources may not say this\" too); 1 the sources do not answer it (of a batch: one of its questions or more); "
        "2 a usage, config or input error (of a batch: a line that failed); 3 the index is missing, damaged or built for "
        "another model; 4 another build is running; 130 interrupted (ctrl+c)",
    )
    ask.add_argument(
        "question", nargs="+",
        help="the question (quoted, or its words as they come: ask Who is the treasurer; quote one with ? or *), or '-' to read questions from stdin, one a line (blank lines are passed over)",
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON (one object per line)")
    ask.add_argument("-k", type=int, default=None, metavar="N", help="how many snippets to show")
    ask.add_argument("--mode", choices=("hybrid", "dense", "lexical"), help="retrieval mode (default: the config's retrieval.mode, hybrid where none is set)")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="with '-': the lines are one conversation, each answered in the context of the lines before it",
    )
    index = commands.add_parser("index", help="build or update the index")
    index.add_argument("--rebuild", action="store_true", help="start from nothing instead of updating")
    index.add_argument(
        "--watch", action="store_true",
        help="then follow the sources: update the index a second after each edit, a line for each, until ctrl+c",
    )
    index.add_argument(
        "--ray", metavar="ADDRESS",
        help="embed the passages on a Ray cluster: ray://host:10001, auto, or local (a throwaway Ray on this "
        "machine); default: [cluster] address in the config, else this machine without Ray",
    )
    commands.add_parser("mcp", help="serve ask, get and status to agents: an MCP server on stdin and stdout")
    collections = commands.add_parser("collections", help="named folders, each with an index of its own: add, list, remove")
    actions = collections.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a folder as a named collection (its index is built on first use)")
    add.add_argument("name", help="the collection's name (letters, digits, '-', '_')")
    add.add_argument("folder", help="the folder of documents")
    add.add_argument("--include", action="append", metavar="PATTERN", help="files to read (default: [sources] include)")
    add.add_argument("--exclude", action="append", metavar="PATTERN", help="files to leave out (default: [sources] exclude)")
    actions.add_parser("list", help="list the collections: name, folder, index, where declared")
    remove = actions.add_parser("remove", help="forget a collection (never its folder, nor the folder's own index, which --sources FOLDER answers from)")
    remove.add_argument("name")
    status = commands.add_parser("status", help="show the index's state")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    evaluate = commands.add_parser("eval", help="measure answer quality on a question set (JSONL)")
    evaluate.add_argument("questions", help="JSONL file: question, answers, answerable")
    evaluate.add_argument("--modes", default="dense,lexical,hybrid", help="comma-separated retrieval modes")
    evaluate.add_argument("--json", action="store_true", help="print the results as JSON")
    evaluate.add_argument("--limit", type=int, default=None, help="ask only the first N questions")
    evaluate.add_argument(
        "--scoring",
        choices=("string", "span"),
        default="string",
        help="a hit is an answer string inside a snippet (string), or a snippet of the question's source "
        "that holds or overlaps the answer's place (span)",
    )
    evaluate.add_argument(
        "--min-overlap", type=float, default=0.0, metavar="SHARE",
        help="span scoring: how much of the answer a snippet must overlap (0: any of it; 0.5: half)",
    )
    evaluate.add_argument(
        "--alone", action="store_true", help="ask every question on its own, even where the file has conversations"
    )
    evaluate.add_argument(
        "--reader", choices=("both", "on", "off"), default="both",
        help="answer with the reader, without it, or both ways side by side (default: both)",
    )
    return parser


def overrides_from(args: argparse.Namespace):
    """The folders given on the command line, as the core takes them."""
    from pathlib import Path

    from ..config import Overrides

    for flag, value in (("--sources", args.sources), ("--index", args.index), ("--config", args.config)):
        if value is not None and not value.strip():
            raise UsageError(f"{flag} names no folder or file (it is empty)")
    return Overrides(
        sources=Path(args.sources) if args.sources else None,
        index=Path(args.index) if args.index else None,
    )


# The counted stages of a build, as the progress bars name them and their units.
COUNTED_STAGES = {"scan": ("Reading", "file"), "embed": ("Embedding", "passage")}
# Seconds between a bar's redraws: on a terminal, often; into a log or a pipe, seldom (each redraw
# stays in the file there).
REDRAW_TERMINAL_S = 0.1
REDRAW_LOG_S = 10.0


def _counting_bar(total: int, name: str, unit: str, stream: TextIO | None = None):
    """A tqdm bar on ``stream`` (stderr) counting to ``total``: on a terminal, redrawn often; into a log
    (not a terminal), a line saying the stage has begun ("Embedding 155 passages"), then the bar every
    ``REDRAW_LOG_S`` at most, in ASCII, first once the stage has run that long (a new user's log of a
    10-second build held two bars stuck at 0%, the only lines drawn)."""
    from tqdm import tqdm

    stream = stream or sys.stderr
    terminal = _is_terminal(stream)
    if not terminal:
        stream.write(f"{name} {total} {unit}s\n")
        stream.flush()
    return tqdm(
        total=total, desc=name, unit=unit, file=stream, leave=False, ascii=not terminal,
        mininterval=REDRAW_TERMINAL_S if terminal else REDRAW_LOG_S, miniters=1, delay=0 if terminal else REDRAW_LOG_S,
    )


@contextmanager
def _progress_bars() -> Iterator[ProgressCallback]:
    """A build progress callback drawing tqdm bars on stderr: files read, then passages embedded,
    each with its rate and the time left. The bars are closed however the build ends, so that an
    error's one line never shares its line with a bar (``_counting_bar``: seldom and in ASCII into a log)."""
    bars: dict[str, object] = {}

    def report(step) -> None:
        if step.stage not in COUNTED_STAGES or step.total <= 1:
            return
        bar = bars.get(step.stage)
        if bar is None:
            bar = bars[step.stage] = _counting_bar(step.total, *COUNTED_STAGES[step.stage])
        bar.update(step.done - bar.n)  # redrawn only when its interval has passed
        if step.done >= step.total:
            bar.close()

    try:
        yield report
    finally:
        for bar in bars.values():
            bar.close()


def _print_build_report(report, out: TextIO, err: TextIO, which: str = "") -> None:
    """What a build did on ``out``; each file skipped or read with a warning, and the files no include
    pattern takes, a line each on ``err`` (named by ``which``, the collection, where there are several)."""
    changes = report.changes
    out.write(report.describe() + "\n")
    counts = [f"{len(changes.edited if kind == 'changed' else files)} {kind}" for kind, files in changes.kinds]
    if changes.reread:
        counts.append(f"{len(changes.reread)} read anew by this version")
    out.write(f"Files: {', '.join(counts)}, {len(changes.unchanged)} unchanged.\n")
    out.flush()  # the report's lines before its warnings where both go to one terminal
    for item in report.skipped:
        err.write(f"warning: {printable(which + item.source)}: {printable(item.reason)}\n")
    if changes.not_included:
        err.write(f"not read: {printable(which)}{not_included_note(changes.not_included)}\n")


# How many of the files no include pattern takes are named.
NOT_INCLUDED_NAMED = 4


# A character a pattern reads as more than itself, escaped with a backslash in a pattern.
_GLOB_SPECIAL = re.compile(r"[\[\]*?!\\]")


def _literal(text: str) -> str:
    """``text`` as a pattern that takes it and nothing else ("[draft]" -> "\\[draft\\]")."""
    return _GLOB_SPECIAL.sub(lambda special: "\\" + special.group(), text)


def _toml_string(text: str) -> str:
    """``text`` as config.toml writes it: between double quotes, or single ones (a literal string) where
    it holds a backslash, which a double-quoted string would read as an escape."""
    return f"'{text}'" if "\\" in text else f'"{text}"'


def not_included_note(names: tuple[str, ...]) -> str:
    """What a build and ``status`` say, after "not read: ", of the files in the sources folder that no
    include pattern takes: how many, the first few by name, and how to have them read."""
    shown = [printable(name) for name in names[:NOT_INCLUDED_NAMED]]
    more = len(names) - len(shown)
    listed = ", ".join(shown) + (f" and {more} more" if more else "")
    # The patterns that would take them, by type as written ("**/*.org"; the patterns tell "ORG" from
    # "org"): a new user was told to "add a pattern" and had to find out which.
    types = dict.fromkeys(PurePosixPath(name).suffix for name in names)
    patterns = ", ".join(_toml_string(f"**/*{printable(_literal(suffix))}") for suffix in types if suffix)
    what = patterns if patterns and "" not in types and len(types) <= NOT_INCLUDED_NAMED else "a pattern"
    return (
        f"{counted(len(names), 'file')} no include pattern takes ({listed}): "
        f"add {what} to [sources] include in config.toml to read them"
    )


@contextmanager
def _ctrl_c_cancels() -> Iterator[Callable[[], bool]]:
    """During a build, ctrl+c asks it to stop at its next step (the last good index stays), and the
    command then ends as interrupted, rather than raising KeyboardInterrupt wherever the interpreter is:
    in an import's module lock it was swallowed ("Exception ignored ...") and the build went on to
    report success. Pressed after the build's last step, it ends the command all the same (the index
    built is kept); pressed twice, it interrupts at once. Yields whether ctrl+c was pressed."""
    pressed = threading.Event()
    previous = signal.getsignal(signal.SIGINT)
    # Only the main thread hears signals; a SIGINT ignored by the parent (nohup, a runner) stays ignored;
    # a handler not set from Python (None) could not be put back.
    if threading.current_thread() is not threading.main_thread() or previous in (signal.SIG_IGN, None):
        yield pressed.is_set
        return

    def on_ctrl_c(signum, frame) -> None:
        if pressed.is_set():
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        pressed.set()

    signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        yield pressed.is_set
    except BuildCancelled:
        if pressed.is_set():
            raise KeyboardInterrupt from None
        raise
    finally:
        signal.signal(signal.SIGINT, previous)
    if pressed.is_set():
        raise KeyboardInterrupt


def collection_label(name: str | None) -> str:
    """What a line about one collection opens with where there are several ("collection papers: "); ""
    for none."""
    return f"collection {name}: " if name else ""


def ensure_index_saying(assistant, err: TextIO, collection: str | None = None) -> None:
    """Let the assistant build a missing index or update a stale one, saying so on stderr (naming the
    ``collection`` where there are several). A damaged or mismatched index is left for the question to
    report, with what to do."""
    which = collection_label(collection)

    def starting(check: IndexCheck) -> None:
        if check.state is IndexState.MISSING:
            err.write(f"{which}No index yet: building it from the sources (first run).\n")
        else:
            changes = check.status.changes
            if changes.only_reread:  # an upgrade, not an edit: said as such
                err.write(f"{which}This version reads {counted(len(changes.reread), 'source')} another way: updating the index.\n")
            else:
                err.write(f"{which}Sources changed since the last build ({changes.describe()}): updating the index.\n")

    with _progress_bars() as progress, _ctrl_c_cancels() as interrupted:
        check = assistant.ensure_index(progress=progress, starting=starting, should_cancel=interrupted)
    if check.report is not None:
        _print_build_report(check.report, err, err, which)
    elif check.problem and check.state in (IndexState.LOCKED, IndexState.STALE):  # busy, or cannot be written
        err.write(f"warning: {which}{printable(check.problem)}; answering from the last built index\n")


# What the user is told to do about an error or the index's state, by the error's remedy ({command}: the
# command as the user gave it, ``invocation``). A config problem's message names the key to change itself.
REMEDY_COMMANDS = {
    Remedy.UPDATE: "run `{command} index`",
    Remedy.REBUILD: "run `{command} index --rebuild`",
    Remedy.WAIT: "wait for it to finish",
    Remedy.CHOOSE_SOURCES: (
        "ask about a folder of your own with `assistant --sources DIR`, keep it as a collection with "
        "`assistant collections add NAME DIR`, or name a config with --config PATH"
    ),
    Remedy.REINSTALL: "install the assistant again (`pip install --force-reinstall`, or `make install` in a clone)",
}


def with_remedy(message: str, remedy: Remedy | None, command: str) -> str:
    """The message, then the command (or the wait) that mends it, as ``command`` (``invocation``) runs it."""
    todo = REMEDY_COMMANDS.get(remedy) if remedy is not None else None
    return f"{message}; {todo.format(command=command)}" if todo else message


def invocation(args: argparse.Namespace) -> str:
    """The command as the user gave it, up to its subcommand (``assistant --sources ~/papers``): what a
    command the user is told to run must repeat, or it would mend another folder's index."""
    parts = ["assistant"]
    for flag, value in (("--config", args.config), ("--sources", args.sources), ("--index", args.index), ("-c", args.collection)):
        if value:
            parts += [flag, shlex.quote(value)]
    return " ".join(parts)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` safe for a terminal, on one line: control characters (escape sequences, newlines and
    tabs among them) shown as ``^X`` or ``\\xNN`` instead of acted on, and bytes that are not text as
    ``\\xNN``. Source text, file names and questions are never sent raw."""
    def show(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"^{chr(code + 64)}" if code < 32 else ("^?" if code == 127 else f"\\x{code:02x}")

    return _CONTROL.sub(show, shown(text))


BOLD, NORMAL = "\x1b[1m", "\x1b[22m"


def _is_tty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _is_terminal(out: TextIO) -> bool:
    """Whether ``out`` is a terminal that shows bold (not a pipe, a file, or a dumb terminal)."""
    return _is_tty(out) and os.environ.get("TERM") != "dumb"


def quote_line(snippet, bold: bool, shown: bool = True) -> str:
    """The snippet's text on one line (each run of whitespace one space) as its file shows it
    (``shown_quote``), control characters shown; with ``bold``, the words that answer the question in
    ANSI bold; without ``shown``, the file's exact text (MCP: an agent may quote it back, or find it)."""
    text, mark = snippet.text, snippet.answer
    if not shown:
        return printable(" ".join(text.split()))
    if mark is None or not bold:
        return printable(" ".join(as_shown(text, snippet.citation.source).text.split()))
    start, end = mark.start - snippet.citation.start, mark.end - snippet.citation.start
    view = as_shown(text, snippet.citation.source, keep=(start, end))  # a Markdown file's "**25 days**" reads "25 days"
    flat = lambda part: re.sub(r"\s+", " ", part)  # noqa: E731
    before, words, after = flat(view.part(0, start)).lstrip(), flat(view.part(start, end)), flat(view.part(end, len(text))).rstrip()
    return printable(before) + BOLD + printable(words) + NORMAL + printable(after)


def _print_answer(answer, out: TextIO, err: TextIO, command: str) -> None:
    if answer.changed_sources:
        err.write(
            f"note: {printable(', '.join(answer.changed_sources))} changed since the index was built; "
            f"what it no longer says is not quoted (run `{printable(command)} index` to update)\n"
        )
    bold = _is_terminal(out)  # piped, the answering words stand on a line of their own: bold is lost
    for line in answer_lines(answer, bold=bold, answer_words=not bold):
        out.write(line + "\n")


def table_columns(snippet) -> str | None:
    """The names of a table row's columns, as its header says them ("Package · Version · Owner"), or
    None for a snippet of another kind: a row alone did not say which cell was the owner, which the
    due date (the chat's card shows them)."""
    from ..sources.structure import table_title  # read when an answer is shown, not at start-up

    table = table_title(snippet.passage.kind, snippet.passage.title)
    return table[1] if table is not None else None


def snippet_section(snippet) -> str | None:
    """The headings a snippet's passage stands under, below its document's title ("[2.3.0] - 2024-08-27
    — Changed"), or None where it stands under none, or is a table's row (its columns are said): a
    changelog's "Upgraded Postgres from 14 to 15." was quoted with no version or date (the chat's card
    shows them in its title)."""
    from ..sources.structure import TITLE_PARTS, table_title  # read when an answer is shown, not at start-up

    if table_title(snippet.passage.kind, snippet.passage.title) is not None:
        return None
    section = snippet.passage.title.partition(TITLE_PARTS)[2]
    if section and snippet.text.startswith(section.rpartition(TITLE_PARTS)[2]):
        return None  # the quote opens with its heading (``answers.heading_quote``)
    return section or None


def answer_lines(answer, bold: bool, answer_words: bool = False, shown: bool = True) -> list[str]:
    """The answer as lines to read: the abstention, or each snippet numbered with its citation, confidence
    (``shown_quote.sureness``) and quote (as its file shows it, ``shown_quote``, unless not ``shown``; the answering words in bold
    where ``bold``; on a line of their own with ``answer_words``; a table's row after its columns'
    names, another passage after the headings it stands under), and the other places it stands; after an abstention, the nearest passage so (a new user's
    "GPLv3" question abstained, the rule it asked for first among them, and the CLI never showed them)."""
    lines = []
    snippets = answer.snippets
    if answer.abstained:
        lines.append(f"The sources do not answer this: {printable(answer.reason or '')}.")
        snippets = snippets[:1]  # the nearest, as the chat shows it: the answer may be a spelling away
        if snippets:
            lines.append("The nearest passage, not an answer:")
    for rank, snippet in enumerate(snippets, start=1):
        label = "" if answer.abstained else snippet_label(snippet)
        label = f"  {label}" if label else ""
        name, value = sureness(snippet)
        lines.append(f"{rank}. {printable(snippet.citation.label())}  ({name} {value:.2f}){label}")
        if columns := table_columns(snippet):
            lines.append(f"   columns: {printable(columns)}")
        elif section := snippet_section(snippet):
            lines.append(f"   section: {printable(section)}")
        lines.append(f"   “{quote_line(snippet, bold, shown)}”")
        if answer_words and snippet.answer is not None:  # on one line, as the quote (a PDF's "about a\nthird")
            lines.append(f"   answer: {printable(' '.join(snippet.answer.text.split()))}")
        if snippet.also:
            lines.append(f"   also in {printable(', '.join(c.label() for c in snippet.also))}")
    return lines


def _command_ask(library, args, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    """One question, or one a line from stdin. A bad line gets its own one-line error (with --json,
    an object with an ``error`` field in its place) and the batch goes on; the exit code is the worst:
    2 if any line failed, else 1 if any was not answered, else 0."""
    asked_as = " ".join(args.question)  # an unquoted question comes as its words
    if asked_as != "-" and not asked_as.strip():
        raise UsageError("the question is empty")
    batch = asked_as == "-"
    if args.conversation and not batch:
        raise UsageError("--conversation reads the conversation from stdin: give '-' as the question")
    if not batch:
        from ..api import checked_question

        checked_question(recovered(asked_as))  # a question that cannot be asked is said before any build
    for name in library.names:
        ensure_index_saying(library.assistant(name), err, name if len(library.names) > 1 else None)
    conversation = Conversations() if args.conversation else None
    # A line (or argument) in another encoding than UTF-8 is read as a source file's bytes would be.
    questions = (recovered(line).strip() for line in _lines_as_given(stdin)) if batch else iter([recovered(asked_as)])
    code = EXIT_OK
    asked = 0
    for line, question in enumerate(questions, start=1):  # blank lines are skipped, and still counted
        if not question:
            continue
        asked += 1
        try:
            answer, turns = library.ask(question, k=args.k, mode=args.mode, conversation=conversation)
        except QuestionError as exc:
            if not batch:
                raise
            code = EXIT_USAGE
            if args.json:
                out.write(json.dumps({"question": question, "error": exc.message}, ensure_ascii=False) + "\n")
            else:
                out.write(f"Q: {printable(question[:200])}\n")
            err.write(f"assistant: error: line {line}: {exc.message}\n")
            out.flush()
            continue
        if conversation is not None:
            conversation = turns
        if answer.abstained and code == EXIT_OK:
            code = EXIT_NO_ANSWER
        if args.json:
            out.write(json.dumps(answer.to_json_dict(), ensure_ascii=False) + "\n")
        else:
            if batch:
                out.write(f"Q: {printable(question)}\n")
            if how := answer.how_read():
                out.write(f"   ({printable(how)})\n")
            _print_answer(answer, out, err, invocation(args))
        out.flush()
    if asked == 0:
        raise UsageError("no question given on stdin")
    return code


def _each_collection(library, out: TextIO, command) -> int:
    """Run ``command(assistant, name)`` on each collection, under its name where there are several; the
    exit code is the worst."""
    code = EXIT_OK
    for number, name in enumerate(library.names):
        if len(library.names) > 1:
            out.write(("" if number == 0 else "\n") + f"collection: {name}\n")
            out.flush()
        code = max(code, command(library.assistant(name), name))
    return code


def _one_collection(library, command: str):
    """The one collection's assistant a command works on; a usage error when there are several."""
    if len(library.names) > 1:
        raise UsageError(f"{command} works on one collection: pick it with -c NAME ({', '.join(library.names)})")
    return library.assistant()


def _command_collections(args, overrides, out: TextIO) -> int:
    from pathlib import Path

    from ..config import load_config
    from ..named_collections import add_collection, collections_of, remove_collection
    from ..store.layout import MANIFEST

    config = load_config(args.config, overrides=overrides, sources_required=False)
    if args.action == "add":
        include = tuple(args.include) if args.include else None
        exclude = tuple(args.exclude) if args.exclude else None
        added = add_collection(config, args.name, Path(args.folder), include, exclude)
        # The folder's own index, which `--sources FOLDER` builds and answers from too.
        built = "already built, the one --sources answers from" if (added.index_dir / MANIFEST).exists() else "built on first use"
        out.write(f"Added the collection {added.name}: {printable(str(added.sources_dir))} "
                  f"(its index, {built}: {printable(str(added.index_dir))})\n")
    elif args.action == "remove":
        removed = remove_collection(config, args.name)
        name, folder, index = removed.collection.name, printable(str(removed.collection.sources_dir)), printable(str(removed.collection.index_dir))
        if removed.sharing:  # two names for one folder share its index
            out.write(f"Removed the collection {name} (its index is kept: {', '.join(removed.sharing)} answers from it too); {folder} is untouched\n")
        elif removed.kept:  # the folder's own index, which `--sources FOLDER` answers from too
            out.write(f"Removed the collection {name}; {folder} is untouched, and so is its index, which "
                      f"`assistant --sources {shlex.quote(folder)}` answers from: {index} (delete that folder to free its space)\n")
        else:
            out.write(f"Removed the collection {name} and its index; {folder} is untouched\n")
    else:
        for collection in collections_of(config):
            where = {"main": "[sources] of the config", "config": "config.toml", "added": "collections add"}[collection.origin]
            gone = "" if collection.sources_dir.is_dir() else ", its folder is gone"
            out.write(f"{collection.name}\t{printable(str(collection.sources_dir))}\tindex: "
                      f"{printable(str(collection.index_dir))}\t({where}{gone})\n")
    return EXIT_OK


def _command_index(assistant, args, out: TextIO, err: TextIO, which: str = "") -> int:
    cluster = assistant.config.settings.cluster
    if args.ray is not None:
        try:
            cluster = cluster.model_copy(update={"address": check_ray_address(args.ray)})
        except ValueError as exc:
            raise UsageError(f"--ray: {exc}") from None
    with _progress_bars() as progress, _ctrl_c_cancels() as interrupted:
        report = assistant.build_index(rebuild=args.rebuild, progress=progress, cluster=cluster, should_cancel=interrupted)
    if cluster.address and report.passages_embedded:
        out.write(f"Embedded on the Ray cluster at {cluster.address} ({cluster.workers} model workers)\n")
    _print_build_report(report, out, err, which)
    return EXIT_OK


def watch_indexes(watched: Sequence[tuple[str, object]], out: TextIO, err: TextIO, command: str = "assistant") -> int:
    """``index --watch``: follow the sources of each (name, assistant) until ctrl+c, printing a line on
    stdout for each update that changed the index, and each problem or warning as one line on stderr
    (named where there are several). 0 once interrupted (an update under way is cancelled: the index
    stays whole); a watch that ended by itself, its error's code."""
    import threading

    from ..watcher import IndexWatcher, WatchUpdate

    writing = threading.Lock()  # each watch's thread writes whole lines

    def reporter(name: str):
        label = collection_label(name)

        def report(result) -> None:
            with writing:
                if isinstance(result, WatchUpdate):
                    if result.files_changed:
                        out.write(printable(label + result.describe()) + "\n")
                        out.flush()
                    for item in result.warnings:
                        err.write(f"warning: {printable(label + item.source)}: {printable(item.reason)}\n")
                else:
                    err.write(f"assistant: {printable(label + with_remedy(result.describe(), result.remedy, command))}\n")
                err.flush()

        return report

    watchers = [IndexWatcher(assistant, reporter(name)) for name, assistant in watched]
    try:
        for watcher in watchers:
            watcher.start(look_now=True)  # edits made during the build before it are taken in too
        folders = ", ".join(printable(str(assistant.config.sources_dir)) for _, assistant in watched)
        err.write(f"Watching {folders} for edits (ctrl+c stops).\n")
        err.flush()
        while any(watcher.running for watcher in watchers):
            for watcher in watchers:
                watcher.join(0.5)
    except KeyboardInterrupt:
        err.write("Stopped watching.\n")
        return EXIT_OK
    finally:
        for watcher in watchers:
            watcher.stop()
    # Every watch ended by itself (its sources folder gone): the first one's error says why.
    errors = [watcher.error for watcher in watchers if watcher.error is not None]
    return errors[0].exit_code if errors else EXIT_OK


QUESTION_ENCODER_STATES = {
    "onnx": "questions by the index's ONNX export of the model",
    "model": "questions by the model itself (no ONNX export of it)",
}


def up_to_date(status) -> str:
    """What the stale line says of sources unchanged since the build: never "up to date" beside a
    problem with the index itself."""
    return "no (the sources are as built; the index is not: see problem)" if status.problem else "no, up to date"


def _command_status(assistant, args, out: TextIO) -> int:
    status = assistant.status()
    if args.json:
        out.write(status.model_dump_json(indent=2) + "\n")
    else:
        config = status.config_path or "none (every setting its default)"
        out.write(f"config:   {printable(str(config))}\nsources:  {printable(str(status.sources_path))}\n"
                  f"index:    {printable(str(status.index_path))}\n")
        out.write(f"model:    {status.model}\n")
        if status.building:
            out.write(f"building: now, by {printable(status.building)} (questions are answered from the last built index)\n")
        if not status.exists:
            out.write(f"state:    no index yet (run `{printable(invocation(args))} index`)\n")
        else:
            out.write(f"built:    {status.built_at}\nfiles:    {status.files}\npassages: {status.passages}\n")
            changes = status.changes
            out.write(f"stale:    {changes.describe() if changes.is_stale else up_to_date(status)}\n")
            if status.question_encoder is not None:
                out.write(f"encoder:  {QUESTION_ENCODER_STATES[status.question_encoder]}\n")
            out.writelines(line + "\n" for line in file_lines(status))
        if status.problem:  # (with no index, the state line above already says what to run)
            problem = with_remedy(status.problem, status.remedy, invocation(args)) if status.exists else status.problem
            out.write(f"problem:  {printable(problem)}\n")
    if status.problem and status.exists:
        return EXIT_INDEX
    return EXIT_OK if status.exists else EXIT_INDEX


def file_lines(status) -> list[str]:
    """``status``'s lines of files: each changed since the build, each the build passed over and why,
    each it indexed with a warning (as the CLI and MCP's ``status`` write them)."""
    reread = set(status.changes.reread)  # changed only in how this version reads them
    lines = [
        f"  {'read anew' if name in reread else label}: {printable(name)}"
        for label, names in status.changes.kinds for name in names
    ]
    lines += [f"skipped:  {printable(item.source)}: {printable(item.reason or 'not indexed')}" for item in status.skipped]
    lines += [f"warning:  {printable(item.source)}: {printable(item.reason)}" for item in status.warnings]
    if status.changes.not_included:
        lines.append(f"not read: {not_included_note(status.changes.not_included)}")
    return lines


def _command_status_of_all(library, out: TextIO) -> int:
    """``status --json`` of several collections: one object, a status by collection name."""
    statuses = {name: library.assistant(name).status() for name in library.names}
    out.write(json.dumps({name: json.loads(s.model_dump_json()) for name, s in statuses.items()}, indent=2) + "\n")
    usable = all(s.exists and not s.problem for s in statuses.values())
    return EXIT_OK if usable else EXIT_INDEX


def _command_eval(assistant, args, out: TextIO, err: TextIO) -> int:
    from ..evaluation.run import READER_SETTINGS, load_questions, run_evaluation
    from ..evaluation.tables import format_misses, format_phrase_table, format_table

    questions = load_questions(args.questions)
    if args.limit is not None:
        questions = questions[: args.limit]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in ("dense", "lexical", "hybrid")]
    if unknown or not modes:
        raise UsageError(f"unknown mode(s): {', '.join(unknown) or '(none)'}; choose from dense, lexical, hybrid")
    ensure_index_saying(assistant, err)
    if not 0.0 <= args.min_overlap <= 1.0:
        raise UsageError("--min-overlap must be between 0 and 1")
    results = []
    readers = READER_SETTINGS[args.reader]
    with closing(_counting_bar(len(questions) * len(modes) * len(readers), "Evaluating", "q", err)) as bar:
        for on in readers:
            rows = run_evaluation(
                assistant.with_reader(on), questions, modes, lambda: bar.update(1),
                scoring=args.scoring, min_overlap=args.min_overlap, as_conversations=not args.alone,
            )
            results.extend(r.model_copy(update={"mode": f"{r.mode}+reader"}) if on else r for r in rows)
    if args.json:
        out.write(json.dumps([r.model_dump() for r in results], indent=2) + "\n")
    else:
        missed = format_misses(results)
        out.write(format_table(results) + "\n\n" + format_phrase_table(results) + "\n" + (f"\n{missed}\n" if missed else ""))
    return EXIT_OK


def _lines_as_given(stdin: TextIO):
    """The lines of ``stdin``, bytes that are not UTF-8 kept (as surrogates) rather than an error
    that would end the batch."""
    reconfigure = getattr(stdin, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="surrogateescape")
    return stdin


def main(argv: Sequence[str] | None = None, *, stdin: TextIO | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    stdin = stdin or sys.stdin
    command = "assistant"
    try:
        args = parse_arguments(argv)
        command = invocation(args)
        overrides = overrides_from(args)
        overrides.check()  # a mistyped folder is a one-line error here, not a screen in the chat
        if args.command in (None, "chat"):
            if not (_is_tty(stdin) and _is_tty(out)):  # it would draw into a file, and wait for keys forever
                raise UsageError(f"the chat needs a terminal; from a script or a pipe, ask with `{command} ask QUESTION`")
            from .tui.app import run_chat  # the app imports the core itself, after its first paint

            return run_chat(args.config, overrides, args.collection)
        if args.command == "collections":
            return _command_collections(args, overrides, out)
        from ..api import Library

        library = Library.open(args.config, overrides, args.collection)
        for note in library.gone_notes:  # a drive not mounted: the others answer, and the user is told
            err.write(f"warning: {printable(note)}\n")
        if args.command == "ask":
            return _command_ask(library, args, out, err, stdin)
        if args.command == "index":
            named = len(library.names) > 1
            code = _each_collection(
                library, out, lambda assistant, name: _command_index(assistant, args, out, err, collection_label(name if named else None))
            )
            if not args.watch or code != EXIT_OK:
                return code
            return watch_indexes([(name if named else "", library.assistant(name)) for name in library.names], out, err, invocation(args))
        if args.command == "status" and args.json and len(library.names) > 1:
            return _command_status_of_all(library, out)
        if args.command == "status":
            return _each_collection(library, out, lambda assistant, _name: _command_status(assistant, args, out))
        if args.command == "mcp":
            from .mcp_server import serve  # the MCP SDK loads only for this command

            return serve(library, invocation(args))
        assistant = _one_collection(library, args.command)
        if args.command == "eval":
            return _command_eval(assistant, args, out, err)
        raise UsageError(f"unknown command {args.command}")
    except AssistantError as exc:
        err.write(f"assistant: error: {printable(with_remedy(exc.message, exc.remedy, command))}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("assistant: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK


def entry_point() -> None:
    sys.exit(main())
