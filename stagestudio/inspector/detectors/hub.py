"""Loading Hugging Face weights for the detectors: a local folder or a hub id from the cache.

We never fetch weights unless asked to (`allow_download=True`), and never when the hub is in
offline mode (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE), so a missing checkpoint is reported at
once with the command that fixes it instead of a long network timeout.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, TypeVar

from stagestudio import hub_command

T = TypeVar("T")

_TRUTHY = {"1", "true", "yes", "on"}


class WeightsUnavailable(RuntimeError):
    """The requested checkpoint is neither a local folder nor in the Hugging Face cache."""


def hub_offline() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() in _TRUTHY
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def missing_weights_message(source: str) -> str:
    return (
        f"weights for {source} are not in the Hugging Face cache; run "
        f"`{hub_command.download_command(source)}` or pass a local folder"
    )


def load_pretrained(
    loader: Callable[..., T], source: str, *, allow_download: bool = False, **kwargs: Any
) -> T:
    """`loader(source, ...)` (a `from_pretrained`), from a local folder or the HF cache.

    Raises WeightsUnavailable with an actionable message when the weights are not here."""
    path = Path(source).expanduser()
    if path.is_dir():
        try:
            return loader(str(path), **kwargs)
        except (OSError, ValueError) as exc:
            raise WeightsUnavailable(f"cannot load {source}: {exc}") from exc
    if path.exists() or source.startswith(("/", "./", "../", "~")):
        raise WeightsUnavailable(f"no model folder at {source}")
    local_only = hub_offline() or not allow_download
    try:
        return loader(source, local_files_only=local_only, **kwargs)
    except (OSError, ValueError) as exc:
        raise WeightsUnavailable(missing_weights_message(source)) from exc


def pick_device(device: str | None = None) -> str:
    if device:
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
