"""vLLM-Omni's dialect for BAGEL: the chat-completions payloads its BAGEL online-serving
example sends for the four modalities, and how its replies carry text and images.

    POST /v1/chat/completions
    text2img   content [text "<|im_start|>PROMPT<|im_end|>"]                 modalities ["image"]
    img2img    content [text "<|im_start|>INSTRUCTION<|im_end|>", image_url]  modalities ["image"]
    img2text   content [text "<|im_start|>user\\n<|image_pad|>\\nQ<|im_end|>\\n<|im_start|>assistant\\n",
                        image_url]                                           modalities ["text"]
    text2text  content [text "<|im_start|>user\\nQ<|im_end|>\\n<|im_start|>assistant\\n"]
                                                                             modalities ["text"]

Image requests carry `height`, `width`, `num_inference_steps` and `seed` at the top level (as
the example does) and BAGEL's sampler settings under `extra_args` (as vLLM-Omni's request
normaliser reads model-specific arguments). Images travel as `data:image/png;base64,...` URLs
both ways; a reply's image is `choices[i].message.content[j].image_url.url`, its text is
`choices[i].message.content`. Errors are OpenAI's `{"error": {"message": ...}}` (or FastAPI's
`{"detail": ...}`).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from stagestudio.backends.base import BackendError

CHAT_PATH = "/v1/chat/completions"
HEALTH_PATH = "/health"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
IMAGE_PAD = "<|image_pad|>"
DATA_URL_PREFIX = "data:image/png;base64,"


class RemoteReplyError(BackendError):
    """The server answered, but not with what was asked (not JSON, no image, a broken or
    wrong-sized image). The message says what came back."""


# --- prompts -------------------------------------------------------------------------------
def generation_text(prompt: str) -> str:
    """The text part of an image request (text2img, img2img)."""
    return f"{IM_START}{prompt}{IM_END}"


def understanding_text(question: str, with_image: bool) -> str:
    """The text part of a text request (img2text, text2text): one user turn, then the
    assistant's turn left open for the answer."""
    pad = f"{IMAGE_PAD}\n" if with_image else ""
    return f"{IM_START}user\n{pad}{question}{IM_END}\n{IM_START}assistant\n"


# --- requests ------------------------------------------------------------------------------
def image_data_url(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return DATA_URL_PREFIX + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class ImageAsk:
    """One picture to make: from text alone, or an edit of `image`."""

    prompt: str
    width: int
    height: int
    steps: int
    seed: int
    image: Image.Image | None = None
    sampler: dict[str, Any] = field(default_factory=dict)  # BAGEL's extra_args

    @property
    def modality(self) -> str:
        return "img2img" if self.image is not None else "text2img"


@dataclass(frozen=True)
class TextAsk:
    """One answer to write, about `image` when given."""

    prompt: str
    seed: int
    max_tokens: int
    image: Image.Image | None = None

    @property
    def modality(self) -> str:
        return "img2text" if self.image is not None else "text2text"


def _message(text: str, image: Image.Image | None) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    if image is not None:
        content.append({"type": "image_url", "image_url": {"url": image_data_url(image)}})
    return [{"role": "user", "content": content}]


def image_payload(ask: ImageAsk, model: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "messages": _message(generation_text(ask.prompt), ask.image),
        "modalities": ["image"],
        "height": ask.height,
        "width": ask.width,
        "num_inference_steps": ask.steps,
        "seed": ask.seed,
    }
    if ask.sampler:
        payload["extra_args"] = dict(ask.sampler)
    if model:
        payload["model"] = model
    return payload


def text_payload(ask: TextAsk, model: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "messages": _message(understanding_text(ask.prompt, ask.image is not None), ask.image),
        "modalities": ["text"],
        # Greedy decoding: an answer is a function of the question and the image, whatever
        # the server's sampling defaults. max_tokens bounds the two-stage (thinker) path,
        # max_think_tokens the single-stage one.
        "temperature": 0.0,
        "max_tokens": ask.max_tokens,
        "seed": ask.seed,
        "extra_args": {"max_think_tokens": ask.max_tokens},
    }
    if model:
        payload["model"] = model
    return payload


# --- replies -------------------------------------------------------------------------------
def _snippet(body: bytes, limit: int = 120) -> str:
    text = body[:limit * 2].decode("utf-8", errors="replace")
    text = " ".join(text.split())
    return repr(text[:limit] + ("…" if len(text) > limit else ""))


def error_message(body: bytes) -> str:
    """The server's own words for a failed request, on one line."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _snippet(body) if body else "no message"
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return " ".join(str(error["message"]).split())[:300]
        for key in ("detail", "message", "error"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return " ".join(value.split())[:300]
            if value:
                return json.dumps(value)[:300]
    return _snippet(body)


def _choices(body: bytes) -> list[dict[str, Any]]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise RemoteReplyError(f"the reply is not JSON: {_snippet(body)}") from None
    choices = data.get("choices") if isinstance(data, dict) else None
    if not isinstance(choices, list) or not choices:
        raise RemoteReplyError(f"the reply has no choices: {_snippet(body)}")
    return [c for c in choices if isinstance(c, dict)]


def _content(choice: dict[str, Any]) -> Any:
    message = choice.get("message")
    return message.get("content") if isinstance(message, dict) else None


def read_image_reply(body: bytes, size: tuple[int, int]) -> Image.Image:
    """The reply's picture, checked to be a readable image of `size` (width, height)."""
    for choice in _choices(body):
        content = _content(choice)
        if not isinstance(content, list):
            continue
        for item in content:
            url = item.get("image_url", {}).get("url") if isinstance(item, dict) else None
            if isinstance(url, str):
                return _decode_image(url, size)
    texts = [c for c in (_content(ch) for ch in _choices(body)) if isinstance(c, str)]
    said = f"; it said {texts[0][:120]!r}" if texts else ""
    raise RemoteReplyError(f"the reply holds no image{said}")


def _decode_image(url: str, size: tuple[int, int]) -> Image.Image:
    if not url.startswith("data:image") or "," not in url:
        raise RemoteReplyError(f"the reply's image is not a data URL: {url[:60]!r}")
    try:
        raw = base64.b64decode(url.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        raise RemoteReplyError("the reply's image is not valid base64") from None
    try:
        with Image.open(io.BytesIO(raw)) as opened:
            opened.load()
            image = opened.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise RemoteReplyError(f"the reply's image bytes are not a picture ({len(raw)} bytes: {exc})") from None
    if image.size != tuple(size):
        raise RemoteReplyError(
            f"the server returned a {image.width}x{image.height} image, not the {size[0]}x{size[1]} asked for; "
            "check the server's model and its resolution limit"
        )
    return image


def read_text_reply(body: bytes) -> str:
    """The reply's text answer."""
    for choice in _choices(body):
        content = _content(choice)
        if isinstance(content, str):
            return content
        if isinstance(content, list):  # content parts: join the text ones
            texts = [i.get("text", "") for i in content if isinstance(i, dict) and i.get("type") == "text"]
            if texts:
                return "".join(texts)
    raise RemoteReplyError("the reply holds no text answer")
