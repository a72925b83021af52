"""Interleaved inference with BAGEL: build contexts, decode text, generate images.

Mirrors the official `InterleaveInferencer.interleave_inference` step by step so that the golden
fixtures reproduce from their seeds:

* every input picture is converted to RGB and resized with the VAE rule first;
* understanding (`understanding_output=True`): images go in through the ViT only; otherwise through
  the VAE (clean latent at t=0) and then the ViT;
* random draws, from one CPU generator seeded with `seed`: one standard-normal `eps` per VAE-encoded
  context image (the posterior sample), then `randn(N, 64)` for the initial noise. (Drawing on the
  CPU keeps results independent of the device; on CPU this is exactly the reference's order.)
  The generator's state can be saved after building a context and restored before reusing it,
  so a cached context gives the same noise as a freshly built one (`BagelRuntime`).
* classifier-free guidance skips the image-free branch while the image-free context equals the
  conditional one (plain text-to-image): its velocity *is* the conditional one, so 50-point
  text-to-image makes 49 + 41 = 90 forwards instead of 131, with identical results;
* yes/no questions are answered from the logits of the answer's first token, all questions
  about one context in one packed forward (`yes_no_probabilities`).
* think mode writes a system prompt to cond and cfg_img, decodes the thinking greedily, and writes
  the decoded string back (re-tokenized) to cond only.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Sequence

import torch
from PIL import Image
from torch import Tensor

from ..base import BackendError, CancelToken, ProgressFn
from . import latents, sampler
from .context import Context, GuidedContexts, Segment
from .model import BagelModel, LlmBlock
from .stopping import StopCondition
from .tokenizer import BagelTokenizer
from .transforms import REAL_TRANSFORMS

VLM_THINK_SYSTEM_PROMPT = (
    "You should first think about the reasoning process in the mind and then provide the user with the answer. \n"
    "The reasoning process is enclosed within <think> </think> tags, i.e. <think> reasoning process here </think> "
    "answer here"
)
GEN_THINK_SYSTEM_PROMPT = (
    "You should first think about the planning process in the mind and then generate the image. \n"
    "The planning process is enclosed within <think> </think> tags, i.e. <think> planning process here </think> "
    "image here"
)



@dataclass
class TextResult:
    text: str
    fed_ids: list[int]  # <|im_start|> and every greedy token fed back (the last prediction dropped)
    logits: Tensor | None = None  # [steps, vocab] float32, only when asked for


@dataclass
class ImageResult:
    image: Image.Image
    latent_tokens: Tensor  # [N, 64] final x
    latent: Tensor  # [1, C, 2h, 2w] decoder input
    decoded: Tensor  # [1, 3, H, W] raw decoder output
    forwards: int = 0  # model forwards spent denoising (one per branch per step)


@dataclass
class InterleaveResult:
    outputs: list[str | Image.Image] = field(default_factory=list)
    contexts: GuidedContexts | None = None
    think_text: str | None = None


def _packs(sequences: list[list[int]], max_tokens: int) -> list[list[list[int]]]:
    """Consecutive groups of sequences of at most `max_tokens` tokens together (a longer single
    sequence forms a group of its own)."""
    packs: list[list[list[int]]] = []
    for seq in sequences:
        if packs and sum(map(len, packs[-1])) + len(seq) <= max_tokens:
            packs[-1].append(seq)
        else:
            packs.append([seq])
    return packs


@contextmanager
def oom_guard(what: str):
    """Turn a CUDA out-of-memory error into an actionable `BackendError`."""
    try:
        yield
    except torch.cuda.OutOfMemoryError as exc:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
        raise BackendError(f"out of GPU memory while {what}: try a smaller image size, fewer context images, "
                           "or a lower-precision mode (bf16 -> int8 -> nf4)") from exc


class InterleavedInferencer:
    """High-level API over `BagelModel` + VAE + tokenizer + image transforms."""

    def __init__(self, model: BagelModel, tokenizer: BagelTokenizer, vae=None, transforms=None):
        self.model = model
        self.tokenizer = tokenizer
        self.vae = vae
        self.transforms = transforms if transforms is not None else REAL_TRANSFORMS
        self.special = tokenizer.special
        self.generator = torch.Generator(device="cpu")

    # --- randomness ---------------------------------------------------------------------------

    def seed(self, seed: int) -> None:
        """Reset the inferencer's CPU generator (the reference's `torch.manual_seed(seed)`)."""
        self.generator.manual_seed(int(seed))

    # --- single contexts ----------------------------------------------------------------------

    @torch.no_grad()
    def _append(self, ctx: Context, block: LlmBlock, segment: Segment, rope_advance: int) -> Context:
        writer = ctx.cache.writer(block.length, keep=True)
        with oom_guard(f"adding a {segment.kind} block of {block.length} entries to the context"):
            self.model.run_block(block, writer)
        return ctx.with_block(writer.result(), segment, rope_advance)

    @torch.no_grad()
    def append_text(self, ctx: Context, text: str, token_ids: Sequence[int] | None = None) -> Context:
        """Append `<|im_start|> text <|im_end|>` (und expert, causal, one position per token)."""
        ids = list(token_ids) if token_ids is not None else self.tokenizer.segment_ids(text)
        block = self.model.text_block(torch.tensor(ids, dtype=torch.long), ctx.next_rope)
        seg = Segment("text", ctx.kv_len, len(ids), ctx.next_rope, text=text, token_ids=tuple(ids))
        return self._append(ctx, block, seg, rope_advance=len(ids))

    @torch.no_grad()
    def append_vit_patches(self, ctx: Context, patches: Tensor, vit_position_ids: Tensor,
                           image_index: int | None = None) -> Context:
        with oom_guard(f"encoding {len(patches)} ViT patches"):
            block = self.model.vit_block(patches, vit_position_ids, self.special, ctx.next_rope)
        seg = Segment("vit_image", ctx.kv_len, block.length, ctx.next_rope, image_index=image_index)
        return self._append(ctx, block, seg, rope_advance=1)

    @torch.no_grad()
    def append_latent_tokens(self, ctx: Context, latent_tokens: Tensor, latent_position_ids: Tensor,
                             image_index: int | None = None) -> Context:
        """A clean VAE latent (timestep 0) as a gen-expert block."""
        block = self.model.latent_block(latent_tokens, latent_position_ids, 0.0, self.special, ctx.next_rope)
        seg = Segment("vae_image", ctx.kv_len, block.length, ctx.next_rope, image_index=image_index)
        return self._append(ctx, block, seg, rope_advance=1)

    # --- pictures -> tokens -------------------------------------------------------------------

    def prepare_image(self, image: Image.Image) -> Image.Image:
        """RGB + the VAE resize rule (applied to every input picture, as the reference does)."""
        return self.transforms.prepare_input_image(image)

    @property
    def layout(self):
        """The latent <-> token layout (`latents.LatentLayout`) of this model."""
        cfg = self.model.config
        return latents.LatentLayout(cfg.vae_downsample, cfg.latent_patch_size, cfg.latent_channels, cfg.max_latent_size)

    @torch.no_grad()
    def vae_latent_tokens(self, prepared: Image.Image, eps: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Encode a prepared picture: sampled latent z, 2x2-patchified to tokens [N, 64], and their
        position ids. `eps` (the posterior draw) defaults to a draw from the inferencer's generator
        (seed it with the stage's seed first: the draw is part of the stage)."""
        if self.vae is None:
            raise BackendError("this inferencer has no VAE: images cannot be encoded or generated")
        pixels = self.transforms.vae_pixels(prepared).unsqueeze(0)
        with oom_guard("encoding an image with the VAE"):
            moments = self.vae.encode(pixels)
        z = self.vae.sample_latent(moments, eps=eps, generator=None if eps is not None else self.generator)
        height, width = pixels.shape[-2:]
        return self.layout.to_tokens(z.float(), height, width), self.layout.position_ids(height, width)

    def vit_patch_tokens(self, prepared: Image.Image) -> tuple[Tensor, Tensor]:
        pixels = self.transforms.vit_pixels(prepared)
        p = self.model.config.vit.patch_size
        patches = latents.patchify(pixels, p)
        pos = latents.vit_position_ids(pixels.shape[-2], pixels.shape[-1], p,
                                       self.model.config.vit_max_num_patch_per_side)
        return patches, pos

    # --- the three guidance contexts ------------------------------------------------------------

    def new_contexts(self) -> GuidedContexts:
        return GuidedContexts()

    def add_system_prompt(self, state: GuidedContexts, text: str) -> GuidedContexts:
        """A system prompt goes to cond and cfg_img (not to cfg_text), as in think mode."""
        cond = self.append_text(state.cond, text)
        cfg_img = cond if state.cfg_img is state.cond else self.append_text(state.cfg_img, text)
        return GuidedContexts(cond, state.cfg_text, cfg_img, state.num_images, state.last_image_size)

    def add_text(self, state: GuidedContexts, text: str) -> GuidedContexts:
        """cfg_text becomes cond as it stood before this text; the text goes to cond and cfg_img
        (run once while they are the same context)."""
        cond = self.append_text(state.cond, text)
        cfg_img = cond if state.cfg_img is state.cond else self.append_text(state.cfg_img, text)
        return GuidedContexts(cond, state.cond, cfg_img, state.num_images, state.last_image_size)

    def add_cond_text(self, state: GuidedContexts, text: str) -> GuidedContexts:
        """Text written to cond only (the model's own thinking): no CFG context sees it."""
        return GuidedContexts(self.append_text(state.cond, text), state.cfg_text, state.cfg_img,
                              state.num_images, state.last_image_size)

    def add_image(self, state: GuidedContexts, image: Image.Image, vae: bool = True,
                  vit: bool = True) -> GuidedContexts:
        """An input picture: VAE block (if `vae`) then ViT block (if `vit`) in cond only; cfg_text
        then equals cond (images stay in the text-unconditional branch)."""
        if not (vae or vit):
            raise ValueError("add_image needs vae=True or vit=True")
        prepared = self.prepare_image(image)
        index = state.num_images
        cond = state.cond
        if vae:
            tokens, pos = self.vae_latent_tokens(prepared)
            cond = self.append_latent_tokens(cond, tokens, pos, image_index=index)
        if vit:
            patches, pos = self.vit_patch_tokens(prepared)
            cond = self.append_vit_patches(cond, patches, pos, image_index=index)
        return GuidedContexts(cond, cond, state.cfg_img, index + 1, (prepared.height, prepared.width))

    # --- text ---------------------------------------------------------------------------------

    @torch.no_grad()
    def generate_text(self, ctx: Context, max_length: int = 500, do_sample: bool = False,
                      temperature: float = 1.0, keep_logits: bool = False,
                      stop: StopCondition | None = None) -> TextResult:
        """Decode after `ctx` (left unchanged): feed <|im_start|> at the next position, then each
        prediction; stop on <|im_end|> or after `max_length` steps (last prediction dropped), or
        as soon as the text so far satisfies `stop` (that last token is kept in the text).

        Each fed token's keys and values are written into capacity reserved once for the whole
        answer (`KVCache.writer`): the cache is never re-concatenated per token."""
        cache = ctx.cache
        token = self.special.bos
        position = ctx.next_rope
        fed: list[int] = []
        all_logits: list[Tensor] = []
        stopped_on: list[int] = []
        for _ in range(max_length):
            fed.append(token)
            block = self.model.text_block(torch.tensor([token], dtype=torch.long), position)
            writer = cache.writer(1, keep=True, headroom=max_length)
            with oom_guard("decoding text"):
                hidden = self.model.run_block(block, writer)
            cache = writer.result()
            logits = self.model.logits(hidden)[0]
            if keep_logits:
                all_logits.append(logits.cpu())
            if do_sample:
                probs = torch.softmax(logits / temperature, dim=-1).cpu()
                token = int(torch.multinomial(probs, 1, generator=self.generator))
            else:
                token = int(torch.argmax(logits))
            position += 1
            if token == self.special.eos:
                break
            if stop is not None and stop(self.tokenizer.decode(fed[1:] + [token])):
                stopped_on.append(token)
                break
        text = self.tokenizer.decode(fed + stopped_on)
        text = text.split("<|im_end|>")[0]
        text = text.split("<|im_start|>", 1)[1] if "<|im_start|>" in text else text
        return TextResult(text, fed, torch.stack(all_logits) if keep_logits else None)

    # --- yes/no judgment ------------------------------------------------------------------------

    YES_SPELLINGS = ("Yes", "yes", "YES")
    NO_SPELLINGS = ("No", "no", "NO")
    MAX_PACKED_TOKENS = 2048  # questions per forward are bounded by their total length

    def answer_token_ids(self) -> tuple[list[int], list[int]]:
        """Token ids that open a "yes" and a "no" answer. BAGEL's understanding layout starts the
        answer right after <|im_start|> with no role word and no space, so the first token of
        "Yes"/"yes"/"YES" (and of the "No" spellings) is what the model writes first; with the
        Qwen2 vocabulary each of these is one whole-word token. Ids that open both are dropped."""
        yes = {self.tokenizer.encode(w)[0] for w in self.YES_SPELLINGS}
        no = {self.tokenizer.encode(w)[0] for w in self.NO_SPELLINGS}
        shared = yes & no
        yes, no = sorted(yes - shared), sorted(no - shared)
        if not yes or not no:
            raise BackendError("this tokenizer cannot tell a yes answer from a no answer by its first token")
        return yes, no

    @torch.no_grad()
    def yes_no_probabilities(self, ctx: Context, questions: Sequence[str]) -> list[float]:
        """p(yes) for each question asked right after `ctx`, from one forward pass and no decoding.

        Each question is laid out as the reference's understanding path does it (the question as
        a text segment, then <|im_start|> opening the answer); p(yes) = P(yes tokens) / (P(yes
        tokens) + P(no tokens)) at that answer position. The questions are packed into one block
        in which each sees the cached context and itself only; the context is not copied."""
        if not questions:
            return []
        yes, no = self.answer_token_ids()
        sequences = [self.tokenizer.segment_ids(q) + [self.special.bos] for q in questions]
        out: list[float] = []
        for batch in _packs(sequences, self.MAX_PACKED_TOKENS):
            block = self.model.packed_text_block(batch, ctx.next_rope)
            with oom_guard(f"answering {len(batch)} questions"):
                hidden = self.model.run_block(block, ctx.cache.writer(block.length, keep=False))
            answer_rows = torch.tensor([len(s) for s in batch]).cumsum(0) - 1  # each <|im_start|>
            logits = self.model.logits(hidden[answer_rows.to(hidden.device)])
            margin = torch.logsumexp(logits[:, yes], dim=-1) - torch.logsumexp(logits[:, no], dim=-1)
            out.extend(float(p) for p in torch.sigmoid(margin).cpu())
        return out

    # --- images -------------------------------------------------------------------------------

    @torch.no_grad()
    def query_block(self, x_t: Tensor, t: float | Tensor, latent_position_ids: Tensor, position: int) -> LlmBlock:
        """The block being denoised: markers + N latent tokens at one position, gen expert."""
        return self.model.latent_block(x_t, latent_position_ids, t, self.special, position)

    @torch.no_grad()
    def branch_velocity(self, ctx: Context, query: LlmBlock) -> Tensor:
        """Velocity [N, 64] of the query block (embeddings shared by all branches) placed at
        `ctx`'s next position over `ctx`'s cache. Nothing is cached."""
        block = self.model.with_position(query, ctx.next_rope)
        hidden = self.model.run_block(block, ctx.cache.writer(block.length, keep=False))
        return self.model.velocity(hidden, block)

    @staticmethod
    def branch_contexts(state: GuidedContexts) -> dict[str, Context]:
        """The context each sampler branch runs over."""
        return {sampler.COND: state.cond, sampler.UNCOND_TEXT: state.cfg_text, sampler.UNCOND_IMG: state.cfg_img}

    def output_shape(self, state: GuidedContexts, image_shape: tuple[int, int]) -> tuple[int, int]:
        """(H, W) of the generated picture: the last input image's size when there is one."""
        shape = state.last_image_size or tuple(image_shape)
        d = self.model.config.latent_downsample
        max_side = self.model.config.max_latent_size * d
        h, w = int(shape[0]), int(shape[1])
        if h < d or w < d or h > max_side or w > max_side:
            raise ValueError(f"image size {h}x{w} is outside {d}..{max_side} pixels per side")
        return h, w

    @torch.no_grad()
    def generate_image(self, state: GuidedContexts, settings=None, seed: int | None = None,
                       image_shape: tuple[int, int] = (1024, 1024), progress: ProgressFn | None = None,
                       cancel: CancelToken | None = None, init_noise: Tensor | None = None,
                       on_step: Callable[[sampler.StepRecord], None] | None = None) -> ImageResult:
        """Denoise a latent with CFG over the three contexts, then decode it with the VAE.

        `seed`: reseed the inferencer's generator first (None continues the current stream, as
        after `interleave`'s context building). `init_noise` overrides the draw (tests).
        `on_step` receives each step's record (x_t, velocities, t) for previews or debugging."""
        if self.vae is None:
            raise BackendError("this inferencer has no VAE: images cannot be generated")
        settings = settings if settings is not None else sampler.GenerationSettings()
        if seed is not None:
            self.seed(seed)
        H, W = self.output_shape(state, image_shape)
        layout = self.layout
        device = self.model.device
        pos = layout.position_ids(H, W).to(device)
        x0 = init_noise if init_noise is not None else sampler.initial_noise(
            layout.num_tokens(H, W), layout.token_dim, generator=self.generator)
        contexts = self.branch_contexts(state)
        # Plain text-to-image: the image-free context is the conditional one, so is its velocity.
        same_as_cond = {sampler.UNCOND_IMG} if state.image_free_is_cond else set()
        forwards = 0

        def velocity_fn(x_t: Tensor, t: Tensor, branches: Sequence[str]) -> dict[str, Tensor]:
            nonlocal forwards
            query = self.query_block(x_t, t, pos, 0)  # shared by every branch
            out = {b: self.branch_velocity(contexts[b], query) for b in branches if b not in same_as_cond}
            forwards += len(out)
            out.update({b: out[sampler.COND] for b in branches if b in same_as_cond})
            return out

        with oom_guard(f"generating a {W}x{H} image"):
            # x_t stays on the model's device for the whole loop (no host round trip per step).
            x = sampler.sample(velocity_fn, x0.to(device), settings, progress=progress, cancel=cancel,
                               on_step=on_step)
            latent = layout.to_latent(x.float(), H, W)
            decoded = self.vae.decode(latent)
        pixels = self.vae.to_uint8(decoded)[0]
        return ImageResult(Image.fromarray(pixels.cpu().numpy()), x.cpu(), latent.cpu(), decoded.float().cpu(),
                           forwards)

    # --- all together -------------------------------------------------------------------------

    def build_contexts(self, inputs: Sequence[str | Image.Image], understanding_output: bool = False,
                       think: bool = False) -> GuidedContexts:
        state = self.new_contexts()
        if think:
            prompt = VLM_THINK_SYSTEM_PROMPT if understanding_output else GEN_THINK_SYSTEM_PROMPT
            state = self.add_system_prompt(state, prompt)
        for item in inputs:
            if isinstance(item, str):
                state = self.add_text(state, item)
            elif isinstance(item, Image.Image):
                state = self.add_image(state, item, vae=not understanding_output, vit=True)
            else:
                raise TypeError(f"interleave inputs must be str or PIL.Image, got {type(item).__name__}")
        return state

    def interleave(self, inputs: Sequence[str | Image.Image], understanding_output: bool = False,
                   think: bool = False, settings=None, seed: int | None = None, max_think_tokens: int = 1000,
                   image_shape: tuple[int, int] = (1024, 1024), do_sample: bool = False,
                   temperature: float = 0.3, progress: ProgressFn | None = None,
                   cancel: CancelToken | None = None) -> InterleaveResult:
        """The reference's `interleave_inference`: text answer (understanding) or [thinking,] image."""
        if seed is not None:
            self.seed(seed)
        state = self.build_contexts(inputs, understanding_output, think)
        result = InterleaveResult(contexts=state)
        if understanding_output:
            answer = self.generate_text(state.cond, max_think_tokens, do_sample, temperature)
            result.outputs.append(answer.text)
            return result
        if think:
            thought = self.generate_text(state.cond, max_think_tokens, do_sample, temperature)
            state = self.add_cond_text(state, thought.text)
            result.think_text = thought.text
            result.outputs.append(thought.text)
        if cancel is not None:
            cancel.raise_if_cancelled()
        image = self.generate_image(state, settings, image_shape=image_shape, progress=progress, cancel=cancel)
        result.outputs.append(image.image)
        result.contexts = state
        return result
