"""Errors the session store raises. Each message says what happened and what to do."""

from __future__ import annotations


class StoreError(RuntimeError):
    """Base class: something about the session store the user can act on."""


class StoreLockedError(StoreError):
    """Another writer kept the database locked longer than we were willing to wait."""


class StoreCorruptError(StoreError):
    """The database file is not a SQLite database or fails its integrity check."""


class StoreFullError(StoreError):
    """The disk (or the database's size limit) is full; nothing after the last commit was saved."""


class StoreOpenError(StoreError):
    """The path cannot hold a database: a folder, a device, a pseudo-filesystem."""


class StoreVersionError(StoreError):
    """The database schema is newer than this StageStudio understands."""


class StoreReadOnlyError(StoreError):
    """A write was needed but the database (or its folder) is read-only."""


class SessionNotFoundError(StoreError):
    """No session with that id in this store."""


class SessionDamagedError(StoreError):
    """One stored session's rows are unreadable or inconsistent; others are unaffected."""


class SessionExistsError(StoreError):
    """A session with that id is already stored (import with a new id instead)."""


class SessionBusyError(StoreError):
    """Another live process is writing this session right now."""


class ArchiveError(StoreError):
    """An export archive is malformed, unsafe or inconsistent; nothing was imported."""
