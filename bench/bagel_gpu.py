"""GPU benchmark of our BAGEL-7B-MoT implementation at full size, with random weights.

No download: the model is built from the packaged BAGEL-7B-MoT configuration and filled with
random tensors through the real loader (`load_weights`, including bitsandbytes quantization), so
load time here measures materialising + quantizing on the GPU, not reading 29 GB from disk.
Random weights make the text and pictures meaningless; every shape, kernel and memory figure is
the real one.

For each precision (bf16, nf4) it reports: load time, weight memory, peak GPU memory, seconds per
denoising step and per image at 1024x1024 and 512x512 (full 50-point schedule, text-to-image CFG
defaults), text decoding speed, and a 3-step plan/sketch/inspect loop through `BagelBackend`.

    python bench/bagel_gpu.py --out bench/results/bagel_gpu.json
    python bench/bagel_gpu.py --tiny ../shared/fixtures/bagel --out /tmp/tiny.json   # CPU smoke run

Results are written after every phase, so a run cut short still leaves its numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stagestudio.backends.bagel.config import BagelConfig  # noqa: E402
from stagestudio.backends.bagel.loader import build_empty_model, expected_tensors, load_weights  # noqa: E402

LOOP_PROMPT = "a bear hovering above a silver spoon next to a red cup"


class RandomTensorSource:
    """A `TensorSource` that invents every checkpoint tensor: N(0, 0.02) matrices, unit norms,
    small biases. Seeded, generated directly on the target device."""

    def __init__(self, shapes: dict[str, tuple[int, ...]], device: torch.device, dtype: torch.dtype, seed: int = 0):
        self._shapes = shapes
        self.device, self.dtype = device, dtype
        self.generator = torch.Generator(device=device).manual_seed(seed)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return self._shapes

    def get(self, name: str) -> torch.Tensor:
        shape = self._shapes[name]
        if "norm" in name and name.endswith("weight"):
            return torch.ones(shape, device=self.device, dtype=self.dtype)
        t = torch.randn(shape, device=self.device, dtype=torch.float32, generator=self.generator)
        return (t * (0.002 if name.endswith("bias") else 0.02)).to(self.dtype)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def gib(n_bytes: int | None) -> float | None:
    return None if n_bytes is None else round(n_bytes / 2**30, 3)


def peak_reset(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()


def peak(device: torch.device) -> int | None:
    return torch.cuda.max_memory_allocated() if device.type == "cuda" else None


def build_inferencer(config: BagelConfig, precision: str, device: torch.device, tokenizer_dir: Path, transforms):
    from stagestudio.backends.bagel.inferencer import InterleavedInferencer
    from stagestudio.backends.bagel.tokenizer import BagelTokenizer
    from stagestudio.backends.bagel.vae import REAL_FLUX_VAE_PARAMS, FluxVAE, FluxVAEParams, build_autoencoder

    compute = torch.float32 if precision == "fp32" else torch.bfloat16
    model = build_empty_model(config)
    source = RandomTensorSource(expected_tensors(model), device, compute)
    sync(device)
    started = time.perf_counter()
    load_weights(model, source, precision, device, compute, label="random weights")
    model.execution_device = device
    vae_params = FluxVAEParams.from_json(tokenizer_dir / "ae_params.json") if (tokenizer_dir / "ae_params.json").is_file() \
        else REAL_FLUX_VAE_PARAMS
    vae_module = build_autoencoder(vae_params, device=str(device)).to(compute).eval()
    vae = FluxVAE(vae_module, vae_params)
    sync(device)
    load_s = time.perf_counter() - started
    tokenizer = BagelTokenizer.from_folder(tokenizer_dir)
    return InterleavedInferencer(model, tokenizer, vae, transforms), load_s


def time_generation(inf, device, side: int, timesteps: int) -> dict:
    from stagestudio.backends.bagel.sampler import GenerationSettings

    state = inf.add_text(inf.new_contexts(), "a bear hovering above a silver spoon")
    stamps: list[float] = []

    def progress(done: int, total: int) -> None:
        sync(device)
        stamps.append(time.perf_counter())

    peak_reset(device)
    sync(device)
    started = time.perf_counter()
    inf.generate_image(state, GenerationSettings.text_to_image(num_timesteps=timesteps), seed=0,
                       image_shape=(side, side), progress=progress)
    sync(device)
    total = time.perf_counter() - started
    steps = [b - a for a, b in zip([started, *stamps[:-1]], stamps)]
    return {
        "side": side,
        "model_evaluations": len(steps),
        "s_per_step_median": round(statistics.median(steps), 4),
        "s_per_step_mean": round(statistics.fmean(steps), 4),
        "s_per_image": round(total, 3),
        "decode_s": round(total - (stamps[-1] - started), 4),
        "peak_gib": gib(peak(device)),
    }


def time_text(inf, device, tokens: int) -> dict:
    state = inf.add_text(inf.new_contexts(), "Describe the picture.")
    sync(device)
    started = time.perf_counter()
    result = inf.generate_text(state.cond, max_length=tokens)
    sync(device)
    n = len(result.fed_ids)
    return {"tokens": n, "tokens_per_s": round(n / (time.perf_counter() - started), 2)}


def run_loop(inf, device, side: int, timesteps: int, plan_tokens: int) -> dict:
    from stagestudio.backends.bagel.backend import BagelBackend
    from stagestudio.loop.engine import LoopEngine, RunConfig

    backend = BagelBackend.with_inferencer(inf, resolution=side, num_timesteps=timesteps, max_plan_tokens=plan_tokens)
    stages: dict[str, list[float]] = {}
    peak_reset(device)
    started = time.perf_counter()
    last = None
    for event in LoopEngine(backend).run(LOOP_PROMPT, config=RunConfig(seed=1, max_refines=0, max_steps=3)):
        if event.type in ("step_planned", "sketch_ready", "verdict_ready"):
            stages.setdefault(event.type, []).append(round(event.duration_s, 3))
        if event.type == "error":
            raise RuntimeError(f"loop error in {event.stage}: {event.message}")
        last = event
    return {
        "prompt": LOOP_PROMPT,
        "side": side,
        "timesteps": timesteps,
        "max_refines": 0,
        "status": last.status if last else None,
        "total_s": round(time.perf_counter() - started, 2),
        "plan_s": stages.get("step_planned"),
        "sketch_s": stages.get("sketch_ready"),
        "inspect_s": stages.get("verdict_ready"),
        "peak_gib": gib(peak(device)),
    }


def environment(device: torch.device) -> dict:
    env = {"python": platform.python_version(), "torch": torch.__version__, "device": str(device)}
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        env.update(gpu=props.name, gpu_memory_gib=gib(props.total_memory), cuda=torch.version.cuda)
    try:
        import bitsandbytes

        env["bitsandbytes"] = bitsandbytes.__version__
    except ImportError:
        env["bitsandbytes"] = None
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench/results/bagel_gpu.json")
    parser.add_argument("--precisions", default="bf16,nf4")
    parser.add_argument("--timesteps", type=int, default=50)
    parser.add_argument("--sides", default="512,1024")
    parser.add_argument("--loop-side", type=int, default=512)
    parser.add_argument("--plan-tokens", type=int, default=64)
    parser.add_argument("--tokenizer", default=None, help="folder with a Qwen2-format tokenizer (the tiny fixture one works)")
    parser.add_argument("--tiny", default=None, help="use this checkpoint folder's configuration instead of full size (CPU smoke test)")
    args = parser.parse_args(argv)

    from stagestudio.backends.bagel.golden import golden_transforms
    from stagestudio.backends.bagel.transforms import REAL_TRANSFORMS

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        # Matmuls in the bf16 model are unaffected; keeps any float32 op exact.
        torch.backends.cuda.matmul.allow_tf32 = False
    if args.tiny:
        config, transforms = BagelConfig.from_folder(args.tiny), golden_transforms(Path(args.tiny))
        tokenizer_dir = Path(args.tiny)
    else:
        config, transforms = BagelConfig.bagel_7b_mot(), REAL_TRANSFORMS
        tokenizer_dir = Path(args.tokenizer or "bench/tokenizer")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "what": "BAGEL-7B-MoT, our implementation, random weights (no download); full 50-point schedule unless noted",
        "model": "tiny fixture config" if args.tiny else "BAGEL-7B-MoT full size",
        "environment": environment(device),
        "precisions": {},
    }

    def save() -> None:
        out.write_text(json.dumps(results, indent=1))

    for precision in [p.strip() for p in args.precisions.split(",") if p.strip()]:
        entry: dict = {}
        results["precisions"][precision] = entry
        inf = None
        try:
            inf, load_s = build_inferencer(config, precision, device, tokenizer_dir, transforms)
            entry["load_s"] = round(load_s, 2)
            entry["weights_gib"] = gib(torch.cuda.memory_allocated()) if device.type == "cuda" else None
            save()
            entry["text"] = time_text(inf, device, 64)
            for side in [int(s) for s in args.sides.split(",")]:
                entry[f"t2i_{side}"] = time_generation(inf, device, side, args.timesteps)
                save()
                print(precision, side, entry[f"t2i_{side}"], flush=True)
            entry["loop"] = run_loop(inf, device, args.loop_side, args.timesteps, args.plan_tokens)
            print(precision, "loop", entry["loop"], flush=True)
        except Exception as exc:  # record and go on to the next precision
            entry["error"] = f"{type(exc).__name__}: {exc}"
            entry["traceback"] = traceback.format_exc()[-3000:]
            print(entry["traceback"], file=sys.stderr, flush=True)
        finally:
            save()
            del inf
            gc.collect()
            if device.type == "cuda":
                torch.cuda.empty_cache()

    bf, nf = results["precisions"].get("bf16", {}), results["precisions"].get("nf4", {})
    side = max(int(s) for s in args.sides.split(","))
    if f"t2i_{side}" in bf and f"t2i_{side}" in nf:
        results[f"nf4_over_bf16_s_per_step_{side}"] = round(
            nf[f"t2i_{side}"]["s_per_step_median"] / bf[f"t2i_{side}"]["s_per_step_median"], 3
        )
    save()
    print(json.dumps(results, indent=1))
    return 0 if all("error" not in e for e in results["precisions"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
