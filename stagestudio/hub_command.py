"""The download command to print for a Hugging Face repository: the one the installed
huggingface_hub actually ships.

huggingface_hub 0.34 added the `hf` command and 1.0 removed `huggingface-cli`; printing the
wrong one sends a person to "command not found". The installed distribution's console
entry points decide, so the advice is right for whatever version pip chose.
"""

from __future__ import annotations

import shlex
from importlib import metadata

HUB_DISTRIBUTION = "huggingface_hub"
# Newest first: the first one the installed version provides is printed.
HUB_PROGRAMS = ("hf", "huggingface-cli")


def hub_programs() -> set[str]:
    """Console commands the installed huggingface_hub provides (empty if not installed)."""
    try:
        dist = metadata.distribution(HUB_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return set()
    return {ep.name for ep in dist.entry_points if ep.group == "console_scripts"}


def download_command(repo_id: str, local_dir: str | None = None) -> str:
    """A shell command that downloads `repo_id` (into `local_dir`, if given)."""
    target = f" --local-dir {shlex.quote(str(local_dir))}" if local_dir else ""
    installed = hub_programs()
    for program in HUB_PROGRAMS:
        if program in installed:
            return f"{program} download {shlex.quote(repo_id)}{target}"
    # Not installed (or a build without its commands): install a version with `hf` first.
    return f"pip install 'huggingface_hub>=0.34' && hf download {shlex.quote(repo_id)}{target}"
