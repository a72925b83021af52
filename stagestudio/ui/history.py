"""Recent results for the studio's thumbnail strip: the newest stored sessions that drew
something, each with a small picture of its final canvas.

Listing is one short query; a thumbnail is made once per session and version (its last update)
and kept in a small cache, so redrawing the strip costs nothing while nothing was stored."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from stagestudio.ui.render import HistoryItem, image_data_uri

HISTORY_SIZE = 8
THUMB_PX = 96
# The list is read again at most this often (new sessions also refresh it: see `refresh`).
LIST_TTL_S = 2.0


class RecentResults:
    def __init__(self, store: Any, size: int = HISTORY_SIZE) -> None:
        self.store = store
        self.size = size
        self._thumbs: OrderedDict[tuple[str, float], str | None] = OrderedDict()
        self._items: list[HistoryItem] = []
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Read the list again at the next `items()` (a run ended, a session was deleted)."""
        with self._lock:
            self._read_at = float("-inf")

    def items(self) -> list[HistoryItem]:
        if self.store is None:
            return []
        with self._lock:
            if time.monotonic() - self._read_at < LIST_TTL_S:
                return list(self._items)
        try:
            summaries = self.store.list_sessions(limit=self.size * 3, prompt_chars=120)
        except Exception:  # a locked or damaged store: the strip is a convenience, keep the last one
            return list(self._items)
        items = []
        for s in summaries:
            if s.status == "running":
                continue
            thumb = self._thumb(s.id, s.updated_at)
            if thumb is None:
                continue  # nothing drawn: nothing to show
            items.append(HistoryItem(s.id, s.prompt, s.status, thumb))
            if len(items) >= self.size:
                break
        with self._lock:
            self._items, self._read_at = items, time.monotonic()
        return list(items)

    def _thumb(self, session_id: str, updated_at: float) -> str | None:
        key = (session_id, updated_at)
        with self._lock:
            if key in self._thumbs:
                self._thumbs.move_to_end(key)
                return self._thumbs[key]
        thumb = None
        try:
            record = self.store.load_session(session_id)
            canvas = next((s.canvas_sha256 for s in reversed(record.steps) if s.canvas_sha256), None)
            if canvas is not None:
                thumb = image_data_uri(self.store.load_image(canvas), THUMB_PX)
        except Exception:  # an unreadable session simply has no thumbnail
            thumb = None
        with self._lock:
            self._thumbs[key] = thumb
            while len(self._thumbs) > 4 * self.size:
                self._thumbs.popitem(last=False)
        return thumb
