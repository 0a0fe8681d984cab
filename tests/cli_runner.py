"""Drive the ``assistant`` command as a user types it, in this process: exit code, stdout, stderr."""

from __future__ import annotations

import io

from assistant.cli import main


def run_cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run ``assistant ARGS...`` with ``stdin`` as its input; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(err: str, *fragments: str) -> None:
    """``err`` is exactly one ``assistant: error:`` line holding every fragment."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("assistant: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
