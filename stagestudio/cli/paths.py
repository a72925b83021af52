"""Output folders the commands write into, checked before any work is done."""

from __future__ import annotations

from pathlib import Path

from stagestudio.cli import CliError


def ensure_writable_folder(folder: Path, purpose: str) -> None:
    """Create `folder` (with its parents) and prove a file can be written there; else a
    one-line CliError naming `purpose` ("output folder", "folder for the images", ...)."""
    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder} is a file, not a folder; choose a {purpose}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CliError(f"cannot write to {purpose} {str(folder)!r}: {exc.strerror or exc}") from exc
