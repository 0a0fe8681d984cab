"""One build at a time: a lock on a file beside the index folder (filelock), naming its holder."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from ..errors import IndexLockedError, IndexWriteError


class BuildLock:
    """Held for the length of a build. The OS drops the lock (flock) when its holder dies, so it is
    never stale: a dead build's lock is taken over by the next one. The holder writes its pid, host and
    start time into the file, for the message another build gets."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = None
        self._fd: int | None = None

    def __enter__(self) -> "BuildLock":
        from filelock import FileLock, Timeout  # imported when a lock is taken: `status` seldom needs one

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(self.path, blocking=False, on_acquired=self._write_holder)
            lock.acquire()
        except Timeout:
            raise IndexLockedError(f"another build is running ({describe_holder(self.path)}; lock: {self.path})") from None
        except OSError as exc:
            raise IndexWriteError(f"cannot create the build lock {self.path} ({exc.strerror or exc})") from exc
        self._lock = lock
        return self

    def _write_holder(self, fd: int) -> None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}).encode(), 0)
        self._fd = fd

    def __exit__(self, *exc_info: object) -> None:
        if self._lock is not None:
            if self._fd is not None:
                os.ftruncate(self._fd, 0)  # no holder named once it is free
            self._lock.release()
            self._lock, self._fd = None, None


def describe_holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it: ``pid 123 on host, since 14:02:11``."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "holder unknown"
    if not isinstance(info, dict) or not info:
        return "holder unknown"
    since = time.strftime("%H:%M:%S", time.localtime(info.get("since", 0)))
    return f"pid {info.get('pid')} on {info.get('host')}, since {since}"
