"""Importing bitsandbytes without its noise.

On CPUs with AVX512-BF16, bitsandbytes >= 0.49 tries at import time to fetch an optional kernel
from the Hugging Face "kernels-community" hub repository and logs a warning when the `kernels`
package is absent. Its own pure-CPU kernels work without it (our tests run NF4 on the CPU), so
the warning tells a user nothing they can act on; we drop exactly that record.
"""

from __future__ import annotations

import logging
from types import ModuleType

_LOGGER = "bitsandbytes.backends.cpu.ops"


class _DropKernelsCommunityWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "kernels-community" not in record.getMessage()


_FILTER = _DropKernelsCommunityWarning()


def quiet_bitsandbytes_logging() -> None:
    """Install the filter (idempotent); call before bitsandbytes is first imported."""
    logger = logging.getLogger(_LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def import_bitsandbytes() -> ModuleType:
    quiet_bitsandbytes_logging()
    import bitsandbytes

    return bitsandbytes
