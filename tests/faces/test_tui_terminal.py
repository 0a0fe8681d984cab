"""The chat ends when its terminal goes away, even where no hang-up signal tells it so."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

from assistant.faces.tui.terminal import terminal_gone

from projects import write_project


def test_a_hung_up_terminal_is_told_from_a_live_one_and_from_no_terminal():
    master, slave = pty.openpty()
    try:
        assert not terminal_gone(slave)
        os.close(master)
        assert terminal_gone(slave)
    finally:
        os.close(slave)
    read_end, write_end = os.pipe()
    try:
        assert not terminal_gone(write_end)  # a pipe is no terminal: nothing to have gone
    finally:
        os.close(read_end)
        os.close(write_end)


def test_the_chat_quits_when_its_terminal_goes_away_without_a_hangup(tmp_path):
    """Run on a terminal that is not its controlling terminal (its own session), the chat gets no
    SIGHUP when the terminal closes; it must still end, not spin on an input that is gone."""
    config = write_project(tmp_path, sources={"note.txt": "The lighthouse was built in 1838.\n"})
    master, slave = pty.openpty()
    chat = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--config", str(config)],
        stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "TERM": "xterm-256color"},
    )
    os.close(slave)
    try:
        # Let it start, reading what it draws as a terminal would, until its question box is drawn (a
        # fixed few seconds was too few on a loaded machine: the terminal went before the chat was up).
        drawn, started = b"", time.monotonic()
        while b"Ask about your sources" not in drawn and time.monotonic() - started < 60:
            if select.select([master], [], [], 0.1)[0]:
                drawn = (drawn + os.read(master, 65536))[-200_000:]
        assert b"Ask about your sources" in drawn
        time.sleep(1)
        assert chat.poll() is None  # running while its terminal is there
        os.close(master)
        assert chat.wait(timeout=30) == 1  # ended, as a chat whose terminal went away
    finally:
        if chat.poll() is None:
            chat.kill()
            chat.wait()
