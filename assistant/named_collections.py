"""Named collections: the config's own sources folder (``main``), the folders ``config.toml`` declares
(``[collections.papers] sources = "~/papers"``) and the ones added from the command line (``assistant
collections add papers ~/papers``, kept in the per-user data folder's ``collections.json``). Each is a
``Config`` of its own (``Config.for_collection``): its folder, its patterns, its index; every other
setting is the config's."""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import ValidationError

from .config import APP_NAME, MAIN_COLLECTION, CollectionSettings, Config, check_collection_name, missing_sources, user_index_dir
from .errors import ConfigError

REGISTRY_NAME = "collections.json"

Origin = Literal["main", "config", "added"]


@dataclass(frozen=True)
class Collection:
    """A collection: its name, the config that answers from it, and where it was declared."""

    name: str
    config: Config
    origin: Origin

    @property
    def sources_dir(self) -> Path:
        return self.config.sources_dir

    @property
    def index_dir(self) -> Path:
        return self.config.index_dir


def registry_path() -> Path:
    """Where the collections added from the command line are kept (one file for the user)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / REGISTRY_NAME


def added_collections() -> dict[str, CollectionSettings]:
    """The collections added from the command line; a damaged file is a one-line ``ConfigError``."""
    path = registry_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the collections added with 'assistant collections add': {exc}") from exc
    try:
        if not isinstance(raw, dict):
            raise ValueError("not an object of collections")
        return {check_collection_name(name): CollectionSettings.model_validate(entry) for name, entry in raw.items()}
    except (ValidationError, ValueError) as exc:
        raise ConfigError(f"{path}: a damaged list of collections ({str(exc).splitlines()[0]}); fix or remove the file") from exc


def collections_of(config: Config) -> list[Collection]:
    """Every collection, ``main`` first (where the config's sources folder is there, or the config file
    names one that is not), then those of the config, then those added (by name): for listing, adding
    and removing them, nothing refused. What answers is ``answering_and_gone``'s."""
    listed = _with_main(config, _named_collections(config))
    return [Collection(MAIN_COLLECTION, config, "main"), *listed] if _main_folder_gone(config) else listed


def answering_and_gone(config: Config) -> tuple[list[Collection], list[Collection]]:
    """The collections that can answer (as ``collections_of``, less those whose folder is gone), and
    apart, those gone: left out, so that a drive not mounted keeps no other collection from answering
    (each folder looked at once). A ``ConfigError`` naming the first gone (or the missing sources folder)
    only when no collection is left."""
    named_ones = _named_collections(config)
    there = [c for c in named_ones if c.sources_dir.is_dir()]
    answering = _with_main(config, there)
    gone = [c for c in named_ones if c not in there]
    if not answering:
        raise folder_gone(gone[0]) if gone else missing_sources(config)
    if _main_folder_gone(config):
        # A folder the config names that is not there (a typo, a drive not mounted) is said, not passed
        # over: the other collections answered "the sources never mention B3" without a word of it.
        gone.insert(0, Collection(MAIN_COLLECTION, config, "main"))
    return answering, gone


def _main_folder_gone(config: Config) -> bool:
    """Whether the config file names its own sources folder and that folder is not there (a config that
    names none, with collections alone, has no ``main`` to miss)."""
    return config.from_file and "path" in config.settings.sources.model_fields_set and not config.sources_dir.is_dir()


def _with_main(config: Config, named_ones: list[Collection]) -> list[Collection]:
    """``main`` (where the config's sources folder is there) before the named collections."""
    return [Collection(MAIN_COLLECTION, config, "main"), *named_ones] if config.sources_dir.is_dir() else named_ones


def _named_collections(config: Config) -> list[Collection]:
    """Those of the config, then those added (by name)."""
    declared = config.settings.collections
    added = {name: entry for name, entry in added_collections().items() if name not in declared}
    named_ones = [Collection(name, config.for_collection(name, entry), "config") for name, entry in sorted(declared.items())]
    named_ones += [Collection(name, config.for_collection(name, entry), "added") for name, entry in sorted(added.items())]
    return named_ones


# What mends a collection whose folder is gone, said alike where it stops a command and where it is left out.
_BRING_IT_BACK = "(bring it back, or remove the collection)"


def folder_gone(collection: Collection) -> ConfigError:
    return ConfigError(f"the folder of the collection {collection.name!r} does not exist: {collection.sources_dir} {_BRING_IT_BACK}")


def gone_note(collection: Collection) -> str:
    """One line saying that a collection is left out, and why."""
    if collection.origin == "main":
        return f"{missing_sources(collection.config).message}: left out, the other collections answer"
    return f"the collection {collection.name!r} is left out: its folder does not exist: {collection.sources_dir} {_BRING_IT_BACK}"


def named(config: Config, name: str, check: bool = False) -> Collection:
    """The collection called ``name``; a ``ConfigError`` naming those there are if there is none (with
    ``check``, also if its folder is gone)."""
    collections = collections_of(config)
    for collection in collections:
        if collection.name == name:
            if check and not collection.sources_dir.is_dir():
                raise missing_sources(config) if collection.origin == "main" else folder_gone(collection)
            return collection
    if name == MAIN_COLLECTION and check:
        raise missing_sources(config)
    names = ", ".join(c.name for c in collections)
    raise ConfigError(f"no collection named {name!r} (the collections: {names}; add one with 'assistant collections add NAME FOLDER')")


def add_collection(config: Config, name: str, folder: Path, include: tuple[str, ...] | None = None,
                   exclude: tuple[str, ...] | None = None) -> Collection:
    """Add a folder as a named collection (kept for the user, not in the config); its index is built on
    first use. A name taken, or a folder that is not one, is a ``ConfigError``."""
    try:
        check_collection_name(name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    folder = folder.expanduser().absolute()
    if not folder.is_dir():
        raise ConfigError(f"the folder {'is not a folder' if folder.exists() else 'does not exist'}: {folder}")
    if any(c.name == name for c in collections_of(config)):
        raise ConfigError(f"there is a collection named {name!r} already ('assistant collections list' shows them)")
    entry = CollectionSettings(sources=str(folder.resolve()), include=include, exclude=exclude)
    added = added_collections()
    added[name] = entry
    _write_registry(added)
    return Collection(name, config.for_collection(name, entry), "added")


@dataclass(frozen=True)
class Removed:
    """A collection forgotten, and what became of its index: ``sharing``, the other collections that
    answer from it (then it is kept); ``kept``, whether it stays where ``--sources FOLDER`` finds it."""

    collection: Collection
    sharing: list[str]
    kept: bool


def remove_collection(config: Config, name: str) -> Removed:
    """Forget an added collection; never its folder. Its index is removed (only a folder that is the
    index's own) unless other collections answer from it too (two names for one folder share the
    folder's index), or it is the folder's own index in the user data folder, which ``assistant
    --sources FOLDER`` answers from as well (a new user's next ``--sources`` run built it all again).
    One declared in the config is removed there."""
    collection = named(config, name)
    if collection.origin == "main":
        raise ConfigError(f"'{MAIN_COLLECTION}' is the config's own sources folder ([sources] in {config.path}); it cannot be removed")
    if collection.origin == "config":
        raise ConfigError(f"the collection {name!r} is declared in {config.path} ([collections.{name}]); remove it there")
    from .store.folder import remove_if_ours

    sharing = [c.name for c in collections_of(config) if c.name != name and c.index_dir == collection.index_dir]
    added = added_collections()
    del added[name]
    _write_registry(added)
    kept = bool(sharing) or collection.index_dir == user_index_dir(collection.sources_dir)
    if not kept:
        remove_if_ours(collection.index_dir)
    return Removed(collection, sharing, kept)


def _write_registry(entries: dict[str, CollectionSettings]) -> None:
    """Write the added collections whole, through a temporary file: a crash leaves the old list."""
    path = registry_path()
    data = {name: entry.model_dump(exclude_none=True) for name, entry in sorted(entries.items())}
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # a read-only folder refuses this too
            temporary.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
