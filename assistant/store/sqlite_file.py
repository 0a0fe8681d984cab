"""A new SQLite file written in one go by a build: rows inserted a batch at a time, no journal (the file
sits in the build's own folder, which is removed whole if the build fails), committed when closed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import TracebackType

BATCH_ROWS = 1024


class NewSqliteFile:
    """``schema`` run in a new file at ``path``, then rows appended through ``insert`` (an INSERT with
    one ``?`` a column), ``BATCH_ROWS`` at a time. Use as a context manager: leaving it normally commits
    and closes; leaving on an error just closes (the file is the failed build's)."""

    def __init__(self, path: Path, schema: str, insert: str) -> None:
        self.path = path
        self._insert = insert
        self._pending: list[tuple] = []
        self.db = sqlite3.connect(path)
        try:
            self.db.execute("PRAGMA journal_mode = OFF")
            self.db.execute("PRAGMA synchronous = OFF")
            self.db.execute(schema)
        except BaseException:
            self.db.close()
            raise

    def append(self, row: tuple) -> None:
        self._pending.append(row)
        if len(self._pending) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Insert and commit what is pending (readers of the same connection then see it)."""
        if self._pending:
            self.db.executemany(self._insert, self._pending)
            self._pending.clear()
        self.db.commit()

    def close(self) -> None:
        """Close without writing what is pending."""
        self._pending.clear()
        self.db.close()

    def __enter__(self) -> "NewSqliteFile":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self.flush()
        finally:
            self.close()
