"""`python -m stagestudio serve-omni --model PATH`: serve our own BAGEL implementation with
vLLM-Omni's routes and payloads, to try the remote backend and the GenEval fan-out without
vLLM (see `stagestudio.omni_server`)."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from stagestudio.cli import CliError

LOOPBACK_NAMES = ("localhost",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve-omni",
        help="serve our BAGEL with vLLM-Omni's API (a test server for --backend remote)",
        description="Serve a BAGEL checkpoint folder over vLLM-Omni's OpenAI-compatible routes "
        "(/v1/chat/completions for text2img, img2img, img2text and text2text; /v1/images/generations; "
        "/v1/images/edits; /health). One request at a time, no batching: for testing and small setups; "
        "serve real workloads with vLLM-Omni.",
    )
    p.add_argument("--model", required=True, help="BAGEL checkpoint folder (or hub repo id already downloaded)")
    p.add_argument("--precision", default="bf16", help="nf4 | int8 | bf16 (default) | fp32")
    p.add_argument("--device", default=None, help="cuda or cpu (default: cuda if available)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000, as vllm serve)")
    p.add_argument("--api-key", default=None, help="require 'Authorization: Bearer KEY' on /v1/* "
                   "(required when binding a non-loopback address)")
    p.add_argument("--served-model-name", default=None, help="the model name requests may name "
                   "(default: --model as given)")
    p.set_defaults(func=cmd_serve_omni)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_serve_omni(args: argparse.Namespace) -> int:
    from stagestudio.backends.base import BackendError

    if not 1 <= args.port <= 65535:
        raise CliError("--port must be between 1 and 65535")
    if not _is_loopback(args.host) and not args.api_key:
        raise CliError(f"binding {args.host} exposes the model to the network; pass --api-key KEY")
    try:
        import uvicorn

        from stagestudio.omni_server.app import OmniApp
        from stagestudio.omni_server.bagel_model import BagelOmniModel
    except ImportError as exc:
        raise CliError(f"the test server needs starlette and uvicorn ({exc}); pip install -r requirements.txt") from exc
    try:
        model = BagelOmniModel(args.model, precision=args.precision, device=args.device,
                               served_name=args.served_model_name)
        print(f"loading {args.model} ({args.precision}) ...", file=sys.stderr, flush=True)
        model.load()
    except BackendError as exc:
        raise CliError(str(exc)) from exc
    app = OmniApp(model, model.name, api_key=args.api_key)
    print(f"serving {model.name} on http://{args.host}:{args.port} (vLLM-Omni routes; Ctrl-C stops)",
          file=sys.stderr, flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", lifespan="off")
    finally:
        app.close()
    return 0
