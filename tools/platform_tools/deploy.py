"""``infra deploy STACK``: init, plan, show, confirm, apply one synthesized stack with the pinned engine.

The plan is saved and the exact saved plan is applied, so what was confirmed is what runs. Before Terraform
starts, a pre-flight asks STS who is calling and refuses (exit 6, with the fix) unless that identity may deploy
the stack's account (``deploy_preflight.py``).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from platform_constructs.errors import ConfigError, DeclinedError, Problem, TerraformError
from platform_constructs.paths import cli_config_path, state_dir, terraform_data_dir
from platform_constructs.registry import load_registry
from platform_constructs.tf import Terraform, write_cli_config
from platform_stacks.synth import synth
from platform_tools.deploy_preflight import caller_identity, provider_target


def _step(text: str) -> None:
    print(f"==> {text}", file=sys.stderr, flush=True)


def resolve_stack(stack: str, env: str | None, known: list[str]) -> str:
    """``STACK`` plus optional ``ENV`` → the synthesized stack id (``<concern>-<env>`` for per-env stacks).

    Shared stacks (the state backend) take no environment; asking for one is an error rather than a
    silent deploy of the shared stack.
    """
    if env and f"{stack}-{env}" in known:
        return f"{stack}-{env}"
    if stack in known and not env:
        return stack
    if stack in known:
        fix = f"{stack!r} serves every environment: omit ENV (make deploy STACK={stack})"
        raise ConfigError("deploy", [Problem("env", "this stack is not per environment", env, fix)])
    wanted = f"{stack}-{env}" if env else stack
    fix = f"one of: {', '.join(known)} (a per-environment stack <concern>-<env> is STACK=<concern> ENV=<env>)"
    raise ConfigError("deploy", [Problem("stack", "no such stack", wanted, fix)])


def _check_inputs(override_files: list[Path], backend_config: str | None, migrate: bool, reconfigure: bool) -> None:
    problems = [
        Problem(
            "--override-file",
            "Terraform only merges files named *_override.tf(.json)",
            str(f),
            "rename it, e.g. endpoints_override.tf.json",
        )
        for f in override_files
        if not f.name.endswith(("_override.tf", "_override.tf.json"))
    ]
    problems += [Problem("--override-file", "file not found", str(f)) for f in override_files if not f.is_file()]
    if backend_config and not Path(backend_config).is_file():
        problems.append(Problem("--backend-config", "file not found", backend_config))
    if migrate and reconfigure:
        problems.append(
            Problem(
                "--migrate-state/--reconfigure",
                "choose one",
                "both",
                "--migrate-state moves state; --reconfigure keeps it where it is",
            )
        )
    if problems:
        raise ConfigError("deploy", problems)


def _init_args(
    scope: str, stack: str, stack_dir: Path, *, backend_config: str | None, migrate: bool, reconfigure: bool
) -> list[str]:
    args = ["-input=false"]
    if "local" in json.loads((stack_dir / "cdk.tf.json").read_text()).get("terraform", {}).get("backend", {}):
        (state_dir() / scope).mkdir(parents=True, exist_ok=True)
        args.append(f"-backend-config=path={state_dir() / scope / f'{stack}.tfstate'}")
    if backend_config:
        args.append(f"-backend-config={Path(backend_config).resolve()}")
    # Neither flag by default: when the backend changed since the last init, Terraform stops and says so,
    # instead of silently starting on an empty state in the new backend (which would plan to recreate
    # everything). The user then chooses: --migrate-state (move the state) or --reconfigure (same state,
    # new settings, e.g. another lock style).
    if migrate:
        args += ["-migrate-state", "-force-copy"]
    elif reconfigure:
        args.append("-reconfigure")
    return args


def _confirmed(stack: str, ask: Callable[[str], str]) -> bool:
    try:
        return ask(f"Apply this plan to stack {stack!r}? Only 'yes' applies: ").strip() == "yes"
    except EOFError:  # no terminal (CI without --yes): nobody said yes
        return False


def deploy(
    stack: str,
    *,
    env: str | None = None,
    platform: str | None = None,
    outdir: str = "cdktf.out",
    yes: bool = False,
    plan_only: bool = False,
    migrate_state: bool = False,
    reconfigure: bool = False,
    override_files: list[Path] | None = None,
    backend_config: str | None = None,
    ask: Callable[[str], str] = input,
) -> int:
    overrides = override_files or []
    _check_inputs(overrides, backend_config, migrate_state, reconfigure)
    _step("synth")
    result = synth(platform, outdir)
    scope = load_registry(platform).scope
    stack = resolve_stack(stack, env, result.stacks)
    stack_dir = Path(outdir) / "stacks" / stack
    for f in overrides:
        shutil.copyfile(f, stack_dir / f.name)
    _step("pre-flight: the caller's AWS identity (STS GetCallerIdentity)")
    identity = caller_identity(stack, provider_target(stack_dir))
    via = f", deploying as {identity.role_arn}" if identity.role_arn else ""
    _step(f"pre-flight: {identity.arn} in account {identity.account}{via}: allowed for {stack}")

    data_dir = terraform_data_dir(scope, stack)
    tf = Terraform(stack_dir, cli_config=write_cli_config(cli_config_path()), data_dir=data_dir)
    # Every synth replaces cdktf.out/, and with it the provider lock file init writes there; keep the
    # lock file with the stack's Terraform data so provider checksums stay pinned between deploys.
    lock_file, kept_lock = stack_dir / ".terraform.lock.hcl", data_dir / ".terraform.lock.hcl"
    if kept_lock.is_file() and not lock_file.exists():
        shutil.copyfile(kept_lock, lock_file)
    _step(f"terraform init ({stack})")
    init = _init_args(
        scope, stack, stack_dir, backend_config=backend_config, migrate=migrate_state, reconfigure=reconfigure
    )
    if tf.run("init", *init, check=False, stream=True).returncode != 0:
        raise TerraformError(f"terraform init failed for {stack}")
    if lock_file.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lock_file, kept_lock)
    plan_file = data_dir / "deploy.tfplan"
    _step("terraform plan")
    plan = tf.run("plan", "-input=false", f"-out={plan_file}", "-detailed-exitcode", check=False, stream=True)
    if plan.returncode == 1:
        raise TerraformError(f"terraform plan failed for {stack}")
    if plan.returncode == 0:
        _step("no changes; nothing to apply")
        return 0
    if plan_only:
        return 0
    if not yes and not _confirmed(stack, ask):
        raise DeclinedError("not applied: the answer was not 'yes'")
    _step("terraform apply (the saved plan)")
    if tf.run("apply", "-input=false", str(plan_file), check=False, stream=True).returncode != 0:
        raise TerraformError(f"terraform apply failed for {stack}")
    return 0
