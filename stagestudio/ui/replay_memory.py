"""What the Sessions tab keeps in memory for replays, bounded.

Each browser tab's replay holds the session's events without pictures (a few KB); pictures
are decoded only when a view shows them, through one LRU cache shared by every tab and bounded
by decoded bytes. A tab's replay is dropped when the tab goes away (Gradio's unload), when it
has not been used for `ttl_s`, and oldest-first beyond `max_replays`."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

from stagestudio.loop.events import Event

DEFAULT_IMAGE_BUDGET = 96 * 1024 * 1024
DEFAULT_TTL_S = 30 * 60
DEFAULT_MAX_REPLAYS = 256


def image_bytes(image: Image.Image) -> int:
    return image.width * image.height * max(1, len(image.getbands()))


class ImageCache:
    """sha256 -> decoded image, least recently used first out once `budget` bytes are held."""

    def __init__(self, load: Callable[[str], Image.Image], budget: int = DEFAULT_IMAGE_BUDGET) -> None:
        self._load = load
        self.budget = budget
        self._items: OrderedDict[str, Image.Image] = OrderedDict()
        self.held = 0
        self._lock = threading.Lock()

    def get(self, sha256: str) -> Image.Image | None:
        with self._lock:
            image = self._items.get(sha256)
            if image is not None:
                self._items.move_to_end(sha256)
                return image
        try:
            image = self._load(sha256)
        except Exception:  # a missing file shows as "no picture", as the CLI's `show` does
            return None
        size = image_bytes(image)
        if size > self.budget:
            return image  # too big to keep: decode on every use
        with self._lock:
            if sha256 not in self._items:
                self._items[sha256] = image
                self.held += size
            while self.held > self.budget and self._items:
                _, old = self._items.popitem(last=False)
                self.held -= image_bytes(old)
        return image

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.held = 0

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class ReplayState:
    session_id: str | None = None
    events: list[Event] = field(default_factory=list)  # SketchReady events carry a hash, not a picture
    position: int = 0  # number of events shown
    playing: bool = False
    selected: int | str | None = None  # a step the person clicked ("final" for the final card)
    last_used: float = field(default_factory=time.monotonic)

    @property
    def prompt(self) -> str:
        first = next((e for e in self.events if e.type == "session_started"), None)
        return first.prompt if first is not None else ""


class ReplayStates:
    """One ReplayState per browser tab (Gradio session hash), freed on unload and expiry."""

    def __init__(self, ttl_s: float = DEFAULT_TTL_S, max_replays: int = DEFAULT_MAX_REPLAYS) -> None:
        self.ttl_s = ttl_s
        self.max_replays = max_replays
        self._states: OrderedDict[str, ReplayState] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> ReplayState:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            state = self._states.get(key)
            if state is None:
                state = self._states[key] = ReplayState()
            self._states.move_to_end(key)
            state.last_used = now
            while len(self._states) > self.max_replays:
                self._states.popitem(last=False)
            return state

    def drop(self, key: str) -> None:
        with self._lock:
            self._states.pop(key, None)

    def _expire(self, now: float) -> None:
        for key in [k for k, s in self._states.items() if now - s.last_used > self.ttl_s]:
            del self._states[key]

    def __len__(self) -> int:
        return len(self._states)
