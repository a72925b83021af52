"""A small ASGI app serving vLLM-Omni's routes for BAGEL, backed by any `OmniModel` (our own
BAGEL implementation in practice, `bagel_model.BagelOmniModel`).

    POST /v1/chat/completions     the four modalities (text2img, img2img, img2text, text2text)
    POST /v1/images/generations   OpenAI/DALL-E-style text-to-image (JSON)
    POST /v1/images/edits         OpenAI-style image edit (multipart form: image, prompt, size, ...)
    GET  /health                  200 when up
    GET  /v1/models               the served model

It runs one model call at a time and streams nothing, like a single vLLM-Omni worker without
batching. When a client disconnects, its image request is cancelled between denoising steps.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stagestudio.backends.base import CancelToken, Cancelled
from stagestudio.omni_server import protocol
from stagestudio.omni_server.protocol import ModelAsk, RequestError

# model(ask, cancel) -> text or picture; raises RequestError for what the caller got wrong.
OmniModel = Callable[[ModelAsk, CancelToken], "str | Image.Image"]
DISCONNECT_POLL_S = 0.1


@dataclass
class ServerStats:
    """What the server did, for tests and logs (not a vLLM route)."""

    requests: Counter = field(default_factory=Counter)  # by modality
    request_ids: list[str] = field(default_factory=list)  # X-Request-Id headers, in arrival order
    aborted: int = 0  # requests whose client left before the answer
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, modality: str, request_id: str | None) -> None:
        with self.lock:
            self.requests[modality] += 1
            if request_id:
                self.request_ids.append(request_id)


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse(protocol.error_body(message, status), status_code=status)


class OmniApp:
    """The routes over one model. `api_key`: required as `Authorization: Bearer ...` on /v1/*
    (as `vllm serve --api-key`); /health stays open."""

    def __init__(self, model: OmniModel, model_name: str, api_key: str | None = None, workers: int = 4) -> None:
        self.model = model
        self.model_name = model_name
        self.api_key = api_key
        self.stats = ServerStats()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="omni-model")
        self.asgi = Starlette(routes=[
            Route("/health", self.health, methods=["GET"]),
            Route("/v1/models", self.models, methods=["GET"]),
            Route("/v1/chat/completions", self.chat, methods=["POST"]),
            Route("/v1/images/generations", self.generations, methods=["POST"]),
            Route("/v1/images/edits", self.edits, methods=["POST"]),
        ])

    async def __call__(self, scope, receive, send) -> None:
        await self.asgi(scope, receive, send)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    # --- routes ----------------------------------------------------------------------------
    async def health(self, request: Request) -> Response:
        return Response(status_code=200)

    async def models(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        return JSONResponse({"object": "list", "data": [{"id": self.model_name, "object": "model",
                                                         "owned_by": "stagestudio"}]})

    async def chat(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        try:
            data = json.loads(await request.body())
            ask = protocol.parse_chat_request(data)
        except (ValueError, UnicodeDecodeError) as exc:  # RequestError is a ValueError
            return _error(str(exc) if isinstance(exc, RequestError) else f"the body is not JSON: {exc}",
                          getattr(exc, "status", 400))
        return await self._answer(request, ask, lambda result: protocol.chat_reply(self.model_name, result))

    async def generations(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        try:
            data = json.loads(await request.body())
            if not isinstance(data, dict):
                raise RequestError("the request body must be a JSON object")
            ask = protocol.parse_images_request(data, None)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(str(exc), getattr(exc, "status", 400))
        return await self._answer(request, ask, lambda image: protocol.images_reply(image))

    async def edits(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        try:
            form = await request.form()
            fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
            upload = form.get("image")
            if upload is not None and not isinstance(upload, str):
                raw = await upload.read()
                image = protocol.decode_image(base64.b64encode(raw).decode("ascii"))
            elif fields.get("url"):
                image = protocol.decode_image(fields["url"])
            else:
                raise RequestError("Field 'image' or 'url' is required", status=422)
            if isinstance(fields.get("extra_args"), str):
                fields["extra_args"] = json.loads(fields["extra_args"])
            ask = protocol.parse_images_request(fields, image)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(str(exc), getattr(exc, "status", 400))
        return await self._answer(request, ask, lambda result: protocol.images_reply(result, edit=True))

    # --- plumbing --------------------------------------------------------------------------
    def _denied(self, request: Request) -> Response | None:
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error("Unauthorized: a valid API key is required", 401)
        return None

    async def _answer(self, request: Request, ask: ModelAsk, reply: Callable[[Any], dict]) -> Response:
        if ask.model and ask.model != self.model_name:
            return _error(f"The model `{ask.model}` does not exist.", 404)
        self.stats.record(ask.modality, request.headers.get("x-request-id"))
        cancel = CancelToken()
        future = asyncio.get_running_loop().run_in_executor(self._executor, self.model, ask, cancel)
        while True:
            done, _ = await asyncio.wait({future}, timeout=DISCONNECT_POLL_S)
            if done:
                break
            if await request.is_disconnected():
                cancel.cancel()  # the model stops at its next denoising step
                with self.stats.lock:
                    self.stats.aborted += 1
                future.add_done_callback(lambda f: f.exception())  # consumed: no "never retrieved" noise
                return Response(status_code=499)  # nobody reads it
        try:
            result = future.result()
        except RequestError as exc:
            return _error(str(exc), exc.status)
        except Cancelled:
            return Response(status_code=499)
        except Exception as exc:  # the model failed: a 500 with its message, as vLLM-Omni answers
            with self.stats.lock:
                self.stats.failed += 1
            return _error(f"Image generation failed: {type(exc).__name__}: {exc}" if ask.wants_image
                          else f"Text generation failed: {type(exc).__name__}: {exc}", 500)
        if ask.wants_image != isinstance(result, Image.Image):
            return _error(f"the model answered a {ask.modality} request with the wrong kind of output", 500)
        return JSONResponse(reply(result))
