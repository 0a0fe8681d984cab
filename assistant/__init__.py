"""Answers questions with cited snippets quoted from your own documents."""

from .api import Assistant
from .errors import AssistantError
from .models import Answer, Citation, Passage, Snippet

__all__ = ["Answer", "Assistant", "AssistantError", "Citation", "Passage", "Snippet"]
__version__ = "0.1.0"
