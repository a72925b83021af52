"""Files the studio serves: written whole under names that are never reused for other bytes,
so a download running while the same picture is shown again never sees a half-written file;
in a folder its process owns, which a starting studio leaves alone while it runs."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from PIL import Image

from stagestudio.store import cleanup_stale_exports
from stagestudio.ui.outputs import StudioFiles, write_atomic


def picture(seed: int, size: int = 256) -> Image.Image:
    image = Image.new("RGB", (size, size), (seed % 256, (seed * 7) % 256, 90))
    for x in range(0, size, 8):
        image.putpixel((x, (x * seed) % size), (255, 255, 255))
    return image


def test_a_picture_is_written_once_under_its_content_name(tmp_path):
    files = StudioFiles(tmp_path / "out")
    a = files.image_file(picture(1))
    again = files.image_file(picture(1))  # another object, same pixels
    assert a == again and Path(a).is_file() and Path(a).parent == files.images
    before = os.stat(a).st_mtime_ns
    files.image_file(picture(1))
    assert os.stat(a).st_mtime_ns == before  # never rewritten
    assert files.image_file(picture(2)) != a
    with Image.open(a) as img:
        assert img.size == (256, 256)


def test_downloads_never_see_a_partial_file_while_the_same_picture_is_shown_again(tmp_path):
    """The failure issue 12 saw: one writer re-writing a cached picture while readers stream it.
    Here writers keep asking for the same pictures while readers read every file the writers
    hand out; every read must be a complete PNG."""
    files = StudioFiles(tmp_path / "out")
    images = [picture(i, 384) for i in range(6)]
    paths: list[str] = []
    stop = threading.Event()
    bad: list[str] = []

    def writer() -> None:
        while not stop.is_set():
            for image in images:
                paths.append(files.image_file(image.copy()))  # a new object each time: no memo

    def reader() -> None:
        while not stop.is_set():
            for path in list(paths[-12:]):
                data = Path(path).read_bytes()
                if not (data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82")):
                    bad.append(path)

    threads = [threading.Thread(target=writer) for _ in range(2)] + [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join()
    assert len(paths) > 20 and not bad
    assert len(list(files.images.glob("*.png"))) == len(images)
    assert not list(files.images.glob(".tmp-*"))  # no temporary file left behind


def test_each_export_gets_a_fresh_folder(tmp_path):
    files = StudioFiles(tmp_path / "out")
    first, second = files.export_path("stagestudio-abc.zip"), files.export_path("stagestudio-abc.zip")
    assert first.name == second.name and first != second and first.parent.is_dir() and not first.exists()


def test_write_atomic_leaves_the_old_file_or_the_new_one(tmp_path):
    target = tmp_path / "a" / "file.bin"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and [p.name for p in target.parent.iterdir()] == ["file.bin"]


def test_the_studio_folder_is_owned_while_it_runs_and_removed_after():
    files = StudioFiles()
    try:
        files.image_file(picture(3))
        assert files.root.name.startswith("stagestudio-export-")
        assert files.root not in cleanup_stale_exports(files.root.parent)  # another studio starting
        assert files.root.is_dir() and any(files.images.iterdir())
    finally:
        files.remove()
    assert not files.root.exists()
