"""Requests to vLLM-Omni endpoints: a session's stages go to its endpoint, with retries and
back-off when the server is overloaded or the connection drops, and errors a person can act on.

* 429 / 502 / 503 / 504 and lost connections are retried (`retries` times, waiting
  `backoff_s`, 2x, 4x ... at most 30 s, or what Retry-After asks); when every retry fails the
  endpoint is marked down and the stage raises `EndpointUnavailable` — the session is stored as
  interrupted and `sessions resume` continues it on an endpoint that answers.
* No reply within `timeout_s` is `EndpointUnavailable` at once (a busy server is not helped
  by sending it the same work again).
* 500 is retried like the others, but when it persists the request itself is the problem:
  `RemoteServerError`. Other 4xx are `RemoteRejected` with the server's message.
* Cancelling aborts the request in flight (and any back-off wait).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections.abc import Callable

from PIL import Image

from stagestudio.backends.base import BackendError, BackendUnavailable, CancelToken, Cancelled
from stagestudio.backends.remote import dialect
from stagestudio.backends.remote.endpoints import EndpointPool
from stagestudio.backends.remote.http import ConnectionLost, HttpReply, RequestTimedOut, http_request
from stagestudio.backends.remote.settings import API_KEY_ENV, RemoteSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_S = 30.0
HEALTH_TIMEOUT_S = 3.0


class EndpointUnavailable(BackendUnavailable):
    """An endpoint stopped answering (see the module docstring)."""


class RemoteRejected(BackendError):
    """The server refused the request (4xx); its message says why."""


class RemoteServerError(BackendError):
    """The server kept failing this request (HTTP 500)."""


Sleep = Callable[[float, "CancelToken | None"], None]


def cancellable_sleep(seconds: float, cancel: CancelToken | None) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if cancel is not None and cancel.cancelled:
            raise Cancelled("cancelled by user")
        time.sleep(min(left, 0.05))


def _retry_after(reply: HttpReply) -> float | None:
    value = reply.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: use our own back-off


class OmniClient:
    """Thread-safe: one client serves every session of a backend."""

    def __init__(self, settings: RemoteSettings, api_key: str | None = None, *,
                 sleep: Sleep = cancellable_sleep) -> None:
        self.settings = settings
        self._api_key = api_key or os.environ.get(API_KEY_ENV) or None
        self._sleep = sleep
        self.pool = EndpointPool(settings.endpoints, probe=self.health)
        self._request_numbers = itertools.count(1)
        self._lock = threading.Lock()

    # --- the two things a stage asks ------------------------------------------------------
    def image(self, session_id: str, ask: dialect.ImageAsk, cancel: CancelToken | None = None) -> Image.Image:
        payload = dialect.image_payload(ask, self.settings.served_model)
        body = self._chat(session_id, ask.modality, payload, cancel)
        return dialect.read_image_reply(body, (ask.width, ask.height))

    def text(self, session_id: str, ask: dialect.TextAsk, cancel: CancelToken | None = None) -> str:
        payload = dialect.text_payload(ask, self.settings.served_model)
        return dialect.read_text_reply(self._chat(session_id, ask.modality, payload, cancel))

    def end_session(self, session_id: str) -> None:
        if session_id:
            self.pool.release(session_id)

    # --- plumbing ---------------------------------------------------------------------------
    def _headers(self, request_id: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-Request-Id": request_id}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _chat(self, session_id: str, modality: str, payload: dict, cancel: CancelToken | None) -> bytes:
        url = self.pool.endpoint_for(session_id)
        with self._lock:
            number = next(self._request_numbers)
        # vLLM logs X-Request-Id: a request is traceable to its session on the server.
        request_id = f"{session_id or 'stagestudio'}-{modality}-{number}"
        body = json.dumps(payload).encode()
        try:
            with self.pool.request(url):
                return self._post_with_retries(url, body, request_id, cancel)
        except EndpointUnavailable as exc:
            self.pool.mark_down(url, str(exc))
            self.end_session(session_id)
            raise

    def _post_with_retries(self, url: str, body: bytes, request_id: str, cancel: CancelToken | None) -> bytes:
        s = self.settings
        problem = ""
        last_status = 0
        wait = 0.0
        for attempt in range(s.retries + 1):
            if attempt:
                self._sleep(min(MAX_BACKOFF_S, wait), cancel)
            try:
                reply = http_request("POST", url, dialect.CHAT_PATH, body=body, headers=self._headers(request_id),
                                     connect_timeout_s=s.connect_timeout_s, timeout_s=s.timeout_s, cancel=cancel)
            except RequestTimedOut:
                raise EndpointUnavailable(
                    f"{url} did not answer within {s.timeout_s:g} s (raise --timeout for big images or busy servers)"
                ) from None
            except ConnectionLost as exc:
                problem, last_status = str(exc), 0
                wait = s.backoff_s * 2**attempt
                continue
            if 200 <= reply.status < 300:
                return reply.body
            message = dialect.error_message(reply.body)
            if reply.status in (401, 403):
                raise RemoteRejected(f"{url} refused the request (HTTP {reply.status}: {message}); "
                                     f"pass --api-key or set {API_KEY_ENV}")
            if reply.status not in RETRY_STATUSES:
                raise RemoteRejected(f"{url} rejected the request (HTTP {reply.status}): {message}")
            problem, last_status = f"HTTP {reply.status}: {message}", reply.status
            asked = _retry_after(reply)
            wait = asked if asked is not None else s.backoff_s * 2**attempt
        tries = f"{s.retries + 1} tr{'y' if s.retries == 0 else 'ies'}"
        if last_status == 500:
            raise RemoteServerError(f"{url} failed the request {tries} in a row ({problem})")
        raise EndpointUnavailable(f"{url} is unavailable after {tries} ({problem})")

    def health(self, url: str) -> str | None:
        """None when `url` answers GET /health with 200, else why not."""
        try:
            reply = http_request("GET", url, dialect.HEALTH_PATH, headers=self._headers("stagestudio-health"),
                                 connect_timeout_s=min(HEALTH_TIMEOUT_S, self.settings.connect_timeout_s),
                                 timeout_s=HEALTH_TIMEOUT_S)
        except (ConnectionLost, RequestTimedOut) as exc:
            return str(exc)
        return None if reply.status == 200 else f"/health answered HTTP {reply.status}"
