"""``Assistant``: the one Python API that the CLI and the TUI both use."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, Overrides, load_config
from .documents import read_source_text
from .errors import AssistantError, IndexCorruptError, IndexFolderError, IndexMissingError, QuestionError
from .manifest import check_compatible, core_files, detect_changes, encoder_state, read_manifest, verify_files
from .model_location import resolve_model
from .models import Answer, BuildReport, Conversation, IndexStatus, Passage, SourceChanges, Timings
from .store.folder import check_location

# numpy, FAISS, onnxruntime and torch come in with these, when a question or a build needs them:
# ``assistant status`` reads only the manifest.
if TYPE_CHECKING:
    from .embedding import Embedder
    from .index import LoadedIndex, ProgressCallback
    from .question_encoder import QuestionEncoder
    from .retrieval import Mode

MAX_QUESTION_CHARS = 2000


@dataclass(frozen=True)
class Trace:
    """An answer with what it was drawn from: the ranked passages, and the features of each snippet's
    confidence (in the order of ``answer.snippets``)."""

    answer: Answer
    passages: list[Passage]
    features: list[dict[str, float]]


class Assistant:
    """Answers questions from the configured sources; loads the model and the index lazily, once."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._lock = threading.RLock()
        self._embedder: Embedder | None = None
        self._index: LoadedIndex | None = None

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

    @property
    def model_loaded(self) -> bool:
        return self._embedder is not None

    def load_model(self) -> Embedder:
        """The embedding model, loaded on first use."""
        with self._lock:
            if self._embedder is None:
                from .embedding import Embedder

                self._embedder = Embedder.load(self.config)
            return self._embedder

    def load_question_encoder(self) -> QuestionEncoder | Embedder:
        """What turns a question into a vector: the index's ONNX export of the model when it has one
        (no torch to import, about 3x faster per question), else the model itself.

        With no usable index yet, that is the model too, which the build will need anyway.
        """
        with self._lock:
            try:
                index = self.load_index()
            except (IndexMissingError, IndexCorruptError):
                return self.load_model()
            encoder = index.question_encoder()  # a damaged export is the index's damage: reported
            return encoder if encoder is not None else self.load_model()

    @property
    def question_encoder_loaded(self) -> bool:
        """Whether a question can be encoded without loading anything more."""
        index = self._index
        if index is not None and index.has_question_encoder:
            return index.question_encoder_open
        return self._embedder is not None

    def load_index(self) -> LoadedIndex:
        """The index, read and validated on first use."""
        with self._lock:
            if self._index is None:
                from .index import load_index

                self._index = load_index(self.config, self.model_name)
            return self._index

    def index_exists(self) -> bool:
        try:
            read_manifest(self.config.index_dir)
        except IndexMissingError:
            return False
        return True

    def changes(self) -> SourceChanges:
        """Sources added, changed or removed since the index was built (reads no model)."""
        return detect_changes(self.config, read_manifest(self.config.index_dir))

    def build_index(
        self,
        *,
        rebuild: bool = False,
        progress: ProgressCallback | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> BuildReport:
        """Build or update the index from the sources; the model loads only if something must be embedded."""
        with self._lock:
            from .index import build_index

            report = build_index(
                self.config,
                self.load_model,
                self.model_name,
                rebuild=rebuild,
                progress=progress,
                should_cancel=should_cancel,
            )
            self._index = None
            return report

    def status(self) -> IndexStatus:
        """The index's state: files, passages, model, build time, stale sources. Never loads the model."""
        base = dict(
            config_path=str(self.config.path),
            sources_path=str(self.config.sources_dir),
            index_path=str(self.config.index_dir),
            model=self.config.settings.model.name,
        )
        try:
            manifest = read_manifest(self.config.index_dir)
        except IndexMissingError:
            return IndexStatus(exists=False, problem="no index yet", **base)
        except IndexFolderError:
            raise  # the config's mistake, not the index's state
        except AssistantError as exc:  # a damaged manifest is the state to report, not a failure
            return IndexStatus(exists=True, problem=exc.message, **base)
        problem = None
        try:
            check_compatible(manifest, self.config, self.model_name)
            # Sizes and checksums of the files a load reads: stat and zlib only, no numpy or FAISS.
            verify_files(self.config.index_dir, manifest, core_files(manifest), fix="assistant index --rebuild")
        except AssistantError as exc:
            problem = exc.message
        counts = manifest.get("counts", {})
        return IndexStatus(
            exists=True,
            files=counts.get("files", 0),
            passages=counts.get("passages", 0),
            built_at=manifest.get("built_at"),
            changes=detect_changes(self.config, manifest),
            problem=problem,
            question_encoder=encoder_state(manifest),
            **base,
        )

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
        question = question.strip()
        if not question:
            raise QuestionError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        settings = self.config.settings
        count = k if k is not None else settings.answer.snippets
        if count < 1:
            raise QuestionError("k must be at least 1")
        from .answering import compose_answer, pick_snippets, score_sentences
        from .confidence import shipped_model, snippet_confidences
        from .conversation import read_in_context, remember
        from .lexical import tokenize
        from .query import Query
        from .quote_check import QuoteCheck
        from .retrieval import Retriever

        index = self.load_index()
        encoder = self.load_question_encoder()
        t0 = time.perf_counter()
        query = Query.alone(question, encoder.encode_query(question), tokenize(question))
        if conversation is not None and conversation.turns:
            query = read_in_context(query, conversation, index)
        t1 = time.perf_counter()
        ranked = Retriever(index, settings.retrieval).rank(query, mode or settings.retrieval.mode)
        t2 = time.perf_counter()
        scored = score_sentences(index, ranked, query)
        check = QuoteCheck(self.config.sources_dir, index.manifest.get("sources", {}))
        picked, changed = pick_snippets(scored, count, still_quoted=check.holds)
        confidences = snippet_confidences(shipped_model(), query, ranked, scored, picked, index)
        t3 = time.perf_counter()
        timings = Timings(embed=(t1 - t0) * 1000, search=(t2 - t1) * 1000, answer=(t3 - t2) * 1000)
        answer = compose_answer(
            question, picked, confidences.probabilities, self.confidence_bar, timings, changed, confidences.unmentioned
        )
        answer = remember(answer, query, {s.passage.id: s.row for s in scored})
        return Trace(answer=answer, passages=[index.passages[c.row] for c in ranked], features=confidences.features)

    @property
    def confidence_bar(self) -> float:
        """The confidence a snippet needs to be shown as an answer: ``answer.min_confidence``, or the bar
        the shipped model was calibrated to."""
        chosen = self.config.settings.answer.min_confidence
        if chosen is not None:
            return chosen
        from .confidence import shipped_model

        return shipped_model().default_bar

    def read_source(self, source: str) -> str:
        """A source file's decoded text, as the offsets of its citations refer to it."""
        path = (self.config.sources_dir / source).resolve()
        if not path.is_relative_to(self.config.sources_dir):
            raise QuestionError(f"not a source file: {source}")
        return read_source_text(self.config.sources_dir, source)
