"""Files the studio hands to the browser: sketches (for the large image and its download button)
and exported archives.

A file is written whole under a temporary name and renamed into place, and never rewritten:
images are named by the hash of their bytes, archives get a fresh folder per export. So a
download in progress never sees a half-written or replaced file (Gradio's own cache writes a
PIL image in place, which truncated downloads under load). Everything lives in the studio's
own temporary folder, owned by its process (`store.create_export_dir`); a starting studio
removes the folders of studios that are gone (`store.cleanup_stale_exports`)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import threading
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path

from PIL import Image


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


def _fast_png(image: Image.Image) -> bytes:
    """PNG bytes, quickly: these files are for showing and downloading, not for the store."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


class StudioFiles:
    """This process's output folder: `images/<sha256>.png` and `exports/<uuid>/<name>.zip`.
    Without `root`, a new folder owned by this process for as long as it runs."""

    def __init__(self, root: Path | None = None, max_images: int = 2000) -> None:
        self._owner = None
        if root is None:
            from stagestudio.store import create_export_dir

            self._owner = create_export_dir()
            root = self._owner.path
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
        if self._owner is not None:
            self._owner.close()
        else:
            shutil.rmtree(self.root, ignore_errors=True)
