"""The Terraform CLI configuration of the plan job: providers only from the platform's allowlist.

Terraform installs providers by the rules of ``provider_installation``; listing the allowlist in ``include`` of
the only installation method means every other provider fails ``init`` before it could run. With a provider
mirror (offline tests, an air-gapped runner) the mirror is the only method; otherwise ``direct`` from the
registry, limited to the same list. The PR cannot replace this file: the job sets ``TF_CLI_CONFIG_FILE`` to it,
and the pre-flight refuses committed ``.terraform/`` and ``terraform.d/`` folders.
"""

from __future__ import annotations

import json
from pathlib import Path

from platform_tools.gate.settings import GateSettings


def cli_config(settings: GateSettings, provider_mirror: Path | None = None) -> str:
    include = json.dumps(list(settings.providers))
    if provider_mirror is not None:
        method = (
            f"  filesystem_mirror {{\n    path    = {json.dumps(str(provider_mirror))}\n    include = {include}\n  }}\n"
        )
    else:
        method = f"  direct {{\n    include = {include}\n  }}\n"
    return (
        "# Rendered by `infra gate settings` from platform.yaml (guardrails.sources.providers): the only providers\n"
        "# the PR's Terraform can install.\n"
        f"provider_installation {{\n{method}}}\n"
        "disable_checkpoint = true\n"
    )
