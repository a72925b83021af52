"""Content-addressed image files: `<db dir>/images/<db name>/<sha[:2]>/<sha256>.png`.

A file is written completely (temp file, fsync, rename, fsync of the folder) before any
database row points at it, so a crash leaves at worst an unreferenced file, never a row
pointing at half an image.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class StoredImage:
    sha256: str
    width: int
    height: int
    size_bytes: int


def encode_png(image: Image.Image) -> bytes:
    """Deterministic PNG bytes for an image: same pixels and mode -> same bytes."""
    buf = io.BytesIO()
    # No metadata (image.info) is written, so the hash depends on the pixels alone.
    image.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image_hash(image: Image.Image) -> str:
    """The sha256 under which `image` would be stored."""
    return sha256_hex(encode_png(image))


class ImageStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def ensure_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        if not SHA256_RE.match(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / f"{sha256}.png"

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put_image(self, image: Image.Image) -> StoredImage:
        data = encode_png(image)
        return self.put_png(data, image.width, image.height)

    def put_png(self, data: bytes, width: int, height: int) -> StoredImage:
        sha = sha256_hex(data)
        target = self.path_for(sha)
        if target.is_file() and target.stat().st_size == len(data):
            # Reused: mark it as fresh, so a concurrent `sessions check --repair` cannot take
            # it for an old orphan in the moment before this writer's row refers to it.
            try:
                os.utime(target)
            except OSError:
                pass
        else:
            self._write_atomic(target, data)
        return StoredImage(sha, width, height, len(data))

    def load(self, sha256: str) -> Image.Image:
        path = self.path_for(sha256)
        with Image.open(path) as img:
            img.load()
            return img.copy()  # keep the stored mode: a re-run must see the same pixels

    def remove(self, sha256: str) -> None:
        try:
            self.path_for(sha256).unlink()
        except FileNotFoundError:
            pass

    @staticmethod
    def _write_atomic(target: Path, data: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise
        # Make the rename itself durable.
        try:
            dir_fd = os.open(target.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)
