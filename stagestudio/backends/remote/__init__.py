"""The loop on a remote BAGEL served by vLLM-Omni (`vllm serve ByteDance-Seed/BAGEL-7B-MoT --omni`).

Every stage is one or more requests to vLLM-Omni's OpenAI-compatible chat endpoint, in the
dialect its BAGEL online-serving example uses (`dialect.py`): text-to-image for a first
sketch, image-to-image for edits and refinements, image-to-text for plans on a canvas and for
every inspection question, text-to-text for plans on an empty canvas and the scene graph.

Modules: `settings` (what a session stores), `endpoints` (which server a session sticks to,
spread by load, with health marks), `http` (one request: timeouts, cancellation that aborts
the connection), `client` (retries with back-off, error classes), `dialect` (payloads and
replies), `sampler` (the reference's sampler defaults per task), `roles` (planner, sketcher,
yes/no model) and `backend` (the `remote` preset).
"""
