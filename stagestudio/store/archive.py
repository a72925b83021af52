"""One portable .zip per session, and a careful importer.

Layout (deterministic: sorted members, fixed timestamps, so export -> import -> export
gives the same bytes):

    session.json            format, versions, the sessions (a fork's ancestors first,
                            then the session itself: metadata + every event) and the
                            image index {sha256: {width, height, size_bytes}}
    images/<sha256>.png     every image the events refer to

`read_archive` trusts nothing: member names, counts and sizes, JSON shape, schema
version, every session field (with the models the recorder writes), each event, and each
image (PNG that Pillow opens, hash matches its name) are checked before anything is
written. Writing an archive into a store is importer.py.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from PIL import Image
from pydantic import ValidationError
from sqlalchemy import select

from stagestudio.loop.events import SessionStarted, SketchReady, event_from_json
from stagestudio.scene.graph import SceneGraphError
from stagestudio.store import migrations
from stagestudio.store.errors import ArchiveError, StoreError
from stagestudio.store.images import PNG_SIGNATURE, SHA256_RE, StoredImage, sha256_hex
from stagestudio.store.models import EventRow, ImageRow, SessionRow
from stagestudio.store.store import SessionStore
from stagestudio.store.validation import ArchivedSessionMeta, first_error, json_number_problem, timestamp_problem

ARCHIVE_FORMAT = "stagestudio.session-archive"
ARCHIVE_VERSION = 1
MANIFEST_NAME = "session.json"
IMAGE_MEMBER_RE = re.compile(r"^images/([0-9a-f]{64})\.png$")

# Limits that keep a hostile archive from exhausting memory or disk.
MAX_MEMBERS = 20_000
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_IMAGE_PIXELS = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # a zip bomb expands far more than any PNG or JSON we write
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)

# Columns an archive carries per session and re-imports as they were; everything else is
# recomputed from the events and must agree with the archive.
META_RESTORED = ("status", "created_at", "updated_at", "graph_planned", "graph_edited")
META_CHECKED = (
    "prompt", "backend", "settings", "seed", "max_refines", "max_steps", "passed",
    "parent_session_id", "branch_step", "final_verdict", "step_count", "last_seq", "last_error",
)


def _session_meta(row: SessionRow, status: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"id": row.id}
    for name in META_RESTORED + META_CHECKED:
        meta[name] = getattr(row, name)
    meta["status"] = status
    return meta


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- export ------------------------------------------------------------------------------
def build_manifest(store: SessionStore, session_id: str) -> tuple[dict[str, Any], list[str]]:
    """The archive's session.json content and the image hashes it needs."""
    chain: list[str] = []
    sid: str | None = session_id
    while sid is not None:
        if sid in chain:
            raise StoreError(f"fork chain of {session_id} loops through {sid}; the database is inconsistent")
        chain.append(sid)
        sid = store.db.read(lambda db, s=sid: store._row(db, s).parent_session_id)
    sessions = []
    images: dict[str, dict[str, int]] = {}
    for sid in reversed(chain):
        # Row and events from one read transaction: a consistent snapshot even while a
        # live run keeps appending to the session.
        summary, payloads = store.db.read(
            lambda db, s=sid: (
                store._row(db, s),
                list(db.scalars(select(EventRow.payload).where(EventRow.session_id == s).order_by(EventRow.seq))),
            )
        )
        status = store._effective_status(sid, summary.status)
        if status in ("importing", "import-failed"):
            raise StoreError(f"cannot export {session_id}: session {sid} is {status} (its archive is not fully in this store)")
        if status == "running":
            status = "interrupted"  # a snapshot is not running anywhere
        events = [json.loads(p) for p in payloads]
        for data in events:
            sha = data.get("image_sha256") if data.get("type") == "sketch_ready" else None
            if sha:
                images[sha] = {}
        sessions.append({"meta": _session_meta(summary, status), "events": events})
    missing = sorted(sha for sha in images if not store.images.exists(sha))
    if missing:
        raise StoreError(
            f"cannot export {session_id}: {len(missing)} image file(s) are missing from {store.images.root} "
            f"(e.g. {missing[0]}); `sessions show {session_id}` lists them"
        )
    rows = store.db.read(
        lambda db: {r.sha256: r for r in db.scalars(select(ImageRow).where(ImageRow.sha256.in_(list(images))))}
    )
    for sha in images:
        row = rows.get(sha)
        if row is None:
            with Image.open(store.images.path_for(sha)) as img:
                images[sha] = {"width": img.width, "height": img.height, "size_bytes": store.images.path_for(sha).stat().st_size}
        else:
            images[sha] = {"width": row.width, "height": row.height, "size_bytes": row.size_bytes}
    manifest = {
        "format": ARCHIVE_FORMAT,
        "format_version": ARCHIVE_VERSION,
        "schema_revision": migrations.SCHEMA_HEAD,
        "session_id": session_id,
        "sessions": sessions,
        "images": dict(sorted(images.items())),
    }
    return manifest, sorted(images)


def export_session(store: SessionStore, session_id: str, target: str | os.PathLike[str]) -> Path:
    """Write `session_id` (with a fork's shared history) to a self-contained .zip."""
    target = Path(target)
    if target.is_dir():
        raise StoreError(f"{target} is a folder; name the archive file to write, e.g. {target / (session_id + '.zip')}")
    manifest, shas = build_manifest(store, session_id)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=target.parent)
    except OSError as exc:
        raise StoreError(f"cannot write {target}: {exc.strerror or exc}; nothing was exported") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            with zipfile.ZipFile(fh, "w") as zf:
                _add_member(zf, MANIFEST_NAME, _json_bytes(manifest), zipfile.ZIP_DEFLATED)
                for sha in shas:
                    _add_member(zf, f"images/{sha}.png", store.images.path_for(sha).read_bytes(), zipfile.ZIP_STORED)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write {target}: {exc.strerror or exc}; nothing was exported") from exc
        raise
    return target


def _add_member(zf: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = compression
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


# --- import ------------------------------------------------------------------------------
def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read at most `limit` bytes, whatever the header claims (headers can lie)."""
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise ArchiveError(f"member {info.filename} is damaged or truncated: {exc}") from exc
    if len(data) > limit:
        raise ArchiveError(f"member {info.filename} is larger than the {_size(limit)} allowed; nothing was imported")
    return data


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _check_member_name(name: str) -> None:
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        raise ArchiveError(f"archive member {name!r} has an absolute or unsafe path; nothing was imported")
    if ".." in PurePosixPath(name).parts:
        raise ArchiveError(f"archive member {name!r} escapes the archive folder ('..'); nothing was imported")
    if name != MANIFEST_NAME and not IMAGE_MEMBER_RE.match(name):
        raise ArchiveError(
            f"unexpected archive member {name!r}; a session archive holds only {MANIFEST_NAME} and images/<sha256>.png"
        )


def _validate_png(name: str, data: bytes, sha: str, declared: dict[str, Any]) -> StoredImage:
    if not data.startswith(PNG_SIGNATURE):
        raise ArchiveError(f"{name} is not a PNG image; nothing was imported")
    actual = sha256_hex(data)
    if actual != sha:
        raise ArchiveError(f"{name} does not match its hash (content sha256 {actual}); nothing was imported")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG":
                raise ArchiveError(f"{name} is not a PNG image (Pillow reads it as {img.format})")
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ArchiveError(f"{name} is {width}x{height} pixels, over the {MAX_IMAGE_PIXELS} pixel limit")
            img.load()
    except ArchiveError:
        raise
    except Exception as exc:  # Pillow raises many types for broken files
        raise ArchiveError(f"{name} is not a readable PNG image ({type(exc).__name__}: {exc})") from exc
    if declared and (declared.get("width"), declared.get("height"), declared.get("size_bytes")) != (width, height, len(data)):
        raise ArchiveError(f"{name} does not match the size recorded in {MANIFEST_NAME}")
    return StoredImage(sha, width, height, len(data))


def check_archive_path(path: str | os.PathLike[str]) -> Path:
    """`path` if it can be an archive at all; else ArchiveError saying what it is instead."""
    path = Path(path)
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder, not a session archive; give the .zip file that `sessions export` wrote")
    if not path.is_file():
        raise ArchiveError(f"archive {path} does not exist" if not path.exists() else f"{path} is not a regular file")
    return path


def read_archive(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, tuple[bytes, StoredImage]]]:
    """Open and fully validate an archive; returns its manifest and verified images."""
    path = check_archive_path(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"{path} is not a readable zip archive (truncated or damaged: {exc}); nothing was imported") from exc
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ArchiveError(f"{path} has {len(infos)} members, more than the {MAX_MEMBERS} allowed")
        names = [i.filename for i in infos]
        for name in names:
            _check_member_name(name)
        if len(set(names)) != len(names):
            raise ArchiveError(f"{path} lists a member twice; nothing was imported")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise ArchiveError(f"{path} would expand to {_size(total)}, over the {_size(MAX_TOTAL_BYTES)} allowed")
        for info in infos:
            if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO and info.file_size > 1024 * 1024:
                raise ArchiveError(f"member {info.filename} expands {info.file_size // info.compress_size}x; refusing a likely zip bomb")
        if MANIFEST_NAME not in names:
            raise ArchiveError(f"{path} has no {MANIFEST_NAME}; it is not a StageStudio session archive")
        raw = _read_member(zf, zf.getinfo(MANIFEST_NAME), MAX_MANIFEST_BYTES)
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ArchiveError(f"{MANIFEST_NAME} in {path} is not valid JSON ({exc})") from exc
        _validate_manifest(manifest)
        declared = manifest["images"]
        images: dict[str, tuple[bytes, StoredImage]] = {}
        for info in infos:
            match = IMAGE_MEMBER_RE.match(info.filename)
            if not match:
                continue
            sha = match.group(1)
            if sha not in declared:
                raise ArchiveError(f"{info.filename} is not listed in {MANIFEST_NAME}")
            data = _read_member(zf, info, MAX_IMAGE_BYTES)
            images[sha] = (data, _validate_png(info.filename, data, sha, declared[sha]))
        missing = sorted(set(declared) - set(images))
        if missing:
            raise ArchiveError(f"{path} lacks {len(missing)} image(s) its events refer to (e.g. images/{missing[0]}.png)")
    return manifest, images


def _validate_manifest(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError(f"{MANIFEST_NAME} is not a StageStudio session archive manifest")
    version = manifest.get("format_version")
    if version != ARCHIVE_VERSION:
        raise ArchiveError(
            f"archive format version {version!r} is not supported (this StageStudio reads version {ARCHIVE_VERSION})"
        )
    revision = manifest.get("schema_revision")
    if not isinstance(revision, str) or revision not in migrations.known_revisions():
        raise ArchiveError(
            f"archive was written with store schema {revision!r}, newer than this StageStudio supports "
            f"({migrations.head_revision()}); upgrade StageStudio to import it"
        )
    sessions = manifest.get("sessions")
    if not isinstance(sessions, list) or not sessions or not isinstance(manifest.get("images"), dict):
        raise ArchiveError(f"{MANIFEST_NAME} lacks its sessions or image index")
    if not all(isinstance(s, str) and SHA256_RE.match(s) for s in manifest["images"]):
        raise ArchiveError(f"{MANIFEST_NAME} lists an image under a name that is not a sha256")
    previous: str | None = None
    referenced: set[str] = set()
    for entry in sessions:
        if not isinstance(entry, dict) or not isinstance(entry.get("meta"), dict) or not isinstance(entry.get("events"), list):
            raise ArchiveError(f"{MANIFEST_NAME} has a malformed session entry")
        meta = entry["meta"]
        sid = meta.get("id")
        shown = repr(sid) if not isinstance(sid, str) or len(sid) > 64 else sid
        missing = [k for k in ("id",) + META_RESTORED + META_CHECKED if k not in meta]
        if missing:
            raise ArchiveError(f"session {shown} in the archive lacks {', '.join(missing)}; nothing was imported")
        try:
            # The values that are restored as they are must be what the recorder would
            # have written: a status it knows, plausible times, valid scene graphs.
            entry["meta"] = meta = ArchivedSessionMeta.model_validate(meta).model_dump(mode="json")
        except ValidationError as exc:
            raise ArchiveError(f"session {shown} in the archive has an invalid {first_error(exc)}; nothing was imported") from None
        if meta["parent_session_id"] != previous:
            raise ArchiveError(f"session {sid} in the archive does not continue the session before it")
        events = entry["events"]
        if not events:
            raise ArchiveError(f"session {sid} in the archive has no events")
        for expected_seq, data in enumerate(events):
            problem = json_number_problem(data) if isinstance(data, dict) else None
            if problem is None and isinstance(data, dict) and "at" in data:
                problem = f"at {timestamp_problem(data['at'])}" if timestamp_problem(data["at"]) else None
            if problem:
                raise ArchiveError(f"event {expected_seq} of session {sid} is invalid: {problem}; nothing was imported")
            try:
                event = event_from_json(data)
                if isinstance(event, SessionStarted):
                    event.graph.validate_graph()
            except ValidationError as exc:
                raise ArchiveError(f"event {expected_seq} of session {sid} is invalid: {first_error(exc)}; nothing was imported") from None
            except SceneGraphError as exc:
                raise ArchiveError(f"event {expected_seq} of session {sid} has an invalid scene graph: {exc}") from None
            if event.session_id != sid or event.seq != expected_seq:
                raise ArchiveError(f"event {expected_seq} of session {sid} is out of order or belongs to another session")
            if expected_seq == 0 and not isinstance(event, SessionStarted):
                raise ArchiveError(f"session {sid} in the archive does not begin with session_started")
            if isinstance(event, SketchReady):
                if not event.image_sha256:
                    raise ArchiveError(f"sketch event {event.seq} of session {sid} has no image")
                referenced.add(event.image_sha256)
        previous = sid
    if previous != manifest.get("session_id"):
        raise ArchiveError(f"{MANIFEST_NAME} names session {manifest.get('session_id')!r} but holds {previous!r} last")
    if referenced != set(manifest["images"]):
        raise ArchiveError(f"{MANIFEST_NAME}'s image index does not match the images its events use")
