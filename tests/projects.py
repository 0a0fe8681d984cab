"""Projects the tests build on: the repository's sample and test data, a config with sources, a manifest edit."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SOURCES = REPO / "sources"
SAMPLE_FILE = "kosovo-serbia-tensions.txt"
# Everything the tests read lives in the repository (see tests/data/README.md for licences).
DATA = REPO / "tests" / "data"


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


def built_project(root: Path, sources: dict[str, str | bytes], config_text: str = ""):
    """An ``Assistant`` over a project of ``sources`` (``write_project``), its index built."""
    from assistant import Assistant

    assistant = Assistant.open(write_project(root, config_text, sources))
    assistant.build_index()
    return assistant


def edit_manifest(index_dir: Path, change) -> None:
    """Change an index's manifest as a hand edit that knows the format would: ``change`` gets the
    manifest as a dict to alter in place, and the manifest's own checksum is made to match again."""
    from assistant.store.manifest import manifest_checksum

    path = index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    manifest["checksum"] = manifest_checksum(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def passage_of(*sentences: str, kind: str = "body", title: str = "notes", source: str = "s.md", sep: str = "\n"):
    """A passage of ``sentences`` (joined by ``sep``, each a sentence with its offsets), its id its title."""
    from assistant.models import Passage, Sentence

    text, spans = "", []
    for sentence in sentences:
        start = len(text) + (len(sep) if text else 0)
        text = f"{text}{sep}{sentence}" if text else sentence
        spans.append(Sentence(start=start, end=start + len(sentence), line_start=1, line_end=1, text=sentence))
    return Passage(start=0, end=len(text), line_start=1, line_end=1, id=title, source=source, text=text, title=title,
                   sentences=tuple(spans), kind=kind)
