"""Where local working files live: beside the checkout for platform engineers, beside the caller otherwise.

In the platform repository (an editable install) that is the repository root, wherever ``infra`` is run
from; an installed package has no checkout, so it uses the working directory. Each location has an
environment variable that overrides it (CI caches, read-only checkouts).
"""

from __future__ import annotations

import os
from pathlib import Path

#: constructs/platform_constructs/paths.py -> the repository root (when this file is in a checkout)
_CANDIDATE = Path(__file__).resolve().parents[2]


def checkout_root() -> Path | None:
    """The platform repository this code runs from, or None for an installed package (site-packages)."""
    if (_CANDIDATE / "pyproject.toml").is_file() and (_CANDIDATE / "constructs" / "platform_constructs").is_dir():
        return _CANDIDATE
    return None


def local_root() -> Path:
    """The checkout, else the working directory: where local working files and outputs go by default."""
    return checkout_root() or Path.cwd()


def work_dir() -> Path:
    """Generated helper files (Terraform CLI config, schema cache): ``<root>/build``; ``$INFRA_WORK_DIR`` overrides."""
    configured = os.environ.get("INFRA_WORK_DIR")
    return Path(configured).resolve() if configured else local_root() / "build"


def cli_config_path() -> Path:
    """The generated Terraform CLI config (provider mirror)."""
    return work_dir() / "terraform" / "cli.tfrc"


def schema_cache_dir() -> Path:
    return work_dir() / "schema"


def state_dir() -> Path:
    """Local state of bootstrap stacks before they migrate into S3 (``$INFRA_STATE_DIR`` overrides).

    The repository's ``.state/`` (a sub-folder per registry scope, ``{org}-{platform account}``), wherever
    ``infra`` runs and whatever the output folder: the synthesized
    local backend path points here from ``cdktf.out/stacks/<stack>/``, and ``infra deploy`` passes the
    absolute path, so another ``--out`` cannot leave the bootstrap state somewhere it will not be found.
    """
    configured = os.environ.get("INFRA_STATE_DIR")
    return Path(configured).resolve() if configured else local_root() / ".state"


def terraform_data_dir(scope: str, stack: str) -> Path:
    """``TF_DATA_DIR`` of a deployed stack: the repository's ``.terraform-data/<scope>/<stack>``.

    Outside ``cdktf.out/`` (every synth replaces it) and outside ``build/`` (``make clean`` removes it): it
    records the backend a stack was initialised with, which ``--migrate-state`` needs to find the local
    state it moves. ``$INFRA_TERRAFORM_DATA_DIR`` overrides the root.
    """
    configured = os.environ.get("INFRA_TERRAFORM_DATA_DIR")
    root = Path(configured).resolve() if configured else local_root() / ".terraform-data"
    return root / scope / stack
