"""Load a BAGEL checkpoint (Hugging Face repo id or local folder) into `BagelModel`.

Precision modes:
* `fp32`: everything float32 (tests, CPU reference runs).
* `bf16`: everything bfloat16 (the official setting; ~29 GB of weights for 7B-MoT).
* `nf4` / `int8`: bitsandbytes 4-bit NF4 / 8-bit LLM.int8 for the Linear layers of the LLM decoder
  layers (both experts: q/k/v/o and the MLPs), which hold 13.05 of the 14.6 G parameters. The
  rest stays in bfloat16 (fp32 if `compute_dtype` says so):
  - `embed_tokens` and `lm_head`: embedding lookups cannot use quantized matrices, and the head
    decides greedy tokens, where 4-bit error flips close calls;
  - RMSNorm/LayerNorm weights, sin-cos position tables, the time embedder, `vae2llm`, `llm2vae`:
    tiny, and they set the scale of every latent token and velocity, where errors compound over
    the denoising steps;
  - the SigLIP encoder and connector (0.4 G): small, and image understanding is sensitive to it;
  - the VAE (separate file): convolutional, small, and its output is the picture itself.
  bitsandbytes >= 0.45 runs both formats on CPU too (slowly), which the tests use.

Loading is strict: the checkpoint must hold exactly the model's tensors with the same shapes; the
error lists what is missing or unexpected. Tensors are read one at a time from the safetensors file
and placed straight on their device, so peak host memory stays near one tensor.

Optional CPU offload (fp32/bf16 only) keeps the LLM decoder layers in host memory and streams each
one to the GPU for its forward (accelerate hooks), trading speed for ~25 GB less GPU memory: about
26 GB across PCIe per forward, so it only pays to run bf16 on a card under 32 GB (README).

GPUs before Ampere have no bfloat16 units; every GPU mode computes in bf16, so loading there fails
with a message that says so (`bf16_problem`).

Speed and memory at full size (random weights, H200) are measured by `bench/bagel_gpu.py` and
recorded in `bench/results/bagel_gpu.json` (the committed run predates the process-memory
measurement: text-to-image only, allocator peaks, nf4 11.8 GiB at 1024x1024).
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal, Protocol

import torch
from torch import nn

from ... import hub_command
from ..base import BackendError
from .config import BagelConfig
from .model import BagelModel

Precision = Literal["fp32", "bf16", "nf4", "int8"]
PRECISIONS: tuple[str, ...] = ("fp32", "bf16", "int8", "nf4")
DEFAULT_REPO_ID = "ByteDance-Seed/BAGEL-7B-MoT"
EMA_FILE, VAE_FILE = "ema.safetensors", "ae.safetensors"
CONFIG_FILES = ("llm_config.json", "vit_config.json")

# The decoder-layer Linear layers that the 4/8-bit modes quantize (suffixes of module names).
_QUANTIZED_PREFIX = "language_model.model.layers."


class BagelLoadError(BackendError):
    """Loading failed in a way the user can act on; the message says how."""


def download_command(repo_id: str = DEFAULT_REPO_ID, local_dir: str = "models/BAGEL-7B-MoT") -> str:
    return hub_command.download_command(repo_id, local_dir)


def smaller_precision(precision: str) -> str | None:
    """The next mode that needs less GPU memory (fp32 -> bf16 -> int8 -> nf4 -> none)."""
    order = list(PRECISIONS)
    i = order.index(precision)
    return order[i + 1] if i + 1 < len(order) else None


def oom_advice(precision: str, offload: bool = False) -> str:
    nxt = smaller_precision(precision)
    tips = []
    if nxt is not None:
        tips.append(f"try precision '{nxt}'")
    if not offload and precision in ("fp32", "bf16"):
        tips.append("enable CPU offload")
    tips.append("or generate at a lower resolution (e.g. 512x512)")
    return "; ".join(tips)


# --- finding the checkpoint -----------------------------------------------------------------


def missing_checkpoint_files(folder: Path) -> list[str]:
    """Files a usable BAGEL folder needs that `folder` lacks."""
    missing = [n for n in (EMA_FILE, VAE_FILE, *CONFIG_FILES) if not (folder / n).is_file()]
    has_tokenizer = any(
        (d / "tokenizer.json").is_file() or ((d / "vocab.json").is_file() and (d / "merges.txt").is_file())
        for d in (folder, folder / "tokenizer")
    )
    if not has_tokenizer:
        missing.append("tokenizer files (tokenizer.json, or vocab.json + merges.txt)")
    return missing


def find_in_hf_cache(repo_id: str = DEFAULT_REPO_ID) -> Path | None:
    """The cached snapshot folder of `repo_id`, without touching the network (None if absent)."""
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(repo_id, local_files_only=True))
    except Exception:  # noqa: BLE001 - any failure means "not cached"
        return None


def resolve_checkpoint(source: str | os.PathLike[str] = DEFAULT_REPO_ID, download: bool = False) -> Path:
    """A complete local checkpoint folder for `source` (a folder, or a Hub repo id).

    Repo ids are looked up in the Hugging Face cache; only with `download=True` (and outside
    offline mode, HF_HUB_OFFLINE=1) are missing files fetched."""
    path = Path(source).expanduser()
    if path.is_dir():
        folder = path
    elif path.exists():
        raise BagelLoadError(f"{path} is a file; pass the checkpoint folder that contains {EMA_FILE}")
    else:
        repo_id = str(source)
        if repo_id.count("/") != 1 or repo_id.startswith((".", "/", "~")):
            raise BagelLoadError(f"checkpoint folder {path} does not exist; download it with: "
                                 f"{download_command(local_dir=str(path))}")
        from huggingface_hub import constants, snapshot_download

        offline = bool(constants.HF_HUB_OFFLINE)
        try:
            folder = Path(snapshot_download(repo_id, local_files_only=offline or not download))
        except Exception as exc:  # noqa: BLE001 - huggingface_hub raises several kinds
            how = "" if download and not offline else " (offline or downloads not allowed)"
            raise BagelLoadError(
                f"{repo_id} is not in the Hugging Face cache{how}: {type(exc).__name__}. "
                f"Download it with: {download_command(repo_id)} and pass --model models/BAGEL-7B-MoT"
            ) from exc
    missing = missing_checkpoint_files(folder)
    if missing:
        raise BagelLoadError(
            f"BAGEL checkpoint at {folder} is incomplete; missing: {', '.join(missing)}. "
            f"Download it with: {download_command(local_dir=str(folder))}"
        )
    return folder


# --- building and loading -------------------------------------------------------------------


def build_empty_model(config: BagelConfig) -> BagelModel:
    """The model with every parameter on the meta device (no memory)."""
    with torch.device("meta"):
        model = BagelModel(config)
    return model.eval().requires_grad_(False)


def expected_tensors(model: nn.Module) -> dict[str, tuple[int, ...]]:
    """Checkpoint tensor names and shapes (persistent state only: RoPE inv_freq is excluded)."""
    return {name: tuple(t.shape) for name, t in model.state_dict().items()}


def _is_quantized_linear(name: str, module: nn.Module) -> bool:
    return isinstance(module, nn.Linear) and name.startswith(_QUANTIZED_PREFIX)


def _set_tensor(model: nn.Module, name: str, value: torch.Tensor) -> None:
    module_name, _, attr = name.rpartition(".")
    module = model.get_submodule(module_name)
    old = getattr(module, attr)
    if isinstance(old, nn.Parameter):
        setattr(module, attr, nn.Parameter(value, requires_grad=False))
    else:
        module.register_buffer(attr, value)


def _quantize_linear(linear: nn.Linear, weight: torch.Tensor, bias: torch.Tensor | None,
                     precision: str, compute_dtype: torch.dtype, device: torch.device) -> nn.Module:
    from .bnb import import_bitsandbytes

    bnb = import_bitsandbytes()

    if precision == "int8":
        # bitsandbytes warns on every int8 matmul that bf16 inputs are cast to fp16: expected here.
        warnings.filterwarnings("ignore", message="MatMul8bitLt: inputs will be cast")
    if precision == "nf4":
        q = bnb.nn.Linear4bit(linear.in_features, linear.out_features, bias=bias is not None,
                              compute_dtype=compute_dtype, quant_type="nf4", device="meta")
        q.weight = bnb.nn.Params4bit(weight.to(compute_dtype), requires_grad=False, quant_type="nf4")
    else:
        q = bnb.nn.Linear8bitLt(linear.in_features, linear.out_features, bias=bias is not None,
                                has_fp16_weights=False, threshold=6.0, device="meta")
        q.weight = bnb.nn.Int8Params(weight.to(compute_dtype), requires_grad=False, has_fp16_weights=False)
    if bias is not None:
        q.bias = nn.Parameter(bias.to(compute_dtype), requires_grad=False)
    return q.to(device)  # moving the weight to its device is what quantizes it


class TensorSource(Protocol):
    """Where weights come from: names with shapes, and one tensor at a time."""

    def shapes(self) -> dict[str, tuple[int, ...]]: ...

    def get(self, name: str) -> torch.Tensor: ...


class SafetensorsSource:
    """Tensors of one `.safetensors` file, read lazily (memory-mapped)."""

    def __init__(self, path: Path):
        from safetensors import safe_open

        self.path = path
        try:
            self._handle = safe_open(str(path), framework="pt", device="cpu")
            self._shapes = {k: tuple(self._handle.get_slice(k).get_shape()) for k in self._handle.keys()}
        except Exception as exc:  # noqa: BLE001 - truncated downloads give several kinds of error
            raise BagelLoadError(f"{path} cannot be read ({exc}); the file is probably incomplete, "
                                 f"download it again with: {download_command()}") from exc

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return self._shapes

    def get(self, name: str) -> torch.Tensor:
        return self._handle.get_tensor(name)


def check_tensor_names(model: nn.Module, source: TensorSource, label: str) -> None:
    """Raise `BagelLoadError` listing missing, unexpected and wrongly shaped tensors."""
    expected = expected_tensors(model)
    found = source.shapes()
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    wrong = sorted(k for k in set(expected) & set(found) if expected[k] != found[k])
    if not (missing or unexpected or wrong):
        return

    def show(names: list[str]) -> str:
        return ", ".join(names[:8]) + (f" ... ({len(names)} in all)" if len(names) > 8 else "")

    parts = []
    if missing:
        parts.append(f"missing {show(missing)}")
    if unexpected:
        parts.append(f"unexpected {show(unexpected)}")
    if wrong:
        parts.append("wrong shape " + ", ".join(f"{k} {found[k]} != {expected[k]}" for k in wrong[:8]))
    raise BagelLoadError(f"{label} is not a checkpoint for this BAGEL configuration: " + "; ".join(parts))


def load_weights(model: BagelModel, source: TensorSource, precision: str, device: torch.device,
                 compute_dtype: torch.dtype, label: str = "checkpoint") -> None:
    """Strictly fill `model` (built on meta) from `source`, one tensor at a time."""
    check_tensor_names(model, source, label)
    found = source.shapes()
    quantize = precision in ("nf4", "int8")
    linears = {n: m for n, m in model.named_modules() if quantize and _is_quantized_linear(n, m)}
    for name in expected_tensors(model):
        module_name, _, attr = name.rpartition(".")
        if module_name in linears:
            if attr == "bias":
                continue  # handled with its weight
            bias_name = f"{module_name}.bias"
            bias = source.get(bias_name) if bias_name in found else None
            q = _quantize_linear(linears[module_name], source.get(name), bias, precision, compute_dtype, device)
            parent_name, _, child = module_name.rpartition(".")
            setattr(model.get_submodule(parent_name), child, q)
            continue
        tensor = source.get(name)
        if tensor.is_floating_point():
            tensor = tensor.to(compute_dtype)
        _set_tensor(model, name, tensor.to(device))
    # The RoPE frequencies are a non-persistent buffer: compute them for real.
    cfg = model.config.llm
    inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2, dtype=torch.float32) / cfg.head_dim))
    model.language_model.model.rotary_emb.inv_freq = inv_freq.to(device)


@dataclass
class LoadedBagel:
    """Everything an inferencer needs, loaded from one checkpoint folder."""

    model: BagelModel
    vae: object  # vae.FluxVAE
    tokenizer: object  # tokenizer.BagelTokenizer
    folder: Path
    precision: str
    device: torch.device
    adapter: object | None = None  # lora.AdapterInfo of a loaded LoRA adapter

    def inferencer(self, transforms=None):
        """An `InterleavedInferencer` over this checkpoint (real BAGEL image transforms by default)."""
        from .inferencer import InterleavedInferencer

        return InterleavedInferencer(self.model, self.tokenizer, self.vae, transforms)


def _vae_params(folder: Path):
    from .vae import REAL_FLUX_VAE_PARAMS, FluxVAEParams

    path = folder / "ae_params.json"
    return FluxVAEParams.from_json(path) if path.is_file() else REAL_FLUX_VAE_PARAMS


def bf16_problem(device: torch.device) -> str | None:
    """Why BAGEL cannot run in bfloat16 on `device`, or None. The model runs in bf16 (the
    official setting; nf4/int8 compute in bf16 too). GPUs before Ampere (compute capability
    < 8.0: T4, V100, RTX 20xx) have no bf16 units: PyTorch emulates it, slowly, and float16
    overflows in Qwen2's large activations, so we refuse rather than run badly."""
    if device.type != "cuda":
        return None
    major, minor = torch.cuda.get_device_capability(device)
    if major >= 8:
        return None
    name = torch.cuda.get_device_name(device)
    return (f"{name} (compute capability {major}.{minor}) has no bfloat16 support, which BAGEL needs in every "
            "GPU precision mode; use an Ampere or newer GPU (RTX 30xx/40xx, A10, L4, A100, H100), or run "
            "--precision fp32 --device cpu (very slow)")


def _pick_device(device: str | torch.device | None) -> torch.device:
    if device is None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise BagelLoadError("CUDA was requested but this torch build sees no GPU "
                             f"(torch {torch.__version__}); use device='cpu' with precision 'fp32' or "
                             "install a CUDA build of torch")
    return device


def load_bagel(
    source: str | os.PathLike[str] = DEFAULT_REPO_ID,
    precision: Precision = "bf16",
    device: str | torch.device | None = None,
    offload: bool = False,
    download: bool = False,
    lora: str | os.PathLike[str] | None = None,
    merge_lora: bool = False,
) -> LoadedBagel:
    """Load model, VAE and tokenizer. `source`: a folder or a Hub repo id (HF cache only unless
    `download=True`). `device`: default CUDA when available, else CPU. `lora`: a LoRA adapter
    folder (`lora.py`) put on the model, merged into its weights with `merge_lora`."""
    if precision not in PRECISIONS:
        raise BagelLoadError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    device_was_chosen = device is not None
    device = _pick_device(device)
    if offload and precision in ("nf4", "int8"):
        raise BagelLoadError("CPU offload works with fp32/bf16 only; nf4 already fits a 12 GB GPU")
    if offload and device.type != "cuda":
        raise BagelLoadError("CPU offload needs a CUDA device to stream layers to")
    folder = resolve_checkpoint(source, download=download)
    try:
        config = BagelConfig.from_folder(folder)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise BagelLoadError(f"incompatible BAGEL configuration in {folder}: {exc}") from exc
    model = build_empty_model(config)
    n_params = sum(p.numel() for p in model.parameters())
    if not device_was_chosen and device.type == "cpu" and n_params > 1e9:
        raise BagelLoadError(
            f"no CUDA GPU found; this BAGEL model has {n_params / 1e9:.1f} G parameters and needs a GPU "
            "(about 12 GB with precision 'nf4', 32 GB with 'bf16'). Pass device='cpu' to run on the CPU "
            "anyway (tens of GB of RAM, minutes per image)")

    compute_dtype = torch.float32 if precision == "fp32" else torch.bfloat16
    problem = bf16_problem(device) if compute_dtype == torch.bfloat16 else None
    if problem:
        raise BagelLoadError(problem)
    weights_device = torch.device("cpu") if offload else device
    try:
        load_weights(model, SafetensorsSource(folder / EMA_FILE), precision, weights_device, compute_dtype,
                     label=str(folder / EMA_FILE))
        if offload:
            _offload_decoder_layers(model, device)
        from .tokenizer import BagelTokenizer
        from .vae import FluxVAE

        vae = FluxVAE.from_file(folder / VAE_FILE, params=_vae_params(folder), device=device,
                                dtype=torch.float32 if precision == "fp32" else torch.bfloat16)
        tokenizer = BagelTokenizer.from_folder(folder)
    except torch.cuda.OutOfMemoryError as exc:
        raise BagelLoadError(f"out of GPU memory while loading in {precision}: {oom_advice(precision, offload)}") from exc
    model.execution_device = device
    adapter = None
    if lora is not None:
        from .lora import load_adapter, merge_adapter

        adapter = load_adapter(model, lora)
        if merge_lora:
            merge_adapter(model)
    return LoadedBagel(model, vae, tokenizer, folder, precision, device, adapter)


def _offload_decoder_layers(model: BagelModel, device: torch.device) -> None:
    """Keep the decoder layers in CPU memory; everything else moves to `device`."""
    from accelerate import cpu_offload

    layers = model.language_model.model.layers
    for name, param in model.named_parameters():
        if not name.startswith(_QUANTIZED_PREFIX):
            _set_tensor(model, name, param.data.to(device))
    for name, buf in model.named_buffers():
        if not name.startswith(_QUANTIZED_PREFIX):
            _set_tensor(model, name, buf.to(device))
    for layer in layers:
        cpu_offload(layer, execution_device=device)


def quantized_module_names(model: nn.Module) -> Iterable[str]:
    """Names of the modules that were replaced by bitsandbytes layers (for reports and tests)."""
    for name, module in model.named_modules():
        if type(module).__module__.startswith("bitsandbytes"):
            yield name
