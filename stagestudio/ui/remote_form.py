"""The `remote` backend (BAGEL on vLLM-Omni endpoints) in the studio's form: endpoints typed one
per line, checked by the backend's own settings model (`backends/remote/settings.py`), a summary
for a session's header and a status that follows the endpoints in the form.

The API key is read from $STAGESTUDIO_REMOTE_API_KEY by the backend's client when a run starts.
It is never a form field, never in a page and never in the stored settings: only whether the
variable is set is ever shown."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from stagestudio.backends.base import BackendError, BackendStatus
from stagestudio.backends.remote.settings import (
    API_KEY_ENV,
    ENDPOINTS_ENV,
    RemoteSettings,
    endpoints_from_env,
)

# Settings that hold secrets are refused outright, so a key never reaches the store by mistake.
SECRET_SETTINGS = ("api_key",)


class RemoteSettingsError(ValueError):
    """A remote setting the backend cannot take; the message names it."""


def endpoints_from_text(value: Any) -> list[str]:
    """Endpoints from the form's box (one per line; commas and spaces separate too) or a list."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part for part in str(value).replace(",", "\n").split() if part]


def endpoints_to_text(endpoints: Any) -> str:
    return "\n".join(endpoints_from_text(endpoints))


def default_settings() -> dict[str, Any]:
    """Every remote setting at its default; endpoints from $STAGESTUDIO_REMOTE_ENDPOINTS."""
    values = {name: field.default for name, field in RemoteSettings.model_fields.items()}
    values["endpoints"] = endpoints_from_env()
    return values


def validate(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """The complete, checked remote settings as the backend stores them (JSON: endpoints as a list)."""
    from stagestudio.backends.remote.settings import remote_settings

    raw = dict(raw or {})
    secret = [name for name in SECRET_SETTINGS if name in raw]
    if secret:
        raise RemoteSettingsError(f"the API key is never a setting; set ${API_KEY_ENV} where the studio runs")
    raw["endpoints"] = endpoints_from_text(raw.get("endpoints")) or endpoints_from_env()
    if isinstance(raw.get("served_model"), str) and not raw["served_model"].strip():
        raw["served_model"] = None  # an empty box: the field is not sent
    if not raw["endpoints"]:
        raise RemoteSettingsError(f"Endpoints is empty; enter a vLLM-Omni server per line, e.g. http://gpu-1:8000 "
                                  f"(or start the studio with ${ENDPOINTS_ENV} set)")
    try:
        checked = remote_settings(**raw)
    except BackendError as exc:
        raise RemoteSettingsError(str(exc)) from exc
    values = checked.model_dump(mode="json")
    values["endpoints"] = list(values["endpoints"])
    return values


def api_key_note() -> str:
    """Whether the key's variable is set, never the key."""
    if os.environ.get(API_KEY_ENV):
        return f"API key: from ${API_KEY_ENV} (set)"
    return f"API key: ${API_KEY_ENV} is not set (servers that require a key will refuse)"


def status(settings: Mapping[str, Any]) -> BackendStatus:
    """Configured or not, from checked settings; no network (servers are probed when a run starts)."""
    urls = ", ".join(settings.get("endpoints") or ())
    return BackendStatus(name="remote", state="ready",
                         detail=f"vLLM-Omni at {urls} (not probed until a run starts); {api_key_note()}")


def summary(settings: Mapping[str, Any]) -> str:
    """For a session's header: where it ran and what differs from the defaults, e.g.
    'endpoints gpu-1:8000 + gpu-2:8001, resolution 512, graph parser'."""
    defaults = {name: field.default for name, field in RemoteSettings.model_fields.items()}
    hosts = [urlsplit(url).netloc or url for url in endpoints_from_text(settings.get("endpoints"))]
    parts = [f"endpoints {' + '.join(hosts)}"] if hosts else []
    for key, value in settings.items():
        if key == "endpoints" or value is None or defaults.get(key, object()) == value:
            continue
        parts.append(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}")
    return ", ".join(parts)
