"""Files the studio hands to the browser: sketches (for the large image and its download button)
and exported archives.

A file is written whole under a temporary name and renamed into place, and never rewritten:
images are named by the hash of their bytes, archives get a fresh folder per export. So a
download in progress never sees a half-written or replaced file (Gradio's own cache writes a
PIL image in place, which truncated downloads under load). Each studio process has its own
folder under the system temp dir, named with its pid; folders of processes that are gone are
removed when a studio starts."""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path

from PIL import Image

PREFIX = "stagestudio-studio-"
# Folders earlier studios made (one per start, never removed) are swept after a day.
LEGACY_PREFIX = "stagestudio-export-"
LEGACY_MAX_AGE_S = 24 * 3600
_OWN_FOLDER = re.compile(rf"^{re.escape(PREFIX)}(\d+)-[0-9a-f]+$")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see either nothing or all of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def sweep_stale_folders(temp_root: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove the output folders of studios that are no longer running (and the per-start
    export folders of older studios, after a day). Returns what was removed."""
    temp_root = Path(temp_root or tempfile.gettempdir())
    now = time.time() if now is None else now
    removed = []
    for entry in temp_root.iterdir() if temp_root.is_dir() else []:
        if not entry.is_dir() or entry.is_symlink():
            continue
        own = _OWN_FOLDER.match(entry.name)
        stale = (own is not None and int(own.group(1)) != os.getpid() and not _pid_alive(int(own.group(1)))) or (
            entry.name.startswith(LEGACY_PREFIX) and now - entry.stat().st_mtime > LEGACY_MAX_AGE_S)
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _fast_png(image: Image.Image) -> bytes:
    """PNG bytes, quickly: these files are for showing and downloading, not for the store."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


class StudioFiles:
    """This process's output folder: `images/<sha256>.png` and `exports/<uuid>/<name>.zip`."""

    def __init__(self, root: Path | None = None, max_images: int = 2000) -> None:
        if root is None:
            root = Path(tempfile.gettempdir()) / f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
            root.mkdir(mode=0o700)
        self.root = root
        self.max_images = max_images
        self._lock = threading.Lock()
        self._by_image: dict[int, tuple[Callable[[], Image.Image | None], Path]] = {}
        self._written = 0

    @property
    def images(self) -> Path:
        return self.root / "images"

    def image_file(self, image: Image.Image) -> str:
        """The path of `image` as a PNG file named by its content (written once)."""
        with self._lock:
            known = self._by_image.get(id(image))
            if known is not None and known[0]() is image and known[1].is_file():
                return str(known[1])
        data = _fast_png(image)
        path = self.images / f"{hashlib.sha256(data).hexdigest()}.png"
        if not path.is_file():
            write_atomic(path, data)
            self._written += 1
            if self._written % 100 == 0:
                self._prune()
        with self._lock:
            try:
                self._by_image[id(image)] = (weakref.ref(image), path)
            except TypeError:  # an image type without weak references: just skip the memo
                pass
            if len(self._by_image) > 4 * self.max_images:
                self._by_image.clear()
        return str(path)

    def _prune(self) -> None:
        """Keep the newest `max_images` files; a pruned picture is re-written when shown again."""
        files = sorted(self.images.glob("*.png"), key=lambda p: p.stat().st_mtime)
        for old in files[: max(0, len(files) - self.max_images)]:
            old.unlink(missing_ok=True)

    def export_path(self, name: str) -> Path:
        """A fresh, empty folder for one export, and the file's path inside it."""
        folder = self.root / "exports" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder / name

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
