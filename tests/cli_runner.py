"""Drive the ``assistant`` command as a user types it: in this process (exit code, stdout, stderr), or
in a fresh interpreter that must not import the heavy modules it names."""

from __future__ import annotations

import io
import subprocess
import sys

from assistant.faces.cli import main

from projects import REPO


class Terminal(io.StringIO):
    """Output that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run_cli(*args: str, stdin: str = "", terminal: bool = False) -> tuple[int, str, str]:
    """Run ``assistant ARGS...`` with ``stdin`` as its input (stdout a terminal if ``terminal``);
    returns (exit code, stdout, stderr)."""
    out, err = Terminal() if terminal else io.StringIO(), io.StringIO()
    code = main(list(args), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def assert_one_line_error(err: str, *fragments: str) -> None:
    """``err`` is exactly one ``assistant: error:`` line holding every fragment."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("assistant: error: "), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def run_cli_in_fresh_python(argv: list[str], forbidden: tuple[str, ...]) -> subprocess.CompletedProcess:
    """The CLI run in a new interpreter; it exits 10 (naming them on stderr) if it imported a forbidden module."""
    probe = (
        "import sys; from assistant.faces.cli import main; "
        f"code = main({argv!r}); "
        f"bad = [m for m in {forbidden!r} if m in sys.modules]; "
        "print(bad, file=sys.stderr) if bad else None; sys.exit(10 if bad else code)"
    )
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
