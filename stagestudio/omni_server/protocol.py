"""Reading vLLM-Omni requests and writing its replies, as the test server needs them.

The server reads what vLLM-Omni reads for BAGEL (see `backends.remote.dialect` for the client
side): the user turn's text parts joined (chat-template markers stripped) and its image, the
generation fields at the top level or under a JSON `extra_body`, BAGEL's sampler settings
under `extra_args`. A field given twice with different values is an error, as in vLLM-Omni.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, UnidentifiedImageError

from stagestudio.backends.remote.dialect import DATA_URL_PREFIX, IM_END, IM_START, IMAGE_PAD

DEFAULT_STEPS = 50  # vLLM-Omni's BAGEL pipeline: num_inference_steps or 50
DEFAULT_MAX_TOKENS = 500  # its text path: max_think_tokens, default 500
MAX_STEPS = 1000
MAX_TOKENS = 8192
_FIELDS = ("height", "width", "size", "num_inference_steps", "seed", "negative_prompt", "max_tokens",
           "max_completion_tokens", "guidance_scale", "temperature", "n")
_UNDERSTANDING = re.compile(
    rf"^{re.escape(IM_START)}user\n(?:{re.escape(IMAGE_PAD)}\n?)?(?P<text>.*?){re.escape(IM_END)}\n?"
    rf"(?:{re.escape(IM_START)}assistant\n?)?$",
    re.S,
)


class RequestError(ValueError):
    """A request the server cannot serve; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class ModelAsk:
    """One thing for the model to do."""

    modality: str  # text2img | img2img | img2text | text2text
    prompt: str
    image: Image.Image | None = None
    width: int | None = None
    height: int | None = None
    steps: int = DEFAULT_STEPS
    seed: int | None = None
    negative_prompt: str | None = None
    max_tokens: int = DEFAULT_MAX_TOKENS
    sampler: dict[str, Any] = field(default_factory=dict)  # extra_args
    model: str | None = None

    @property
    def wants_image(self) -> bool:
        return self.modality in ("text2img", "img2img")


# --- pieces --------------------------------------------------------------------------------
def decode_image(url_or_b64: str) -> Image.Image:
    """A data URL (or bare base64) as an RGB picture. Remote URLs are refused: the test server
    never fetches from the network."""
    text = url_or_b64.strip()
    if text.startswith(("http://", "https://")):
        raise RequestError("this server reads images from data: URLs only, not from the network")
    payload = text.split(",", 1)[1] if text.startswith("data:") and "," in text else text
    try:
        raw = base64.b64decode(payload, validate=True)
        with Image.open(io.BytesIO(raw)) as opened:
            opened.load()
            return opened.convert("RGB")
    except (binascii.Error, ValueError, UnidentifiedImageError, OSError):
        raise RequestError("the input image is not a readable base64 picture") from None


def encode_image(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RequestError(f"{name} must be an integer, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise RequestError(f"{name} must be an integer, got {value!r}") from None
    if number != float(value) or not low <= number <= high:
        raise RequestError(f"{name} must be an integer between {low} and {high}, got {value!r}")
    return number


def parse_size(size: str) -> tuple[int, int]:
    """'1024x768' -> (width 1024, height 768)."""
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", str(size))
    if not match:
        raise RequestError(f"Invalid size format: {size!r}. Expected format: 'WIDTHxHEIGHT' (e.g., '1024x1024').")
    return int(match.group(1)), int(match.group(2))


def _merged_fields(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(generation fields, extra_args) from the top level and a JSON `extra_body`."""
    nested = data.get("extra_body") or {}
    if not isinstance(nested, dict):
        raise RequestError("extra_body must be a JSON object")
    fields: dict[str, Any] = {}
    for name in _FIELDS:
        values = [src[name] for src in (data, nested) if src.get(name) is not None]
        if len(values) == 2 and values[0] != values[1]:
            raise RequestError(f"Diffusion request parameter {name!r} was provided more than once "
                               "(at the top level and in extra_body)")
        if values:
            fields[name] = values[0]
    extra: dict[str, Any] = {}
    for source in (data.get("extra_args"), nested.get("extra_args")):
        if source is None:
            continue
        if not isinstance(source, dict):
            raise RequestError("extra_args must be a JSON object")
        for key, value in source.items():
            if key in extra and extra[key] != value:
                raise RequestError(f"extra_args {key!r} was provided more than once")
            extra[key] = value
    return fields, extra


def _user_text_and_images(messages: Any) -> tuple[str, list[str]]:
    if not isinstance(messages, list) or not messages:
        raise RequestError("messages must be a non-empty list")
    texts: list[str] = []
    images: list[str] = []
    for message in messages:
        if not isinstance(message, dict) or message.get("role") != "user":
            continue  # as vLLM-Omni's diffusion chat: only user turns carry the prompt
        content = message.get("content", "")
        if isinstance(content, str):
            texts.append(content)
            continue
        if not isinstance(content, list):
            raise RequestError("message content must be a string or a list of parts")
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and part.get("type") == "text":
                texts.append(str(part.get("text", "")))
            elif isinstance(part, dict) and part.get("type") == "image_url":
                url = (part.get("image_url") or {}).get("url") if isinstance(part.get("image_url"), dict) else None
                if not isinstance(url, str):
                    raise RequestError("an image_url part needs image_url.url")
                images.append(url)
            elif isinstance(part, dict) and "image" in part:
                images.append(str(part["image"]))
    return " ".join(texts).strip(), images


def strip_generation_template(text: str) -> str:
    return text.removeprefix(IM_START).removesuffix(IM_END).strip()


def strip_understanding_template(text: str) -> str:
    match = _UNDERSTANDING.match(text)
    if match:
        return match.group("text").strip()
    for marker in (IM_START + "user\n", IM_START + "assistant\n", IM_START, IM_END, IMAGE_PAD):
        text = text.replace(marker, " ")
    return " ".join(text.split())


# --- requests ------------------------------------------------------------------------------
def parse_chat_request(data: Any) -> ModelAsk:
    """A chat-completions request as one model call."""
    if not isinstance(data, dict):
        raise RequestError("the request body must be a JSON object")
    text, image_urls = _user_text_and_images(data.get("messages"))
    if len(image_urls) > 1:
        raise RequestError("BAGEL takes one input image per request")
    image = decode_image(image_urls[0]) if image_urls else None
    modalities = data.get("modalities") or ["text"]
    if not isinstance(modalities, list):
        raise RequestError("modalities must be a list such as [\"image\"] or [\"text\"]")
    wants_image = "image" in modalities
    modality = ("img2img" if image is not None else "text2img") if wants_image else \
        ("img2text" if image is not None else "text2text")
    prompt = strip_generation_template(text) if wants_image else strip_understanding_template(text)
    if not prompt and modality != "img2text":
        raise RequestError("No text prompt found in messages")
    fields, extra = _merged_fields(data)
    return _ask(modality, prompt, image, fields, extra, data.get("model"))


def parse_images_request(fields_in: dict[str, Any], image: Image.Image | None) -> ModelAsk:
    """An /v1/images/generations (JSON) or /v1/images/edits (form) request."""
    prompt = str(fields_in.get("prompt") or "").strip()
    if not prompt:
        raise RequestError("prompt is required", status=422)
    if fields_in.get("response_format", "b64_json") not in ("b64_json", None):
        raise RequestError("this server answers response_format b64_json only")
    fields, extra = _merged_fields(fields_in)
    return _ask("img2img" if image is not None else "text2img", prompt, image, fields, extra, fields_in.get("model"))


def _ask(modality: str, prompt: str, image: Image.Image | None, fields: dict[str, Any], extra: dict[str, Any],
         model: Any) -> ModelAsk:
    ask = ModelAsk(modality=modality, prompt=prompt, image=image, sampler=extra,
                   model=str(model) if model else None)
    if fields.get("n") is not None and _int("n", fields["n"], 1, 10) != 1:
        raise RequestError("this server makes one image per request (n = 1)")
    if fields.get("size") is not None and str(fields["size"]).lower() != "auto":
        ask.width, ask.height = parse_size(fields["size"])
    if fields.get("width") is not None:
        ask.width = _int("width", fields["width"], 1, 16384)
    if fields.get("height") is not None:
        ask.height = _int("height", fields["height"], 1, 16384)
    if fields.get("num_inference_steps") is not None:
        ask.steps = _int("num_inference_steps", fields["num_inference_steps"], 1, MAX_STEPS)
    if fields.get("seed") is not None:
        ask.seed = _int("seed", fields["seed"], -(2**63), 2**63 - 1)
    if fields.get("negative_prompt") is not None:
        ask.negative_prompt = str(fields["negative_prompt"])
    tokens = fields.get("max_tokens", fields.get("max_completion_tokens", extra.get("max_think_tokens")))
    if tokens is not None:
        ask.max_tokens = _int("max_tokens", tokens, 1, MAX_TOKENS)
    return ask


# --- replies -------------------------------------------------------------------------------
def chat_reply(model: str, content: str | Image.Image) -> dict[str, Any]:
    """A chat completion holding text, or one image as a data URL in a content part."""
    if isinstance(content, Image.Image):
        body: Any = [{"type": "image_url", "image_url": {"url": DATA_URL_PREFIX + encode_image(content)}}]
    else:
        body = content
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": body}, "finish_reason": "stop",
                     "logprobs": None}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def images_reply(image: Image.Image, edit: bool = False) -> dict[str, Any]:
    reply: dict[str, Any] = {"created": int(time.time()),
                             "data": [{"b64_json": encode_image(image), "url": None, "revised_prompt": None}]}
    if edit:
        reply.update(output_format="png", size=f"{image.width}x{image.height}")
    return reply


def error_body(message: str, status: int) -> dict[str, Any]:
    kind = {400: "BadRequestError", 401: "AuthenticationError", 404: "NotFoundError",
            422: "UnprocessableEntityError"}.get(status, "InternalServerError")
    return {"error": {"message": message, "type": kind, "code": status}}
