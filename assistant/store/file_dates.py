"""The date a file's name gives it: minutes, notices and budgets are kept as dated files
("2025-09-09_board.md", "budget_2025.csv"), and which is later, or of which year, tells what they say of
when (``answers.latest``: what stands now; ``answers.answering``: a question asking of one year)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

# A file's date in its name: a year, with its month and day where they follow ("2025-09-09", "2025_09",
# "budget_2025").
_DATED = re.compile(r"(?<!\d)((?:19|20)\d\d)(?:[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12]\d|3[01]))?)?(?!\d)")


def file_date(source: str) -> tuple[int, int, int] | None:
    """The date a file's name gives it (its last name part holding one, or its folders'), or None."""
    found = _DATED.findall(source)
    if not found:
        return None
    year, month, day = found[-1]
    return int(year), int(month or 0), int(day or 0)


def _dated(sources: Iterable[str]) -> dict[str, tuple[tuple[int, int, int], bool]]:
    """Each of ``sources`` dated by its name, with its date and whether another of them is named alike
    but for the date's year ("budget_2024.csv", "budget_2025.csv")."""
    dated = {source: date for source in sources if (date := file_date(source)) is not None}
    alike = Counter(_DATED.sub("", source) for source in dated)
    return {source: (date, alike[_DATED.sub("", source)] > 1) for source, date in dated.items()}


def yearly_files(sources: Iterable[str]) -> dict[str, int]:
    """The year of each of ``sources`` named alike but for the year as another of them is
    ("budget_2024.csv", "budget_2025.csv"): a file of that year's, where minutes dated to the day may
    speak of the year before ("2025-01-14_board.md" on the accounts of 2024)."""
    return {source: date[0] for source, (date, alike) in _dated(sources).items() if alike}


def series_years(sources: Iterable[str]) -> dict[str, int]:
    """The year of each of ``sources`` kept as a dated series: dated to the month ("2025-07-08_accountant.md"),
    or named alike but for the year as another of them is ("budget_2024.csv", "budget_2025.csv"). A year
    alone in a name may be anything else: a paper's topic ("First_cases_of_coronavirus_disease_2019.txt"),
    its author's year ("smith2019.pdf")."""
    return {source: date[0] for source, (date, alike) in _dated(sources).items() if date[1] or alike}
