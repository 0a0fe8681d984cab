"""Load and validate ``config.toml`` into typed settings; every key has a default that serves the sample."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError

DEFAULT_CONFIG_NAME = "config.toml"
CONFIG_ENV_VAR = "ASSISTANT_CONFIG"
DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcesSettings(Section):
    path: str = "sources"
    include: tuple[str, ...] = ("**/*.txt", "**/*.md", "**/*.markdown", "**/*.html", "**/*.htm", "**/*.pdf")
    exclude: tuple[str, ...] = ()
    max_file_mb: float = Field(default=20.0, gt=0)


class IndexSettings(Section):
    path: str = "index"


class ModelSettings(Section):
    name: str = DEFAULT_MODEL
    batch_size: int = Field(default=64, ge=1, le=4096)


class ChunkingSettings(Section):
    max_passage_chars: int = Field(default=1200, ge=100, le=100_000)


class RetrievalSettings(Section):
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    candidates: int = Field(default=20, ge=1, le=1000)
    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = Field(default=0.5, ge=0.0)
    lexical_weight: float = Field(default=0.3, ge=0.0)
    sentence_weight: float = Field(default=0.5, ge=0.0)


class AnswerSettings(Section):
    snippets: int = Field(default=3, ge=1, le=50)
    min_similarity: float = Field(default=0.35, ge=-1.0, le=1.0)


class Settings(Section):
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    index: IndexSettings = Field(default_factory=IndexSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)


class Config(BaseModel):
    """Settings plus where they came from; paths resolve against the config file's folder."""

    model_config = ConfigDict(frozen=True)

    path: Path
    settings: Settings

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    @property
    def sources_dir(self) -> Path:
        return _resolved(self.base_dir / self.settings.sources.path)

    @property
    def index_dir(self) -> Path:
        return _resolved(self.base_dir / self.settings.index.path)

    @property
    def transcripts_dir(self) -> Path:
        return self.base_dir / "transcripts"


def _resolved(path: Path) -> Path:
    """``path`` made absolute with its links followed where they lead somewhere (a loop stays as it is)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, on Python 3.11
        return path.absolute()


def default_config_path() -> Path:
    """The config the CLI uses when none is given: ``$ASSISTANT_CONFIG`` or ``./config.toml``."""
    return Path(os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_NAME)


def _describe_validation_error(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    kind = first["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown key '{key}'"
    return f"{path}: bad value for '{key}': {first['msg']}"


def load_config(path: Path | str | None = None, *, require_sources: bool = True) -> Config:
    """Read and validate the config file; a missing file is an error unless it is the default one."""
    config_path = Path(path) if path is not None else default_config_path()
    config_path = config_path.expanduser().absolute()
    if config_path.is_dir():
        config_path = config_path / DEFAULT_CONFIG_NAME
    if not config_path.exists():
        raise ConfigError(f"config file not found: {config_path}")
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc}") from exc
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe_validation_error(config_path, exc)) from exc
    config = Config(path=config_path, settings=settings)
    if require_sources and not config.sources_dir.is_dir():
        raise ConfigError(
            f"{config_path}: 'sources.path' names a folder that does not exist: {config.sources_dir}"
        )
    return config
