"""BAGEL's flow-matching sampler: shifted time schedule, CFG interval, CFG combination
with renormalisation, and the Euler loop.

The model itself is hidden behind ``velocity_fn(x_t, t, branches)``, supplied by the
inferencer: it returns the raw velocity of each requested branch (the conditional
context, the context without the last text, the context without images).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Mapping

import torch
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from stagestudio.backends.base import CancelToken, ProgressFn

COND = "cond"
UNCOND_TEXT = "uncond_text"
UNCOND_IMG = "uncond_img"
Branch = Literal["cond", "uncond_text", "uncond_img"]

RENORM_TYPES = ("global", "channel", "text_channel")
RENORM_EPS = 1e-8


class UnsupportedRenormType(NotImplementedError):
    """The reference app lists "local" renorm, but the reference model never implemented it."""


def _check_renorm_type(renorm_type: str) -> str:
    if renorm_type == "local":
        raise UnsupportedRenormType(
            'cfg_renorm_type "local" is offered by the reference app but not implemented by the '
            'BAGEL model (it raises there too); use "global", "channel" or "text_channel"'
        )
    if renorm_type not in RENORM_TYPES:
        raise ValueError(f"unknown cfg_renorm_type {renorm_type!r}; expected one of {RENORM_TYPES}")
    return renorm_type


class GenerationSettings(BaseModel):
    """Denoising settings, named as in the reference ``interleave_inference``."""

    model_config = ConfigDict(frozen=True)

    num_timesteps: int = Field(50, ge=2, description="schedule points; the model runs num_timesteps − 1 times")
    timestep_shift: float = Field(3.0, gt=0)
    cfg_text_scale: float = 4.0
    cfg_img_scale: float = 1.5
    cfg_interval: tuple[float, float] = (0.4, 1.0)
    cfg_renorm_min: float = Field(0.0, ge=0.0, le=1.0)
    cfg_renorm_type: str = "global"

    @field_validator("cfg_renorm_type")
    @classmethod
    def _renorm_type_supported(cls, value: str) -> str:
        return _check_renorm_type(value)

    @model_validator(mode="after")
    def _interval_ordered(self) -> "GenerationSettings":
        low, high = self.cfg_interval
        if low > high:
            raise ValueError(f"cfg_interval {self.cfg_interval} must be (low, high) with low <= high")
        return self

    @classmethod
    def text_to_image(cls, **overrides) -> "GenerationSettings":
        """The reference app's text-to-image defaults.

        The app never sets ``cfg_img_scale``, so the inferencer default 1.5 applies; for plain
        text-to-image the image-free context equals the conditional one.
        """
        values = dict(
            num_timesteps=50, timestep_shift=3.0, cfg_text_scale=4.0, cfg_img_scale=1.5,
            cfg_interval=(0.4, 1.0), cfg_renorm_min=0.0, cfg_renorm_type="global",
        )
        values.update(overrides)
        return cls(**values)

    @classmethod
    def edit(cls, **overrides) -> "GenerationSettings":
        """The reference app's image-editing defaults (CFG on every step, per-token text renorm)."""
        values = dict(
            num_timesteps=50, timestep_shift=3.0, cfg_text_scale=4.0, cfg_img_scale=2.0,
            cfg_interval=(0.0, 1.0), cfg_renorm_min=0.0, cfg_renorm_type="text_channel",
        )
        values.update(overrides)
        return cls(**values)


# --- schedule ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowSchedule:
    """The times the model is evaluated at and the Euler step after each evaluation."""

    timesteps: torch.Tensor  # [S] float32, S = num_timesteps − 1, from 1 down
    dts: torch.Tensor  # [S] float32, t'[i] − t'[i+1]

    def __len__(self) -> int:
        return int(self.timesteps.shape[0])


def flow_schedule(num_timesteps: int, timestep_shift: float) -> FlowSchedule:
    """``t = linspace(1, 0, n)`` (float32), shifted ``t' = s·t / (1 + (s−1)·t)``.

    Evaluations happen at ``t'[0..n−2]``; the last point (0) is only a step target.
    """
    if num_timesteps < 2:
        raise ValueError(f"num_timesteps must be at least 2, got {num_timesteps}")
    t = torch.linspace(1, 0, num_timesteps, dtype=torch.float32)
    shifted = timestep_shift * t / (1 + (timestep_shift - 1) * t)
    return FlowSchedule(timesteps=shifted[:-1].clone(), dts=(shifted[:-1] - shifted[1:]).clone())


def cfg_in_interval(t: torch.Tensor | float, interval: tuple[float, float]) -> bool:
    """``interval[0] < t <= interval[1]``, compared in float32 like the reference."""
    t32 = torch.as_tensor(t, dtype=torch.float32)
    low = torch.tensor(interval[0], dtype=torch.float32)
    high = torch.tensor(interval[1], dtype=torch.float32)
    return bool((t32 > low) & (t32 <= high))


@dataclass(frozen=True)
class CfgScales:
    """The guidance scales in force at one step and the branches they require."""

    text: float
    img: float

    @property
    def branches(self) -> tuple[str, ...]:
        # Without text guidance the reference returns the conditional velocity unchanged,
        # so the image branch would be computed for nothing: skip it.
        if self.text <= 1.0:
            return (COND,)
        if self.img <= 1.0:
            return (COND, UNCOND_TEXT)
        return (COND, UNCOND_TEXT, UNCOND_IMG)


def scales_at(t: torch.Tensor | float, settings: GenerationSettings) -> CfgScales:
    """Scales used at time ``t``: the configured ones inside the CFG interval, 1 outside."""
    if cfg_in_interval(t, settings.cfg_interval):
        return CfgScales(settings.cfg_text_scale, settings.cfg_img_scale)
    return CfgScales(1.0, 1.0)


# --- guidance ---------------------------------------------------------------------------


def _rescale_to(reference: torch.Tensor, guided: torch.Tensor, per_token: bool, renorm_min: float) -> torch.Tensor:
    """Scale ``guided`` down (never up) towards the norm of ``reference``, at most to ``renorm_min``."""
    if per_token:
        ref_norm = torch.norm(reference, dim=-1, keepdim=True)
        guided_norm = torch.norm(guided, dim=-1, keepdim=True)
    else:
        ref_norm = torch.norm(reference)
        guided_norm = torch.norm(guided)
    scale = (ref_norm / (guided_norm + RENORM_EPS)).clamp(min=renorm_min, max=1.0)
    return guided * scale


def combine_velocities(
    v_cond: torch.Tensor,
    v_uncond_text: torch.Tensor | None,
    v_uncond_img: torch.Tensor | None,
    text_scale: float,
    img_scale: float,
    renorm_type: str = "global",
    renorm_min: float = 0.0,
) -> torch.Tensor:
    """Classifier-free guidance over ``[N, D]`` velocities.

    * no text guidance (``text_scale <= 1``): ``v_cond`` unchanged;
    * "global"/"channel": text CFG, then image CFG if ``img_scale > 1``, then rescale the
      result to ``‖v_cond‖`` (whole tensor for "global", per token for "channel");
    * "text_channel": text CFG rescaled per token to ``v_cond``, then image CFG without renorm.
    """
    _check_renorm_type(renorm_type)
    if text_scale <= 1.0:
        return v_cond
    if v_uncond_text is None:
        raise ValueError("text guidance is on but the text-free branch velocity is missing")
    use_img = img_scale > 1.0
    if use_img and v_uncond_img is None:
        raise ValueError("image guidance is on but the image-free branch velocity is missing")

    v_text = v_uncond_text + text_scale * (v_cond - v_uncond_text)
    if renorm_type == "text_channel":
        v_text = _rescale_to(v_cond, v_text, per_token=True, renorm_min=renorm_min)
        return v_uncond_img + img_scale * (v_text - v_uncond_img) if use_img else v_text

    guided = v_uncond_img + img_scale * (v_text - v_uncond_img) if use_img else v_text
    return _rescale_to(v_cond, guided, per_token=renorm_type == "channel", renorm_min=renorm_min)


def initial_noise(num_tokens: int, token_dim: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """Starting noise ``[N, token_dim]`` in token layout, float32, drawn on the CPU.

    The reference draws ``torch.randn(N, token_dim)`` from the CPU default generator
    whatever the model's device; pass a CPU ``generator`` for a seeded, device-independent
    draw (move the result to the model's device afterwards).
    """
    if generator is not None and generator.device.type != "cpu":
        raise ValueError("initial_noise draws on the CPU (as the reference does); pass a CPU generator")
    return torch.randn(num_tokens, token_dim, generator=generator, dtype=torch.float32)


# --- Euler loop -------------------------------------------------------------------------

VelocityFn = Callable[[torch.Tensor, torch.Tensor, tuple[str, ...]], Mapping[str, torch.Tensor]]
"""``velocity_fn(x_t [N,D], t (0-d float32 tensor on x_t's device), branches) -> {branch: velocity [N,D]}``."""


@dataclass(frozen=True)
class StepRecord:
    """What happened at one denoising step (for debugging, tests and previews)."""

    index: int
    t: torch.Tensor
    dt: torch.Tensor
    scales: CfgScales
    x_t: torch.Tensor
    velocities: Mapping[str, torch.Tensor]
    v: torch.Tensor


def sample(
    velocity_fn: VelocityFn,
    x0: torch.Tensor,
    settings: GenerationSettings,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    on_step: Callable[[StepRecord], None] | None = None,
) -> torch.Tensor:
    """Integrate from noise ``x0`` (``[N, D]`` token layout, t = 1) to data (t = 0).

    Each step: check ``cancel``, pick the CFG scales for ``t``, ask ``velocity_fn`` for the
    needed branches, combine, then ``x ← x − v·dt``. ``progress(done, total)`` is called
    after every step.
    """
    schedule = flow_schedule(settings.num_timesteps, settings.timestep_shift)
    total = len(schedule)
    # The schedule is copied to x0's device once, so the loop never waits on a host copy.
    device_t = schedule.timesteps.to(x0.device)
    device_dt = schedule.dts.to(x0.device)
    x_t = x0
    for index in range(total):
        if cancel is not None:
            cancel.raise_if_cancelled()
        t = schedule.timesteps[index]
        scales = scales_at(t, settings)  # decided on the host copy: no device sync
        branches = scales.branches
        velocities = velocity_fn(x_t, device_t[index], branches)
        missing = [b for b in branches if b not in velocities]
        if missing:
            raise ValueError(f"velocity_fn did not return branch(es) {missing} at step {index}")
        v = combine_velocities(
            velocities[COND],
            velocities.get(UNCOND_TEXT),
            velocities.get(UNCOND_IMG),
            scales.text,
            scales.img,
            settings.cfg_renorm_type,
            settings.cfg_renorm_min,
        )
        if on_step is not None:
            on_step(StepRecord(index, t, schedule.dts[index], scales, x_t, dict(velocities), v))
        x_t = x_t - v.to(x_t.device) * device_dt[index]
        if progress is not None:
            progress(index + 1, total)
    return x_t
