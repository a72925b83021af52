"""GPU memory estimates for a role's model at a precision, before anything is loaded.

How they are estimated (and labelled so wherever they are shown):

* weights: parameter counts — read from the checkpoint's safetensors headers when the files are
  here, else the published configurations' counts below — times bytes per parameter at the
  chosen precision (NF4: 0.5625 B for the linear weights of the quantized components, 16-bit
  for the rest);
* working memory: an assumed allowance on top, scaled with the image area: 3 GiB at 1024² for a
  diffusion sketcher (BAGEL's measured overhead over its weights at 1024² was 2.4 GiB), 1 GiB
  for a VLM answering questions about one picture;
* model CPU offload keeps one component on the GPU at a time: the largest one counts.

BAGEL's peaks are measured (bench/results/bagel_gpu.json, H200, random full-size weights).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stagestudio.backends.hf.loading import ParameterCount, count_parameters, weight_bytes

GIB = 2**30
SKETCH_WORKING_GIB_AT_1024 = 3.0
VLM_WORKING_GIB = 1.0

# Parameters per component of the default checkpoints: bench/model_sizes.py builds each from
# its published configuration on the meta device (bench/results/model_sizes.json).
PUBLISHED: dict[str, dict[str, ParameterCount]] = {
    "black-forest-labs/FLUX.2-klein-4B": {
        "transformer": ParameterCount(3_875_544_576, 3_841_327_104),
        "text_encoder": ParameterCount(4_022_468_096, 3_633_315_840),
        "vae": ParameterCount(84_046_115, 2_097_152),
    },
    "black-forest-labs/FLUX.1-Kontext-dev": {
        "transformer": ParameterCount(11_901_408_320, 11_853_299_712),
        "text_encoder_2": ParameterCount(4_762_310_656, 4_762_109_952),
        "text_encoder": ParameterCount(123_060_480, 84_934_656),
        "vae": ParameterCount(83_819_683, 2_097_152),
    },
    "Qwen/Qwen-Image-Edit-2509": {
        "transformer": ParameterCount(20_430_401_088, 20_414_595_072),
        "text_encoder": ParameterCount(8_292_166_656, 7_199_817_728),
        "vae": ParameterCount(126_892_531, 0),
    },
    "Qwen/Qwen3-VL-8B-Instruct": {
        "model": ParameterCount(8_767_123_696, 7_517_270_016),
    },
}
PUBLISHED["Qwen/Qwen-Image"] = PUBLISHED["Qwen/Qwen-Image-Edit-2509"]

# Measured peak GiB at 1024² by precision (bench/results/bagel_gpu.json; int8 from the run before
# fused attention, bench/results/bagel_gpu_before_fused_attention.json).
BAGEL_MEASURED_PEAK_GIB = {"bf16": 29.9, "nf4": 11.8, "int8": 19.9}


@dataclass(frozen=True)
class MemoryEstimate:
    gib: float
    basis: str  # how it was estimated, shown beside the number


def component_counts(folder: Path | None, repo: str | None) -> tuple[dict[str, ParameterCount], str] | None:
    """Parameters per component: from the files when `folder` holds them, else published."""
    if folder is not None and any(folder.rglob("*.safetensors")):
        subs = [p for p in sorted(folder.iterdir()) if p.is_dir() and any(p.glob("*.safetensors"))]
        if subs:
            return {p.name: count_parameters(p) for p in subs}, "the checkpoint's safetensors headers"
        return {"model": count_parameters(folder)}, "the checkpoint's safetensors headers"
    if repo in PUBLISHED:
        return PUBLISHED[repo], f"the published configuration of {repo}"
    return None


def estimate(counts: dict[str, ParameterCount], precision: str, quantized: tuple[str, ...], offload: bool,
             working_gib: float, source: str) -> MemoryEstimate:
    sizes = []
    for name, count in counts.items():
        if precision == "nf4":
            sizes.append(weight_bytes(count, "nf4" if name in quantized or name == "model" else "bf16"))
        else:
            sizes.append(weight_bytes(count, precision))
    weights = (max(sizes) if offload else sum(sizes)) / GIB
    how = "largest component (CPU offload)" if offload else "weights"
    return MemoryEstimate(weights + working_gib, f"estimate: {how} at {precision} from {source} "
                                                 f"+ {working_gib:.1f} GiB assumed working memory")


def sketch_working_gib(size: int) -> float:
    return max(0.5, SKETCH_WORKING_GIB_AT_1024 * (size / 1024) ** 2)
