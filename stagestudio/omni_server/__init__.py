"""A vLLM-Omni-compatible test server backed by our own BAGEL implementation.

`python -m stagestudio serve-omni --model PATH` serves the routes and payloads vLLM-Omni
serves for BAGEL (`app.py`), so the remote backend and the GenEval fan-out can be tried and
tested without vLLM: over real HTTP, with a real (if tiny) model. It runs one request at a
time and does no batching, no tensor or CFG parallelism and no caching; for real work, serve
BAGEL with vLLM-Omni (README, "Scaling out").
"""
