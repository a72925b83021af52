"""What a remote session stores so it can be resumed or re-run: the endpoints, the sampler
settings and the client's patience. The API key is never stored (it comes from the command
line or $STAGESTUDIO_REMOTE_API_KEY each time)."""

from __future__ import annotations

import os
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stagestudio.backends.base import BackendError

ENDPOINTS_ENV = "STAGESTUDIO_REMOTE_ENDPOINTS"
API_KEY_ENV = "STAGESTUDIO_REMOTE_API_KEY"
GRAPH_SOURCES = ("model", "parser")


def normalize_endpoint(url: str) -> str:
    """`http://host:8000` from what a person types (`host:8000`, `.../v1`, a trailing `/`)."""
    text = str(url).strip()
    if not text:
        raise BackendError("an endpoint is empty; give a URL such as http://gpu-1:8000")
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BackendError(f"endpoint {url!r} is not an http(s) URL such as http://gpu-1:8000")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise BackendError(f"endpoint {url!r} has a bad port") from None
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):  # the OpenAI base URL form; our routes add /v1 themselves
        path = path[: -len("/v1")]
    return f"{parts.scheme}://{parts.netloc}{path}"


def endpoints_from_env() -> list[str]:
    raw = os.environ.get(ENDPOINTS_ENV, "")
    return [part for part in (p.strip() for p in raw.replace(" ", ",").split(",")) if part]


class RemoteSettings(BaseModel):
    """Everything that decides what a remote session computes, and how hard the client tries."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    endpoints: tuple[str, ...] = Field(min_length=1)
    # The `model` field of each request (vLLM checks it against what it serves); None: omit it.
    served_model: str | None = None
    # BAGEL's latent grid: 16 px per latent token, 64x64 tokens at most.
    resolution: int = Field(1024, ge=16, le=1024, multiple_of=16)
    num_timesteps: int = Field(50, ge=2, le=200)
    timestep_shift: float = Field(3.0, gt=0, le=20)
    cfg_text_scale: float = Field(4.0, ge=0, le=20)
    graph: Literal["model", "parser"] = "model"
    max_graph_tokens: int = Field(400, ge=1, le=4096)
    max_plan_tokens: int = Field(200, ge=1, le=2048)
    max_answer_tokens: int = Field(12, ge=1, le=256)
    timeout_s: float = Field(600.0, gt=0, le=86400)
    connect_timeout_s: float = Field(10.0, gt=0, le=600)
    retries: int = Field(3, ge=0, le=20)
    backoff_s: float = Field(1.0, ge=0, le=60)

    @field_validator("endpoints", mode="before")
    @classmethod
    def _normalized(cls, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        urls: list[str] = []
        for url in value or ():
            normal = normalize_endpoint(url)
            if normal not in urls:
                urls.append(normal)
        return tuple(urls)


def remote_settings(**values: Any) -> RemoteSettings:
    """RemoteSettings from keyword settings; endpoints default to $STAGESTUDIO_REMOTE_ENDPOINTS.
    Raises BackendError with one line that names the bad setting."""
    if not values.get("endpoints"):
        values["endpoints"] = endpoints_from_env()
    if not values["endpoints"]:
        raise BackendError(f"no endpoint: pass --endpoint URL (repeatable) or set {ENDPOINTS_ENV}")
    try:
        return RemoteSettings(**values)
    except BackendError:
        raise
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error.get("loc", ())) or "settings"
        cause = error.get("ctx", {}).get("error")
        message = str(cause) if isinstance(cause, BackendError) else error.get("msg", "invalid")
        raise BackendError(f"remote setting {where}: {message}") from None
