"""``Assistant``: the one Python API that the CLI and the TUI both use."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .config import MAIN_COLLECTION, ClusterSettings, Config, Overrides, load_config
from .errors import AssistantError, ConfigError, IndexFolderError, IndexLockedError, IndexMissingError, IndexWriteError, QuestionError, Remedy, SourcesError
from .models import (
    Answer,
    BuildReport,
    Conversation,
    Conversations,
    IndexCheck,
    IndexState,
    IndexStatus,
    Passage,
    SourceChanges,
    Snippet,
    SourceExcerpt,
    Timings,
)
from .sources.documents import extracted_source, is_hidden, patterns_take, source_stat, stat_unchanged
from .sources.excerpts import source_excerpt
from .sources.formats import ExtractedText
from .sources.outside_text import is_text
from .store.changes import detect_changes
from .store.folder import check_location, lock_path, recover_interrupted_swap
from .store.lock import running_build
from .store.manifest import Manifest, ManifestReads, check_encoder_files, check_usable, encoder_state
from .vectors.model_location import resolve_model

# numpy, FAISS, onnxruntime and torch come in with these, when a question or a build needs them:
# ``assistant status`` reads only the manifest.
if TYPE_CHECKING:
    from .answers.question_path import Trace
    from .named_collections import Collection
    from .models import ProgressCallback
    from .retrieval.search import Mode
    from .store.loaded import LoadedIndex
    from .answers.reader import Reader
    from .store.question_encoder import QuestionEncoder
    from .vectors.embedding import Embedder

MAX_QUESTION_CHARS = 2000


class Assistant:
    """Answers questions from the configured sources; loads the model and the index lazily, once."""

    def __init__(self, config: Config, models: SharedModels | None = None) -> None:
        self.config = config
        self._lock = threading.RLock()
        # The collections of one library load the embedding model once between them.
        self._models = models
        self._embedder: Embedder | None = None
        self._index: LoadedIndex | None = None
        self._question_encoder: QuestionEncoder | Embedder | None = None
        self._reader: Reader | None = None
        self._manifests = ManifestReads(config.index_dir)

    @classmethod
    def open(cls, config_path: Path | str | None = None, overrides: Overrides | None = None) -> "Assistant":
        """An assistant for the config at ``config_path`` (default: ``$ASSISTANT_CONFIG`` or ./config.toml),
        with the folders in ``overrides`` in place of the config's.

        An index path that names a folder not the index's own (the project, the sources, someone's
        files) is refused here, before anything could be written or moved there.
        """
        config = load_config(config_path, overrides=overrides)
        check_location(config.index_dir, config.sources_dir)
        return cls(config)

    @property
    def model_name(self) -> str:
        return resolve_model(self.config).name

    def load_model(self) -> Embedder:
        """The embedding model, loaded on first use."""
        with self._lock:
            if self._embedder is None:
                self._embedder = self._models.embedder(self.config) if self._models else _load_embedder(self.config)
            return self._embedder

    def load_question_encoder(self) -> QuestionEncoder | Embedder:
        """What turns a question into a vector, as the index says: its ONNX export of the model (no
        torch to import, about 3x faster per question), or for a model that cannot be exported the
        model itself, on one torch thread from then on. Raises what ``load_index`` raises."""
        with self._lock:
            if self._question_encoder is None:
                # A damaged export is the index's damage: reported, with its remedy.
                self._question_encoder = self.load_index().question_encoder() or self.load_model().for_questions()
            return self._question_encoder

    def load_word_frequencies(self) -> None:
        """Read the English word frequencies a follow-up is weighed by (a few tenths of a second, once),
        so that a chat's first follow-up does not wait for them."""
        from .retrieval.conversation import load_word_frequencies

        load_word_frequencies()

    def share_loaded(self, other: "Assistant") -> None:
        """Take what ``other`` has loaded that serves this assistant too: the model and the reader, and
        the question encoder where both indexes hold the same export (another collection's, same model)."""
        with self._lock:
            self._embedder = self._embedder or other._embedder
            if other.config.settings.answer.reader == self.config.settings.answer.reader:
                self._reader = self._reader or other._reader
            if self._question_encoder is None and other._question_encoder is not None and other._index is not None:
                if self._same_export_as(other._index.manifest):
                    self._question_encoder = other._question_encoder

    def _same_export_as(self, theirs: Manifest) -> bool:
        """Whether this index's ONNX export is the one ``theirs`` records: the same record and files."""
        try:
            mine = self._manifest()
        except AssistantError:
            return False
        if not mine.question_encoder.available or mine.question_encoder != theirs.question_encoder:
            return False
        from .store.layout import ENCODER_FILES

        return all(mine.files.get(name) == theirs.files.get(name) for name in ENCODER_FILES)

    def with_reader(self, on: bool) -> "Assistant":
        """This assistant with the reader turned on or off (``answer.reader``), sharing what it has
        loaded: the index and the question encoder do not depend on it."""
        settings = self.config.settings
        answer = settings.answer.model_copy(update={"reader": on})
        other = Assistant(self.config.model_copy(update={"settings": settings.model_copy(update={"answer": answer})}), self._models)
        with self._lock:
            other._embedder, other._index, other._question_encoder = self._embedder, self._index, self._question_encoder
            other._reader = self._reader
        return other

    def load_reader(self) -> Reader | None:
        """The shipped reader, loaded and checked on first use; None when the config turns it off.
        Raises ``ReaderError`` when its files are damaged."""
        if not self.config.settings.answer.reader:
            return None
        with self._lock:
            if self._reader is None:
                from .answers.reader import Reader

                self._reader = Reader.load()
            return self._reader

    @property
    def question_encoder_loaded(self) -> bool:
        """Whether a question can be encoded without loading anything more."""
        return self._question_encoder is not None

    def load_index(self) -> LoadedIndex:
        """The index, read and validated on first use."""
        with self._lock:
            if self._index is None:
                from .store.loaded import load_index

                self._recover()
                self._index = load_index(self.config, self.model_name)
            return self._index

    def _recover(self) -> None:
        """Put the last good index back if a build died between its two renames (the step before any read)."""
        recover_interrupted_swap(self.config.index_dir)

    def _manifest(self) -> Manifest:
        self._recover()
        return self._manifests.read()

    def index_exists(self) -> bool:
        try:
            self._manifest()
        except IndexMissingError:
            return False
        return True

    def changes(self) -> SourceChanges:
        """Sources added, changed or removed since the index was built (reads no model)."""
        return detect_changes(self.config, self._manifest())

    def build_index(
        self,
        *,
        rebuild: bool = False,
        progress: ProgressCallback | None = None,
        should_cancel: Callable[[], bool] | None = None,
        cluster: ClusterSettings | None = None,
    ) -> BuildReport:
        """Build or update the index from the sources; the model loads only if something must be embedded.
        With ``cluster``, the passages are embedded on that Ray cluster (the rest of the build is the same)."""
        with self._lock:
            from .store.build import build_index

            embed = None
            if cluster is not None and cluster.address:
                from .vectors.cluster import ClusterEmbedding

                embed = ClusterEmbedding(cluster, resolve_model(self.config), self.config.settings.model.precision)
            before = self._index.manifest if self._index is not None and self._question_encoder is not None else None
            report = build_index(
                self.config,
                self.load_model,
                self.model_name,
                rebuild=rebuild,
                progress=progress,
                should_cancel=should_cancel,
                embed=embed,
            )
            # The new index's export is the one already open (an update keeps it, byte for byte): it
            # stays open, so the next question does not open and probe it again.
            kept = self._question_encoder if before is not None and self._same_export_as(before) else None
            self._index, self._question_encoder = None, kept
            return report

    def status(self) -> IndexStatus:
        """The index's state: files, passages, model, build time, stale sources. Never loads the model."""
        base = dict(
            config_path=str(self.config.path) if self.config.from_file else None,
            sources_path=str(self.config.sources_dir),
            index_path=str(self.config.index_dir),
            model=self.config.settings.model.name,
            building=running_build(lock_path(self.config.index_dir)),
        )
        try:
            manifest = self._manifest()
        except IndexMissingError as exc:
            return IndexStatus(exists=False, problem="no index yet", remedy=exc.remedy, **base)
        except IndexFolderError:
            raise  # the config's mistake, not the index's state
        except AssistantError as exc:  # a damaged manifest is the state to report, not a failure
            return IndexStatus(exists=True, problem=exc.message, remedy=exc.remedy, **base)
        problem = remedy = None
        try:
            check_usable(self.config.index_dir, manifest, self.config, self.model_name)
            check_encoder_files(self.config.index_dir, manifest)  # what a question checks, checked here too
        except AssistantError as exc:
            problem, remedy = exc.message, exc.remedy
        return IndexStatus(
            exists=True,
            files=manifest.counts.files,
            passages=manifest.counts.passages,
            built_at=manifest.built_at,
            changes=detect_changes(self.config, manifest),
            skipped=manifest.skipped_files(),
            warnings=manifest.noted_files(),
            problem=problem,
            remedy=remedy,
            question_encoder=encoder_state(manifest),
            **base,
        )

    def check_index(self) -> IndexCheck:
        """Where the index stands and what the user can do next, from the manifest and a look at the
        sources (no model, no build): missing or stale (update), unusable (its problem's remedy), ready."""
        status = self.status()
        if not status.exists:
            return IndexCheck(state=IndexState.MISSING, remedy=Remedy.UPDATE, status=status)
        if status.problem:
            return IndexCheck(state=IndexState.UNUSABLE, remedy=status.remedy, problem=status.problem, status=status)
        if status.changes.is_stale:
            return IndexCheck(state=IndexState.STALE, remedy=Remedy.UPDATE, status=status)
        return IndexCheck(state=IndexState.READY, status=status)

    def ensure_index(
        self,
        *,
        update_stale: bool = True,
        progress: ProgressCallback | None = None,
        should_cancel: Callable[[], bool] | None = None,
        starting: Callable[[IndexCheck], None] | None = None,
    ) -> IndexCheck:
        """Make the index ready to answer where that needs no one's decision: a missing index is built,
        a stale one updated (unless ``update_stale`` is off: a long session answers from the old one
        until the user updates it), and when another build holds the lock, answers come from the last
        good index. A damaged or mismatched index is left as it is: the check says what mends it.
        ``starting`` hears of a build before it begins."""
        check = self.check_index()
        if check.state is not IndexState.MISSING and not (check.state is IndexState.STALE and update_stale):
            return check
        if check.state is IndexState.STALE and check.status.building is not None:
            # Someone is updating it already: answer from the last good index, and say so (not "updating").
            problem = f"another build is running ({check.status.building})"
            return IndexCheck(state=IndexState.LOCKED, remedy=Remedy.WAIT, problem=problem, status=check.status)
        if starting is not None:
            starting(check)
        try:
            report = self.build_index(progress=progress, should_cancel=should_cancel)
        except IndexLockedError as exc:
            if check.state is IndexState.MISSING:
                raise  # nothing to answer from until that build is done
            return IndexCheck(state=IndexState.LOCKED, remedy=exc.remedy, problem=exc.message, status=check.status)
        except (IndexWriteError, SourcesError) as exc:
            if check.state is IndexState.MISSING:
                raise
            # A folder that cannot be written (read-only, a full disk), or sources with nothing left to
            # index (a drive's empty mount point): the last good index still answers, the quote check
            # keeping what the files no longer say out of it, and the other collections answer too.
            return IndexCheck(state=IndexState.STALE, remedy=Remedy.UPDATE, problem=exc.message, status=check.status)
        state = IndexState.BUILT if check.state is IndexState.MISSING else IndexState.UPDATED
        return IndexCheck(state=state, status=check.status, report=report)

    def ask(
        self, question: str, k: int | None = None, mode: Mode | None = None, conversation: Conversation | None = None
    ) -> Answer:
        """The cited answer to ``question``: the best snippets, ranked, or an abstention. In a
        ``conversation``, the question is read in the context of the turns before it."""
        return self.ask_with_ranking(question, k, mode, conversation)[0]

    def ask_with_ranking(
        self, question: str, k: int | None = None, mode: Mode | None = None, conversation: Conversation | None = None
    ) -> tuple[Answer, list[Passage]]:
        """The answer, and the passages it was drawn from in their ranked order (for evaluation)."""
        trace = self.trace(question, k, mode, conversation)
        return trace.answer, trace.passages

    def trace(
        self, question: str, k: int | None = None, mode: Mode | None = None, conversation: Conversation | None = None
    ) -> Trace:
        """The answer with what it was drawn from: the ranked passages, and each snippet's confidence
        features (for evaluation and for fitting the confidence model)."""
        question = checked_question(question)
        settings = self.config.settings
        count = k if k is not None else settings.answer.snippets
        if count < 1:
            raise QuestionError("k must be at least 1")
        from .answers.question_path import answer_question

        return answer_question(
            self.load_index(),
            self.load_question_encoder(),
            question,
            reader=self.load_reader(),
            retrieval=settings.retrieval,
            mode=mode or settings.retrieval.mode,
            count=count,
            bar=self.confidence_bar,
            sources_dir=self.config.sources_dir,
            conversation=conversation,
        )

    @property
    def confidence_bar(self) -> float:
        """The confidence a snippet needs to be shown as an answer: ``answer.min_confidence``, or the bar
        the shipped model was calibrated to (the one for the reader's setting)."""
        chosen = self.config.settings.answer.min_confidence
        if chosen is not None:
            return chosen
        from .answers.confidence import shipped_model

        return shipped_model(reader=self.config.settings.answer.reader).default_bar

    def read_source(self, source: str) -> str:
        """A source file's decoded text, as the offsets of its citations refer to it."""
        return self.read_source_paged(source).text

    def read_source_paged(self, source: str) -> ExtractedText:
        """A source file's text as ``read_source`` gives it, with the offset where each page begins (a
        PDF's; none for a format without pages), to number its lines as its citations do."""
        if not self._inside_sources(source):
            raise QuestionError(f"not a source file: {source}")
        return extracted_source(self.config.sources_dir, source)

    def _inside_sources(self, source: str) -> bool:
        """Whether ``source`` names a path inside the sources folder, links followed."""
        try:
            return (self.config.sources_dir / source).resolve().is_relative_to(self.config.sources_dir)
        except (OSError, RuntimeError, ValueError):  # a NUL byte in it, a symlink loop (RuntimeError on 3.11)
            return False

    def holds_source(self, source: str) -> bool:
        """Whether the index holds ``source`` (a path as citations name it); False with no index."""
        try:
            return source in self._manifest().sources
        except IndexMissingError:
            return False

    def holds_as_it_stands(self, source: str) -> bool:
        """Whether the index took in ``source`` as the file stands now (its stat as the index records it,
        as ``changes`` compares it): one file looked at, not the folder. False with no index."""
        try:
            record = self._manifest().sources.get(source)
        except AssistantError:
            return False
        try:
            return record is not None and stat_unchanged(record, source_stat(self.config.sources_dir, source))
        except SourcesError:  # gone or unreadable now
            return False

    def _as_cited(self, source: str) -> str:
        """``source`` as citations name it: "./faq.txt" and the file's absolute path inside the sources
        folder are "faq.txt"."""
        path = Path(os.path.normpath(self.config.sources_dir / source))
        for folder in (self.config.sources_dir, self.config.sources_dir.resolve()):  # /tmp is /private/tmp on macOS
            if path.is_relative_to(folder):
                return path.relative_to(folder).as_posix()
        return source

    def _why_not_indexed(self, source: str, manifest: Manifest) -> str:
        """Why the index holds no ``source``, in words an agent can act on."""
        skipped = manifest.skipped.get(source)
        if skipped is not None:
            return f"passed over when the index was built: {skipped.reason}"
        path = self.config.sources_dir / source
        if path.is_dir():
            return "a folder: name a file in it as a citation does"
        if not path.exists():
            return "no such file in the sources folder: name it as a citation does, its path in the folder"
        # What a build reads (``find_source_files``): the patterns' files, none hidden. Asked of this one
        # file, not of a walk of the folder.
        if not patterns_take(source, self.config.settings.sources) or is_hidden(source):
            return "a file the sources' include and exclude patterns leave out, or a hidden one"
        return "added since the index was built: the next question updates the index"

    def read_source_lines(
        self, source: str, line_start: int | None = None, line_end: int | None = None, page: int | None = None
    ) -> SourceExcerpt:
        """An indexed source's text, lines ``line_start``..``line_end`` (1-based, inclusive, as citations
        count them); an end left out is the file's own, so with neither the whole text comes back. A
        PDF's lines are a page's: with ``page`` (1-based) they count from its top, its own last line the
        end left out, and the end may run on past the page as a citation's may; without a page only the
        whole text is read. ``QuestionError`` for a path outside the sources folder, a file the index does
        not hold, lines the file does not have, or lines of a PDF without their page."""
        if not source.strip():
            raise QuestionError("the source is empty")
        if not self._inside_sources(source):
            raise QuestionError(f"not a source file: {source} (not a path inside the sources folder)")
        source = self._as_cited(source)
        manifest = self._manifest()  # no index: IndexMissingError, with its remedy
        if source not in manifest.sources:
            raise QuestionError(f"not an indexed source: {source} ({self._why_not_indexed(source, manifest)})")
        extracted = extracted_source(self.config.sources_dir, source)
        return source_excerpt(source, extracted, line_start, line_end, page)


def _load_embedder(config: Config) -> Embedder:
    from .vectors.embedding import Embedder

    return Embedder.load(config)


class SharedModels:
    """The embedding model of a library's collections, loaded by the first that needs it (their model
    settings are the config's, the same for every collection): a watch of each collection, or each
    one's first update, does not load a model of its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._embedder: Embedder | None = None

    def embedder(self, config: Config) -> Embedder:
        with self._lock:
            if self._embedder is None:
                self._embedder = _load_embedder(config)
            return self._embedder


def checked_question(question: str) -> str:
    """The question as asked, stripped; ``QuestionError`` for one that cannot be asked (empty, too long,
    no words, not text), before any index is built or model loaded for it."""
    question = question.strip()
    if not question:
        raise QuestionError("the question is empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
    if not any(c.isalnum() for c in question):
        raise QuestionError("the question has no words (only punctuation or symbols)")
    if not is_text(question):
        raise QuestionError("the question holds bytes that are not text (undecoded, not UTF-8)")
    return question


def open_library(
    config_path: Path | str | None = None, overrides: Overrides | None = None, collection: str | None = None
) -> tuple["Library", Assistant]:
    """Every collection of the config, and the assistant of the one to start with: ``collection``, or
    the first (the config's own sources, where it has them); a ``ConfigError`` naming the collections
    for a name that is none."""
    every = Library.open(config_path, overrides)
    if collection is not None and collection not in every.names:
        Library.open(config_path, overrides, collection)  # raises the error that names them
    return every, every.assistant(collection)


class Library:
    """Answers from the collections (``assistant.named_collections``): one, or all of them at once. Each
    collection has its own ``Assistant`` and index; they share the model, the reader and, for indexes
    of the same model's export, the question encoder. Asked together, each collection answers and
    their snippets are merged by calibrated confidence; where there are named collections, every
    citation names its own (``papers:paper.pdf:p3:12``). A collection whose folder is gone is left out
    (``gone``), and the faces say so."""

    def __init__(self, collections: list[Collection], named: bool, gone: tuple[Collection, ...] = ()) -> None:
        if not collections:
            raise ConfigError("no collection to answer from")
        self.collections = collections
        # Whether the user has named collections: then citations say which one they are from.
        self.named = named
        self.gone = gone
        self._assistants: dict[str, Assistant] = {}
        self._models = SharedModels()
        self._lock = threading.RLock()

    @classmethod
    def open(cls, config_path: Path | str | None = None, overrides: Overrides | None = None, collection: str | None = None) -> "Library":
        """The collections of the config at ``config_path``: the one called ``collection``, or all."""
        from .named_collections import Collection, answering_and_gone, collections_of, named

        config = load_config(config_path, overrides=overrides, sources_required=False)
        if overrides is not None and overrides.sources is not None and collection is None:
            # `--sources DIR`: that folder alone, as asked, not the collections beside it.
            every, gone = [Collection(MAIN_COLLECTION, config, "main")], []
            chosen = every
        elif collection is None:
            every, gone = answering_and_gone(config)
            chosen = every
        else:
            every, gone = collections_of(config), []
            chosen = [named(config, collection, check=True)]
        for each in chosen:
            check_location(each.index_dir, each.sources_dir)
        return cls(chosen, named=bool(gone) or any(c.origin != "main" for c in every), gone=tuple(gone))

    @property
    def gone_notes(self) -> list[str]:
        """A line for each collection left out because its folder is gone."""
        from .named_collections import gone_note

        return [gone_note(c) for c in self.gone]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.collections]

    def assistant(self, name: str | None = None) -> Assistant:
        """The assistant of collection ``name`` (the first when None), made on first use and sharing
        what the others have loaded."""
        collection = self._collection(name)
        with self._lock:
            made = self._assistants.get(collection.name)
            if made is None:
                made = Assistant(collection.config, self._models)
                for other in self._assistants.values():
                    made.share_loaded(other)
                    break
                self._assistants[collection.name] = made
            return made

    def only(self, name: str) -> "Library":
        """This library narrowed to the collection ``name`` (sharing what it has loaded);
        ``QuestionError`` naming the collections there are when there is none of that name."""
        view = Library([self._collection(name)], self.named)
        view._assistants, view._models, view._lock = self._assistants, self._models, self._lock
        return view

    def _collection(self, name: str | None) -> Collection:
        if name is None:
            return self.collections[0]
        for collection in self.collections:
            if collection.name == name:
                return collection
        raise QuestionError(f"no collection named {name!r} here (the collections: {', '.join(self.names)})")

    def ask(
        self, question: str, k: int | None = None, mode: Mode | None = None, conversation: Conversations | None = None
    ) -> tuple[Answer, Conversations]:
        """The answer from every collection of the library, merged, and the conversation with it as its
        newest turn (each collection keeps its own turns: a follow-up is read in each one's context)."""
        conversation = conversation or Conversations()
        answers: dict[str, Answer] = {}
        for collection in self.collections:
            assistant = self.assistant(collection.name)
            answers[collection.name] = self.with_collection(
                assistant.ask(question, k=k, mode=mode, conversation=conversation.of(collection.name)), collection.name
            )
            for other in self._assistants.values():  # what this one loaded, the others need not load again
                if other is not assistant:
                    other.share_loaded(assistant)
        first = self.assistant()
        count = k if k is not None else first.config.settings.answer.snippets
        merged = merge_answers(question, list(answers.values()), count)
        return merged, conversation.then(answers)

    def with_collection(self, answer: Answer, name: str) -> Answer:
        """The answer of collection ``name`` with every citation naming it, where the library has named
        collections (``papers:paper.pdf:p3:12``); as it is otherwise."""
        if not self.named:
            return answer
        snippets = tuple(
            s.model_copy(update={
                "citation": s.citation.model_copy(update={"collection": name}),
                "also": tuple(c.model_copy(update={"collection": name}) for c in s.also),
            })
            for s in answer.snippets
        )
        changed = tuple(f"{name}:{source}" for source in answer.changed_sources)
        return answer.model_copy(update={"snippets": snippets, "changed_sources": changed})


def merge_answers(question: str, answers: list[Answer], count: int) -> Answer:
    """One answer from several collections' answers to the same question: their snippets ranked by
    calibrated confidence (an answer before a nearest passage), the best ``count``; it abstains only
    when every one of them does."""
    if len(answers) == 1:
        return answers[0]

    kept: dict[str, Snippet] = {}
    for snippet in _merged_in_order([list(a.snippets) for a in answers]):
        # The same words in two collections (a file kept in both) are one snippet, cited in both places.
        first = kept.get(snippet.text)
        if first is None:
            kept[snippet.text] = snippet
        else:
            kept[snippet.text] = first.model_copy(update={"also": (*first.also, snippet.citation, *snippet.also)})
    snippets = list(kept.values())[:count]
    answering = [a for a in answers if not a.abstained]
    abstained = not answering
    lead = answering[0] if answering else answers[0]
    if snippets:
        lead = next((a for a in answers if any(s.citation == snippets[0].citation for s in a.snippets)), lead)
    timings = Timings(**{
        field: sum(getattr(a.timings, field) for a in answers) for field in Timings.model_fields
    })
    return Answer(
        question=question,
        snippets=tuple(snippets),
        abstained=abstained,
        reason=answers[0].reason if abstained else None,
        timings=timings,
        changed_sources=tuple(source for a in answers for source in a.changed_sources),
        read_with=tuple(dict.fromkeys(word for a in answers for word in a.read_with)),
        read_with_question=(asked := next((a for a in (lead, *answers) if a.read_with_question), lead)).read_with_question,
        restated=asked.restated,
        read_as=lead.read_as,
        context=lead.context,
    )


def _merged_in_order(rankings: list[list[Snippet]]) -> Iterator[Snippet]:
    """Several rankings as one: each keeps its own order (its reader and scores chose it), and the next
    snippet is the head, among the rankings', with the highest calibrated confidence (an answer before
    a nearest passage)."""

    def rank(snippet: Snippet) -> tuple[bool, float, float]:
        # Where no one answers (every confidence 0), the best score is the nearest passage.
        return (snippet.is_answer, snippet.confidence if snippet.confidence is not None else snippet.score, snippet.score)

    heads = [0] * len(rankings)
    while True:
        waiting = [i for i, ranking in enumerate(rankings) if heads[i] < len(ranking)]
        if not waiting:
            return
        best = max(waiting, key=lambda i: rank(rankings[i][heads[i]]))
        yield rankings[best][heads[best]]
        heads[best] += 1
