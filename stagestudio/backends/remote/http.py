"""One HTTP request with a deadline and a cancel button.

A fresh connection per request (a request takes seconds, so pooling saves nothing) lets a
cancel or a deadline abort exactly that request: the socket is shut down under the reader,
the server sees the client go away, and the caller gets control back at once. Standard
library only, so the client needs no HTTP package and no torch.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from stagestudio.backends.base import CancelToken, Cancelled

MAX_REPLY_BYTES = 256 * 1024 * 1024  # a 1024² PNG in base64 is a few MB; this is a runaway guard


@dataclass(frozen=True)
class HttpReply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


class ConnectionLost(Exception):
    """No reply: the connection was refused, reset or closed early. Worth retrying."""


class RequestTimedOut(Exception):
    """The server took longer than the deadline. Not retried: it is busy, not gone."""


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    conn.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError)):
        return "connection reset"
    if isinstance(exc, (http.client.RemoteDisconnected, http.client.IncompleteRead)):
        return "the server closed the connection before replying"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror or exc})"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return f"{type(exc).__name__}: {exc}"


def http_request(
    method: str,
    base_url: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    connect_timeout_s: float = 10.0,
    timeout_s: float = 600.0,
    cancel: CancelToken | None = None,
    max_reply_bytes: int = MAX_REPLY_BYTES,
) -> HttpReply:
    """Send one request to `base_url + path` and read the whole reply.

    Raises Cancelled (the token fired; the connection is aborted), RequestTimedOut (no
    complete reply within connect_timeout_s + timeout_s) or ConnectionLost."""
    parts = urlsplit(base_url)
    conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_class(parts.hostname, parts.port, timeout=connect_timeout_s)
    outcome: dict[str, object] = {}
    done = threading.Event()
    aborted = threading.Event()

    def work() -> None:
        try:
            try:
                conn.connect()
            except TimeoutError as exc:  # nothing answers at that address: like a refusal
                raise ConnectionLost(f"no connection within {connect_timeout_s:g} s") from exc
            if aborted.is_set():
                conn.close()
                return
            conn.sock.settimeout(timeout_s)  # bounds each read; the deadline below bounds the whole
            conn.request(method, parts.path.rstrip("/") + path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read(max_reply_bytes + 1)
            outcome["reply"] = HttpReply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        except BaseException as exc:  # reported to the caller's thread
            outcome["error"] = exc
        finally:
            conn.close()
            done.set()

    worker = threading.Thread(target=work, name="stagestudio-http", daemon=True)
    worker.start()
    deadline = time.monotonic() + connect_timeout_s + timeout_s
    while not done.wait(timeout=min(0.05, max(0.0, deadline - time.monotonic()))):
        if cancel is not None and cancel.cancelled:
            aborted.set()
            _abort(conn)
            raise Cancelled("cancelled by user (the request was aborted)")
        if time.monotonic() >= deadline:
            aborted.set()
            _abort(conn)
            raise RequestTimedOut(f"no reply within {connect_timeout_s + timeout_s:g} s")
    error = outcome.get("error")
    if isinstance(error, TimeoutError):  # socket.timeout: connect or a read stalled
        raise RequestTimedOut(f"no reply within {timeout_s:g} s") from error
    if isinstance(error, ConnectionLost):
        raise error
    if error is not None:
        raise ConnectionLost(_describe(error)) from error  # type: ignore[arg-type]
    reply = outcome["reply"]
    assert isinstance(reply, HttpReply)
    if len(reply.body) > max_reply_bytes:
        raise ConnectionLost(f"the reply is larger than {max_reply_bytes // 2**20} MiB")
    return reply
