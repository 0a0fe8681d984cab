"""Waiting on the chat in Pilot tests: until a condition holds (polled, with a deadline), never for a set time."""

from __future__ import annotations

import time

from textual.widget import Widget
from textual.widgets import TextArea

from assistant.faces.tui.states import IndexPhase, ModelState


async def wait_for(pilot, condition, timeout: float = 60.0) -> None:
    """Until ``condition()`` holds, then until the screen has caught up with the state."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.05)
    await pilot.pause()


def chat_ready(app) -> bool:
    """The question encoder is loaded and the index answers: a question goes straight through."""
    return app.model_state is ModelState.READY and app.index_phase is IndexPhase.READY


def laid_out(widget: Widget) -> bool:
    """The widget has been given its place on the screen."""
    return widget.is_mounted and widget.region.height > 0


def cursor_in_view(area: TextArea) -> bool:
    """The text area is laid out and its cursor's row is inside the visible window."""
    if not laid_out(area):
        return False
    row_y = area.wrapped_document.location_to_offset(area.cursor_location).y
    return area.scroll_offset.y <= row_y < area.scroll_offset.y + area.scrollable_content_region.height
