"""How the benchmarks run the assistant as a user does: its command in a fresh process, offline, timed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
PYTHON = sys.executable
ASSISTANT = str(Path(sys.executable).with_name("assistant"))


def timed(command: list[str], *, cwd: Path | None = None, must_succeed: bool = True) -> float:
    """Wall seconds of ``command`` run to its end; ``SystemExit`` with its error when it fails (unless
    ``must_succeed`` is off, for start-up timings of commands that may exit non-zero)."""
    began = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True)
    if must_succeed and done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])}… failed: {done.stderr.strip()[-2000:]}")
    return time.perf_counter() - began


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo), which every figure is given with."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown"
