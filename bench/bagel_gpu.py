"""GPU benchmark of our BAGEL-7B-MoT implementation at full size, with random weights.

No download: the model is built from the packaged BAGEL-7B-MoT configuration and filled with
random tensors through the real loader (`load_weights`, bitsandbytes quantization included), so
load time measures materialising + quantizing on the GPU, not reading 29 GB from disk. Random
weights make the text and pictures meaningless; every shape, kernel and memory figure is the
real one. The tokenizer is a byte-level Qwen2-format tokenizer built here (same special tokens).

Each precision runs in a fresh child process, so its memory figures are its own:

* memory: `cudaMemGetInfo` (device used = total - free) sampled every 2 ms by a thread during
  each phase, minus what other processes held before this one touched the GPU (read through
  NVML when present), i.e. the *process's* GPU memory including the CUDA context and the
  allocator's slack; beside it the allocator's own `max_memory_allocated` / `reserved`;
* text-to-image and an edit at 512x512 and 1024x1024 (50-point schedule, the reference app's
  guidance defaults): seconds per image and per model forward, forwards per image;
* a whole 4-step loop with one refinement per step (plan, sketch/edit, inspect, refine, the
  final check) through `BagelBackend` + `LoopEngine` at both sizes. Memory does not depend on
  the number of denoising steps, so the loop uses `--loop-timesteps` (default 12) to fit the
  time budget; its peak is the whole loop's, context cache included;
* text decoding tokens/s after a warm-up, and the time to answer 10 yes/no questions about a
  1024x1024 canvas (one packed forward);
* the VAE decode of a 1024x1024 picture whole and in 512 px tiles (what nf4/int8 use above 512 px).

Run it in one call on a GPU machine. The bare GPU image lacks a few packages; prepare their
wheels here first (they go to .whl/, which git ignores, about 51 MB), carry `.whl`, then:

    bash bench/bagel_gpu_wheels.sh                     # here, once
    python3 -m pip install -q --no-index --no-deps .whl/*.whl && PYTHONUNBUFFERED=1 python3 bench/bagel_gpu.py \
        --out $OUT/bagel_gpu.json                      # there; copy the file to bench/results/ afterwards

    python bench/bagel_gpu.py --tiny ../shared/fixtures/bagel --out /tmp/tiny.json   # CPU smoke run

Results go to bench/results/bagel_gpu.json after every phase, so a run cut short keeps its numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from stagestudio.backends.bagel.config import BagelConfig  # noqa: E402
from stagestudio.backends.bagel.loader import build_empty_model, expected_tensors, load_weights  # noqa: E402

LOOP_PROMPT = "a bear above a silver spoon, a red cup next to the spoon, and a dog left of the bear"
GIB = 2**30


# --- model with random weights ----------------------------------------------------------------------


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


def byte_level_tokenizer():
    """A Qwen2-format byte-level BPE tokenizer (256 byte symbols, no merges) with BAGEL's special
    tokens: the bench needs token ids and text round trips, not a real vocabulary."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from stagestudio.backends.bagel.model import SpecialTokens
    from stagestudio.backends.bagel.tokenizer import BOS, END_OF_IMAGE, EOS, START_OF_IMAGE, BagelTokenizer

    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {symbol: i for i, symbol in enumerate(sorted(alphabet))}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    hf = PreTrainedTokenizerFast(tokenizer_object=core)
    hf.add_special_tokens({"additional_special_tokens": [BOS, EOS, START_OF_IMAGE, END_OF_IMAGE]})
    ids = {t: hf.convert_tokens_to_ids(t) for t in (BOS, EOS, START_OF_IMAGE, END_OF_IMAGE)}
    return BagelTokenizer(hf, SpecialTokens(ids[BOS], ids[EOS], ids[START_OF_IMAGE], ids[END_OF_IMAGE]))


def build_inferencer(config: BagelConfig, precision: str, device: torch.device, tiny: Path | None, transforms):
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
    vae_params = FluxVAEParams.from_json(tiny / "ae_params.json") if tiny else REAL_FLUX_VAE_PARAMS
    vae = FluxVAE(build_autoencoder(vae_params, device=str(device)).to(compute).eval(), vae_params)
    sync(device)
    load_s = time.perf_counter() - started
    tokenizer = BagelTokenizer.from_folder(tiny) if tiny else byte_level_tokenizer()
    return InterleavedInferencer(model, tokenizer, vae, transforms), load_s


# --- measuring ------------------------------------------------------------------------------------------


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def gib(n_bytes: float | None) -> float | None:
    return None if n_bytes is None else round(n_bytes / GIB, 3)


def other_processes_bytes() -> int | None:
    """GPU memory used before this process touches CUDA (other processes), through NVML."""
    try:
        import pynvml

        pynvml.nvmlInit()
        handle = pynvml.nvmlDeviceGetHandleByIndex(0)
        return int(pynvml.nvmlDeviceGetMemoryInfo(handle).used)
    except Exception:  # noqa: BLE001 - NVML missing or not allowed: report None
        return None


class MemoryProbe:
    """Peak device memory in use during a phase, sampled by a thread, and the allocator's peaks."""

    def __init__(self, device: torch.device, baseline: int) -> None:
        self.device = device
        self.baseline = baseline  # bytes used on the device by other processes
        self._peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def used(self) -> int:
        free, total = torch.cuda.mem_get_info(self.device)
        return total - free

    def __enter__(self) -> "MemoryProbe":
        if self.device.type != "cuda":
            return self
        sync(self.device)
        torch.cuda.reset_peak_memory_stats(self.device)
        self._peak = self.used()
        self._stop.clear()

        def poll() -> None:
            while not self._stop.wait(0.002):
                self._peak = max(self._peak, self.used())

        self._thread = threading.Thread(target=poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._thread is not None:
            sync(self.device)
            self._peak = max(self._peak, self.used())
            self._stop.set()
            self._thread.join()

    def report(self) -> dict:
        if self.device.type != "cuda":
            return {}
        return {
            "process_peak_gib": gib(self._peak - self.baseline),
            "allocated_peak_gib": gib(torch.cuda.max_memory_allocated(self.device)),
            "reserved_peak_gib": gib(torch.cuda.max_memory_reserved(self.device)),
        }


def random_picture(side: int, seed: int = 0):
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8))


def time_image(inf, device, probe_factory, state_fn, settings, side: int, vae_tile: int | None) -> dict:
    stamps: list[float] = []
    inf.vae.set_tiling(vae_tile)  # as the backend would for this precision and size

    def progress(done: int, total: int) -> None:
        sync(device)
        stamps.append(time.perf_counter())

    with probe_factory() as probe:
        started = time.perf_counter()
        state = state_fn()
        context_s = time.perf_counter() - started
        began = time.perf_counter()
        result = inf.generate_image(state, settings, seed=0, image_shape=(side, side), progress=progress)
        sync(device)
        total = time.perf_counter() - began
    steps = [b - a for a, b in zip([began, *stamps[:-1]], stamps)]
    kv = sum(s.nbytes for s in state.storages())
    return {
        "side": side,
        "timesteps": settings.num_timesteps,
        "forwards": result.forwards,
        "context_s": round(context_s, 3),
        "context_kv_gib": gib(kv),
        "s_per_image": round(total, 3),
        "s_per_forward": round((stamps[-1] - began) / max(result.forwards, 1), 4),
        "s_per_step_median": round(statistics.median(steps), 4),
        "vae_decode_s": round(total - (stamps[-1] - began), 4),
        "vae_tile": vae_tile,
        **probe.report(),
    }


def time_vae_decode(inf, device, probe_factory, side: int) -> dict:
    out = {}
    z = torch.randn(1, inf.vae.params.z_channels, side // 8, side // 8, generator=torch.Generator().manual_seed(0))
    for tile in (None, 512):
        inf.vae.set_tiling(tile)
        inf.vae.decode(z)  # warm-up
        with probe_factory() as probe:
            started = time.perf_counter()
            inf.vae.decode(z)
            sync(device)
            seconds = time.perf_counter() - started
        out["whole" if tile is None else f"tiles_{tile}"] = {"s": round(seconds, 3), **probe.report()}
    inf.vae.set_tiling(None)
    return {"side": side, **out}


def time_decode(inf, device, tokens: int) -> dict:
    ctx = inf.append_text(inf.new_contexts().cond, "Describe the picture in one sentence. " * 4)
    inf.generate_text(ctx, max_length=8)  # warm-up
    sync(device)
    started = time.perf_counter()
    result = inf.generate_text(ctx, max_length=tokens)
    sync(device)
    n = len(result.fed_ids)
    return {"tokens": n, "tokens_per_s": round(n / (time.perf_counter() - started), 2), "warmed_up": True}


def time_questions(inf, device, side: int) -> dict:
    state = inf.add_image(inf.new_contexts(), random_picture(side), vae=False, vit=True)
    questions = [f"Is there a {w} in the image? Answer yes or no." for w in
                 ("bear", "spoon", "red cup", "dog", "cat", "table", "tree", "car", "clock", "vase")]
    inf.yes_no_probabilities(state.cond, questions[:1])  # warm-up
    sync(device)
    started = time.perf_counter()
    inf.yes_no_probabilities(state.cond, questions)
    sync(device)
    return {"side": side, "questions": len(questions), "s": round(time.perf_counter() - started, 4)}


def loop_graph():
    from stagestudio.scene.graph import ObjectAttributes, Relation, SceneGraph, SceneObject

    return SceneGraph(
        objects=[SceneObject(id="o1", name="bear"),
                 SceneObject(id="o2", name="spoon", attributes=ObjectAttributes(material="silver")),
                 SceneObject(id="o3", name="cup", attributes=ObjectAttributes(color="red")),
                 SceneObject(id="o4", name="dog")],
        relations=[Relation(subject="o1", predicate="above", object="o2"),
                   Relation(subject="o3", predicate="next to", object="o2"),
                   Relation(subject="o4", predicate="left of", object="o1")],
    )


class RefineEveryStep:
    """Asks for one refinement of every step (random weights give no meaningful verdicts)."""

    def review_plan(self, review):
        from stagestudio.loop.control import Proceed

        return Proceed()

    def review_verdict(self, review):
        from stagestudio.loop.control import Correct, Proceed

        return Correct("Make the bear brown and the spoon silver.") if review.attempt == 0 else Proceed()


def run_loop(inf, device, probe_factory, side: int, timesteps: int, plan_tokens: int) -> dict:
    from stagestudio.backends.bagel.backend import BagelBackend
    from stagestudio.loop.engine import LoopEngine, RunConfig

    backend = BagelBackend.with_inferencer(inf, resolution=side, num_timesteps=timesteps, max_plan_tokens=plan_tokens,
                                           graph="parser")
    stages: dict[str, list[float]] = {}
    last = None
    with probe_factory() as probe:
        started = time.perf_counter()
        for event in LoopEngine(backend).run(LOOP_PROMPT, graph=loop_graph(), controller=RefineEveryStep(),
                                             config=RunConfig(seed=1, max_refines=1, max_steps=4)):
            if event.type in ("step_planned", "sketch_ready", "verdict_ready", "final_verdict"):
                stages.setdefault(event.type, []).append(round(event.duration_s, 3))
            if event.type == "error":
                raise RuntimeError(f"loop error in {event.stage}: {event.message}")
            last = event
        total = time.perf_counter() - started
    return {
        "side": side, "timesteps": timesteps, "steps": 4, "refinements_per_step": 1,
        "status": last.status if last else None, "total_s": round(total, 2),
        "plan_s": stages.get("step_planned"), "sketch_s": stages.get("sketch_ready"),
        "inspect_s": stages.get("verdict_ready"), "final_s": stages.get("final_verdict"),
        "context_cache": backend.runtime.contexts.stats(), **probe.report(),
    }


def environment(device: torch.device) -> dict:
    env = {"python": platform.python_version(), "torch": torch.__version__, "device": str(device)}
    if device.type == "cuda":
        props = torch.cuda.get_device_properties(device)
        env.update(gpu=props.name, gpu_memory_gib=gib(props.total_memory), cuda=torch.version.cuda)
    try:
        from stagestudio.backends.bagel.bnb import import_bitsandbytes

        env["bitsandbytes"] = import_bitsandbytes().__version__
    except ImportError:
        env["bitsandbytes"] = None
    return env


# --- one precision (child process) -------------------------------------------------------------------------


def measure_precision(args, precision: str, out: Path) -> int:
    from stagestudio.backends.bagel.backend import vae_tile_for
    from stagestudio.backends.bagel.golden import golden_transforms
    from stagestudio.backends.bagel.sampler import GenerationSettings
    from stagestudio.backends.bagel.transforms import REAL_TRANSFORMS

    baseline = other_processes_bytes()
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    tiny = Path(args.tiny) if args.tiny else None
    config, transforms = (BagelConfig.from_folder(tiny), golden_transforms(tiny)) if tiny else \
        (BagelConfig.bagel_7b_mot(), REAL_TRANSFORMS)
    entry: dict = {"environment": environment(device)}
    deadline = time.monotonic() + args.budget_s

    def save() -> None:
        out.write_text(json.dumps(entry, indent=1))

    def time_left(phase: str, needs_s: float) -> bool:
        if time.monotonic() + needs_s > deadline:
            entry.setdefault("skipped", []).append(phase)
            save()
            return False
        return True

    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False  # bf16 matmuls are unaffected; float32 ops stay exact
        torch.cuda.init()
        torch.zeros(1, device=device)  # create the context
        after_init = torch.cuda.mem_get_info(device)
        used_at_init = after_init[1] - after_init[0]
        baseline = baseline if baseline is not None and baseline <= used_at_init else 0
        entry["cuda_context_gib"] = gib(used_at_init - baseline)
        entry["other_processes_gib"] = gib(baseline)
    baseline = baseline or 0

    def probe():
        return MemoryProbe(device, baseline)

    try:
        inf, load_s = build_inferencer(config, precision, device, tiny, transforms)
        entry["load_s"] = round(load_s, 2)
        if device.type == "cuda":
            entry["weights_allocated_gib"] = gib(torch.cuda.memory_allocated(device))
            free, total = torch.cuda.mem_get_info(device)
            entry["process_after_load_gib"] = gib(total - free - baseline)
        save()
        warm = min(args.sides)
        inf.generate_image(inf.add_text(inf.new_contexts(), "warm up"), GenerationSettings.text_to_image(num_timesteps=3),
                           seed=0, image_shape=(warm, warm))  # kernels, cuBLAS handles
        entry["decode"] = time_decode(inf, device, args.decode_tokens)
        entry["questions"] = time_questions(inf, device, max(args.sides))
        entry["vae_decode"] = time_vae_decode(inf, device, probe, max(args.sides))
        save()
        for side in args.sides:
            if time_left(f"t2i_{side}", 30):
                entry[f"t2i_{side}"] = time_image(
                    inf, device, probe, lambda: inf.add_text(inf.new_contexts(), "a bear hovering above a silver spoon"),
                    GenerationSettings.text_to_image(num_timesteps=args.timesteps), side,
                    vae_tile_for(precision, side))
                print(precision, f"t2i_{side}", entry[f"t2i_{side}"], flush=True)
                save()
            if time_left(f"edit_{side}", 60):
                canvas = random_picture(side, seed=side)
                entry[f"edit_{side}"] = time_image(
                    inf, device, probe,
                    lambda: inf.add_text(inf.add_image(inf.new_contexts(), canvas), "Add a red cup next to the spoon."),
                    GenerationSettings.edit(num_timesteps=args.timesteps), side, vae_tile_for(precision, side))
                print(precision, f"edit_{side}", entry[f"edit_{side}"], flush=True)
                save()
        for side in args.sides:
            if time_left(f"loop_{side}", 90):
                entry[f"loop_{side}"] = run_loop(inf, device, probe, side, args.loop_timesteps, args.plan_tokens)
                print(precision, f"loop_{side}", entry[f"loop_{side}"], flush=True)
                save()
    except Exception as exc:  # recorded; the parent goes on to the next precision
        entry["error"] = f"{type(exc).__name__}: {exc}"
        entry["traceback"] = traceback.format_exc()[-3000:]
        print(entry["traceback"], file=sys.stderr, flush=True)
    finally:
        save()
    return 1 if "error" in entry else 0


# --- parent: one child per precision ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "bagel_gpu.json"))
    parser.add_argument("--precisions", default="nf4,bf16")
    parser.add_argument("--timesteps", type=int, default=50)
    parser.add_argument("--loop-timesteps", type=int, default=12)
    parser.add_argument("--sides", default="512,1024")
    parser.add_argument("--plan-tokens", type=int, default=64)
    parser.add_argument("--decode-tokens", type=int, default=64)
    parser.add_argument("--budget-s", type=float, default=540.0, help="wall-clock budget for all precisions together")
    parser.add_argument("--tiny", default=None,
                        help="use this checkpoint folder's configuration instead of full size (CPU smoke test)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.sides = [int(s) for s in args.sides.split(",")]
    if args.child:
        return measure_precision(args, args.child, Path(args.out))

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "what": "BAGEL-7B-MoT, our implementation, random weights (no download); one fresh process per precision",
        "model": "tiny fixture config" if args.tiny else "BAGEL-7B-MoT full size",
        "memory": "process_peak_gib: device memory in use (cudaMemGetInfo, sampled every 2 ms) minus other "
                  "processes' use before start: weights + CUDA context + allocator slack + activations + KV",
        "settings": {"timesteps": args.timesteps, "loop_timesteps": args.loop_timesteps, "sides": args.sides,
                     "plan_tokens": args.plan_tokens},
        "precisions": {},
    }
    precisions = [p.strip() for p in args.precisions.split(",") if p.strip()]
    started = time.monotonic()
    status = 0
    for i, precision in enumerate(precisions):
        left = args.budget_s - (time.monotonic() - started)
        share = left / (len(precisions) - i)
        with tempfile.TemporaryDirectory() as tmp:
            part = Path(tmp) / "part.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--child", precision, "--out", str(part),
                   "--timesteps", str(args.timesteps), "--loop-timesteps", str(args.loop_timesteps),
                   "--sides", ",".join(map(str, args.sides)), "--plan-tokens", str(args.plan_tokens),
                   "--decode-tokens", str(args.decode_tokens), "--budget-s", str(max(share - 20, 30))]
            if args.tiny:
                cmd += ["--tiny", args.tiny]
            try:
                code = subprocess.run(cmd, timeout=share + 60, env={**os.environ, "PYTHONUNBUFFERED": "1"}).returncode
            except subprocess.TimeoutExpired:
                code = 124
            entry = json.loads(part.read_text()) if part.is_file() else {}
            if code:
                entry.setdefault("error", f"child exited with {code}")
                status = 1
        results["precisions"][precision] = entry
        out.write_text(json.dumps(results, indent=1) + "\n")
        gc.collect()
    print(json.dumps(results, indent=1))
    return status


if __name__ == "__main__":
    sys.exit(main())
