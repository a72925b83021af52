"""The BAGEL model: MoT language model, SigLIP encoder and the glue between pixels, latents and LLM.

`BagelModel` owns every tensor of the official `ema.safetensors` under the same names. It turns
inputs into LLM blocks (embeddings + RoPE positions + expert routing) and runs one block at a time
over a KV cache; the context bookkeeping lives in `context.py`, the loops in `inferencer.py`.

Block layouts (README of the golden fixtures, section 6):
* text: `<|im_start|> tokens <|im_end|>`, consecutive RoPE positions, causal, "und" experts;
* ViT image: `<|vision_start|> patches <|vision_end|>`, one RoPE position, bidirectional, "und";
* VAE latent image (clean context image at t=0, or the denoising query at t):
  `<|vision_start|> latents <|vision_end|>`, one position, bidirectional, latents on the gen expert.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .config import BagelConfig
from .latents import SinCosPositionTable, TimestepEmbedder
from .qwen2_mot import BlockRouting, KVSink, Qwen2MoTForCausalLM
from .siglip import SiglipVisionModel, gelu_tanh


class MLPConnector(nn.Module):
    """ViT features -> LLM width: fc1 -> gelu-tanh -> fc2."""

    def __init__(self, in_dim: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(in_dim, hidden)
        self.fc2 = nn.Linear(hidden, hidden)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(gelu_tanh(self.fc1(x)))


@dataclass(frozen=True)
class LlmBlock:
    """One block of new LLM entries, ready to run: embeddings, RoPE positions, routing, mask kind."""

    embeds: Tensor  # [L, hidden]
    positions: Tensor  # [L] long
    routing: BlockRouting
    causal: bool
    packed: tuple[int, ...] | None = None  # independent causal sequences of these lengths

    @property
    def length(self) -> int:
        return int(self.embeds.shape[0])


@dataclass(frozen=True)
class SpecialTokens:
    """Ids of the special tokens BAGEL uses, looked up by token string in the tokenizer."""

    bos: int  # <|im_start|>
    eos: int  # <|im_end|>
    start_of_image: int  # <|vision_start|>
    end_of_image: int  # <|vision_end|>


class BagelModel(nn.Module):
    # Set by the loader when weights live elsewhere (CPU offload); otherwise the embedding's device.
    execution_device: torch.device | None = None

    def __init__(self, config: BagelConfig):
        super().__init__()
        self.config = config
        llm, vit = config.llm, config.vit
        self.language_model = Qwen2MoTForCausalLM(llm)
        self.vit_model = SiglipVisionModel(vit)
        self.connector = MLPConnector(vit.hidden_size, llm.hidden_size)
        self.vit_pos_embed = SinCosPositionTable(config.vit_max_num_patch_per_side, llm.hidden_size)
        self.time_embedder = TimestepEmbedder(llm.hidden_size, config.timestep_frequency_size)
        self.vae2llm = nn.Linear(config.patch_latent_dim, llm.hidden_size)
        self.llm2vae = nn.Linear(llm.hidden_size, config.patch_latent_dim)
        self.latent_pos_embed = SinCosPositionTable(config.max_latent_size, llm.hidden_size)

    # --- helpers -------------------------------------------------------------------------

    @property
    def device(self) -> torch.device:
        if self.execution_device is not None:
            return self.execution_device
        return self.language_model.model.embed_tokens.weight.device

    @property
    def dtype(self) -> torch.dtype:
        return self.language_model.model.embed_tokens.weight.dtype

    def embed_tokens(self, ids: Tensor) -> Tensor:
        return self.language_model.model.embed_tokens(ids.to(self.device))

    def _positions(self, start: int, length: int, same: bool) -> Tensor:
        if same:
            return torch.full((length,), start, dtype=torch.long, device=self.device)
        return torch.arange(start, start + length, dtype=torch.long, device=self.device)

    def _image_block(self, inner: Tensor, markers: SpecialTokens, position: int,
                     gen_expert: bool) -> LlmBlock:
        """Wrap `inner` [n, hidden] in <|vision_start|> ... <|vision_end|>, all at `position`."""
        ends = self.embed_tokens(torch.tensor([markers.start_of_image, markers.end_of_image]))
        embeds = torch.cat([ends[:1], inner.to(ends.dtype), ends[1:]], dim=0)
        n = inner.shape[0]
        routing = BlockRouting.gen_rows(1, n + 1) if gen_expert else BlockRouting.und()
        return LlmBlock(embeds, self._positions(position, n + 2, same=True), routing, causal=False)

    # --- blocks --------------------------------------------------------------------------

    def text_block(self, token_ids: Tensor, position: int) -> LlmBlock:
        """Token ids (already wrapped in <|im_start|> ... <|im_end|>) at consecutive positions."""
        embeds = self.embed_tokens(token_ids)
        return LlmBlock(embeds, self._positions(position, len(token_ids), same=False),
                        BlockRouting.und(), causal=True)

    def packed_text_block(self, sequences: list[list[int]], position: int) -> LlmBlock:
        """Several token sequences in one block, each starting at `position` and attending only
        to the cache and to itself (causal): independent continuations of one context."""
        ids = torch.tensor([t for seq in sequences for t in seq], dtype=torch.long)
        positions = torch.cat([self._positions(position, len(seq), same=False) for seq in sequences])
        return LlmBlock(self.embed_tokens(ids), positions, BlockRouting.und(), causal=True,
                        packed=tuple(len(seq) for seq in sequences))

    def vit_embeddings(self, patches: Tensor, vit_position_ids: Tensor) -> Tensor:
        """One image's patches [n, 588] -> LLM embeddings [n, hidden] (encoder, connector, table)."""
        vit_dtype = self.vit_model.vision_model.post_layernorm.weight.dtype
        features = self.vit_model(patches.to(self.device, vit_dtype), vit_position_ids.to(self.device),
                                  [int(patches.shape[0])])
        return self.connector(features) + self.vit_pos_embed(vit_position_ids.to(self.device))

    def vit_block(self, patches: Tensor, vit_position_ids: Tensor, markers: SpecialTokens,
                  position: int) -> LlmBlock:
        return self._image_block(self.vit_embeddings(patches, vit_position_ids), markers, position,
                                 gen_expert=False)

    def latent_embeddings(self, latent_tokens: Tensor, latent_position_ids: Tensor,
                          timestep: float | Tensor) -> Tensor:
        """Latent tokens [N, 64] -> `vae2llm(x) + time_embedder(t) + latent_pos_embed[ids]`."""
        x = latent_tokens.to(self.device, self.vae2llm.weight.dtype)
        t = torch.as_tensor(timestep, dtype=torch.float32).reshape(1)
        t_emb = self.time_embedder(t)
        return self.vae2llm(x) + t_emb + self.latent_pos_embed(latent_position_ids.to(self.device))

    def latent_block(self, latent_tokens: Tensor, latent_position_ids: Tensor, timestep: float | Tensor,
                     markers: SpecialTokens, position: int) -> LlmBlock:
        inner = self.latent_embeddings(latent_tokens, latent_position_ids, timestep)
        return self._image_block(inner, markers, position, gen_expert=True)

    def with_position(self, block: LlmBlock, position: int) -> LlmBlock:
        """The same image block at another (single) RoPE position (one per CFG branch)."""
        return LlmBlock(block.embeds, self._positions(position, block.length, same=True),
                        block.routing, block.causal, block.packed)

    # --- running -------------------------------------------------------------------------

    def run_block(self, block: LlmBlock, sink: KVSink | None = None) -> Tensor:
        """Final-norm hidden states of `block`; `sink` (a `context.BlockWriter`) supplies the
        cache the block attends over and keeps the block's keys and values if asked to."""
        return self.language_model.model(block.embeds, block.positions, block.routing, sink, block.causal,
                                         block.packed)

    def logits(self, hidden: Tensor) -> Tensor:
        return self.language_model.lm_head(hidden).float()

    def velocity(self, hidden: Tensor, block: LlmBlock) -> Tensor:
        """llm2vae on the latent rows (gen-expert final norm outputs) -> [N, 64] float32."""
        rows = block.routing.gen
        return self.llm2vae(hidden[rows].to(self.llm2vae.weight.dtype)).float()
