"""BAGEL-7B-MoT backend internals: our own inference implementation of ByteDance-Seed/Bagel.

Importing this package loads nothing heavy; callers import the modules they need:

* `loader.load_bagel(source, precision="bf16", device=None, offload=False, download=False)`
  -> `LoadedBagel(model, vae, tokenizer, folder, precision, device)`; `.inferencer()` builds the
  `InterleavedInferencer`. Errors are `loader.BagelLoadError` (a `BackendError`) with the fix.
* `inferencer.InterleavedInferencer`: `seed`, `new_contexts`, `add_text`, `add_image`,
  `add_system_prompt`, `add_cond_text`, `generate_text`, `yes_no_probabilities`, `generate_image`,
  `interleave`. Contexts (`context.GuidedContexts`: cond / cfg_text / cfg_img) are immutable
  values over shared, growable KV storage; keep any of them, or `snapshot()` one and
  `rewound(snapshot)` later (a view).
* `golden.run_golden(folder)`: re-run the recorded reference cases (also `python -m stagestudio doctor`).

Modules: `config` (sizes from the JSON files + app overrides), `qwen2_mot` (MoT language model),
`siglip` (NaViT vision encoder), `model` (`BagelModel`, blocks), `context` (KV caches),
`tokenizer`; `vae`, `transforms`, `latents`, `sampler` hold the VAE, resizing, token layouts and
the flow-matching sampler; `runtime` + `context_cache` + `roles` + `backend` are the loop backend.
"""

from stagestudio.backends.bagel.bnb import quiet_bitsandbytes_logging

# diffusers and the loader import bitsandbytes; its optional-kernel warning is noise (bnb.py).
quiet_bitsandbytes_logging()
