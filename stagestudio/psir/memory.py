"""An *estimate* of the GPU memory `psir train` needs for full-size BAGEL-7B-MoT.

No GPU was available when this was written, so nothing here is measured: every figure is
arithmetic on the model's configuration (`BagelConfig.bagel_7b_mot()`) and on what autograd keeps
per token, and should be read as a planning number with a margin. The parts:

* base weights — NF4: 4 bits per quantized decoder weight plus one fp32 absmax per 64 weights;
  everything else (embeddings, head, norms, ViT, connector, tables, VAE) in bf16; bf16: 2 bytes each.
* adapter — LoRA parameters (exact for the chosen targets) with fp32 weights, gradients and the
  two AdamW moments: 16 bytes each.
* activations — the longest example decides. With gradient checkpointing: each layer's input
  (hidden · 2 bytes per token) plus one layer recomputed at a time; without: every layer's saved
  tensors at once. Per token and layer, one layer keeps about 12·hidden + 5·intermediate bf16
  values (norm statistics, q/k/v, attention output, gate/up/activation/product), plus
  6·hidden + intermediate when LoRA dropout is on (its masked inputs).
* the attention mask (one byte per entry, plus a 2-byte additive bias), the language-head logits
  of the answer tokens in fp32 with their gradient, the VAE encoder's largest transient, and the
  CUDA context (~0.8 GiB).

Example lengths come from the token layouts: an edit at side S holds the canvas as (S/16)² latent
tokens and up to 70² ViT patches, the instruction, and the (S/16)² target tokens.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

GIB = 1024**3
CUDA_CONTEXT_GIB = 0.8
TEXT_TOKENS = 96  # instruction or request text of an example, with markers
ANSWER_TOKENS = 200  # language-loss tokens of a plan / inspection answer


@dataclass(frozen=True)
class MemoryEstimate:
    precision: str
    side: int
    gradient_checkpointing: bool
    tokens: int
    weights_gib: float
    adapter_gib: float
    activations_gib: float
    other_gib: float
    lora_parameters: int

    @property
    def total_gib(self) -> float:
        return self.weights_gib + self.adapter_gib + self.activations_gib + self.other_gib

    def to_json_dict(self) -> dict:
        return {**asdict(self), "total_gib": round(self.total_gib, 2)}


def lora_parameter_count(config, rank: int, modules=("attention", "mlp"), experts=("und", "gen")) -> int:
    """LoRA parameters (A and B) on the chosen projections of every decoder layer."""
    llm = config.llm
    h, i = llm.hidden_size, llm.intermediate_size
    kv = llm.num_key_value_heads * llm.head_dim
    q = llm.num_attention_heads * llm.head_dim
    per_expert = 0
    if "attention" in modules:
        per_expert += (h + q) + (h + kv) * 2 + (q + h)
    if "mlp" in modules:
        per_expert += (h + i) * 2 + (i + h)
    return rank * per_expert * len(experts) * llm.num_hidden_layers


def weight_bytes(config, precision: str) -> float:
    from stagestudio.backends.bagel.loader import build_empty_model

    model = build_empty_model(config)
    quantized = sum(p.numel() for n, p in model.named_parameters()
                    if n.startswith("language_model.model.layers.") and n.endswith("proj.weight")
                    or ("_proj_moe_gen.weight" in n and n.startswith("language_model.model.layers.")))
    total = sum(p.numel() for p in model.parameters())
    vae = 83_819_683  # ae.safetensors of the real FLUX VAE (fixture manifest)
    if precision == "nf4":
        return quantized * (0.5 + 4 / 64) + (total - quantized) * 2 + vae * 2
    bytes_per = 4 if precision == "fp32" else 2
    return (total + vae) * bytes_per


def edit_tokens(side: int) -> int:
    latent = (side // 16) ** 2
    vit_side = min(side, 980) // 14
    return latent + vit_side**2 + TEXT_TOKENS + latent + 6  # canvas VAE + ViT + text + target + markers


def estimate(side: int = 1024, precision: str = "nf4", gradient_checkpointing: bool = True, rank: int = 16,
             lora_dropout: bool = True, config=None) -> MemoryEstimate:
    from stagestudio.backends.bagel.config import BagelConfig

    config = config or BagelConfig.bagel_7b_mot()
    llm = config.llm
    h, i, layers = llm.hidden_size, llm.intermediate_size, llm.num_hidden_layers
    tokens = edit_tokens(side)
    lora = lora_parameter_count(config, rank)
    per_token_layer = 2 * (12 * h + 5 * i) + (2 * (6 * h + i) if lora_dropout else 0)
    if gradient_checkpointing:
        activations = layers * tokens * h * 2 + tokens * per_token_layer
    else:
        activations = layers * tokens * per_token_layer
    mask = tokens * tokens * 3
    logits = ANSWER_TOKENS * llm.vocab_size * 4 * 2
    vae_transient = 4 * 128 * side * side * 2  # a few 128-channel feature maps at full resolution
    other = (mask + logits + vae_transient) / GIB + CUDA_CONTEXT_GIB
    return MemoryEstimate(precision=precision, side=side, gradient_checkpointing=gradient_checkpointing, tokens=tokens,
                          weights_gib=weight_bytes(config, precision) / GIB, adapter_gib=lora * 16 / GIB,
                          activations_gib=activations / GIB, other_gib=other, lora_parameters=lora)
