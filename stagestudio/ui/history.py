"""Recent results for the studio's thumbnail strip: the newest stored sessions that drew
something, each with a small picture of its final canvas.

The list is read again only when something was stored or removed (`refresh`), a run that ends
in this studio hands its final picture over itself (`remember`), and other sessions' thumbnails
are made once from the store; so redrawing the strip costs nothing while nothing changes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from PIL import Image

from stagestudio.ui.render import HistoryItem, image_data_uri

HISTORY_SIZE = 8
THUMB_PX = 96


class RecentResults:
    def __init__(self, store: Any, size: int = HISTORY_SIZE) -> None:
        self.store = store
        self.size = size
        self._thumbs: OrderedDict[str, str | None] = OrderedDict()
        self._items: list[HistoryItem] = []
        self._stale = True
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Read the list again at the next `items()` (a session was stored, imported or deleted)."""
        with self._lock:
            self._stale = True

    def remember(self, session_id: str, picture: Image.Image | None) -> None:
        """A run of this studio ended with `picture` as its final canvas: its thumbnail, made
        from memory rather than read back from the store."""
        thumb = image_data_uri(picture, THUMB_PX) if picture is not None else None
        with self._lock:
            self._thumbs[session_id] = thumb
            self._trim()
            self._stale = True

    def items(self) -> list[HistoryItem]:
        if self.store is None:
            return []
        with self._lock:
            if not self._stale:
                return list(self._items)
        try:
            summaries = self.store.list_sessions(limit=self.size * 3, prompt_chars=120)
        except Exception:  # a locked or damaged store: the strip is a convenience, keep the last one
            return list(self._items)
        items = []
        for s in summaries:
            if s.status == "running":
                continue
            thumb = self._thumb(s.id)
            if thumb is None:
                continue  # nothing drawn: nothing to show
            items.append(HistoryItem(s.id, s.prompt, s.status, thumb))
            if len(items) >= self.size:
                break
        with self._lock:
            self._items, self._stale = items, False
        return list(items)

    def _thumb(self, session_id: str) -> str | None:
        with self._lock:
            if session_id in self._thumbs:
                self._thumbs.move_to_end(session_id)
                return self._thumbs[session_id]
        thumb = None
        try:
            record = self.store.load_session(session_id)
            canvas = next((s.canvas_sha256 for s in reversed(record.steps) if s.canvas_sha256), None)
            if canvas is not None:
                thumb = image_data_uri(self.store.load_image(canvas), THUMB_PX)
        except Exception:  # an unreadable session simply has no thumbnail
            thumb = None
        with self._lock:
            self._thumbs[session_id] = thumb
            self._trim()
        return thumb

    def _trim(self) -> None:
        while len(self._thumbs) > 8 * self.size:
            self._thumbs.popitem(last=False)
