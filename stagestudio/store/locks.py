"""Who is writing a session right now (SQLite stores; see advisory_locks.py for PostgreSQL).

A recorder holds an exclusive `flock` on `<db dir>/locks/<session id>.lock` for as long as
it writes the session. The kernel drops the lock when the process dies (even on kill -9),
so "status is running but nobody holds the lock" reliably means the writer died: the
session is *interrupted*. Unlike pid files this cannot be fooled by pid reuse.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; liveness falls back to pids
    fcntl = None  # type: ignore[assignment]

from stagestudio.store.errors import SessionBusyError, StoreReadOnlyError

_SAFE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class SessionLock(Protocol):
    """An exclusive lock on one session for as long as this process writes it."""

    session_id: str

    def acquire(self) -> "SessionLock": ...

    def release(self) -> None: ...

    @property
    def held(self) -> bool: ...

    def verify(self) -> bool:
        """Whether the lock is still held (a connection holding it may have dropped)."""
        ...


class SessionWriters(Protocol):
    """Which sessions a live process is writing, for one store."""

    def lock(self, session_id: str) -> SessionLock: ...

    def alive(self, session_id: str) -> bool: ...

    def forget(self, session_id: str) -> None:
        """Remove what a finished writer may leave behind (a lock file)."""
        ...


def check_session_id(session_id: str) -> str:
    """`session_id` if it is safe as a file name; else ValueError."""
    if not _SAFE_ID.match(session_id) or session_id in (".", ".."):
        raise ValueError(f"session id {session_id!r} may only use letters, digits, '_', '-' and '.'")
    return session_id


def _lock_path(lock_dir: Path, session_id: str) -> Path:
    return lock_dir / f"{check_session_id(session_id)}.lock"


class WriterLock:
    """An exclusive, process-lifetime lock on one session."""

    def __init__(self, lock_dir: Path, session_id: str) -> None:
        self.path = _lock_path(lock_dir, session_id)
        self.session_id = session_id
        self._fd: int | None = None

    def acquire(self) -> "WriterLock":
        while True:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise StoreReadOnlyError(f"cannot create writer lock {self.path}: {exc.strerror}") from exc
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    raise SessionBusyError(
                        f"session {self.session_id} is being written by another live process; "
                        f"wait for it to finish (or stop it) first"
                    ) from None
            # The previous holder unlinks the file when it is done; if that happened between
            # our open() and flock(), we hold a lock on a file nobody else can see: retry.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Drop the lock and remove the file (a missing file also reads as 'no writer')."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def verify(self) -> bool:
        """Whether the lock is still held (the kernel keeps a flock for the process's life)."""
        return self._fd is not None

    def __enter__(self) -> "WriterLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def writer_alive(lock_dir: Path, session_id: str) -> bool:
    """Whether some live process holds the session's writer lock (never creates files)."""
    try:
        path = _lock_path(lock_dir, session_id)
    except ValueError:
        return False
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no lock file: a writer always creates it before its first row
    try:
        if fcntl is None:  # pragma: no cover
            return _pid_alive(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def _pid_alive(path: Path) -> bool:  # pragma: no cover - Windows fallback
    try:
        pid = int(path.read_text().strip() or 0)
        os.kill(pid, 0)
        return pid > 0
    except (OSError, ValueError):
        return False


def remove_lock_file(lock_dir: Path, session_id: str) -> None:
    try:
        _lock_path(lock_dir, session_id).unlink()
    except (FileNotFoundError, ValueError):
        pass


class FileWriters:
    """The writers of one SQLite store: a lock file per session in `lock_dir`."""

    def __init__(self, lock_dir: Path) -> None:
        self.lock_dir = lock_dir

    def lock(self, session_id: str) -> WriterLock:
        return WriterLock(self.lock_dir, session_id)

    def alive(self, session_id: str) -> bool:
        return writer_alive(self.lock_dir, session_id)

    def forget(self, session_id: str) -> None:
        remove_lock_file(self.lock_dir, session_id)
