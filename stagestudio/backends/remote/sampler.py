"""BAGEL's sampler settings per task, sent with every image request so that the server's own
defaults never decide a session's pictures (vLLM-Omni's BAGEL pipeline defaults every task to
the text-to-image values). They are the reference app's, the same the local BAGEL backend
uses (`bagel.sampler.GenerationSettings`); a test keeps the two equal. Kept here as plain
values so the remote client never imports torch."""

from __future__ import annotations

from typing import Any

# What differs between the tasks; num_timesteps, timestep_shift and cfg_text_scale are settings.
TEXT_TO_IMAGE: dict[str, Any] = {
    "cfg_img_scale": 1.5, "cfg_interval": [0.4, 1.0], "cfg_renorm_min": 0.0, "cfg_renorm_type": "global",
}
EDIT: dict[str, Any] = {
    "cfg_img_scale": 2.0, "cfg_interval": [0.0, 1.0], "cfg_renorm_min": 0.0, "cfg_renorm_type": "text_channel",
}


def sampler_args(*, editing: bool, timestep_shift: float, cfg_text_scale: float) -> dict[str, Any]:
    """BAGEL's model-specific request arguments (vLLM-Omni's `extra_args`) for one image."""
    return {**(EDIT if editing else TEXT_TO_IMAGE), "timestep_shift": float(timestep_shift),
            "cfg_text_scale": float(cfg_text_scale)}
