"""Where the platform's data files are, in every install form: one resolver, used by every command.

The Rego policies, the CIS table and the skip registry, the scanner configurations and the service-repo
templates live at the top of the platform repository (``policy/``, ``templates/``, ``.checkov.yaml``,
``trivy.yaml``, ``.trivyignore``), where platform engineers edit and review them. A built wheel carries a copy
under ``platform_tools/_data`` (``setup.py`` copies :data:`DATA` at build time), so ``pip install`` of a
release tag is enough for a service repo's CI. Resolution, first match wins:

1. ``$INFRA_PLATFORM_ROOT``: a folder laid out like the repository root (for example a checkout of the
   platform repository at another ref). Set but wrong is an error, never a silent fallback to other data.
2. The copy inside the installed package (a wheel).
3. The checkout this code runs from (an editable install: ``make setup``, the tests).
"""

from __future__ import annotations

import os
from pathlib import Path

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.paths import checkout_root

ENV_VAR = "INFRA_PLATFORM_ROOT"
#: Repository-level files and folders the tools read; setup.py ships exactly these (a test keeps both equal).
DATA = ("policy", "templates", ".checkov.yaml", "trivy.yaml", ".trivyignore")
PACKAGED = Path(__file__).resolve().parent / "_data"


def _complete(root: Path) -> bool:
    return all((root / name).exists() for name in DATA)


def data_root() -> Path:
    """The folder holding :data:`DATA` (see the module docstring for the order)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        root = Path(configured).resolve()
        missing = [name for name in DATA if not (root / name).exists()]
        if missing:
            raise ConfigError(
                ENV_VAR,
                [
                    Problem(
                        ENV_VAR,
                        f"does not hold the platform's data ({', '.join(missing)} missing)",
                        str(root),
                        "point it at a checkout of the platform repository, or unset it to use the installed copy",
                    )
                ],
            )
        return root
    if _complete(PACKAGED):
        return PACKAGED
    checkout = checkout_root()
    if checkout is not None and _complete(checkout):
        return checkout
    raise ConfigError(
        "platform data",
        [
            Problem(
                "installation",
                "the policies, templates and scanner configs were not found",
                str(PACKAGED),
                f"reinstall the package from a wheel built by setup.py, or set {ENV_VAR} to a platform checkout",
            )
        ],
    )


def local_checkout() -> Path | None:
    """The platform repository this code runs from (an editable install), or None for an installed package."""
    return checkout_root()


def policy_dir() -> Path:
    return data_root() / "policy"


def templates_dir() -> Path:
    return data_root() / "templates"
