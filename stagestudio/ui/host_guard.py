"""Refuse requests addressed to a host name the studio was not started for.

A page on attacker.test can make its own name resolve to 127.0.0.1 (DNS rebinding) and then
talk to a loopback studio as if it were same-origin: list, export and delete sessions. The
browser still sends `Host: attacker.test` (and `Origin: http://attacker.test`), so every HTTP
and WebSocket request whose Host or Origin names another host is refused before Gradio sees it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# The default Gradio share server; a shared studio always requires a login as well.
SHARE_SUFFIX = ".gradio.live"


def normalize_host(name: str) -> str:
    """'LocalHost.' -> 'localhost', '[::1]' -> '::1'."""
    name = name.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name


def host_of(header: str) -> str:
    """The host name of a Host header ('[::1]:7860' -> '::1', 'example.com:80' -> 'example.com')."""
    header = header.strip()
    if header.startswith("["):
        return normalize_host(header[: header.find("]") + 1] if "]" in header else header)
    return normalize_host(header.rsplit(":", 1)[0] if header.count(":") == 1 else header)


def _wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(normalize_host(host)).is_unspecified
    except ValueError:
        return False


def allowed_host_names(bind_host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Loopback names, the bound host, and `extra` (--allowed-host). A wildcard bind (0.0.0.0,
    ::) also answers to this machine's own name and addresses."""
    names = {*LOOPBACK_NAMES, normalize_host(bind_host), *(normalize_host(h) for h in extra if h.strip())}
    if _wildcard(bind_host):
        names.discard(normalize_host(bind_host))
        hostname = socket.gethostname()
        names.update({normalize_host(hostname), normalize_host(socket.getfqdn())})
        try:
            names.update(normalize_host(a) for a in socket.gethostbyname_ex(hostname)[2])
        except OSError:  # no resolvable name: loopback and --allowed-host still work
            pass
    return frozenset(n for n in names if n)


class HostGuard:
    """ASGI middleware: 403 (one line of text) for a Host or Origin outside `allowed`."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = LOOPBACK_NAMES, allow_share: bool = False) -> None:
        self.app = app
        self.allowed = frozenset(normalize_host(h) for h in allowed)
        self.allow_share = allow_share

    def permits(self, name: str) -> bool:
        return name in self.allowed or (self.allow_share and name.endswith(SHARE_SUFFIX))

    def refusal(self, scope: Scope) -> str | None:
        """Why the request is refused, or None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = host_of(headers.get("host", ""))
        if not self.permits(host):
            return (f"Host '{host}' is not allowed: this studio answers to {', '.join(sorted(self.allowed))}. "
                    "Start it with --allowed-host NAME to add a name.")
        origin = headers.get("origin")
        if origin is not None:
            origin_host = normalize_host(urlsplit(origin).hostname or "") if origin != "null" else "null"
            if not self.permits(origin_host):
                return f"Origin '{origin}' is not allowed: requests must come from the studio's own pages."
        return None

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        reason = self.refusal(scope)
        if reason is None:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = (reason + "\n").encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
