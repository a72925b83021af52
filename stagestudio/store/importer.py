"""Importing a validated archive into a store, in bounded transactions.

A big archive (200,000 events is within the archive limits) must not hold the database's
write lock for its whole length: a live run on the same database would wait for it. So
each session is written in chunks sized to hold the lock for about `CHUNK_HOLD_S`, with a
pause between chunks in which other writers get their turn. Meanwhile the session's row
says `importing` and the importer holds its writer lock, so readers can tell a live import
from one whose process died (`import-failed`, removed by `sessions check --repair`). Only
the last transaction gives the session its archived status; if anything fails before
that, everything this import wrote is removed again.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from stagestudio.loop.events import SketchReady, event_from_json
from stagestudio.store.archive import META_CHECKED, META_RESTORED, read_archive
from stagestudio.store.errors import ArchiveError, SessionExistsError
from stagestudio.store.images import StoredImage
from stagestudio.store.locks import SessionLock
from stagestudio.store.models import ImageRow, SessionRow
from stagestudio.store.projection import EventToApply, apply_events
from stagestudio.store.store import SessionStore
from stagestudio.store.validation import IMPORT_FAILED

# How long one import transaction may hold the write lock, and how long the lock is then
# left free. A waiting writer polls every few tens of milliseconds, so it gets in within
# a chunk or two; the import takes about (1 + PAUSE/HOLD) times its bare write time.
CHUNK_HOLD_S = 0.1
CHUNK_PAUSE_S = 0.05
FIRST_CHUNK_EVENTS = 200
MIN_CHUNK_EVENTS, MAX_CHUNK_EVENTS = 20, 10_000


@dataclass
class ImportResult:
    session_id: str
    imported_sessions: list[str]  # newly created (ancestors a fork needed, then the session)
    reused_sessions: list[str]  # ancestors already in the store
    images_written: int
    transactions: int = 0  # write transactions the import took
    longest_hold_s: float = 0.0  # the longest of them, lock wait included


@dataclass
class _Planned:
    session_id: str
    meta: dict[str, Any]
    events: list[dict[str, Any]]


def import_session(store: SessionStore, path: str | os.PathLike[str], *, new_id: bool = False) -> ImportResult:
    """Import an archive: the session keeps its id (SessionExistsError if taken, unless
    `new_id`); a fork's ancestors are imported too unless already in the store."""
    manifest, images = read_archive(Path(path))
    store.ensure_writable()
    entries = manifest["sessions"]
    target_id = manifest["session_id"]
    existing = {e["meta"]["id"] for e in entries if store.exists(e["meta"]["id"])}
    renamed_to = target_id
    if target_id in existing:
        if not new_id:
            leftover = any(s.id == target_id for s in store.list_sessions(status=IMPORT_FAILED))
            hint = (
                "an earlier import of it died half-way; `sessions check --repair` removes that, then import again"
                if leftover
                else "import with --new-id to add it under a new id"
            )
            raise SessionExistsError(f"session {target_id} already exists in {store.location}; {hint}")
        renamed_to = uuid.uuid4().hex[:12]
    for entry in entries[:-1]:
        if entry["meta"]["id"] in existing:
            stored = store.load_session(entry["meta"]["id"])
            if stored.prompt != entry["meta"]["prompt"] or stored.created_at != entry["meta"]["created_at"]:
                raise ArchiveError(
                    f"the archive's ancestor session {stored.id} differs from the session with that id in this store"
                )
    plan = []
    for entry in entries:
        sid = entry["meta"]["id"]
        if sid in existing and sid != target_id:
            continue
        meta, events = dict(entry["meta"]), entry["events"]
        if sid == target_id and renamed_to != target_id:
            meta["id"] = renamed_to
            events = [dict(e, session_id=renamed_to) for e in events]
        plan.append(_Planned(meta["id"], meta, events))

    writer = _ChunkedWriter(store, {sha: info for sha, (_data, info) in images.items()})
    locks: list[SessionLock] = []
    written: list[str] = []
    try:
        # Locks first: from here on a reader sees a live import, never a dead one.
        for planned in plan:
            locks.append(store.writers.lock(planned.session_id).acquire())
        for sha, (data, info) in images.items():
            if not store.images.exists(sha):
                store.images.put_png(data, info.width, info.height)
                written.append(sha)
        for planned in plan:
            writer.write_session(planned)
    except BaseException:
        _undo(store, writer.created, written)
        raise
    finally:
        for lock in locks:
            lock.release()
    return ImportResult(
        session_id=renamed_to,
        imported_sessions=writer.created,
        reused_sessions=sorted(existing - {target_id}),
        images_written=len(written),
        transactions=writer.transactions,
        longest_hold_s=writer.longest_hold_s,
    )


class _ChunkedWriter:
    def __init__(self, store: SessionStore, images: dict[str, StoredImage]) -> None:
        self.store = store
        self.images = images
        self.created: list[str] = []
        self.transactions = 0
        self.longest_hold_s = 0.0

    def _write(self, fn: Any) -> float:
        started = time.monotonic()
        self.store.db.write(fn)
        held = time.monotonic() - started
        self.transactions += 1
        self.longest_hold_s = max(self.longest_hold_s, held)
        return held

    def write_session(self, planned: _Planned) -> None:
        sid, events = planned.session_id, planned.events
        chunk = FIRST_CHUNK_EVENTS
        done = 0
        while done < len(events):
            items = [self._item(data) for data in events[done : done + chunk]]

            def write(db: Session) -> None:
                apply_events(db, items)
                # A SessionDone in the chunk set the final status; it is given only at the end.
                db.execute(update(SessionRow).where(SessionRow.id == sid).values(status="importing"))

            held = self._write(write)
            if done == 0:
                self.created.append(sid)
            done += len(items)
            chunk = max(MIN_CHUNK_EVENTS, min(MAX_CHUNK_EVENTS, int(len(items) * CHUNK_HOLD_S / max(held, 1e-3))))
            if done < len(events):
                time.sleep(CHUNK_PAUSE_S)  # the lock is free: another writer's turn
        self._write(lambda db: _finish_session(db, planned.meta))

    def _item(self, data: dict[str, Any]) -> EventToApply:
        event = event_from_json(data)
        image = self.images[event.image_sha256] if isinstance(event, SketchReady) and event.image_sha256 else None
        return EventToApply(event, json.dumps(data, ensure_ascii=False, separators=(",", ":")), image)


def _finish_session(db: Session, meta: dict[str, Any]) -> None:
    """Check what the events gave against the archive, then restore the archived status,
    times and graphs: the session is complete from this commit on."""
    sid = meta["id"]
    row = db.get(SessionRow, sid)
    assert row is not None
    for name in META_CHECKED:
        if getattr(row, name) != meta[name]:
            raise ArchiveError(
                f"session {sid} in the archive says {name}={meta[name]!r:.80} but its events give "
                f"{getattr(row, name)!r:.80}; nothing was imported"
            )
    for name in META_RESTORED:
        setattr(row, name, meta[name])
    if row.status == "running":
        row.status = "interrupted"  # a snapshot is not running anywhere


def _undo(store: SessionStore, created: list[str], written: list[str]) -> None:
    """Remove what a failed import wrote. If even that fails (the disk is full, say), the
    rows stay marked `importing` and `sessions check --repair` removes them later; image
    files no row refers to are removed either way."""
    if created:
        try:
            store.discard_sessions(created)
        except Exception:  # noqa: BLE001 - the import's own error is the one to report
            pass
    try:
        referenced = set(
            store.db.read(lambda db: list(db.scalars(select(ImageRow.sha256).where(ImageRow.sha256.in_(written)))))
        )
    except Exception:  # noqa: BLE001 - unknown: keep every file rather than risk one in use
        return
    for sha in written:
        if sha not in referenced:
            store.images.remove(sha)
