"""backend.tf rendering: values, lock styles, refusing bad input, escaping that cannot be broken."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from platform_constructs.errors import ConfigError
from platform_constructs.registry import Registry
from platform_tools.service_files.backend import backend_tf
from platform_tools.service_files.render import render_service_files
from platform_tools.service_files.templating import hcl_string
from support.hcl import HOSTILE, backend_block, parse, unquote


def with_lock(registry: Registry, lock: str) -> Registry:
    return registry.model_copy(update={"state_backend": registry.state_backend.model_copy(update={"lock": lock})})


@pytest.mark.parametrize("service, env", [("fileflow", "dev"), ("crawlinghub", "stg"), ("authhub", "prod")])
def test_backend_values(registry: Registry, service: str, env: str) -> None:
    block = backend_block(backend_tf(registry, service, env))
    assert block["bucket"] == "acme-terraform-state-100000000000"
    assert block["key"] == f"{service}/{env}/terraform.tfstate"
    assert block["region"] == "ap-northeast-2"
    assert block["encrypt"] is True
    assert block["kms_key_id"] == "arn:aws:kms:ap-northeast-2:100000000000:alias/terraform-state-key"


@pytest.mark.parametrize(
    "lock, table, lockfile",
    [
        ("dynamodb", "terraform-state-lock", None),
        ("s3", None, True),
        ("both", "terraform-state-lock", True),
    ],
)
def test_lock_styles(registry: Registry, lock: str, table: str | None, lockfile: bool | None) -> None:
    text = backend_tf(with_lock(registry, lock), "fileflow", "dev")
    block = backend_block(text)
    assert block.get("dynamodb_table") == table
    assert block.get("use_lockfile") == lockfile
    required = parse(text)["terraform"][0].get("required_version")
    assert required == ('">= 1.11"' if lockfile else None)


def test_unknown_service_or_env_is_a_clear_error(registry: Registry) -> None:
    with pytest.raises(ConfigError) as info:
        backend_tf(registry, "billing", "qa")
    text = str(info.value)
    assert "service: is not registered in platform.yaml (got 'billing')" in text
    assert "env: is not an environment in platform.yaml (got 'qa')" in text
    assert "one of: fileflow, crawlinghub, authhub" in text


def test_cli_exit_code_and_message_for_unknown_service() -> None:
    infra = Path(sys.executable).parent / "infra"
    out = subprocess.run(
        [str(infra), "service", "backend", "billing", "dev"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 2
    assert "is not registered in platform.yaml" in out.stderr and out.stdout == ""


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hcl_string_escaping_round_trips(hostile: str) -> None:
    """Whatever reaches a template stays one literal string: no new attribute, no interpolation."""
    text = f"x = {hcl_string(hostile)}\n"
    data = parse(text)
    assert list(data) == ["x"]
    assert unquote(data["x"]) == hostile


def test_injection_through_an_unvalidated_registry_still_renders_literal(registry: Registry) -> None:
    """Defence in depth: even a registry built without validation cannot inject HCL."""
    evil_service = registry.services[0].model_copy(update={"name": 'x"\n  use_lockfile = false #'})
    evil = registry.model_copy(update={"services": (evil_service, *registry.services[1:])})
    text = backend_tf(evil, evil_service.name, "dev")
    assert [k for k in parse(text) if k != "__comments__"] == ["terraform"]
    block = backend_block(text)
    assert block["key"] == f"{evil_service.name}/dev/terraform.tfstate"
    assert block["use_lockfile"] is True


def test_render_all_replaces_the_folder_and_refuses_foreign_ones(registry: Registry, tmp_path: Path) -> None:
    out = tmp_path / "services"
    written = render_service_files(registry, out)
    # per service: backend.tf for each of the 3 environments, the infra-checks caller workflow, infracost.yml,
    # and the CODEOWNERS that gives the gate's files to the platform team
    assert len(written) == 18 and all(p.is_file() for p in written)
    assert (out / "fileflow" / ".github" / "workflows" / "infra-checks.yml").is_file()
    assert (out / "fileflow" / "infracost.yml").is_file()
    assert (out / "fileflow" / ".github" / "CODEOWNERS").is_file()
    # a service that leaves the registry leaves the rendered tree too
    fewer = registry.model_copy(update={"services": registry.services[:1]})
    assert len(render_service_files(fewer, out)) == 6
    assert not (out / "authhub").exists()
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "keep.md").write_text("mine")
    with pytest.raises(ConfigError, match="was not rendered by infra"):
        render_service_files(registry, foreign)
    assert (foreign / "keep.md").read_text() == "mine"


def test_render_follows_the_services_environments_and_working_directory(registry: Registry, tmp_path: Path) -> None:
    # backend.tf must sit where the PR check plans (working_directory) and only for the environments it plans:
    # a dev-only service with its Terraform under deploy/tf gets exactly deploy/tf/environments/dev/backend.tf.
    only_dev = registry.services[0].model_copy(update={"environments": ("dev",), "working_directory": "deploy/tf"})
    narrowed = registry.model_copy(update={"services": (only_dev, *registry.services[1:])})
    out = tmp_path / "services"
    written = {
        p.relative_to(out / only_dev.name).as_posix()
        for p in render_service_files(narrowed, out)
        if p.is_relative_to(out / only_dev.name)
    }
    assert sorted(p for p in written if p.endswith("backend.tf")) == ["deploy/tf/environments/dev/backend.tf"]
    infracost = (out / only_dev.name / "infracost.yml").read_text()
    assert "deploy/tf/environments/dev" in infracost and "environments/prod" not in infracost


def test_a_backend_for_an_environment_the_service_skips_is_refused(registry: Registry) -> None:
    only_dev = registry.services[0].model_copy(update={"environments": ("dev",)})
    narrowed = registry.model_copy(update={"services": (only_dev, *registry.services[1:])})
    with pytest.raises(ConfigError) as info:
        backend_tf(narrowed, only_dev.name, "prod")
    (problem,) = info.value.problems
    assert problem.path == "env" and "does not deploy to 'prod'" in problem.message and "dev" in problem.fix
