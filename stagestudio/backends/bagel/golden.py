"""Golden-case runner: reproduce the reference's recorded BAGEL runs number by number.

A golden folder (e.g. `shared/fixtures/bagel`) holds a tiny checkpoint (`ema.safetensors`,
`ae.safetensors`, configs, `tokenizer/`), `cases.json` and one safetensors file per case. Each case
is re-run through the public `InterleavedInferencer` API, from its seed, in float32 on the CPU, and
compared with the recordings (tolerances from the fixture README, section 4):

* per-step checks (teacher-forced with the recorded `gen.x_t[s]`): KV caches, logits, query
  embeddings, branch and combined velocities, encoder outputs: atol 1e-4 + rtol 1e-4;
* whole trajectories (`gen.final_latent_tokens`, `gen.latent`, `gen.decoded`): atol 1e-3;
* token ids exactly; uint8 images within ±1.

Shared by the tests and `python -m stagestudio doctor --golden DIR`.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import torch
from PIL import Image
from torch import Tensor

STEP_ATOL = STEP_RTOL = 1e-4
TRAJECTORY_ATOL = 1e-3


@dataclass
class Check:
    name: str
    max_error: float  # max |actual - expected|; mismatching ids; max uint8 difference
    tolerance: float
    passed: bool
    note: str = ""
    numeric: bool = True  # False for id and uint8 checks (kept out of CaseReport.max_error)


@dataclass
class CaseReport:
    name: str
    kind: str
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None  # an exception that stopped the case

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def max_error(self) -> float:
        """Largest float error over the numeric checks (ids and uint8 images excluded)."""
        return max((c.max_error for c in self.checks if c.numeric), default=float("nan"))

    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]


class _Checker:
    def __init__(self, report: CaseReport, recorded: dict[str, Tensor]):
        self.report = report
        self.recorded = recorded

    def has(self, key: str) -> bool:
        return key in self.recorded

    def close(self, name: str, actual: Tensor, expected: Tensor | str, atol: float = STEP_ATOL,
              rtol: float = STEP_RTOL) -> None:
        exp = self.recorded[expected] if isinstance(expected, str) else expected
        act = actual.detach().float().cpu()
        exp = exp.detach().float().cpu()
        if act.shape != exp.shape:
            self.report.checks.append(Check(name, float("inf"), atol, False,
                                            f"shape {tuple(act.shape)} != {tuple(exp.shape)}"))
            return
        err = float((act - exp).abs().max()) if act.numel() else 0.0
        ok = bool(torch.allclose(act, exp, atol=atol, rtol=rtol))
        self.report.checks.append(Check(name, err, atol, ok))

    def exact(self, name: str, actual: Iterable[int], expected: Iterable[int]) -> None:
        a, e = [int(x) for x in actual], [int(x) for x in expected]
        mismatches = sum(x != y for x, y in zip(a, e)) + abs(len(a) - len(e))
        self.report.checks.append(Check(name, float(mismatches), 0.0, mismatches == 0,
                                        "" if mismatches == 0 else f"got {a}, expected {e}", numeric=False))

    def image(self, name: str, actual: Tensor, expected: str, max_diff: int = 1) -> None:
        a = actual.to(torch.int16)
        e = self.recorded[expected].to(torch.int16)
        if a.shape != e.shape:
            self.report.checks.append(Check(name, float("inf"), max_diff, False,
                                            f"shape {tuple(a.shape)} != {tuple(e.shape)}", numeric=False))
            return
        err = int((a - e).abs().max())
        self.report.checks.append(Check(name, float(err), float(max_diff), err <= max_diff, numeric=False))


# --- loading ------------------------------------------------------------------------------------


def load_cases(folder: str | Path) -> list[dict[str, Any]]:
    raw = json.loads((Path(folder) / "cases.json").read_text())
    return list(raw["cases"] if isinstance(raw, dict) else raw)


def golden_transforms(folder: Path):
    """The tiny image transforms recorded in the golden folder's `bagel_config.json`."""
    from .transforms import REAL_TRANSFORMS, transforms_from_config

    path = folder / "bagel_config.json"
    if path.is_file():
        section = json.loads(path.read_text()).get("transforms", {})
        if "tiny_vae" in section and "tiny_vit" in section:
            return transforms_from_config(section, "tiny_vae", "tiny_vit")
    return REAL_TRANSFORMS


@functools.lru_cache(maxsize=4)
def cached_golden_inferencer(folder: str, precision: str = "fp32", device: str = "cpu"):
    """One shared inferencer per (folder, precision, device): tests reuse it (cases reseed it)."""
    return load_golden_inferencer(folder, precision, device)


def load_golden_inferencer(folder: str | Path, precision: str = "fp32", device: str = "cpu"):
    """Inferencer over the golden folder's tiny checkpoint (strict load). The recordings are
    float32 CPU numbers: other precisions/devices are for diagnostics and will not pass at 1e-4."""
    from .inferencer import InterleavedInferencer
    from .loader import load_bagel

    folder = Path(folder)
    loaded = load_bagel(folder, precision=precision, device=device)  # type: ignore[arg-type]
    return InterleavedInferencer(loaded.model, loaded.tokenizer, loaded.vae, golden_transforms(folder))


def _settings(kwargs: dict[str, Any]):
    from .sampler import GenerationSettings

    return GenerationSettings(
        num_timesteps=int(kwargs.get("num_timesteps", 50)),
        timestep_shift=float(kwargs.get("timestep_shift", 3.0)),
        cfg_text_scale=float(kwargs.get("cfg_text_scale", 3.0)),
        cfg_img_scale=float(kwargs.get("cfg_img_scale", 1.5)),
        cfg_interval=tuple(kwargs.get("cfg_interval", (0.4, 1.0))),
        cfg_renorm_min=float(kwargs.get("cfg_renorm_min", 0.0)),
        cfg_renorm_type=str(kwargs.get("cfg_renorm_type", "global")),
    )


def _inputs(case: dict[str, Any], recorded: dict[str, Tensor]) -> list[str | Image.Image]:
    items: list[str | Image.Image] = []
    for item in case["call"]["input_list"]:
        if isinstance(item, str) and item.startswith("<image") and item.endswith(">"):
            n = item[len("<image"):-1]
            key = f"image{n}.raw_uint8" if f"image{n}.raw_uint8" in recorded else f"image{n}.resized_uint8"
            items.append(Image.fromarray(recorded[key].numpy()))
        else:
            items.append(item)
    return items


# --- the checks -----------------------------------------------------------------------------------


def _check_contexts(chk: _Checker, state) -> None:
    for name, ctx in (("gen", state.cond), ("cfg_text", state.cfg_text), ("cfg_img", state.cfg_img)):
        layer = 0
        while chk.has(f"ctx.{name}.k.L{layer}"):
            if layer >= len(ctx.cache.layers):
                chk.report.checks.append(Check(f"ctx.{name} layers", float("inf"), 0, False, "cache too short"))
                break
            k, v = ctx.cache.layers[layer]
            chk.close(f"ctx.{name}.k.L{layer}", k, f"ctx.{name}.k.L{layer}")
            chk.close(f"ctx.{name}.v.L{layer}", v, f"ctx.{name}.v.L{layer}")
            layer += 1


def _check_images(chk: _Checker, inf, case: dict[str, Any]) -> None:
    """Component checks of every context image from recorded inputs (independent of RNG)."""
    rec = chk.recorded
    for n in range(len(case.get("images", []))):
        p = f"image{n}"
        if f"{p}.resized_uint8" in rec and f"{p}.raw_uint8" in rec:
            prepared = inf.prepare_image(Image.fromarray(rec[f"{p}.raw_uint8"].numpy()))
            chk.image(f"{p}.resized_uint8", torch.from_numpy(np.array(prepared)), f"{p}.resized_uint8", 0)
        if f"{p}.vit.patch_tokens" in rec:
            prepared = Image.fromarray(rec[f"{p}.resized_uint8"].numpy())
            patches, pos = inf.vit_patch_tokens(prepared)
            chk.close(f"{p}.vit.patch_tokens", patches, f"{p}.vit.patch_tokens")
            chk.exact(f"{p}.vit.vit_pos_ids", pos.tolist(), rec[f"{p}.vit.vit_pos_ids"].tolist())
            with torch.no_grad():
                vm, dev = inf.model.vit_model, inf.model.device
                vit_dtype = vm.vision_model.post_layernorm.weight.dtype
                enc = vm(rec[f"{p}.vit.patch_tokens"].to(dev, vit_dtype), rec[f"{p}.vit.vit_pos_ids"].to(dev),
                         [len(pos)])
                chk.close(f"{p}.vit.encoder_out", enc, f"{p}.vit.encoder_out")
                chk.close(f"{p}.vit.connector_out", inf.model.connector(enc), f"{p}.vit.connector_out")
                block = inf.model.vit_block(rec[f"{p}.vit.patch_tokens"], rec[f"{p}.vit.vit_pos_ids"], inf.special, 0)
                chk.close(f"{p}.vit.llm_input", block.embeds, f"{p}.vit.llm_input")
        if f"{p}.vae.latent_tokens" in rec:
            prepared = Image.fromarray(rec[f"{p}.resized_uint8"].numpy())
            tokens, pos = inf.vae_latent_tokens(prepared, eps=rec[f"{p}.vae.eps"])
            chk.close(f"{p}.vae.latent_tokens", tokens, f"{p}.vae.latent_tokens")
            chk.exact(f"{p}.vae.latent_pos_ids", pos.tolist(), rec[f"{p}.vae.latent_pos_ids"].tolist())
            with torch.no_grad():
                block = inf.model.latent_block(rec[f"{p}.vae.latent_tokens"], pos, 0.0, inf.special, 0)
            chk.close(f"{p}.vae.llm_input", block.embeds, f"{p}.vae.llm_input")


def _check_text(chk: _Checker, inf, ctx, prefix: str, expected: dict[str, Any], max_length: int):
    result = inf.generate_text(ctx, max_length=max_length, keep_logits=True)
    chk.exact(f"{prefix}.fed_tokens", result.fed_ids, expected["fed_tokens"])
    logits = result.logits
    rec_logits = chk.recorded[f"{prefix}.logits"]
    rows = min(len(logits), len(rec_logits))
    chk.close(f"{prefix}.logits", logits[:rows, : rec_logits.shape[1]], rec_logits[:rows])
    return result


def _check_generation(chk: _Checker, inf, state, case: dict[str, Any]) -> None:
    from . import sampler

    rec = chk.recorded
    settings = _settings(case["call"]["kwargs"])
    shape = inf.output_shape(state, tuple(case["call"]["kwargs"].get("image_shapes", (1024, 1024))))
    if "image_shape_hw" in case:
        chk.exact("image_shape_hw", shape, case["image_shape_hw"])
    pos = inf.layout.position_ids(*shape)
    chk.exact("query.latent_pos_ids", pos.tolist(), rec["query.latent_pos_ids"].tolist())
    for key, ctx in (("query.position_ids", state.cond), ("query.cfg_text.position_ids", state.cfg_text),
                     ("query.cfg_img.position_ids", state.cfg_img)):
        if key in rec:
            chk.exact(key, [ctx.next_rope] * len(rec[key]), rec[key].tolist())

    # RNG order: after building the contexts the next draw must be the recorded initial noise.
    saved = inf.generator.get_state()
    noise = sampler.initial_noise(*rec["gen.init_noise"].shape, generator=inf.generator)
    chk.close("gen.init_noise", noise, "gen.init_noise", atol=0, rtol=0)
    inf.generator.set_state(saved)

    contexts = inf.branch_contexts(state)
    timesteps = rec["gen.timesteps"]
    for s in range(len(timesteps)):
        t = float(timesteps[s])
        query = inf.query_block(rec["gen.x_t"][s], t, pos, 0)
        chk.close(f"gen.query_embeds[{s}]", query.embeds, rec["gen.query_embeds"][s])
        scales = sampler.scales_at(timesteps[s], settings)
        wanted = [sampler.COND]
        if bool(rec["gen.cfg_text_active"][s]):
            wanted.append(sampler.UNCOND_TEXT)
        if bool(rec["gen.cfg_img_active"][s]):
            wanted.append(sampler.UNCOND_IMG)
        missing = [b for b in scales.branches if b not in wanted]
        chk.report.checks.append(Check(f"gen.branches[{s}]", float(len(missing)), 0.0, not missing,
                                       f"sampler wants {scales.branches}, reference ran {wanted}", numeric=False))
        v = {b: inf.branch_velocity(contexts[b], query) for b in wanted}
        for b in wanted:
            chk.close(f"gen.v_{b}[{s}]", v[b], rec[f"gen.v_{b}"][s])
        combined = sampler.combine_velocities(
            v[sampler.COND], v.get(sampler.UNCOND_TEXT), v.get(sampler.UNCOND_IMG), scales.text, scales.img,
            settings.cfg_renorm_type, settings.cfg_renorm_min)
        chk.close(f"gen.v[{s}]", combined, rec["gen.v"][s])

    result = inf.generate_image(state, settings, image_shape=shape)
    chk.close("gen.final_latent_tokens", result.latent_tokens, "gen.final_latent_tokens", atol=TRAJECTORY_ATOL, rtol=0)
    chk.close("gen.latent", result.latent, "gen.latent", atol=TRAJECTORY_ATOL, rtol=0)
    chk.close("gen.decoded", result.decoded, "gen.decoded", atol=TRAJECTORY_ATOL, rtol=0)
    chk.image("gen.image_uint8", torch.from_numpy(np.array(result.image)), "gen.image_uint8")


def _run_vae_case(chk: _Checker, inf, case: dict[str, Any]) -> None:
    rec = chk.recorded
    vae = inf.vae
    with torch.no_grad():
        moments = vae.encode(rec["pixels"])
        chk.close("moments", moments, "moments")
        chk.close("z_mode", vae.mode_latent(moments), "z_mode")
        chk.close("z_sample", vae.sample_latent(moments, eps=rec["sample_eps"]), "z_sample")
        chk.close("decode_out", vae.decode(rec["decode_in"]), "decode_out", atol=TRAJECTORY_ATOL, rtol=0)


def run_case(inf, folder: str | Path, case: dict[str, Any]) -> CaseReport:
    from safetensors.torch import load_file

    report = CaseReport(case["name"], case.get("kind", "?"))
    start = time.perf_counter()
    try:
        recorded = load_file(str(Path(folder) / case["file"]))
        chk = _Checker(report, recorded)
        if case.get("kind") == "vae":
            _run_vae_case(chk, inf, case)
            return report
        kwargs = case["call"]["kwargs"]
        understanding = bool(kwargs.get("understanding_output", False))
        think = bool(kwargs.get("think", False))
        _check_images(chk, inf, case)
        inf.seed(int(case["seed"]))
        state = inf.build_contexts(_inputs(case, recorded), understanding_output=understanding, think=think)
        max_tokens = int(kwargs.get("max_think_token_n", 1000))
        if understanding:
            _check_contexts(chk, state)
            result = _check_text(chk, inf, state.cond, "gen", case["text_generation"], max_tokens)
            if "output_text" in case:
                same = result.text == case["output_text"]
                chk.report.checks.append(Check("output_text", 0.0 if same else 1.0, 0.0, same,
                                               "" if same else repr(result.text), numeric=False))
            return report
        if think:
            thought = _check_text(chk, inf, state.cond, "think", case["think"], max_tokens)
            reencoded = inf.tokenizer.segment_ids(thought.text)
            chk.exact("think.reencoded_ids", reencoded, case["think"]["reencoded_ids"])
            state = inf.add_cond_text(state, thought.text)
        _check_contexts(chk, state)
        _check_generation(chk, inf, state, case)
    except Exception as exc:  # noqa: BLE001 - reported as a failed case
        report.error = f"{type(exc).__name__}: {exc}"
    finally:
        report.seconds = time.perf_counter() - start
    return report


def run_golden(folder: str | Path, names: Iterable[str] | None = None, inf=None,
               device: str = "cpu") -> list[CaseReport]:
    """Run every case of `folder` (or the ones named) and return one report per case."""
    folder = Path(folder)
    cases = load_cases(folder)
    if names is not None:
        wanted = set(names)
        cases = [c for c in cases if c["name"] in wanted]
    inf = inf if inf is not None else load_golden_inferencer(folder, device=device)
    return [run_case(inf, folder, c) for c in cases]
