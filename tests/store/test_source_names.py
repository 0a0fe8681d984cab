"""The words of each indexed file's name, for telling which files a question names."""

from __future__ import annotations

import pytest

from assistant.store.source_names import SourceNames


def test_a_paper_named_by_its_first_author_and_year_is_named_by_the_author():
    names = SourceNames.of(["okafor2023_lagos_sensors.pdf", "mueller2021_berlin_roofs.pdf", "smith2019a.pdf", "veltro-wm3400-manual.pdf"])
    # The author holds a third of the name's words; without the year, half as much.
    assert names.named({"okafor"}) == {"okafor2023_lagos_sensors.pdf": pytest.approx(1 / 6)}
    assert names.named({"okafor", "2023"}) == {"okafor2023_lagos_sensors.pdf": pytest.approx(1 / 3)}
    assert names.named({"smith"}) == {"smith2019a.pdf": 0.5}
    assert names.named({"wm"}) == {"veltro-wm3400-manual.pdf": 0.0}  # a model number stays one word
    assert SourceNames.of(["rtx2080-review.md"]).named({"rtx"}) == {"rtx2080-review.md": 0.0}  # 2080 is no year: one word


def test_every_word_of_any_file_s_name_is_known_distinctive_or_not():
    names = SourceNames.of([f"notes/week-{n}.md" for n in range(40)] + ["tasmania.txt"])
    assert {"week", "tasmania"} <= names.every and "week" not in names.holding  # in every name: no file's own
