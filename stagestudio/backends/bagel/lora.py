"""PEFT LoRA adapters on our BAGEL model: attach, save, load, merge.

Adapters go on the decoder layers' plain `nn.Linear` projections, chosen by module name:
attention (`q/k/v/o_proj`) and MLP (`gate/up/down_proj`) of either expert (the plain "und"
weights and the `*_moe_gen` copies). By default both experts' attention and MLP are adapted,
so the adapter learns text (plan, inspection) and pictures (sketch, refine) alike. On an NF4
base (`load_bagel(..., precision="nf4")`) the same call gives QLoRA: PEFT wraps the
bitsandbytes 4-bit layers and only the adapter weights train.

An adapter folder holds PEFT's own files (`adapter_config.json`, `adapter_model.safetensors`,
loadable by PEFT anywhere) plus `stagestudio_adapter.json`: which prompt formats and tasks it
was trained for, so the backend knows whether to switch to the trained formats.

A freshly attached adapter has B = 0 (PEFT's default initialisation), so it changes no output
until it is trained; the golden tests check that.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..base import BackendError

ADAPTER_INFO_FILE = "stagestudio_adapter.json"
PEFT_CONFIG_FILE = "adapter_config.json"
PEFT_WEIGHTS_FILE = "adapter_model.safetensors"
ADAPTER_NAME = "default"

ATTENTION_PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP_PROJECTIONS = ("gate_proj", "up_proj", "down_proj")
MODULE_GROUPS = ("attention", "mlp")
EXPERTS = ("und", "gen")


class AdapterError(BackendError):
    """An adapter cannot be attached, saved or loaded; the message says why and what to do."""


@dataclass(frozen=True)
class LoraSettings:
    rank: int = 16
    alpha: float = 32.0
    dropout: float = 0.05
    modules: tuple[str, ...] = MODULE_GROUPS  # attention, mlp
    experts: tuple[str, ...] = EXPERTS  # und (text, ViT), gen (image latents)

    def __post_init__(self) -> None:
        if self.rank < 1:
            raise AdapterError(f"LoRA rank must be at least 1, got {self.rank}")
        if not 0.0 <= self.dropout < 1.0:
            raise AdapterError(f"LoRA dropout must be in [0, 1), got {self.dropout}")
        bad = [m for m in self.modules if m not in MODULE_GROUPS] + [e for e in self.experts if e not in EXPERTS]
        if bad or not self.modules or not self.experts:
            raise AdapterError(f"LoRA modules must be among {MODULE_GROUPS} and experts among {EXPERTS}; got "
                               f"modules={list(self.modules)}, experts={list(self.experts)}")

    def target_regex(self) -> str:
        """A full-match regex over module names (PEFT's `target_modules` as a string)."""
        attention = "|".join(p.removesuffix("_proj") for p in ATTENTION_PROJECTIONS)
        mlp = "|".join(p.removesuffix("_proj") for p in MLP_PROJECTIONS)
        # The gen expert's attention copies are `q_proj_moe_gen`; its MLP lives in `mlp_moe_gen`.
        names = {
            ("attention", "und"): rf"self_attn\.({attention})_proj",
            ("attention", "gen"): rf"self_attn\.({attention})_proj_moe_gen",
            ("mlp", "und"): rf"mlp\.({mlp})_proj",
            ("mlp", "gen"): rf"mlp_moe_gen\.({mlp})_proj",
        }
        chosen = [names[(m, e)] for m in self.modules for e in self.experts]
        return rf"language_model\.model\.layers\.\d+\.({'|'.join(chosen)})"

    def peft_config(self):
        from peft import LoraConfig

        return LoraConfig(r=self.rank, lora_alpha=self.alpha, lora_dropout=self.dropout,
                          target_modules=self.target_regex(), bias="none")


@dataclass
class AdapterInfo:
    """What `stagestudio_adapter.json` says about an adapter."""

    formats: str | None = None  # e.g. "psir-v1": the prompt formats it was trained on
    tasks: list[str] = field(default_factory=list)  # plan / sketch / inspect / refine
    base_model: str = ""
    settings: dict[str, Any] = field(default_factory=dict)  # LoraSettings as trained
    training: dict[str, Any] = field(default_factory=dict)  # steps, data, losses (for the record)

    def trained_for(self, task: str) -> bool:
        return self.formats is not None and task in self.tasks

    @classmethod
    def read(cls, folder: Path) -> "AdapterInfo":
        path = folder / ADAPTER_INFO_FILE
        if not path.is_file():
            return cls()  # a plain PEFT adapter: used as is, today's prompting
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: raw[k] for k in ("formats", "tasks", "base_model", "settings", "training") if k in raw})
        except (json.JSONDecodeError, TypeError) as exc:
            raise AdapterError(f"{path} is not a StageStudio adapter description: {exc}") from exc


def lora_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    from peft.tuners.lora import LoraLayer

    return [(name, m) for name, m in model.named_modules() if isinstance(m, LoraLayer)]


def has_adapter(model: nn.Module) -> bool:
    return bool(lora_layers(model))


def attach_lora(model: nn.Module, settings: LoraSettings = LoraSettings()) -> nn.Module:
    """Add a fresh adapter (B = 0) to `model` in place; only the adapter weights train.
    Adapter weights are kept in float32 whatever the base precision (bf16 / NF4)."""
    from peft import inject_adapter_in_model

    if has_adapter(model):
        raise AdapterError("this model already carries an adapter; load the base model again to attach another")
    model.requires_grad_(False)
    inject_adapter_in_model(settings.peft_config(), model, adapter_name=ADAPTER_NAME)
    if not has_adapter(model):
        raise AdapterError(f"no module of this model matches the LoRA targets {settings.target_regex()!r}")
    for name, param in model.named_parameters():
        if "lora_" in name:
            param.data = param.data.float()
            param.requires_grad_(True)
    return model


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    return [p for p in model.parameters() if p.requires_grad]


def adapter_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    from peft import get_peft_model_state_dict

    return {k: v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(model, adapter_name=ADAPTER_NAME).items()}


def save_adapter(model: nn.Module, folder: str | os.PathLike[str], info: AdapterInfo) -> Path:
    """Write PEFT's config and weights plus `stagestudio_adapter.json` into `folder`."""
    from safetensors.torch import save_file

    if not has_adapter(model):
        raise AdapterError("this model carries no adapter to save")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.peft_config[ADAPTER_NAME].save_pretrained(str(folder))
    save_file(adapter_state_dict(model), str(folder / PEFT_WEIGHTS_FILE))
    (folder / ADAPTER_INFO_FILE).write_text(json.dumps(asdict(info), indent=1) + "\n", encoding="utf-8")
    return folder


def check_adapter_folder(folder: str | os.PathLike[str]) -> Path:
    folder = Path(folder).expanduser()
    missing = [n for n in (PEFT_CONFIG_FILE, PEFT_WEIGHTS_FILE) if not (folder / n).is_file()]
    if not folder.is_dir() or missing:
        what = "does not exist" if not folder.is_dir() else f"lacks {', '.join(missing)}"
        raise AdapterError(f"LoRA adapter folder {folder} {what}; give the folder `psir train` wrote "
                           f"(its adapter/ sub-folder or a checkpoint)")
    return folder


def load_adapter(model: nn.Module, folder: str | os.PathLike[str], trainable: bool = False) -> AdapterInfo:
    """Attach the adapter saved in `folder` to `model` (strictly: every weight must fit)."""
    from peft import LoraConfig, inject_adapter_in_model, set_peft_model_state_dict
    from safetensors.torch import load_file

    folder = check_adapter_folder(folder)
    if has_adapter(model):
        raise AdapterError("this model already carries an adapter; load the base model again to use another")
    info = AdapterInfo.read(folder)
    try:
        config = LoraConfig.from_pretrained(str(folder))
        weights = load_file(str(folder / PEFT_WEIGHTS_FILE))
    except Exception as exc:  # noqa: BLE001 - PEFT and safetensors raise several kinds
        raise AdapterError(f"cannot read the adapter in {folder}: {type(exc).__name__}: {exc}") from exc
    config.inference_mode = not trainable
    model.requires_grad_(False)
    inject_adapter_in_model(config, model, adapter_name=ADAPTER_NAME)
    try:
        _check_weights_fit(model, weights, folder)
    except AdapterError:
        remove_adapter(model)  # leave the model as it was
        raise
    set_peft_model_state_dict(model, weights, adapter_name=ADAPTER_NAME)
    for name, param in model.named_parameters():
        if "lora_" in name:
            param.data = param.data.float()
            param.requires_grad_(trainable)
    return info


def _check_weights_fit(model: nn.Module, weights: dict[str, torch.Tensor], folder: Path) -> None:
    shapes = {k: tuple(v.shape) for k, v in adapter_state_dict(model).items()}
    mismatched = sorted(set(shapes) ^ set(weights))
    if not shapes or mismatched:
        raise AdapterError(
            f"the adapter in {folder} does not fit this model ({len(mismatched)} weight name(s) differ, e.g. "
            f"{', '.join(mismatched[:3]) or 'no target module found'}); was it trained on another BAGEL configuration?")
    wrong = [k for k, v in weights.items() if tuple(v.shape) != shapes[k]]
    if wrong:
        raise AdapterError(f"the adapter in {folder} has weights of the wrong shape ({wrong[0]}: "
                           f"{tuple(weights[wrong[0]].shape)} != {shapes[wrong[0]]}); another BAGEL configuration?")


def remove_adapter(model: nn.Module) -> int:
    """Take the LoRA layers out again without merging (the base weights were never touched)."""
    return _unwrap(model, merge=False)


def merge_adapter(model: nn.Module) -> int:
    """Fold the adapter into the base weights and remove the LoRA layers (faster inference,
    same outputs up to rounding; on NF4 the merged weight is re-quantized, which rounds).
    Returns the number of layers merged."""
    return _unwrap(model, merge=True)


def _unwrap(model: nn.Module, merge: bool) -> int:
    layers = lora_layers(model)
    for name, layer in layers:
        if merge:
            layer.merge(safe_merge=True)
        parent_name, _, child = name.rpartition(".")
        setattr(model.get_submodule(parent_name), child, layer.get_base_layer())
    if hasattr(model, "peft_config"):
        del model.peft_config
    return len(layers)


def target_module_names(model: nn.Module, settings: LoraSettings) -> list[str]:
    """Module names the settings would adapt (for reports and tests)."""
    pattern = re.compile(settings.target_regex())
    return [n for n, m in model.named_modules() if pattern.fullmatch(n) and isinstance(m, nn.Linear | _bnb_linear())]


def _bnb_linear() -> type:
    try:
        import bitsandbytes as bnb

        return bnb.nn.Linear4bit | bnb.nn.Linear8bitLt  # type: ignore[return-value]
    except ImportError:  # pragma: no cover - bitsandbytes is a requirement
        return nn.Linear
