"""Shared fixtures: real model, real FAISS, small real text. The sample index is built once per session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from projects import SAMPLE_FILE, SAMPLE_SOURCES, write_project

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    monkeypatch.delenv("ASSISTANT_CONFIG", raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # Indexes of folders given with --sources go to the per-user data folder: never the real one in a test.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory) -> Path:
    """A project holding the sample article with its index built; returns its config path. Do not modify."""
    from assistant import Assistant

    root = tmp_path_factory.mktemp("sample")
    config = write_project(root)
    shutil.copy(SAMPLE_SOURCES / SAMPLE_FILE, root / "sources" / SAMPLE_FILE)
    Assistant.open(config).build_index()
    return config


@pytest.fixture(scope="session")
def sample_assistant(built_sample):
    """An Assistant over the built sample, model loaded once for the session (read-only use)."""
    from assistant import Assistant

    return Assistant.open(built_sample)


@pytest.fixture
def sample_project(built_sample, tmp_path) -> Path:
    """A private copy of the built sample project that a test may change; returns its config path."""
    target = tmp_path / "project"
    shutil.copytree(built_sample.parent, target)
    return target / "config.toml"
