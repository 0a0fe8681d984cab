"""Whether the chat's terminal is still there.

A terminal window closed, or an SSH connection dropped, normally sends the chat a SIGHUP and it ends.
Where none comes (the chat run under another process that stays, a pty that is not its controlling
terminal), the terminal just goes away: Textual's input thread then reads an endless end of input and
spins a core (Textualize/textual#6690). The chat asks now and then, and quits when the answer is no;
since its shutdown may then wait forever on output nothing can take, the process ends anyway a little
later (``end_soon``).
"""

from __future__ import annotations

import errno
import os
import threading

# How often the chat asks (seconds).
CHECK_SECONDS = 2.0
# How long the chat's own shutdown may take once its terminal is gone, before the process just ends.
GRACE_SECONDS = 5.0


def terminal_gone(fd: int) -> bool:
    """Whether the terminal on ``fd`` has hung up: asking a hung-up terminal its size is an I/O error.
    Not a terminal at all (a pipe, a headless test) is not a terminal gone."""
    try:
        os.get_terminal_size(fd)
    except OSError as error:
        return error.errno == errno.EIO
    return False


def end_soon(seconds: float = GRACE_SECONDS) -> None:
    """End the process in ``seconds`` if it has not ended by then (a daemon timer: a clean exit before
    it goes unhindered). Nothing is lost: a build writes beside the last good index and swaps it in
    whole, and its lock is the operating system's, released with the process."""
    timer = threading.Timer(seconds, os._exit, args=(1,))
    timer.daemon = True
    timer.start()
