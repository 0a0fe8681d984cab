"""Shared fixtures: real model, real FAISS, small real text. The sample index is built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SOURCES = REPO / "sources"
SAMPLE_FILE = "kosovo-serbia-tensions.txt"
# Everything the tests read lives in the repository (see tests/data/README.md for licences).
DATA = REPO / "tests" / "data"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


def run_cli_in_fresh_python(argv: list[str], forbidden: tuple[str, ...]) -> subprocess.CompletedProcess:
    """The CLI run in a new interpreter; it exits 10 (naming them on stderr) if it imported a forbidden module."""
    probe = (
        "import sys; from assistant.cli import main; "
        f"code = main({argv!r}); "
        f"bad = [m for m in {forbidden!r} if m in sys.modules]; "
        "print(bad, file=sys.stderr) if bad else None; sys.exit(10 if bad else code)"
    )
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)


def write_project(root: Path, config_text: str = "", sources: dict[str, str | bytes] | None = None) -> Path:
    """A project folder with a config.toml and a sources/ folder; returns the config path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "sources").mkdir(exist_ok=True)
    for name, content in (sources or {}).items():
        path = root / "sources" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    config = root / "config.toml"
    config.write_text(config_text, encoding="utf-8")
    return config


def edit_manifest(index_dir: Path, change) -> None:
    """Change an index's manifest as a hand edit that knows the format would: ``change`` gets the
    manifest as a dict to alter in place, and the manifest's own checksum is made to match again."""
    import json

    from assistant.manifest import manifest_checksum

    path = index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    manifest["checksum"] = manifest_checksum(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


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
