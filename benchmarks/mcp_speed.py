"""``python -m benchmarks.mcp_speed``: a warm ``ask`` over MCP beside the same question asked in process.

The sample article is indexed in a temporary folder; ``assistant mcp`` is started on it with the SDK's
stdio client, as an agent's host starts it, and an ``Assistant`` is opened on it here. After a few
warm-up questions each, the same questions are asked ``--runs`` times both ways, turn about (so that
load from elsewhere on the machine falls on both alike), and the medians are printed with their ratio
(the target is at most 1.2x: what MCP adds is a JSON round trip over a pipe).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import asynccontextmanager
from pathlib import Path

from anyio.from_thread import start_blocking_portal
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from assistant import Assistant

from .commands import ASSISTANT

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sources" / "kosovo-serbia-tensions.txt"
QUESTIONS = (
    "How long is the temporary Kosovo document valid?",
    "Who is the EU facilitator?",
    "When do the bans take effect?",
    "How does photosynthesis turn sunlight into sugar?",  # an abstention costs what an answer does
)
WARM_UP = 4
TARGET_RATIO = 1.2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mcp_speed", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed questions each way (default 50)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="mcp-speed-"))
    try:
        (workdir / "sources").mkdir()
        shutil.copy(SAMPLE, workdir / "sources" / SAMPLE.name)
        config = workdir / "config.toml"
        config.write_text("", encoding="utf-8")
        assistant = Assistant.open(config)
        assistant.build_index()
        in_process, over_mcp = measure(assistant, config, args.runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    local, remote = statistics.median(in_process), statistics.median(over_mcp)
    ratio = remote / local
    print(f"warm ask on the sample ({args.runs} each, {os.cpu_count()} CPU cores):")
    print(f"  in process (Assistant.ask): median {local:7.1f} ms")
    print(f"  over MCP (stdio, ask tool): median {remote:7.1f} ms")
    print(f"  ratio {ratio:.2f}x (target <= {TARGET_RATIO}x): {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    return 0


def measure(assistant: Assistant, config: Path, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds of each timed question, in process and over MCP, asked turn about."""
    params = StdioServerParameters(
        command=ASSISTANT,
        args=["--config", str(config), "mcp"],
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
    )

    @asynccontextmanager
    async def session():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            yield client

    in_process: list[float] = []
    over_mcp: list[float] = []
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(session()) as client:

        def ask_over_mcp(question: str) -> None:
            result = portal.call(lambda: client.call_tool("ask", {"question": question}))
            if result.is_error:
                raise SystemExit(f"ask over MCP failed: {result.content[0].text}")

        for i in range(WARM_UP):
            assistant.ask(QUESTIONS[i % len(QUESTIONS)])
            ask_over_mcp(QUESTIONS[i % len(QUESTIONS)])
        for i in range(runs):
            question = QUESTIONS[i % len(QUESTIONS)]
            began = time.perf_counter()
            assistant.ask(question)
            in_process.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            ask_over_mcp(question)
            over_mcp.append((time.perf_counter() - began) * 1000)
    return in_process, over_mcp


if __name__ == "__main__":
    sys.exit(main())
