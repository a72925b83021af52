"""Serve an ASGI app from a background thread of this process, on a port the OS picks:
for tests, benchmarks and notebooks that want a real HTTP endpoint without a second process."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn


class _Server(uvicorn.Server):
    loop: asyncio.AbstractEventLoop | None = None

    def install_signal_handlers(self) -> None:  # not the main thread: leave signals alone
        pass

    async def startup(self, sockets=None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().startup(sockets=sockets)


class ThreadedServer:
    """`app` on http://127.0.0.1:<free port> (`url`) until `stop()`."""

    def __init__(self, app, host: str = "127.0.0.1", graceful_s: int = 1) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, log_level="error", lifespan="off", timeout_graceful_shutdown=graceful_s)
        self.server = _Server(config)
        self._thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self._socket]},
                                        name=f"asgi-{self.port}", daemon=True)

    def start(self, timeout_s: float = 20.0) -> "ThreadedServer":
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def stop(self, force: bool = False) -> None:
        if self._thread.is_alive():
            self.server.force_exit = force
            self.server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> "ThreadedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
