"""Answers questions with cited snippets quoted from your own documents."""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "Overrides", "Passage", "Snippet"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import Assistant
    from .errors import AssistantError
    from .config import Overrides
    from .models import Answer, Citation, Passage, Snippet

_EXPORTS = {
    "Assistant": "api",
    "AssistantError": "errors",
    "Answer": "models",
    "Citation": "models",
    "Overrides": "config",
    "Passage": "models",
    "Snippet": "models",
}


def __getattr__(name: str):
    # Imported on first use, so `assistant --help`, `status` and the chat's first paint stay light.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
