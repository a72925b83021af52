"""GPU benchmark of the FLUX.2 [klein] sketcher at full size, with random weights.

No download: the 4B transformer (FLUX.2-klein-4B's configuration), its Qwen3-4B text encoder
and the FLUX.2 VAE are built with random weights on the GPU, saved as a diffusers pipeline folder,
and loaded back through our loader (`DiffusersSketcher`, NF4 through diffusers'
`PipelineQuantizationConfig`), exactly the path a user's download takes. Pictures are noise;
every shape, kernel and memory figure is the real one.

For each precision asked (nf4 by default, bf16 optionally) it measures at 1024x1024: load time,
seconds per denoising step and per image for text-to-image and for an edit of that picture, and
the peak GPU memory — torch's peak allocation and the device's used memory sampled with
`torch.cuda.mem_get_info` at every step and after decoding (the process is alone on the GPU, so
that is the process's footprint including the CUDA context).

    python bench/diffusers_gpu.py                        # writes bench/results/diffusers_gpu.json
    python bench/diffusers_gpu.py --precisions nf4 bf16
    python bench/diffusers_gpu.py --tiny FOLDER --precisions fp32 --size 64 --out /tmp/x.json   # CPU smoke run

Results are written after every phase, so a run cut short still leaves its numbers.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stagestudio.backends.base import SketchRequest, StageHooks  # noqa: E402
from stagestudio.backends.diffusers.sketcher import DiffusersSettings, DiffusersSketcher  # noqa: E402
from stagestudio.scene.parser import parse_prompt  # noqa: E402
from stagestudio.scene.plan import PlanStep  # noqa: E402

PROMPT = "a bear hovering above a silver spoon"
KLEIN_4B_TRANSFORMER = dict(  # FLUX.2-klein-4B (diffusers' conversion script)
    patch_size=1, in_channels=128, num_layers=5, num_single_layers=20, attention_head_dim=128, num_attention_heads=24,
    joint_attention_dim=7680, timestep_guidance_channels=256, mlp_ratio=3.0, axes_dims_rope=(32, 32, 32, 32),
    rope_theta=2000, eps=1e-6, guidance_embeds=False)
QWEN3_4B = dict(hidden_size=2560, intermediate_size=9728, num_hidden_layers=36, num_attention_heads=32,
                num_key_value_heads=8, head_dim=128, vocab_size=151936, tie_word_embeddings=True,
                max_position_embeddings=40960)
FLUX2_SCHEDULER = dict(base_image_seq_len=256, base_shift=0.5, max_image_seq_len=4096, max_shift=1.15,
                       num_train_timesteps=1000, shift=3.0, use_dynamic_shifting=True)
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def gib(n: float | None) -> float | None:
    return None if n is None else round(n / 2**30, 3)


def byte_tokenizer():
    """A byte-level Qwen2 tokenizer (256 byte tokens + the chat specials, no merges): every id
    is valid for the real 151936-token embedding, and prompts are padded to 512 tokens anyway."""
    from transformers import Qwen2Tokenizer
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab = {ch: i for i, ch in enumerate(bytes_to_unicode().values())}
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=[], unk_token=None, bos_token=None, eos_token="<|endoftext|>",
                               pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<|im_end|>"]})
    tokenizer.chat_template = CHATML
    return tokenizer


def save_random_klein(folder: Path, device: str) -> dict:
    """The full-size pipeline with random weights, saved in diffusers' layout (bf16)."""
    from diffusers import AutoencoderKLFlux2, FlowMatchEulerDiscreteScheduler, Flux2KleinPipeline, Flux2Transformer2DModel
    from transformers import Qwen3Config, Qwen3ForCausalLM

    started = time.perf_counter()
    torch.manual_seed(0)
    with torch.device(device):
        transformer = Flux2Transformer2DModel(**KLEIN_4B_TRANSFORMER).to(torch.bfloat16)
        text_encoder = Qwen3ForCausalLM(Qwen3Config(**QWEN3_4B)).to(torch.bfloat16)
    vae = AutoencoderKLFlux2()  # the library defaults are FLUX.2's VAE
    pipe = Flux2KleinPipeline(scheduler=FlowMatchEulerDiscreteScheduler(**FLUX2_SCHEDULER), vae=vae,
                              text_encoder=text_encoder, tokenizer=byte_tokenizer(), transformer=transformer,
                              is_distilled=True)
    params = {name: sum(p.numel() for p in m.parameters())
              for name, m in (("transformer", transformer), ("text_encoder", text_encoder), ("vae", vae))}
    built = time.perf_counter() - started
    pipe.save_pretrained(str(folder))
    del pipe, transformer, text_encoder, vae
    gc.collect()
    torch.cuda.empty_cache() if torch.cuda.is_available() else None
    size = sum(f.stat().st_size for f in folder.rglob("*.safetensors"))
    return {"build_s": round(built, 2), "save_s": round(time.perf_counter() - started - built, 2),
            "parameters": params, "bytes_on_disk": size}


class Meter:
    """Per-step times and the device's used memory at every step end."""

    def __init__(self, cuda: bool) -> None:
        self.cuda = cuda
        self.times: list[float] = []
        self.used: list[int] = []

    def used_now(self) -> int | None:
        if not self.cuda:
            return None
        torch.cuda.synchronize()
        free, total = torch.cuda.mem_get_info()
        return total - free

    def hooks(self) -> StageHooks:
        self.times = [time.perf_counter()]

        def progress(done: int, total: int) -> None:
            used = self.used_now()
            self.times.append(time.perf_counter())
            if used is not None:
                self.used.append(used)

        return StageHooks(progress=progress)


def stage(sketcher, request: SketchRequest, meter: Meter) -> tuple[object, dict]:
    if meter.cuda:
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    image = sketcher.sketch(request, meter.hooks())
    total = time.perf_counter() - started
    after = meter.used_now()
    steps = [b - a for a, b in zip(meter.times, meter.times[1:])]
    used = meter.used + ([after] if after is not None else [])
    return image, {
        "steps": len(steps),
        # The first step also encodes the prompt (and the reference image for an edit).
        "s_first_step": round(steps[0], 4) if steps else None,
        "s_per_step_median": round(statistics.median(steps[1:] or steps), 4) if steps else None,
        "s_per_image": round(total, 3),
        "peak_allocated_gib": gib(torch.cuda.max_memory_allocated()) if meter.cuda else None,
        "peak_device_used_gib": gib(max(used)) if used else None,
    }


def run_precision(folder: Path, precision: str, size: int, steps: int, device: str | None) -> dict:
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.empty_cache()
    meter = Meter(cuda)
    result: dict = {"device_used_before_gib": gib(meter.used_now())}
    started = time.perf_counter()
    sketcher = DiffusersSketcher("flux2-klein", DiffusersSettings(model=str(folder), precision=precision, device=device,
                                                                  size=size, steps=steps))
    sketcher.runner.pipe  # load now, so the stages below time drawing only
    result["load_s"] = round(time.perf_counter() - started, 2)
    result["loaded_device_used_gib"] = gib(meter.used_now())
    graph = parse_prompt(PROMPT)
    first = PlanStep(index=0, instruction="Draw a silver spoon.", description="A silver spoon on a table.",
                     object_ids=["o2"])
    second = PlanStep(index=1, instruction="Add a bear hovering above the spoon.", description="", object_ids=["o1"])
    warm = SketchRequest(PROMPT, graph, first, graph, None, seed=1)
    sketcher.sketch(warm)  # kernels, allocator and caches warmed up once
    canvas, result["t2i"] = stage(sketcher, SketchRequest(PROMPT, graph, first, graph, None, seed=2), meter)
    _, result["edit"] = stage(sketcher, SketchRequest(PROMPT, graph, second, graph, canvas, seed=3), meter)
    sketcher.close()
    return result


def environment() -> dict:
    import diffusers
    import transformers

    env = {"python": platform.python_version(), "torch": torch.__version__, "diffusers": diffusers.__version__,
           "transformers": transformers.__version__}
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        env.update(gpu=props.name, gpu_memory_gib=gib(props.total_memory), cuda=torch.version.cuda)
    try:
        import bitsandbytes

        env["bitsandbytes"] = bitsandbytes.__version__
    except Exception as exc:  # noqa: BLE001 - report, do not fail
        env["bitsandbytes"] = f"unavailable: {exc}"
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "diffusers_gpu.json")
    parser.add_argument("--precisions", nargs="+", default=["nf4"])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--steps", type=int, default=4, help="denoising steps (FLUX.2-klein-4B's recommended 4)")
    parser.add_argument("--tiny", type=Path, default=None, help="a small klein folder instead of the random 4B one")
    parser.add_argument("--workdir", type=Path, default=None, help="where the random checkpoint is written")
    parser.add_argument("--device", default=None)
    args = parser.parse_args()

    results: dict = {
        "what": "FLUX.2 [klein] 4B sketcher (diffusers Flux2KleinPipeline through DiffusersSketcher), random "
                "full-size weights, text-to-image then an edit of that picture",
        "size": args.size, "steps": args.steps, "environment": environment(), "precisions": {},
    }

    def write() -> None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")

    workdir = Path(tempfile.mkdtemp(dir=args.workdir)) if args.tiny is None else None
    try:
        if args.tiny is not None:
            folder = args.tiny
            results["checkpoint"] = {"tiny": str(folder)}
        else:
            folder = workdir / "flux2-klein-4b-random"
            results["checkpoint"] = save_random_klein(folder, "cuda" if torch.cuda.is_available() else "cpu")
        write()
        for precision in args.precisions:
            try:
                results["precisions"][precision] = run_precision(folder, precision, args.size, args.steps, args.device)
            except Exception as exc:  # noqa: BLE001 - keep the other precisions' numbers
                results["precisions"][precision] = {"error": f"{type(exc).__name__}: {exc}",
                                                    "traceback": traceback.format_exc()[-2000:]}
            write()
            print(json.dumps({precision: results["precisions"][precision]}, indent=1), flush=True)
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"wrote {args.out}")
    return 0 if all("error" not in r for r in results["precisions"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
