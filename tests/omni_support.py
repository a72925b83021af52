"""Test servers on 127.0.0.1: the vLLM-Omni-compatible app in a uvicorn thread on a port the
test picked, faults injected on the wire (slow replies, broken replies, 5xx), and a kill that
does what a crashed server process does to its clients (listening socket closed, every open
connection reset)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from stagestudio.omni_server.app import OmniApp
from stagestudio.omni_server.threaded import ThreadedServer

FIXTURE = "fixtures/bagel"
TINY_SIDE = 32  # the tiny checkpoint's VAE transform keeps 32..128 px; 32 is the cheapest


def tiny_model(shared_dir: Path):
    from stagestudio.omni_server.bagel_model import BagelOmniModel

    model = BagelOmniModel(str(shared_dir / FIXTURE), precision="fp32", device="cpu", served_name="tiny-bagel")
    model.load()
    return model


@dataclass
class Faults:
    """What the wire does to chat replies, changed by a test while the server runs."""

    delay_s: float = 0.0  # wait before answering
    reply: str | None = None  # "not_image" | "not_json" | "no_choices" | "wrong_size"
    status: int | None = None  # answer this HTTP status instead ...
    status_times: int = 0  # ... for this many requests
    seen: list[str] = field(default_factory=list)  # paths of requests that reached the wire


def _broken(body: bytes, kind: str) -> bytes:
    if kind == "not_json":
        return b"<html>502 Bad Gateway</html>"
    if kind == "no_choices":
        return json.dumps({"object": "chat.completion", "choices": []}).encode()
    data = json.loads(body)
    content = data["choices"][0]["message"]["content"]
    if not isinstance(content, list):
        return body
    if kind == "not_image":
        junk = base64.b64encode(b"these bytes are not a picture").decode()
        content[0]["image_url"]["url"] = "data:image/png;base64," + junk
    elif kind == "wrong_size":
        raw = base64.b64decode(content[0]["image_url"]["url"].split(",", 1)[1])
        image = Image.open(io.BytesIO(raw)).convert("RGB")
        buffer = io.BytesIO()
        image.resize((image.width * 2, image.height * 2)).save(buffer, format="PNG")
        content[0]["image_url"]["url"] = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return json.dumps(data).encode()


class FaultyWire:
    """ASGI middleware between the app and the network, injecting `faults` into chat replies."""

    def __init__(self, app, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope, receive, send) -> None:
        f = self.faults
        if scope["type"] != "http" or scope["path"] != "/v1/chat/completions":
            await self.app(scope, receive, send)
            return
        f.seen.append(scope["path"])
        if f.delay_s:
            await asyncio.sleep(f.delay_s)
        if f.status is not None and f.status_times > 0:
            f.status_times -= 1
            body = json.dumps({"error": {"message": "server overloaded", "type": "x", "code": f.status}}).encode()
            await send({"type": "http.response.start", "status": f.status,
                        "headers": [(b"content-type", b"application/json"), (b"retry-after", b"0")]})
            await send({"type": "http.response.body", "body": body})
            return
        if f.reply is None:
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    body = _broken(b"".join(chunks), f.reply)
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(body)).encode()))
                    await send({**start, "headers": headers})
                    await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


class BackgroundServer(ThreadedServer):
    """An OmniApp on 127.0.0.1:<free port> in a thread, with faults on its wire."""

    def __init__(self, model, name: str = "tiny-bagel", api_key: str | None = None) -> None:
        self.app = OmniApp(model, name, api_key=api_key)
        self.faults = Faults()
        super().__init__(FaultyWire(self.app, self.faults))

    @property
    def stats(self):
        return self.app.stats

    def kill(self) -> None:
        """As a crash: stop listening and reset every open connection, then stop."""
        server = self.server

        def crash() -> None:
            for listener in server.servers:
                listener.close()
            for connection in list(server.server_state.connections):
                transport = getattr(connection, "transport", None)
                if transport is not None:
                    transport.abort()

        server.loop.call_soon_threadsafe(crash)
        super().stop(force=True)
        self.app.close()

    def stop(self, force: bool = False) -> None:
        super().stop(force)
        self.app.close()
