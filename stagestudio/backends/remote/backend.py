"""`--backend remote`: the loop on BAGEL served by one or more vLLM-Omni endpoints.

    python -m stagestudio run "a bear above a spoon" --backend remote \\
        --endpoint http://gpu-1:8000 --endpoint http://gpu-2:8000

One client object serves any number of sessions at once (the eval harness fans out over it);
each session sticks to one endpoint, new sessions go where the load is lowest. Sessions store
`settings()` (endpoints, sampler settings, patience; never the API key), so `sessions resume`
and `sessions rerun` rebuild the same backend.
"""

from __future__ import annotations

from typing import Any

from stagestudio.backends.base import Backend, BackendError, BackendStatus
from stagestudio.backends.remote.client import OmniClient
from stagestudio.backends.remote.endpoints import EndpointUsage
from stagestudio.backends.remote.roles import RemoteInspector, RemoteModel, RemotePlanner, RemoteSketcher
from stagestudio.backends.remote.settings import ENDPOINTS_ENV, endpoints_from_env, normalize_endpoint, remote_settings


class RemoteBackend(Backend):
    name = "remote"
    concurrent_sessions = True

    def __init__(self, endpoints: list[str] | tuple[str, ...] | str | None = None, api_key: str | None = None,
                 **settings: Any) -> None:
        self.remote_settings = remote_settings(endpoints=endpoints, **settings)
        self.client = OmniClient(self.remote_settings, api_key)
        model = RemoteModel(self.client)
        super().__init__(planner=RemotePlanner(model), sketcher=RemoteSketcher(model), inspector=RemoteInspector(model))

    @classmethod
    def status(cls) -> BackendStatus:
        """Configured or not (no network: a status line must stay cheap)."""
        urls = endpoints_from_env()
        if not urls:
            return BackendStatus(name=cls.name, state="error",
                                 detail=f"no endpoint: pass --endpoint URL or set {ENDPOINTS_ENV}")
        try:
            normal = [normalize_endpoint(u) for u in urls]
        except BackendError as exc:
            return BackendStatus(name=cls.name, state="error", detail=str(exc))
        return BackendStatus(name=cls.name, state="ready",
                             detail=f"vLLM-Omni at {', '.join(normal)} (not probed until a run starts)")

    def settings(self) -> dict[str, Any]:
        values = self.remote_settings.model_dump(mode="json")
        values["endpoints"] = list(values["endpoints"])
        return values

    def endpoint_usage(self) -> list[EndpointUsage]:
        """Sessions, requests, failures and busy time per endpoint since this backend was built."""
        return self.client.pool.usage()

    def close(self) -> None:
        # Sessions are let go; the client stays usable (a new run binds afresh).
        self.client.pool.release_all()
