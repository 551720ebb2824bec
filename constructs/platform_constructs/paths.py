"""Where generated helper files live: the repository's ``build/`` folder, wherever ``infra`` is run from.

``$INFRA_WORK_DIR`` overrides it (CI caches, read-only checkouts).
"""

from __future__ import annotations

import os
from pathlib import Path

#: constructs/platform_constructs/paths.py -> the repository root
REPO_ROOT = Path(__file__).resolve().parents[2]


def work_dir() -> Path:
    configured = os.environ.get("INFRA_WORK_DIR")
    return Path(configured).resolve() if configured else REPO_ROOT / "build"


def cli_config_path() -> Path:
    """The generated Terraform CLI config (provider mirror)."""
    return work_dir() / "terraform" / "cli.tfrc"


def schema_cache_dir() -> Path:
    return work_dir() / "schema"
