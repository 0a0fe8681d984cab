"""Build or update the index, all under the build lock, in a new folder beside the index: plan (read the
sources a file at a time, write the passage table, queue what is new and find the previous index's
vectors for the rest), embed what is queued, write the vectors, FAISS, BM25 and the manifest, then swap
the folder in. The old index stays until the swap; a failed build's folder is removed."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from ..config import Config
from ..errors import AssistantError, BuildCancelled, IndexWriteError
from ..models import BuildProgress, BuildReport, BuildStage, ProgressCallback, SourceChanges
from ..vectors.embedding import Embedder
from ..vectors.passage_embedding import EmbedPassages, LocalEmbedding
from ..vectors.model_location import resolve_model
from . import folder as index_folder
from . import shared_export
from .calibration import EncodeQuestions
from .changes import compare_sources, look_at_sources
from .encoder_export import export_question_encoder, kept_export, link_question_encoder
from .lock import BuildLock
from .manifest import (
    EncoderExport,
    Manifest,
    NoEncoderExport,
    check_compatible,
    check_usable,
    expected_settings,
    read_manifest,
)
from .plan import BuildPlan, plan_build
from .question_encoder import QuestionEncoder
from .scratch import FreshVectors
from .write import IndexRecord, RowCounts, SearchContents, VectorBlock, finish_index_folder


class _Build:
    """One build's inputs and the model, loaded only if something must be embedded or exported."""

    def __init__(self, config: Config, load_embedder: Callable[[], Embedder], model_name: str,
                 progress: ProgressCallback | None, should_cancel: Callable[[], bool] | None,
                 embed: EmbedPassages | None = None) -> None:
        self.config, self.model_name = config, model_name
        self._load_embedder = load_embedder
        self.embedder: Embedder | None = None
        self.report = progress or (lambda _step: None)
        self.cancelled = should_cancel or (lambda: False)
        self.embed = embed or LocalEmbedding(self.model)

    def model(self) -> Embedder:
        if self.embedder is None:
            self.stage(BuildStage.LOAD, 0)  # else the read sources' full bar stands still meanwhile
            self.embedder = self._load_embedder()
        return self.embedder

    def stage(self, stage: BuildStage, done: int) -> None:
        self.report(BuildProgress(stage=stage, done=done, total=1))

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise BuildCancelled("build cancelled; the previous index is unchanged")


def build_index(
    config: Config,
    load_embedder: Callable[[], Embedder],
    model_name: str,
    *,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
    should_cancel: Callable[[], bool] | None = None,
    embed: EmbedPassages | None = None,
) -> BuildReport:
    """Build or update the index; unchanged text is not embedded again. The old index stays until the
    swap. ``embed``: another way of embedding the passages than the local model (a Ray cluster)."""
    began = time.perf_counter()
    build = _Build(config, load_embedder, model_name, progress, should_cancel, embed)
    index_dir = config.index_dir
    # Before anything is created or moved: the index folder must be the index's own.
    index_folder.check_location(index_dir, config.sources_dir)
    with BuildLock(index_folder.lock_path(index_dir)):
        # Holding the lock, nothing else is building: a backup or a temporary folder is a dead build's.
        index_folder.claim(index_dir)
        index_folder.restore_backup(index_dir)
        index_folder.remove_dead_temporaries(index_dir)
        # Read even for a rebuild: it tells what changed, and its question encoder may be kept.
        previous = _previous_manifest(index_dir)
        unchanged = None if rebuild or previous is None else _unchanged_sources(build, previous)
        if unchanged is not None:  # up to date and whole: nothing to build (a million passages need not be copied)
            return BuildReport(
                files=previous.counts.files,
                passages=previous.counts.passages,
                passages_embedded=0,
                passages_reused=previous.counts.passages,
                changes=unchanged,
                skipped=previous.skipped_files(),
                seconds=time.perf_counter() - began,
            )
        plan = _build_in_new_folder(build, None if rebuild else previous, rebuild)
    embedded = plan.passages_embedded
    return BuildReport(
        files=len(plan.scan.encodings),
        passages=plan.passages,
        passages_embedded=embedded,
        passages_reused=plan.passages - embedded,
        changes=compare_sources(previous.sources if previous else {}, plan.source_records()).model_copy(
            update={"not_included": plan.scan.not_included}
        ),
        skipped=tuple(plan.scan.skipped) + tuple(plan.scan.warnings),
        seconds=time.perf_counter() - began,
    )


def _previous_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the index being replaced, if it can be read: what changed is told against it."""
    try:
        return read_manifest(index_dir)
    except AssistantError:  # none yet, damaged, or of another format
        return None


def _unchanged_sources(build: _Build, previous: Manifest) -> SourceChanges | None:
    """The sources (all unchanged) when the index was built from them as they are now, for this config,
    and every file of it is whole; None when a build has something to do."""
    index_dir = build.config.index_dir
    try:
        # The stat look first: an update whose sources changed does not read the index's gigabytes.
        look = look_at_sources(build.config, previous)
        # Something to build, a file touched but the same (its new stamp is recorded, or every look
        # reads it again), or a question encoder to make.
        if look.changes.is_stale or look.restamp or kept_export(previous, index_dir) is None:
            return None
        check_usable(index_dir, previous, build.config, build.model_name)
    except AssistantError:  # built otherwise, damaged, or the sources cannot be looked at: build
        return None
    return look.changes


def _build_in_new_folder(build: _Build, previous: Manifest | None, rebuild: bool) -> BuildPlan:
    """Plan, embed and write the new index in a folder beside the old one, then swap it in; on any
    failure remove what was written. The plan is returned for the report."""
    index_dir = build.config.index_dir
    tmp: Path | None = None
    try:
        tmp = index_folder.new_build_folder(index_dir)
        plan = plan_build(build.config, build.model_name, tmp, rebuild=rebuild, progress=build.report, cancelled=build.cancelled)
        try:
            build.check_cancelled()
            fresh = FreshVectors(tmp, plan.queue.sentence_counts())
            try:
                _embed(build, plan, fresh)
                build.check_cancelled()
                _write(build, plan, fresh, tmp, previous, rebuild)
            finally:
                fresh.remove()
        finally:
            plan.close()
        index_folder.fsync_tree(tmp)
        index_folder.swap_in(tmp, index_dir)
    except (OSError, sqlite3.OperationalError) as exc:  # SQLite says "database or disk is full" its own way
        if tmp is not None:
            index_folder.remove_if_ours(tmp)
        reason = getattr(exc, "strerror", None) or exc
        raise IndexWriteError(
            f"cannot write the index beside {index_dir} ({reason}); the previous index is unchanged"
        ) from exc
    except BaseException:
        if tmp is not None:
            index_folder.remove_if_ours(tmp)  # cancelled, interrupted, nothing to index: no half-written folder
        raise
    build.stage(BuildStage.WRITE, 1)
    return plan


def _embed(build: _Build, plan: BuildPlan, fresh: FreshVectors) -> None:
    """Embed the queued passages (one pass of the model each), each batch kept on disk as it comes."""
    if len(plan.queue):
        # Closed however the loop ends: a cluster's generator then lets go of the cluster at once.
        with closing(build.embed(plan.queue, build.report, build.cancelled)) as batches:
            for batch in batches:
                fresh.put(batch)
        if fresh.missing():
            raise ValueError(f"no vectors came back for {fresh.missing()} of the {len(plan.queue)} passages embedded")
    plan.queue.remove()  # read through: no scratch file may be left when the index's files are listed


def _write(build: _Build, plan: BuildPlan, fresh: FreshVectors, tmp: Path, previous: Manifest | None, rebuild: bool) -> None:
    """Write the new index's files beside the passage table the plan wrote, the manifest last."""
    encoder_entry = _question_encoder(build, tmp, previous, rebuild)
    build.stage(BuildStage.WRITE, 0)
    record = IndexRecord(
        model_name=build.model_name,
        settings=expected_settings(build.config, build.model_name),
        files=len(plan.scan.encodings),
        sources=plan.source_records(),
        skipped=plan.skipped_records(),
        question_encoder=encoder_entry,
    )
    encode_questions = _question_encoding(build, tmp, encoder_entry)

    def vector_blocks() -> Iterator[VectorBlock]:
        yield from plan.vector_blocks(fresh)
        # Read through: the scratch's disk, and the previous index's mapped pages, go before FAISS and BM25.
        fresh.remove()
        plan.close_previous()

    search = SearchContents(
        vectors=fresh if plan.embedded_in_row_order() else vector_blocks(),
        dimension=plan.dimension(fresh),
        lexical_texts=plan.lexical_texts(),
        calibration_queries=lambda: encode_questions(plan.sample.question_like()),
    )
    finish_index_folder(tmp, search, RowCounts(passages=plan.passages, sentences=plan.sentences), record)


def _question_encoding(build: _Build, folder: Path, entry: EncoderExport | NoEncoderExport) -> EncodeQuestions:
    """Texts encoded as the new index's questions will be (its export in ``folder``, or the model),
    opened only if asked (an IVF index's calibration)."""

    def encode(texts: Sequence[str]) -> np.ndarray:
        encoder = QuestionEncoder.open(folder, entry) if isinstance(entry, EncoderExport) else build.model()
        return encoder.encode_queries(texts)

    return encode


def _suits(previous: Manifest | None, build: _Build) -> bool:
    """Whether the previous index was built for this config's model and settings (its export may be kept)."""
    if previous is None:
        return False
    try:
        check_compatible(previous, build.config, build.model_name)
    except AssistantError:
        return False
    return True


def _question_encoder(build: _Build, tmp: Path, previous: Manifest | None, rebuild: bool) -> EncoderExport | NoEncoderExport:
    """The new index's question encoder: the previous export kept (linked), another index's export of
    the same model (linked), or exported afresh (always, for a rebuild)."""
    kept = kept_export(previous, build.config.index_dir) if _suits(previous, build) else None
    if isinstance(kept, EncoderExport):
        link_question_encoder(build.config.index_dir, tmp)
    if kept is not None:
        return kept
    # Another index of the same model (another collection) has made its export: linked, not made again.
    key = shared_export.model_key(resolve_model(build.config).location)
    stored = shared_export.link_stored(key, tmp) if key and not rebuild else None
    if stored is not None:
        return stored
    embedder = build.model()
    build.check_cancelled()
    build.stage(BuildStage.EXPORT, 0)
    entry = export_question_encoder(embedder, tmp)
    build.stage(BuildStage.EXPORT, 1)
    if key and isinstance(entry, EncoderExport):
        shared_export.keep(key, tmp, entry)
    return entry
