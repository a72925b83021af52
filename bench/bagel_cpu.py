"""CPU benchmark of our BAGEL inference loop: model forwards per image and text decoding speed.

* `forwards_per_t2i_image` / `forwards_per_edit_image`: model forwards spent denoising one image
  with the reference app's defaults (50-point schedule), counted on the tiny fixture model (the
  count does not depend on the model's size). Text-to-image skips the image-free guidance branch,
  which would repeat the conditional one: 49 + 41 = 90 instead of 131.
* `decode_tokens_per_s` vs `transformers_decode_tokens_per_s`: greedy decoding with our
  preallocated KV cache (`InterleavedInferencer.generate_text`) against transformers' own
  `Qwen2ForCausalLM.generate()` on the same mid-size random Qwen2 configuration, same prompt
  length, same number of new tokens, same intra-op threads, float32. Both are warmed up first;
  the two alternate, run by run, and the medians of the runs and of the per-pair ratios are
  reported (pairs cancel the load drifting on a shared machine). transformers' time for one new
  token (its prefill) is subtracted so both figures are decode-only. CPU-time rates are
  reported beside the wall-clock ones.

`--threads` defaults to 1: on a small shared machine, several intra-op threads per process
measure the other processes' load more than the code; pass `--threads 0` for torch's default.

    python bench/bagel_cpu.py [--fixture ../shared/fixtures/bagel] [--out bench/results/bagel_cpu.json]

Prints one JSON object and writes it to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stagestudio.backends.bagel.config import BagelConfig, LlmConfig  # noqa: E402
from stagestudio.backends.bagel.model import BagelModel, SpecialTokens  # noqa: E402

MID_SIZE = dict(hidden_size=1024, intermediate_size=2816, num_hidden_layers=12, num_attention_heads=16,
                num_key_value_heads=4, vocab_size=32768, rope_theta=1_000_000.0, rms_norm_eps=1e-6)


def forwards_per_image(fixture: Path) -> dict[str, int]:
    from PIL import Image

    from stagestudio.backends.bagel.golden import load_golden_inferencer
    from stagestudio.backends.bagel.sampler import GenerationSettings

    inf = load_golden_inferencer(fixture)
    t2i = inf.generate_image(inf.add_text(inf.new_contexts(), "a red cube on a blue table"),
                             GenerationSettings.text_to_image(), seed=0, image_shape=(16, 16))
    edit_state = inf.add_text(inf.add_image(inf.new_contexts(), Image.new("RGB", (16, 16), "gray")),
                              "make the cube green")
    edit = inf.generate_image(edit_state, GenerationSettings.edit(), seed=0)
    return {"forwards_per_t2i_image": t2i.forwards, "forwards_per_edit_image": edit.forwards}


def _our_inferencer(fixture: Path, seed: int):
    """Our model at the mid-size configuration (random weights, the fixture's tiny ViT), with
    the end token disabled so every run decodes exactly the requested number of tokens."""
    from stagestudio.backends.bagel.inferencer import InterleavedInferencer
    from stagestudio.backends.bagel.tokenizer import BagelTokenizer

    tiny = BagelConfig.from_folder(fixture)
    config = BagelConfig(llm=LlmConfig(**MID_SIZE), vit=tiny.vit)
    torch.manual_seed(seed)
    model = BagelModel(config).eval().requires_grad_(False)
    tokenizer = BagelTokenizer.from_folder(fixture)
    s = tokenizer.special
    tokenizer = BagelTokenizer(tokenizer.hf, SpecialTokens(bos=s.bos, eos=-1, start_of_image=s.start_of_image,
                                                           end_of_image=s.end_of_image))
    return InterleavedInferencer(model, tokenizer, vae=None)


def _transformers_model(seed: int):
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(**MID_SIZE, tie_word_embeddings=False, max_position_embeddings=4096)
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).eval().requires_grad_(False)
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    return model


def decode_speed(fixture: Path, prompt_tokens: int, new_tokens: int, repeats: int) -> dict:
    ours = _our_inferencer(fixture, seed=0)
    theirs = _transformers_model(seed=0)
    prompt = torch.randint(0, 256, (prompt_tokens,), generator=torch.Generator().manual_seed(1)).tolist()

    def time_ours() -> tuple[float, float]:
        ctx = ours.append_text(ours.new_contexts().cond, "", token_ids=prompt)  # prefill, not timed
        wall, cpu = time.perf_counter(), time.process_time()
        result = ours.generate_text(ctx, max_length=new_tokens)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert len(result.fed_ids) == new_tokens
        return new_tokens / wall, new_tokens / cpu

    def time_theirs() -> tuple[float, float]:
        ids = torch.tensor([prompt])

        def run(n: int) -> tuple[float, float]:
            wall, cpu = time.perf_counter(), time.process_time()
            with torch.no_grad():
                out = theirs.generate(ids, max_new_tokens=n, min_new_tokens=n, do_sample=False)
            assert out.shape[1] == prompt_tokens + n
            return time.perf_counter() - wall, time.process_time() - cpu

        prefill_wall, prefill_cpu = run(1)
        wall, cpu = run(new_tokens)
        return (new_tokens - 1) / (wall - prefill_wall), (new_tokens - 1) / (cpu - prefill_cpu)

    time_ours(), time_theirs()  # warm-up: allocator, kernels, generation config
    pairs = [(time_ours(), time_theirs()) for _ in range(repeats)]
    median = lambda values: round(statistics.median(values), 2)  # noqa: E731
    return {
        "decode_tokens_per_s": median([o[0] for o, _ in pairs]),
        "transformers_decode_tokens_per_s": median([t[0] for _, t in pairs]),
        "ours_over_transformers_per_pair": round(statistics.median([o[0] / t[0] for o, t in pairs]), 3),
        "decode_tokens_per_cpu_s": median([o[1] for o, _ in pairs]),
        "transformers_decode_tokens_per_cpu_s": median([t[1] for _, t in pairs]),
        "decode_runs": [round(o[0], 2) for o, _ in pairs],
        "transformers_decode_runs": [round(t[0], 2) for _, t in pairs],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = Path(__file__).resolve().parent.parent
    parser.add_argument("--fixture", default=str(repo.parent / "shared" / "fixtures" / "bagel"))
    parser.add_argument("--out", default=str(repo / "bench" / "results" / "bagel_cpu.json"))
    parser.add_argument("--prompt-tokens", type=int, default=128)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads for both (0: torch's default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    fixture = Path(args.fixture)
    if not (fixture / "cases.json").is_file():
        print(f"error: {fixture} is not the BAGEL fixtures folder (pass --fixture)", file=sys.stderr)
        return 2

    import transformers

    result: dict = forwards_per_image(fixture)
    result.update(decode_speed(fixture, args.prompt_tokens, args.new_tokens, args.repeats))
    result["decode_config"] = {**MID_SIZE, "prompt_tokens": args.prompt_tokens, "new_tokens": args.new_tokens,
                               "dtype": "float32", "threads": torch.get_num_threads()}
    result["environment"] = {"python": platform.python_version(), "torch": torch.__version__,
                             "transformers": transformers.__version__, "cpu_count": os.cpu_count(),
                             "load_average": [round(x, 2) for x in os.getloadavg()]}
    text = json.dumps(result)
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
