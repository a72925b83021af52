"""The runtime's cache of encoded canvases, bounded in bytes, spilling to host memory.

At 1024x1024 one canvas in the context is about 9k KV entries (VAE latents + ViT patches), about
0.5 GB of bf16 keys and values for BAGEL-7B. Entries are kept on the model's device up to
`device_budget` bytes; beyond it the least recently used ones are moved to (pinned) host memory,
and beyond `host_budget` more they are dropped. An entry taken from the cache is moved back to
the device first. The entry returned or stored last is never spilled, since its caller is
about to use it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import torch

from .context import GuidedContexts, KVStorage

MIB = 2**20


@dataclass
class CachedContext:
    """An encoded canvas and, when building it drew random numbers, the generator state after
    those draws (restored on reuse so the stage continues exactly as on a fresh build)."""

    state: GuidedContexts
    generator_state: torch.Tensor | None = None

    def storages(self) -> list[KVStorage]:
        return self.state.storages()


class ContextCache:
    def __init__(self, device_budget: int = 1024 * MIB, host_budget: int = 8192 * MIB,
                 host: torch.device | str = "cpu") -> None:
        self.device_budget = device_budget
        self.host_budget = host_budget
        self.host = torch.device(host)
        self._entries: OrderedDict[str, CachedContext] = OrderedDict()
        self._spilled: set[str] = set()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def is_spilled(self, key: str) -> bool:
        return key in self._spilled

    def get(self, key: str, device: torch.device) -> CachedContext | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        if key in self._spilled:
            for storage in entry.storages():
                storage.to(device)
            self._spilled.discard(key)
        self._enforce()
        return entry

    def put(self, key: str, entry: CachedContext) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        self._spilled.discard(key)
        self._enforce()

    def clear(self) -> None:
        self._entries.clear()
        self._spilled.clear()

    def bytes(self, spilled: bool) -> int:
        """Bytes held on the device (spilled=False) or in host memory (spilled=True)."""
        return sum(self._entry_bytes(e) for k, e in self._entries.items() if (k in self._spilled) == spilled)

    def stats(self) -> dict[str, Any]:
        return {"entries": len(self._entries), "spilled": len(self._spilled),
                "device_mib": round(self.bytes(False) / MIB, 1), "host_mib": round(self.bytes(True) / MIB, 1)}

    @staticmethod
    def _entry_bytes(entry: CachedContext) -> int:
        return sum(s.nbytes for s in entry.storages())

    def _enforce(self) -> None:
        newest = next(reversed(self._entries), None)
        for key in list(self._entries):  # oldest first
            if self.bytes(False) <= self.device_budget:
                break
            if key == newest or key in self._spilled:
                continue
            for storage in self._entries[key].storages():
                storage.to(self.host)
            self._spilled.add(key)
        for key in list(self._entries):
            if self.bytes(True) <= self.host_budget:
                break
            if key in self._spilled:
                del self._entries[key]
                self._spilled.discard(key)
