"""Locating the local provider mirror (a ``filesystem_mirror`` layout) that replaces the registry offline.

Terraform accepts two layouts and so do we: unpacked,
``<mirror>/registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/terraform-provider-aws_*``, and packed
(what ``terraform providers mirror`` writes),
``<mirror>/registry.terraform.io/hashicorp/aws/terraform-provider-aws_<version>_<os>_<arch>.zip``.
The location comes from ``$INFRA_PROVIDER_MIRROR`` or the first of :data:`CANDIDATES` that holds the AWS
provider. Tests that need it skip when it is missing, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

from platform_constructs.errors import PrerequisiteError

ENV_VAR = "INFRA_PROVIDER_MIRROR"
CANDIDATES = (
    "/opt/tf-plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
)
PROVIDER = "registry.terraform.io/hashicorp/aws"


class MirrorNotFoundError(PrerequisiteError):
    """No usable provider mirror: a set-up problem the user fixes (exit code 6), not a bug."""


@dataclass(frozen=True)
class ProviderMirror:
    path: Path
    aws_versions: tuple[str, ...]


def _platform_dir() -> str:
    arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine(), platform.machine())
    return f"{platform.system().lower()}_{arch}"


def _aws_versions(root: Path) -> tuple[str, ...]:
    base = root / PROVIDER
    if not base.is_dir():
        return ()
    plat = _platform_dir()
    unpacked = {
        v.name
        for v in base.iterdir()
        if (v / plat).is_dir() and any(f.name.startswith("terraform-provider-aws") for f in (v / plat).iterdir())
    }
    packed = {
        m.group(1)
        for f in base.iterdir()
        if (m := re.fullmatch(rf"terraform-provider-aws_([0-9][^_]*)_{plat}\.zip", f.name))
    }
    return tuple(sorted(unpacked | packed))


def find_mirror() -> ProviderMirror:
    configured = os.environ.get(ENV_VAR)
    candidates = [configured] if configured else list(CANDIDATES)
    for candidate in candidates:
        root = Path(candidate).expanduser()
        versions = _aws_versions(root)
        if versions:
            return ProviderMirror(root.resolve(), versions)
    where = f"${ENV_VAR}={configured}" if configured else ", ".join(CANDIDATES)
    raise MirrorNotFoundError(
        f"no hashicorp/aws provider for {_platform_dir()} found in {where}. Set {ENV_VAR} to a folder "
        f"laid out as <dir>/{PROVIDER}/<version>/{_platform_dir()}/terraform-provider-aws_* (unpacked) or "
        f"<dir>/{PROVIDER}/terraform-provider-aws_<version>_{_platform_dir()}.zip (packed; "
        "`terraform providers mirror -platform=" + _platform_dir() + " <dir>` on a connected machine writes it)."
    )
