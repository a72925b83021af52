"""The test server's model: our own BAGEL implementation answering vLLM-Omni's four
modalities. All coupling to the BAGEL package is here, through its public objects (the
backend's `BagelRuntime` and the inferencer's high-level calls), so a rework of BAGEL's
internals touches this module only.

Layouts follow vLLM-Omni's BAGEL pipeline where it has one (an edit is the input image, VAE +
ViT, then the instruction) and the local BAGEL backend's for understanding (the image alone,
ViT only, then the question), so a remote inspection asks exactly what a local one asks.
"""

from __future__ import annotations

import threading
from typing import Any

from PIL import Image

from stagestudio.backends.base import BackendError, CancelToken
from stagestudio.omni_server.protocol import ModelAsk, RequestError

_SAMPLER_KEYS = ("timestep_shift", "cfg_text_scale", "cfg_img_scale", "cfg_interval", "cfg_renorm_min",
                 "cfg_renorm_type")


class BagelOmniModel:
    """One loaded BAGEL, one request at a time (its generator and caches are not shared-safe)."""

    def __init__(self, model: str, precision: str = "bf16", device: str | None = None,
                 served_name: str | None = None) -> None:
        from stagestudio.backends.bagel.backend import BagelBackend

        self.backend = BagelBackend(model=model, precision=precision, device=device, inspector="vqa")
        self.name = served_name or model
        self._lock = threading.Lock()

    @property
    def runtime(self):
        return self.backend.runtime

    def load(self) -> None:
        """Load the weights now (the first request would otherwise pay for it)."""
        self.runtime.inferencer  # noqa: B018 - loads on first access

    @property
    def stride(self) -> int:
        return int(self.runtime.inferencer.model.config.latent_downsample)

    @property
    def max_side(self) -> int:
        config = self.runtime.inferencer.model.config
        return int(config.max_latent_size * config.latent_downsample)

    def __call__(self, ask: ModelAsk, cancel: CancelToken) -> str | Image.Image:
        with self._lock:
            cancel.raise_if_cancelled()  # the client left while this request waited its turn
            if ask.wants_image:
                return self._image(ask, cancel)
            return self._text(ask)

    def _canvas(self, ask: ModelAsk) -> tuple[int, int]:
        """(height, width): asked sides floored to the latent stride, as vLLM-Omni does; the
        input image's size for an edit that asks none; the largest canvas otherwise."""
        if ask.width is None and ask.height is None and ask.image is not None:
            width, height = ask.image.size
        else:
            width, height = ask.width or self.max_side, ask.height or self.max_side
        if max(width, height) > self.max_side:
            raise RequestError(f"Requested resolution {height}x{width} exceeds the BAGEL checkpoint limit "
                               f"{self.max_side}x{self.max_side}")
        stride = self.stride
        return max(stride, height // stride * stride), max(stride, width // stride * stride)

    def _settings(self, ask: ModelAsk):
        from pydantic import ValidationError

        from stagestudio.backends.bagel.sampler import GenerationSettings

        values: dict[str, Any] = {k: ask.sampler[k] for k in _SAMPLER_KEYS if k in ask.sampler}
        if isinstance(values.get("cfg_interval"), list):
            values["cfg_interval"] = tuple(values["cfg_interval"])
        try:
            return GenerationSettings(num_timesteps=ask.steps, **values)
        except (ValidationError, ValueError, NotImplementedError) as exc:
            raise RequestError(f"bad sampler settings: {exc}".splitlines()[0]) from None

    def _image(self, ask: ModelAsk, cancel: CancelToken) -> Image.Image:
        inf = self.runtime.inferencer
        height, width = self._canvas(ask)
        settings = self._settings(ask)
        seed = ask.seed
        if ask.image is not None:
            source = ask.image if ask.image.size == (width, height) else ask.image.resize((width, height), Image.BICUBIC)
            # The canvas's VAE posterior is drawn from the request's seed too (the local backend's
            # rule), and the denoising noise continues from there, so an edit reproduces.
            state = inf.add_text(self.runtime.edit_context(source, 0 if seed is None else seed), ask.prompt)
            seed = None
        else:
            state = inf.add_text(inf.new_contexts(), ask.prompt)
        try:
            return inf.generate_image(state, settings, seed=seed, image_shape=(height, width), cancel=cancel).image
        except ValueError as exc:  # e.g. a size outside the model's grid
            raise RequestError(str(exc)) from None
        except BackendError as exc:
            raise RequestError(str(exc), status=500) from None

    def _text(self, ask: ModelAsk) -> str:
        rt = self.runtime
        inf = rt.inferencer
        if ask.seed is not None:
            inf.seed(ask.seed)
        state = rt.understanding_context(ask.image)
        return inf.generate_text(inf.append_text(state.cond, ask.prompt), max_length=ask.max_tokens).text
