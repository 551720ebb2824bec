"""docs/registry.md promises that onboarding a service in the root platform.yaml never breaks the tests.

The proof is the promise itself: a scratch clone whose root registry has a new service, exactly as the page
says to add one, runs the fast suite from its root and must stay green. Before the suite pinned
``$INFRA_PLATFORM`` to the embedded registry (tests/conftest.py), a test that ran ``infra`` from the repo root
read the organisation's file and failed here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from platform_constructs.registry.edit import append_service
from support.doc_blocks import scratch_clone

#: the entry docs/registry.md shows under "Onboarding a service"
BILLING = {
    "name": "billing",
    "repo": "billing",
    "team": "payments",
    "owner": "billing-lead@acme.example",
    "cost_center": "CC-1004",
}
FAST = "not synth and not terraform and not moto and not checkov and not slow"


def _env(root: Path) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{root / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    for name in ("INFRA_PLATFORM", "PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    return env


@pytest.mark.slow
def test_a_service_onboarded_in_the_root_registry_keeps_the_fast_suite_green(tmp_path: Path) -> None:
    root = scratch_clone(tmp_path / "clone")
    registry = root / "platform.yaml"
    registry.write_text(append_service(registry.read_text(), BILLING))
    env = _env(root)

    # the edit is in effect: infra, run from the root without --platform, reads the organisation's file
    check = subprocess.run(
        [str(root / ".venv" / "bin" / "infra"), "registry", "check"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and "billing" in check.stdout, check.stderr

    suite = subprocess.run(
        [str(root / ".venv" / "bin" / "python"), "-m", "pytest", "-m", FAST, "-q", "-n", "2", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert suite.returncode == 0, suite.stdout[-6000:]
