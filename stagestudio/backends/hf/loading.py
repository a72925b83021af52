"""Finding and placing Hugging Face checkpoints for the diffusers sketchers and the Qwen3-VL
roles: a hub id or a local folder (the HF cache is searched, nothing is downloaded), the
files a folder must hold, the precision and device a model runs at, and parameter counts
read from safetensors headers (for `doctor`'s memory estimates).

Every failure is a `ModelLoadError` whose message names what is missing and how to get it,
so a wrong folder is reported before any model is built."""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stagestudio.backends.base import BackendError

PRECISIONS: tuple[str, ...] = ("bf16", "fp16", "fp32", "nf4")


class ModelLoadError(BackendError, ValueError):
    """A model cannot be loaded as configured; the message says what is missing and the fix.
    (A ValueError too: to a caller rebuilding a stored session, it is a setting that no longer fits.)"""


def download_command(repo_id: str, pipeline: bool = False) -> str:
    """The installed huggingface_hub's download command; a pipeline repo may also hold
    single-file checkpoints at its top level, so only the diffusers folders are fetched."""
    from stagestudio.hub_command import download_command as hub_download

    return hub_download(repo_id) + (' --include "model_index.json" "*/*"' if pipeline else "")


def looks_like_repo_id(source: str) -> bool:
    return source.count("/") == 1 and not source.startswith((".", "/", "~")) and not source.endswith("/")


def resolve_folder(source: str, what: str, pipeline: bool = False) -> Path:
    """The local folder holding `source`: the folder itself, or a hub id's snapshot in the
    Hugging Face cache. Never downloads (the message gives the command that does)."""
    source = str(source).strip()
    if not source:
        raise ModelLoadError(f"no {what} model given; pass a hub id or a local folder")
    path = Path(source).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise ModelLoadError(f"{source} is a file; give the {what} model's folder")
    if not looks_like_repo_id(source):
        raise ModelLoadError(f"{what} model folder {source} does not exist")
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(source, local_files_only=True))
    except Exception as exc:  # noqa: BLE001 - any failure means "not in the cache"
        raise ModelLoadError(
            f"{what} model {source} is not in the Hugging Face cache ({type(exc).__name__}); "
            f"download it with `{download_command(source, pipeline)}` or give a local folder"
        ) from exc


# --- which files a folder must hold -----------------------------------------------------------
_TOKENIZER_FILES = ("tokenizer.json", "vocab.json", "spiece.model", "tokenizer.model")


def _weights_problem(folder: Path) -> str | None:
    """None when `folder` holds a model's weights (single file or every shard of an index)."""
    indexes = sorted(folder.glob("*.safetensors.index.json")) + sorted(folder.glob("*.bin.index.json"))
    for index in indexes:
        try:
            shards = set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values())
        except (OSError, ValueError, KeyError, AttributeError):
            return f"unreadable {index.name}"
        absent = sorted(s for s in shards if not (folder / s).is_file())
        if absent:
            return f"missing shard(s) {', '.join(absent[:3])}" + (" ..." if len(absent) > 3 else "")
        return None
    if any(folder.glob("*.safetensors")) or any(folder.glob("*.bin")):
        return None
    return "no weights (*.safetensors)"


def missing_pipeline_files(folder: Path, expected_class: str | tuple[str, ...]) -> list[str]:
    """What a diffusers pipeline folder lacks (empty when complete): model_index.json naming
    the expected pipeline class, and each listed component's config, weights or tokenizer."""
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        return ["model_index.json (not a diffusers pipeline folder)"]
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"a readable model_index.json ({exc})"]
    expected = (expected_class,) if isinstance(expected_class, str) else expected_class
    if index.get("_class_name") not in expected:
        return [f"a {' or '.join(expected)} (model_index.json names {index.get('_class_name')!r})"]
    missing = []
    for name, spec in index.items():
        if name.startswith("_") or not isinstance(spec, list) or len(spec) != 2 or spec[0] is None:
            continue
        sub = folder / name
        if not sub.is_dir():
            missing.append(f"{name}/")
        elif "Tokenizer" in str(spec[1]):
            if not any((sub / f).is_file() for f in _TOKENIZER_FILES):
                missing.append(f"{name}/ tokenizer files ({' or '.join(_TOKENIZER_FILES)})")
        elif "Scheduler" in str(spec[1]):
            if not (sub / "scheduler_config.json").is_file():
                missing.append(f"{name}/scheduler_config.json")
        elif "Processor" in str(spec[1]):
            if not (sub / "preprocessor_config.json").is_file():
                missing.append(f"{name}/preprocessor_config.json")
        elif (sub / "config.json").is_file():
            problem = _weights_problem(sub)
            if problem:
                missing.append(f"{name}/ {problem}")
        else:
            missing.append(f"{name}/config.json")
    return missing


def missing_vlm_files(folder: Path) -> list[str]:
    """What a transformers vision-language model folder lacks (empty when complete)."""
    missing = []
    if not (folder / "config.json").is_file():
        missing.append("config.json")
    else:
        problem = _weights_problem(folder)
        if problem:
            missing.append(problem)
    if not any((folder / f).is_file() for f in _TOKENIZER_FILES):
        missing.append(f"tokenizer files ({' or '.join(_TOKENIZER_FILES)})")
    if not (folder / "preprocessor_config.json").is_file():
        missing.append("preprocessor_config.json (the image processor's settings)")
    return missing


# --- precision and device ---------------------------------------------------------------------
@dataclass(frozen=True)
class Placement:
    """Where and how a model runs: its device, compute dtype and whether its big linear
    layers are bitsandbytes 4-bit (NF4)."""

    device: str
    dtype: Any  # torch.dtype
    nf4: bool = False


def choose_placement(precision: str, device: str | None, what: str, option_hint: str) -> Placement:
    """Check that `precision` can run on `device` (None: CUDA when present, else CPU) and say
    why not before anything is loaded. `option_hint` is the option that changes precision."""
    import torch

    if precision not in PRECISIONS:
        raise ModelLoadError(f"{what}: unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    on_cuda = device.startswith("cuda")
    if on_cuda and not torch.cuda.is_available():
        raise ModelLoadError(f"{what}: device {device} asked for, but no CUDA GPU is available")
    if precision == "nf4":
        if not on_cuda:
            raise ModelLoadError(f"{what}: nf4 (bitsandbytes 4-bit) needs a CUDA GPU; on CPU use "
                                 f"{option_hint} fp32 (or bf16)")
        try:
            import bitsandbytes  # noqa: F401
        except Exception as exc:  # noqa: BLE001 - a broken install fails the same way
            raise ModelLoadError(f"{what}: nf4 needs bitsandbytes (`pip install bitsandbytes`): {exc}") from exc
    bf16_ok = not on_cuda or torch.cuda.is_bf16_supported()
    if precision == "bf16" and not bf16_ok:
        name = torch.cuda.get_device_name(device)
        raise ModelLoadError(f"{what}: {name} has no bfloat16 (it is older than Ampere); use "
                             f"{option_hint} fp16 or nf4")
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}.get(precision)
    if precision == "nf4":  # 4-bit weights, matmuls in the widest fast 16-bit type
        dtype = torch.bfloat16 if bf16_ok else torch.float16
    return Placement(device=device, dtype=dtype, nf4=precision == "nf4")


def release_memory() -> None:
    """Give a dropped model's memory back: Python's garbage, then CUDA's cached blocks."""
    import gc

    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


# --- sizes, for memory estimates ----------------------------------------------------------------
@dataclass(frozen=True)
class ParameterCount:
    total: int
    quantizable: int  # in 2-D linear weights, what bitsandbytes 4-bit would shrink


def _safetensors_shapes(path: Path) -> dict[str, list[int]]:
    with path.open("rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
    return {k: v["shape"] for k, v in header.items() if k != "__metadata__"}


def count_parameters(folder: Path) -> ParameterCount:
    """Parameters stored under `folder` (recursively), from the safetensors headers alone."""
    total = quantizable = 0
    for path in sorted(folder.rglob("*.safetensors")):
        for name, shape in _safetensors_shapes(path).items():
            n = 1
            for d in shape:
                n *= int(d)
            total += n
            if len(shape) == 2 and "embed" not in name and "lm_head" not in name:
                quantizable += n
    return ParameterCount(total, quantizable)


# Bytes per parameter. NF4 stores 4 bits plus one fp32 scale per 64-value block (0.5625 B);
# what it cannot quantize (norms, embeddings, convolutions) stays 16-bit.
_BYTES = {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0}
_NF4_BYTES = 0.5 + 4 / 64


def weight_bytes(count: ParameterCount, precision: str) -> float:
    if precision == "nf4":
        return count.quantizable * _NF4_BYTES + (count.total - count.quantizable) * 2.0
    return count.total * _BYTES[precision]
