"""Load and validate ``config.toml`` into typed settings; every key has a default that serves the sample."""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, ValidationError, field_validator, model_validator

from .errors import ConfigError, Remedy

DEFAULT_CONFIG_NAME = "config.toml"
CONFIG_ENV_VAR = "ASSISTANT_CONFIG"
DEFAULT_MODEL = "all-MiniLM-L6-v2"
APP_NAME = "assistant"
# A folder name is cut to this many characters in the per-user index folder's name; the hash keeps it unique.
MAX_FOLDER_NAME = 40


class Section(BaseModel):
    # Every number is finite: inf or nan in a config is an error naming its key, not an overflow later.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def one_pattern_as_list(value):
    """``include = "*.md"``: one pattern, written without the list's brackets, is a list of one."""
    return [value] if isinstance(value, str) else value


# File patterns (``include``, ``exclude``): a list, or one pattern alone.
Patterns = Annotated[tuple[str, ...], BeforeValidator(one_pattern_as_list)]


# The files read unless ``include`` says otherwise: text, Markdown, HTML, PDF, Word and CSV/TSV files, and files
# named without a type ("LICENSE", "GPL-3", "LGPL-2.1", "Apache-2.0": a suffix of digits is a version),
# which are read as plain text where they are text. As in .gitignore the last pattern that matches a
# file decides: every file, less those with a dot in their name, and again those whose suffix is digits,
# less a numbered copy of a typed file (a rotated log, "app.log.1"; "photo.jpg.2").
NAMED_WITHOUT_TYPE = ("**/*", "!**/*.*", "**/*.[0-9]", "**/*.[0-9][0-9]", "!**/*.[A-Za-z]*.[0-9]", "!**/*.[A-Za-z]*.[0-9][0-9]")
DEFAULT_INCLUDE = (*NAMED_WITHOUT_TYPE, "**/*.txt", "**/*.md", "**/*.markdown", "**/*.html", "**/*.htm", "**/*.pdf", "**/*.docx", "**/*.csv", "**/*.tsv")


class SourcesSettings(Section):
    path: str = "sources"
    include: Patterns = DEFAULT_INCLUDE
    exclude: Patterns = ()
    max_file_mb: float = Field(default=20.0, gt=0, le=1_000_000)


class IndexSettings(Section):
    path: str = "index"


# What a build embeds passages in (see ``embedding.native_bfloat16``).
Precision = Literal["auto", "float32", "bfloat16"]


class ModelSettings(Section):
    name: str = DEFAULT_MODEL
    batch_size: int = Field(default=64, ge=1, le=4096)
    # What a build embeds passages in: "auto" (bfloat16 where the CPU computes it in hardware, else
    # float32), "float32" or "bfloat16". Questions are always float32.
    precision: Precision = "auto"


class ChunkingSettings(Section):
    max_passage_chars: int = Field(default=1200, ge=100, le=100_000)


class RetrievalSettings(Section):
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    candidates: int = Field(default=20, ge=1, le=1000)
    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = Field(default=0.5, ge=0.0)
    lexical_weight: float = Field(default=0.3, ge=0.0)
    sentence_weight: float = Field(default=0.5, ge=0.0)

    @model_validator(mode="after")
    def _some_weight(self) -> "RetrievalSettings":
        if self.fusion == "weighted" and self.dense_weight == self.lexical_weight == self.sentence_weight == 0:
            raise ValueError("dense_weight, lexical_weight and sentence_weight are all 0: nothing would rank")
        return self


class AnswerSettings(Section):
    snippets: int = Field(default=3, ge=1, le=50)
    # The bar a snippet's confidence (the calibrated probability that it answers) must reach to be
    # shown as an answer; None: the bar the shipped model was calibrated to.
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    # Read the best candidates with the shipped reader (question and text together): it picks the
    # sentence that says the answer, marks the answering words, and tells the confidence model whether
    # the text says it. False: sentences ranked and words marked by the hand-written rules alone.
    reader: StrictBool = True


# A Ray address: "local" (a throwaway Ray here), "auto" (the one RAY_ADDRESS or this machine names),
# or a host and port, as a Ray client's (ray://host:10001) or a cluster head's (host:6379).
RAY_ADDRESS = re.compile(r"local|auto|(ray://)?(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):\d{1,5}")


def check_ray_address(address: str) -> str:
    """The address, stripped; a ValueError saying what one looks like if it is not one."""
    address = address.strip()
    if not RAY_ADDRESS.fullmatch(address):
        raise ValueError(f"not a Ray address: {address!r} (ray://host:10001, host:6379, auto, or local)")
    return address


class ClusterSettings(Section):
    """Where `assistant index` embeds: a Ray address (``ray://host:10001``, ``auto``) or ``local`` (a
    throwaway Ray on this machine); empty, this machine without Ray. ``workers``: model actors, one
    model load each; ``batch_size``: passages a batch sent to an actor."""

    address: str = ""
    workers: int = Field(default=2, ge=1, le=4096)
    batch_size: int = Field(default=32, ge=1, le=4096)

    @field_validator("address")
    @classmethod
    def _a_ray_address(cls, address: str) -> str:
        return check_ray_address(address) if address.strip() else ""


# A collection's name: what `-c NAME` picks and what its citations start with ("papers:paper.pdf:p3:12").
COLLECTION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
# The name of the config's own sources folder among the collections.
MAIN_COLLECTION = "main"


def check_collection_name(name: str) -> str:
    """The name, if it can name a collection; else a ValueError saying what one looks like."""
    if not COLLECTION_NAME.fullmatch(name):
        raise ValueError(f"not a collection name: {name!r} (letters, digits, '-' and '_', 40 at most, a letter or digit first)")
    if name == MAIN_COLLECTION:
        raise ValueError(f"'{MAIN_COLLECTION}' is the config's own sources folder; name the collection otherwise")
    return name


class CollectionSettings(Section):
    """A named folder with an index of its own: ``[collections.papers] sources = "~/papers"``. Its
    include and exclude patterns are the ``[sources]`` ones unless it gives its own; its index lives
    in the per-user data folder (as a ``--sources`` folder's does) unless ``index`` names one."""

    sources: str
    include: Patterns | None = None
    exclude: Patterns | None = None
    index: str | None = None


class Settings(Section):
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    collections: dict[str, CollectionSettings] = Field(default_factory=dict)

    @field_validator("collections")
    @classmethod
    def _named(cls, collections: dict[str, CollectionSettings]) -> dict[str, CollectionSettings]:
        for name in collections:
            check_collection_name(name)
        return collections


class Overrides(BaseModel):
    """Folders chosen for one run (on the command line, say), in place of the config's.

    Relative paths are taken from the working directory, not the config's folder. With ``sources``
    and no ``index``, the index lives in the per-user data folder (:func:`user_index_dir`), never
    inside the user's folder and never where the config's own index is.
    """

    model_config = ConfigDict(frozen=True)

    sources: Path | None = None
    index: Path | None = None

    def check(self) -> None:
        """Raise ConfigError when the sources folder given is not a folder (before anything else is read)."""
        if self.sources is None:
            return
        folder = _resolved(self.sources.expanduser().absolute())
        if not folder.exists():
            raise ConfigError(f"the sources folder does not exist: {folder}")
        if not folder.is_dir():  # one file of many, most often: its folder is what is asked
            raise ConfigError(f"the sources folder is not a folder: {folder} (name the folder that holds it, {folder.parent})")


class Config(BaseModel):
    """Settings plus where they came from; paths resolve against the config file's folder, a leading
    ``~`` to the user's home."""

    model_config = ConfigDict(frozen=True)

    # The config file; it may not exist when a run on an overridden sources folder uses the defaults.
    path: Path
    settings: Settings
    from_file: bool = True
    # The collection this config answers from: its own sources folder (``main``) or a named one.
    collection: str = MAIN_COLLECTION

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def sources_dir(self) -> Path:
        return _resolved(self.base_dir / Path(self.settings.sources.path).expanduser())

    @property
    def index_dir(self) -> Path:
        return _resolved(self.base_dir / Path(self.settings.index.path).expanduser())

    @property
    def transcripts_dir(self) -> Path:
        return self.base_dir / "transcripts"

    def for_collection(self, name: str, collection: CollectionSettings) -> "Config":
        """This config with a collection's folder, patterns and index in place of its own sources and
        index; every other setting (model, chunking, retrieval, answer) is this config's. Relative
        paths are taken from the config's folder."""
        sources_dir = _resolved(self.base_dir / Path(collection.sources).expanduser())
        index_dir = (
            _resolved(self.base_dir / Path(collection.index).expanduser()) if collection.index else user_index_dir(sources_dir)
        )
        base = self.settings.sources
        sources = base.model_copy(update={
            "path": str(sources_dir),
            "include": collection.include if collection.include is not None else base.include,
            "exclude": collection.exclude if collection.exclude is not None else base.exclude,
        })
        settings = self.settings.model_copy(update={"sources": sources, "index": IndexSettings(path=str(index_dir))})
        return self.model_copy(update={"settings": settings, "collection": name})


def _resolved(path: Path) -> Path:
    """``path`` made absolute with its links followed where they lead somewhere (a loop stays as it is)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, on Python 3.11
        return path.absolute()


def user_index_dir(sources_dir: Path) -> Path:
    """The per-user index folder of a sources folder: ``<user data dir>/indexes/<name>-<hash of its path>``."""
    import platformdirs  # only where a folder's index lives there: status of the config's own index needs none

    digest = hashlib.sha256(str(sources_dir).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    name = (sources_dir.name or "root")[:MAX_FOLDER_NAME]
    return Path(platformdirs.user_data_dir(APP_NAME)) / "indexes" / f"{name}-{digest}"


def default_config_path() -> Path:
    """The config the CLI uses when none is given: ``$ASSISTANT_CONFIG`` or ``./config.toml``."""
    return Path(os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_NAME)


def _describe_validation_error(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown key '{key}'"
    # A validator's own ValueError reads as pydantic words it: "Value error, <our message>".
    message = first["msg"].removeprefix("Value error, ")
    return f"{path}: bad value for '{key}': {message}"


def load_config(path: Path | str | None = None, *, overrides: Overrides | None = None, sources_required: bool = True) -> Config:
    """Read and validate the config file, with ``overrides`` applied.

    A missing config file is an error, except the default one (``./config.toml``, no
    ``$ASSISTANT_CONFIG``) when ``overrides`` names the sources: then every setting is its default.
    Without ``sources_required`` (the collections: the user's own may be all there is), a missing
    default config is every default and a missing sources folder is left for ``missing_sources`` to tell.
    """
    overrides = overrides or Overrides()
    overrides.check()
    chosen = path is not None or bool(os.environ.get(CONFIG_ENV_VAR))
    config_path = Path(path) if path is not None else default_config_path()
    config_path = config_path.expanduser().absolute()
    if config_path.is_dir():
        config_path = config_path / DEFAULT_CONFIG_NAME
    if not config_path.exists():
        if chosen:
            raise ConfigError(f"config file not found: {config_path}")
        if overrides.sources is None and sources_required:
            raise config_not_found(config_path)
        config = Config(path=config_path, settings=Settings(), from_file=False)
    else:
        config = Config(path=config_path, settings=_read_settings(config_path))
    config = _overridden(config, overrides)
    if sources_required and not config.sources_dir.is_dir():
        raise missing_sources(config)
    return config


def missing_sources(config: Config) -> ConfigError:
    """What to say of a config whose own sources folder is not there (and no collection instead)."""
    if not config.from_file:
        return config_not_found(config.path)
    return ConfigError(f"{config.path}: 'sources.path' names a folder that does not exist: {config.sources_dir}")


def config_not_found(path: Path) -> ConfigError:
    """No config was named and there is none here: most often a first run in another folder, whose user
    wants their own documents asked (the remedy, which each face words)."""
    return ConfigError(f"config file not found: {path}", remedy=Remedy.CHOOSE_SOURCES)


def _read_settings(config_path: Path) -> Settings:
    try:
        # utf-8-sig: a config saved by an editor that writes a byte-order mark reads as any other.
        raw = tomllib.loads(config_path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc}") from exc
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(config_path, exc)) from exc


def _overridden(config: Config, overrides: Overrides) -> Config:
    """``config`` with the overridden folders written in as absolute paths (so its folder no longer matters)."""
    settings = config.settings
    if overrides.sources is not None:
        sources_dir = _resolved(overrides.sources.expanduser().absolute())
        settings = settings.model_copy(update={"sources": settings.sources.model_copy(update={"path": str(sources_dir)})})
        if overrides.index is None:
            index_dir = user_index_dir(sources_dir)
            if index_dir.is_relative_to(sources_dir):  # sources that hold the user's data folder (the home)
                raise ConfigError(
                    f"the index would be inside the sources folder ({index_dir}); "
                    "give the index a folder of its own, outside the sources"
                )
            settings = settings.model_copy(update={"index": IndexSettings(path=str(index_dir))})
    if overrides.index is not None:
        index_dir = _resolved(overrides.index.expanduser().absolute())
        settings = settings.model_copy(update={"index": IndexSettings(path=str(index_dir))})
    return config.model_copy(update={"settings": settings})
