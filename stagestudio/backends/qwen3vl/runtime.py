"""One loaded Qwen3-VL model (transformers), shared by every role it fills (inspector and
planner): checked when configured, loaded on first use.

Two things are asked of it:

* `yes_no(image, questions)`: p(yes) for each yes/no question about one image, read from the
  logits of the first answer token — all questions in one batched forward pass (the image
  repeated per row, left padding), no decoding;
* `generate(prompt, image)`: greedy text, for plans, scene graphs and corrections.

Instruct checkpoints (Qwen/Qwen3-VL-2B/4B/8B-Instruct) are the ones meant: a Thinking variant
opens its answer with reasoning, so its first token says nothing about yes or no; it is refused
when loaded.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from stagestudio.backends.base import StageHooks
from stagestudio.backends.hf.loading import (
    ModelLoadError, Placement, choose_placement, missing_vlm_files, release_memory, resolve_folder)

DEFAULT_MODEL = "Qwen/Qwen3-VL-8B-Instruct"
# The checkpoint model types this role runs (dense and mixture-of-experts Qwen3-VL).
QWEN_VL_TYPES = ("qwen3_vl", "qwen3_vl_moe")
# The first token of each way the model may start its answer.
YES_WORDS = ("Yes", "yes", "YES")
NO_WORDS = ("No", "no", "NO")
# Questions per forward pass: bounds memory at a few times one question's.
BATCH = 8

# Used only when a checkpoint carries no chat template: Qwen's ChatML with images as content.
_CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n"
    "{% if m['content'] is string %}{{ m['content'] }}{% else %}{% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% else %}{{ c['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass(frozen=True)
class Qwen3VLSettings:
    model: str = DEFAULT_MODEL
    precision: str = "bf16"
    device: str | None = None


def chat_template(folder: Path, tokenizer: Any) -> str:
    """The checkpoint's multimodal chat template: the processor's (chat_template.jinja or
    chat_template.json), else the tokenizer's, else Qwen's ChatML."""
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    as_json = folder / "chat_template.json"
    if as_json.is_file():
        template = json.loads(as_json.read_text(encoding="utf-8")).get("chat_template")
        if template:
            return template
    return getattr(tokenizer, "chat_template", None) or _CHATML


def _model_type(folder: Path) -> str:
    try:
        return str(json.loads((folder / "config.json").read_text(encoding="utf-8")).get("model_type", ""))
    except (OSError, ValueError):
        return ""


class Qwen3VLRuntime:
    def __init__(self, settings: Qwen3VLSettings, option_hint: str = "--precision-inspector") -> None:
        self.settings = settings
        self.folder = resolve_folder(settings.model, "Qwen3-VL")
        missing = missing_vlm_files(self.folder)
        if missing:
            raise ModelLoadError(f"{settings.model} is not a complete Qwen3-VL checkpoint; missing: {'; '.join(missing)}")
        model_type = _model_type(self.folder)
        if model_type not in QWEN_VL_TYPES:
            raise ModelLoadError(f"{settings.model} holds a {model_type or 'unknown'} model, not a Qwen3-VL one "
                                 f"(config.json model_type must be one of {', '.join(QWEN_VL_TYPES)})")
        self.placement: Placement = choose_placement(settings.precision, settings.device, "Qwen3-VL", option_hint)
        self._loaded: tuple[Any, Any, Any] | None = None  # (model, inputs, template)
        self._answer_ids: tuple[list[int], list[int]] | None = None

    # --- loading -----------------------------------------------------------------------------
    def _load(self) -> tuple[Any, Any, Any]:
        if self._loaded is None:
            from transformers import AutoModelForImageTextToText, AutoTokenizer

            from stagestudio.backends.hf.qwen_vl_inputs import QwenVLInputs

            p = self.placement
            kwargs: dict[str, Any] = {"dtype": p.dtype}
            if p.nf4:
                from transformers import BitsAndBytesConfig

                kwargs["quantization_config"] = BitsAndBytesConfig(
                    load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=p.dtype)
                kwargs["device_map"] = {"": p.device}
            try:
                model = AutoModelForImageTextToText.from_pretrained(str(self.folder), **kwargs)
                tokenizer = AutoTokenizer.from_pretrained(str(self.folder))
            except (OSError, ValueError, KeyError) as exc:
                raise ModelLoadError(f"cannot load Qwen3-VL from {self.folder}: {exc}") from exc
            if not p.nf4:
                model.to(p.device)
            model.eval()
            tokenizer.padding_side = "left"  # the last position of every row is the answer's start
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            template = chat_template(self.folder, tokenizer)
            probe = tokenizer.apply_chat_template([{"role": "user", "content": [{"type": "text", "text": "?"}]}],
                                                  chat_template=template, tokenize=False, add_generation_prompt=True)
            if "<think>" in probe[-20:]:
                raise ModelLoadError(f"{self.settings.model} is a Thinking variant: its answers open with "
                                     "reasoning, so p(yes) cannot be read from the first token; use an Instruct one")
            self._loaded = (model, QwenVLInputs.from_folder(self.folder, tokenizer=tokenizer), template)
        return self._loaded

    def answer_token_ids(self) -> tuple[list[int], list[int]]:
        """The first token of each yes word and of each no word."""
        if self._answer_ids is None:
            tokenizer = self._load()[1].tokenizer

            def first(words: tuple[str, ...]) -> list[int]:
                return sorted({tokenizer.encode(w, add_special_tokens=False)[0] for w in words})

            yes, no = first(YES_WORDS), first(NO_WORDS)
            if set(yes) & set(no):
                raise ModelLoadError("this tokenizer starts 'yes' and 'no' with the same token; "
                                     "p(yes) cannot be read from its logits")
            self._answer_ids = (yes, no)
        return self._answer_ids

    def prompt(self, text: str, with_image: bool) -> str:
        _, inputs, template = self._load()
        content: list[dict[str, str]] = [{"type": "image"}] if with_image else []
        content.append({"type": "text", "text": text})
        return inputs.tokenizer.apply_chat_template(
            [{"role": "user", "content": content}], chat_template=template, tokenize=False, add_generation_prompt=True)

    # --- asking ------------------------------------------------------------------------------
    def yes_no(self, image: Image.Image, questions: list[str], hooks: StageHooks | None = None) -> list[tuple[float, str]]:
        """(p(yes), the most likely first answer token) for each question about `image`."""
        import torch

        model, inputs, _ = self._load()
        yes_ids, no_ids = self.answer_token_ids()
        results: list[tuple[float, str]] = []
        for start in range(0, len(questions), BATCH):
            if hooks and hooks.cancel:
                hooks.cancel.raise_if_cancelled()
            chunk = questions[start:start + BATCH]
            batch = inputs([self.prompt(q, with_image=True) for q in chunk], images=[image] * len(chunk))
            with torch.no_grad():
                logits = model(**batch.to(model.device)).logits[:, -1, :].float()
            log_probs = torch.log_softmax(logits, dim=-1)
            yes = torch.logsumexp(log_probs[:, yes_ids], dim=-1)
            no = torch.logsumexp(log_probs[:, no_ids], dim=-1)
            p_yes = torch.sigmoid(yes - no)  # p(yes) / (p(yes) + p(no))
            top = logits.argmax(dim=-1)
            for p, t in zip(p_yes.tolist(), top.tolist()):
                results.append((p if math.isfinite(p) else float("nan"), inputs.tokenizer.decode([t])))
        return results

    def generate(self, text: str, image: Image.Image | None = None, max_new_tokens: int = 200,
                 hooks: StageHooks | None = None) -> str:
        """The model's greedy answer to `text` (about `image`, when given)."""
        import torch

        if hooks and hooks.cancel:
            hooks.cancel.raise_if_cancelled()
        model, inputs, _ = self._load()
        batch = inputs([self.prompt(text, with_image=image is not None)],
                       images=None if image is None else [image]).to(model.device)
        with torch.no_grad():
            out = model.generate(**batch, max_new_tokens=max_new_tokens, do_sample=False,
                                 pad_token_id=inputs.tokenizer.pad_token_id)
        return inputs.tokenizer.decode(out[0, batch["input_ids"].shape[1]:], skip_special_tokens=True).strip()

    def close(self) -> None:
        if self._loaded is None:
            return
        self._loaded = None
        release_memory()
