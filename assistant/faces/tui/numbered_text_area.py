"""A TextArea whose gutter shows the numbers a source's citations use, where those are not its rows'."""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Offset
from textual.strip import Strip
from textual.widgets import TextArea


class NumberedTextArea(TextArea):
    """A TextArea that shows ``labels[row]`` beside each row instead of the row's own number: a PDF's
    lines counted from each page's top, nothing beside the row that marks a page. With no labels it is a
    plain TextArea."""

    def __init__(self, text: str = "", *, labels: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(text, **kwargs)
        self.labels = labels

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        if not self.labels or not self.show_line_numbers:
            return strip
        # TextArea numbers the first visual row of each line in its gutter; the same row gets the label.
        wrapped = self.wrapped_document
        visual_y = y + self.scroll_offset.y
        if visual_y >= wrapped.height:
            return strip
        row, _ = wrapped.offset_to_location(Offset(0, visual_y))
        first_of_row = wrapped.location_to_offset((row, 0)).y == visual_y
        label = self.labels[row] if first_of_row and row < len(self.labels) else ""
        width = self.gutter_width
        gutter = strip.crop(0, width)
        style = next((segment.style for segment in gutter if segment.style is not None), None)
        return Strip.join([Strip([Segment(f"{label:>{width - 2}}  ", style)], width), strip.crop(width)])
