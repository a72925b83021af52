"""`sessions check [--repair]`: everything that can be wrong with a store, and what can be
put right without losing anything.

Found: the database's integrity problems (SQLite's integrity check, or amcheck on
PostgreSQL where it is installed; a damaged index among them), sessions whose rows no
reader can use, images the database refers to whose files are gone, image files nothing
refers to (left by a killed import or delete), leftover temporary files, and imports that
died half-way. Repaired: indexes are rebuilt from the tables (REINDEX), dead partial
imports and unreferenced files are removed. Files younger than `grace_s` are left alone:
a live writer puts an image on disk a moment before the row that refers to it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from stagestudio.store.errors import StoreError
from stagestudio.store.images import SHA256_RE
from stagestudio.store.models import AttemptRow, ImageRow, StepRow
from stagestudio.store.store import SessionStore
from stagestudio.store.validation import DAMAGED, IMPORT_FAILED

# Longer than a recorder ever keeps an image on disk before its row is committed (its
# backlog waits at most ten lock timeouts, five minutes).
ORPHAN_GRACE_S = 600.0


@dataclass
class CheckReport:
    integrity: list[str] = field(default_factory=list)  # the database's words, after any repair
    listing: list[str] = field(default_factory=list)  # indexes that disagree with the sessions table
    damaged_sessions: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    missing_images: list[tuple[str, str]] = field(default_factory=list)  # (session id, sha256)
    failed_imports: list[str] = field(default_factory=list)  # still present (not repaired)
    orphan_images: list[Path] = field(default_factory=list)  # still present
    recent_orphans: list[Path] = field(default_factory=list)  # too new to judge; left alone
    temp_files: list[Path] = field(default_factory=list)  # still present
    # What --repair did.
    reindexed: bool = False
    removed_imports: list[str] = field(default_factory=list)
    removed_files: list[Path] = field(default_factory=list)
    repair_failed: str | None = None

    @property
    def ok(self) -> bool:
        """Nothing left that needs a person (recent files are not a problem yet)."""
        return not (
            self.integrity or self.listing or self.damaged_sessions or self.missing_images
            or self.failed_imports or self.orphan_images or self.temp_files or self.repair_failed
        )


def check_store(store: SessionStore, *, repair: bool = False, grace_s: float = ORPHAN_GRACE_S) -> CheckReport:
    report = CheckReport(integrity=store.integrity_check(), listing=store.listing_problems())
    if repair and (report.integrity or report.listing):
        _reindex(store, report)
    _check_sessions(store, report, repair)
    _check_files(store, report, repair, grace_s)
    return report


def _reindex(store: SessionStore, report: CheckReport) -> None:
    """Rebuild every index from its table: what a damaged index needs. Damage to the
    tables themselves survives this and is reported as before."""
    try:
        store.db.reindex()
    except StoreError as exc:
        report.repair_failed = f"could not rebuild the indexes ({exc}); restore a backup or move the file aside"
        return
    report.reindexed = True
    report.integrity = store.integrity_check()
    report.listing = store.listing_problems()


def _check_sessions(store: SessionStore, report: CheckReport, repair: bool) -> None:
    summaries = store.list_sessions()
    parents = {s.id: s.parent_session_id for s in summaries}
    dead_imports = [s.id for s in summaries if s.status == IMPORT_FAILED]
    for s in summaries:
        if s.status == DAMAGED:
            report.damaged_sessions.append((s.id, s.problem or "unreadable"))
        elif s.status != IMPORT_FAILED:
            try:
                record = store.load_session(s.id)
            except StoreError as exc:
                report.damaged_sessions.append((s.id, str(exc)))
                continue
            report.missing_images += [(s.id, sha) for sha in record.missing_images]
    if not dead_imports:
        return
    # Parents before children (a fork's ancestors are imported first).
    depth = {sid: _depth(sid, parents) for sid in dead_imports}
    ordered = sorted(dead_imports, key=lambda sid: depth[sid])
    if not repair:
        report.failed_imports = ordered
        return
    try:
        store.discard_sessions(ordered)
        report.removed_imports = ordered
    except StoreError as exc:
        report.failed_imports = ordered
        report.repair_failed = f"could not remove the failed imports ({exc})"


def _depth(session_id: str, parents: dict[str, str | None]) -> int:
    depth, seen = 0, {session_id}
    parent = parents.get(session_id)
    while parent is not None and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = parents.get(parent)
    return depth


def _check_files(store: SessionStore, report: CheckReport, repair: bool, grace_s: float) -> None:
    root = store.images.root
    if not root.is_dir():
        return

    def referenced_hashes(db) -> set[str]:
        used = set(db.scalars(select(ImageRow.sha256)))
        used |= set(db.scalars(select(AttemptRow.image_sha256).where(AttemptRow.image_sha256.is_not(None))))
        used |= set(db.scalars(select(StepRow.canvas_sha256).where(StepRow.canvas_sha256.is_not(None))))
        return used

    # Files first, rows second: a file written after the listing cannot be mistaken for
    # an orphan, and one written before it has its row by now or is older than grace_s.
    files = [p for p in root.glob("*/*") if p.is_file() and not p.is_symlink()]
    used = store.db.read(referenced_hashes)
    now = time.time()
    for path in sorted(files):
        name = path.name
        if name.startswith(".tmp-"):
            kind = "temp"
        elif name.endswith(".png") and SHA256_RE.match(name[:-4]) and path.parent.name == name[:2]:
            if name[:-4] in used:
                continue
            kind = "orphan"
        else:
            continue  # not something this store writes: never touch it
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if age < grace_s:
            if kind == "orphan":
                report.recent_orphans.append(path)
            continue
        if repair:
            try:
                path.unlink()
                report.removed_files.append(path)
                continue
            except FileNotFoundError:
                continue
            except OSError as exc:
                report.repair_failed = f"could not remove {path}: {exc.strerror or exc}"
        (report.temp_files if kind == "temp" else report.orphan_images).append(path)
