"""One build at a time: a lock on a file beside the index folder (filelock), naming its holder; the
file is there only while a build holds it."""

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
    start time into the file, for the message another build gets, and removes the file as it lets go.

    A lock taken on a file that its holder removed meanwhile (opened just before it went) locks
    nothing anyone else sees: it is let go and taken again on the file now at the path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = None
        self._fd: int | None = None

    def __enter__(self) -> "BuildLock":
        from filelock import FileLock, Timeout  # imported when a lock is taken: `status` seldom needs one

        for _attempt in range(ATTEMPTS):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                lock = FileLock(self.path, blocking=False, on_acquired=self._write_holder)
                lock.acquire()
            except Timeout:
                if not self.path.exists():  # let go just now, or never made (a folder that takes no file)
                    continue
                raise IndexLockedError(f"another build is running ({describe_holder(self.path)}; lock: {self.path})") from None
            except OSError as exc:
                reason = next(
                    (f"{parent} is a file, not a folder" for parent in self.path.parents if parent.exists() and not parent.is_dir()),
                    exc.strerror or str(exc),
                )
                raise IndexWriteError(f"cannot create the build lock {self.path} ({reason})") from exc
            if self._fd is not None and _same_file(self._fd, self.path):
                self._lock = lock
                return self
            lock.release()  # the file was removed under it by the holder letting go: take the new one
            self._fd = None
        if not self.path.exists():
            raise IndexWriteError(f"cannot create the build lock {self.path} (its folder takes no new file)")
        raise IndexLockedError(f"another build keeps taking the lock ({self.path})")

    def _write_holder(self, fd: int) -> None:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}).encode(), 0)
        self._fd = fd

    def __exit__(self, *exc_info: object) -> None:
        if self._lock is not None:
            if self._fd is not None:
                os.ftruncate(self._fd, 0)  # no holder named once it is free
                try:
                    self.path.unlink()  # while still held: nothing is left beside the index
                except OSError:
                    pass
            self._lock.release()
            self._lock, self._fd = None, None


ATTEMPTS = 5


def _same_file(fd: int, path: Path) -> bool:
    try:
        held, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (there.st_dev, there.st_ino)


def running_build(path: Path) -> str | None:
    """Who holds the lock, where a build on this host holds it now (its holder named, and alive);
    None when no build runs. Looks only: takes nothing, so it never stands in a build's way."""
    info = _holder(path)
    if info is None:
        return None
    if info.get("host") == socket.gethostname():
        try:
            os.kill(int(info.get("pid", 0)), 0)
        except ProcessLookupError:
            return None  # died holding it: the OS has let go of the lock, the next build takes it
        except (OSError, ValueError, TypeError):
            pass  # alive but not ours to signal, or a pid we cannot read: say what the file says
    return describe_holder(path)


def held_here(path: Path) -> bool:
    """Whether this process holds the lock (a build in another of its threads): a build of the same
    assistant waits for that one rather than being refused."""
    info = _holder(path)
    return info is not None and info.get("host") == socket.gethostname() and info.get("pid") == os.getpid()


def _holder(path: Path) -> dict | None:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info else None


def describe_holder(path: Path) -> str:
    """Who holds the lock, as its holder wrote it: ``pid 123 on host, since 14:02:11``."""
    info = _holder(path)
    if info is None:
        return "holder unknown"
    since = time.strftime("%H:%M:%S", time.localtime(info.get("since", 0)))
    return f"pid {info.get('pid')} on {info.get('host')}, since {since}"
