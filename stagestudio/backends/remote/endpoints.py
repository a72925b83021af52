"""Which server answers which session.

A session sticks to one endpoint for all its stages: a re-run on the same server reproduces
it, and nothing mixes two servers' numerics in one picture. New sessions go to the endpoint
with the fewest sessions (then the fewest requests in flight, then the one used longest ago),
so a harness running N sessions at once keeps every server busy.

An endpoint that fails is marked down for a while and new sessions avoid it; before a session
is bound, its endpoint is asked `GET /health`, so a resumed session never lands on a dead one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stagestudio.backends.base import BackendUnavailable, Cancelled

# probe(url) -> None when healthy, else a short reason ("connection refused").
Probe = Callable[[str], "str | None"]


@dataclass
class EndpointUsage:
    """What one endpoint did for this process, for the harness's report."""

    url: str
    sessions: int  # sessions bound to it so far
    requests: int  # requests it answered
    failures: int  # requests that failed on it (after retries)
    busy_s: float  # time with at least one request in flight
    down: bool


@dataclass
class _Endpoint:
    url: str
    order: int
    active: int = 0  # sessions bound now
    in_flight: int = 0
    sessions: int = 0
    requests: int = 0
    failures: int = 0
    busy_s: float = 0.0
    busy_since: float | None = None
    last_bound: float = 0.0
    down_until: float = 0.0
    down_reason: str = ""


@dataclass
class _Binding:
    endpoint: _Endpoint
    last_used: float


class EndpointPool:
    """Thread-safe: sessions on many threads bind, run and release concurrently."""

    def __init__(self, urls: tuple[str, ...] | list[str], probe: Probe, *, down_for_s: float = 30.0,
                 idle_s: float = 900.0, max_bindings: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not urls:
            raise ValueError("an endpoint pool needs at least one endpoint")
        self._endpoints = [_Endpoint(url, i) for i, url in enumerate(urls)]
        self._probe = probe
        self._down_for_s = down_for_s
        self._idle_s = idle_s  # a session idle this long no longer counts as load
        self._max_bindings = max_bindings
        self._clock = clock
        self._bindings: dict[str, _Binding] = {}
        self._lock = threading.Lock()

    @property
    def urls(self) -> list[str]:
        return [e.url for e in self._endpoints]

    # --- binding ---------------------------------------------------------------------------
    def endpoint_for(self, session_id: str) -> str:
        """The endpoint serving `session_id` (bound now if it has none). An empty id is a
        request outside any session: it goes to the least loaded endpoint, unbound."""
        with self._lock:
            binding = self._bindings.get(session_id) if session_id else None
            if binding is not None:
                binding.last_used = self._clock()
                return binding.endpoint.url
        return self._bind(session_id)

    def release(self, session_id: str) -> None:
        """The session is over: it no longer counts as load."""
        with self._lock:
            binding = self._bindings.pop(session_id, None)
            if binding is not None:
                binding.endpoint.active = max(0, binding.endpoint.active - 1)

    def release_all(self) -> None:
        with self._lock:
            for binding in self._bindings.values():
                binding.endpoint.active = max(0, binding.endpoint.active - 1)
            self._bindings.clear()

    def _bind(self, session_id: str) -> str:
        tried: list[str] = []  # "url (why not)"
        excluded: set[str] = set()
        while True:
            with self._lock:
                self._expire_idle()
                if session_id and session_id in self._bindings:  # another thread bound it meanwhile
                    return self._bindings[session_id].endpoint.url
                candidate = self._least_loaded(excluded)
                if candidate is None:
                    break
                candidate.active += 1  # reserve it while probing, so parallel binds spread out
                candidate.last_bound = self._clock()
            problem = self._probe(candidate.url)
            with self._lock:
                if problem is None:
                    candidate.down_until = 0.0
                    if session_id:
                        candidate.sessions += 1
                        self._bindings[session_id] = _Binding(candidate, self._clock())
                        self._trim()
                    else:
                        candidate.active -= 1
                    return candidate.url
                candidate.active -= 1
                self._mark_down_locked(candidate, problem)
            excluded.add(candidate.url)
            tried.append(f"{candidate.url} ({problem})")
        if not tried:
            with self._lock:
                tried = [f"{e.url} ({e.down_reason or 'down'})" for e in self._endpoints]
        raise BackendUnavailable("no endpoint answers: " + "; ".join(tried))

    def _least_loaded(self, exclude: set[str]) -> _Endpoint | None:
        now = self._clock()
        live = [e for e in self._endpoints if e.url not in exclude and e.down_until <= now]
        if not live:
            # Every endpoint is marked down: try them again (one may be back) rather than fail
            # without asking; each is probed before use.
            live = [e for e in self._endpoints if e.url not in exclude]
        if not live:
            return None
        return min(live, key=lambda e: (e.active, e.in_flight, e.last_bound, e.order))

    def _expire_idle(self) -> None:
        cutoff = self._clock() - self._idle_s
        for session_id in [s for s, b in self._bindings.items() if b.last_used < cutoff]:
            binding = self._bindings.pop(session_id)
            binding.endpoint.active = max(0, binding.endpoint.active - 1)

    def _trim(self) -> None:
        while len(self._bindings) > self._max_bindings:
            oldest = min(self._bindings, key=lambda s: self._bindings[s].last_used)
            binding = self._bindings.pop(oldest)
            binding.endpoint.active = max(0, binding.endpoint.active - 1)

    # --- health ----------------------------------------------------------------------------
    def mark_down(self, url: str, reason: str) -> None:
        """`url` failed: new sessions avoid it for a while. Sessions bound to it stay bound
        (a session never moves mid-run); each finds out on its own next request."""
        with self._lock:
            self._mark_down_locked(self._find(url), reason)

    def _mark_down_locked(self, endpoint: _Endpoint, reason: str) -> None:
        endpoint.down_until = self._clock() + self._down_for_s
        endpoint.down_reason = reason

    def _find(self, url: str) -> _Endpoint:
        for endpoint in self._endpoints:
            if endpoint.url == url:
                return endpoint
        raise KeyError(url)

    # --- accounting ------------------------------------------------------------------------
    @contextmanager
    def request(self, url: str) -> Iterator[None]:
        """Count one request in flight on `url` (load and busy time)."""
        with self._lock:
            endpoint = self._find(url)
            if endpoint.in_flight == 0:
                endpoint.busy_since = self._clock()
            endpoint.in_flight += 1
        outcome = "failed"
        try:
            yield
            outcome = "answered"
        except Cancelled:
            outcome = "cancelled"  # the person's choice, not the endpoint's failure
            raise
        finally:
            with self._lock:
                endpoint.in_flight -= 1
                if endpoint.in_flight == 0 and endpoint.busy_since is not None:
                    endpoint.busy_s += self._clock() - endpoint.busy_since
                    endpoint.busy_since = None
                if outcome == "answered":
                    endpoint.requests += 1
                elif outcome == "failed":
                    endpoint.failures += 1

    def usage(self) -> list[EndpointUsage]:
        now = self._clock()
        with self._lock:
            return [
                EndpointUsage(
                    url=e.url, sessions=e.sessions, requests=e.requests, failures=e.failures,
                    busy_s=e.busy_s + (now - e.busy_since if e.busy_since is not None else 0.0),
                    down=e.down_until > now,
                )
                for e in self._endpoints
            ]
