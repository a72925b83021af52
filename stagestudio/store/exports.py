"""Temporary folders the studio writes exported archives into, and cleaning up after
studios that are gone.

Each studio process makes one folder (`create_export_dir`) and holds an exclusive `flock`
on a file inside it for as long as it runs; the kernel drops the lock when the process
dies, however it dies. `cleanup_stale_exports` (called when a studio starts) removes the
folders whose owner is gone, and never one a running studio still uses.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: folders are only removed by age
    fcntl = None  # type: ignore[assignment]

EXPORT_DIR_PREFIX = "stagestudio-export-"
OWNER_LOCK_NAME = ".owner.lock"
# Folders made before owner locks existed cannot say whether their studio still runs;
# they are removed once they are this old.
UNLOCKED_MAX_AGE_S = 24 * 3600.0


class ExportDir:
    """A temporary export folder owned by this process until `close()` (or its exit)."""

    def __init__(self, path: Path, lock_fd: int) -> None:
        self.path = path
        self._lock_fd: int | None = lock_fd

    def close(self) -> None:
        """Release the folder and remove it with everything in it."""
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            os.close(fd)
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> "ExportDir":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def create_export_dir(parent: str | os.PathLike[str] | None = None) -> ExportDir:
    """A new private folder under `parent` (default: the system's temp folder), owned by
    this process for as long as it runs."""
    path = Path(tempfile.mkdtemp(prefix=EXPORT_DIR_PREFIX, dir=parent))
    fd = os.open(path / OWNER_LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a brand-new file: nobody else holds it
    return ExportDir(path, fd)


def cleanup_stale_exports(parent: str | os.PathLike[str] | None = None, *, now: float | None = None) -> list[Path]:
    """Remove the export folders under `parent` (default: the system's temp folder) whose
    studio is no longer running; returns the folders removed."""
    root = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.startswith(EXPORT_DIR_PREFIX) or entry.is_symlink() or not entry.is_dir():
            continue
        if _owner_gone(entry, now):
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    return removed


def _owner_gone(folder: Path, now: float) -> bool:
    lock = folder / OWNER_LOCK_NAME
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        try:
            return now - folder.stat().st_mtime > UNLOCKED_MAX_AGE_S
        except OSError:
            return False
    except OSError:
        return False  # not ours to judge (a link, no permission)
    try:
        if fcntl is None:  # pragma: no cover
            return now - folder.stat().st_mtime > UNLOCKED_MAX_AGE_S
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # a running studio holds it
        return True
    finally:
        os.close(fd)
