"""The committed catalog (modules_out/) as service repos receive it: current, well-formed, valid, scanned, plannable.

Per-module behaviour (equivalence of the three forms, every validation block and precondition) is in
tests/test_catalog_<module>.py; this file holds what every module and example must satisfy.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest

from platform_constructs.catalog import MODULES, available, construct_class
from platform_constructs.tf import Terraform
from support.catalog import CATALOG, OFFLINE_PROVIDER

MODULE_NAMES = available()
EXAMPLES = sorted(
    str(p.parent.relative_to(CATALOG)) for p in CATALOG.glob("**/examples/*/main.tf") if ".terraform" not in p.parts
)
#: the catalog aims at <= 25 inputs per module; exceptions carry their reason
INPUT_BUDGET = {
    # create_kms_key: "create a key unless an ARN is given" must be a switch, because an ARN created in the
    # caller's apply is unknown at plan time and count must be known (and scanners evaluate a bool)
    "rds": 26,
    # name, sidecars, firelens: each new knob is one input (a map of objects, an object, the name segment every
    # module has); folding existing inputs into objects to stay at 25 would break every caller for a count
    "ecs_service": 28,
}
REQUIRED_FILES = ("versions.tf", "variables.tf", "main.tf", "outputs.tf", "README.md")


def test_every_registered_module_exists() -> None:
    assert list(MODULES) == MODULE_NAMES, f"constructs missing for {set(MODULES) - set(MODULE_NAMES)}"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_layout_and_interface_rules(name: str) -> None:
    folder = CATALOG / name
    for filename in REQUIRED_FILES:
        assert (folder / filename).is_file(), f"{name}/{filename} missing"
    assert list((folder / "examples").glob("*/main.tf")), f"{name} has no example"
    versions = hcl2.loads((folder / "versions.tf").read_text())["terraform"][0]
    assert versions["required_version"].strip('"') == ">= 1.5"
    assert versions["required_providers"][0]["aws"]["version"].strip('"')
    variables = hcl2.loads((folder / "variables.tf").read_text()).get("variable", [])
    inputs = construct_class(name).PROPS.inputs()
    budget = INPUT_BUDGET.get(name, 25)
    assert len(variables) == len(inputs) <= budget, f"{name}: {len(variables)} inputs (budget {budget})"
    for block in variables:
        ((var_name, body),) = block.items()
        assert body.get("description"), f"{name}: variable {var_name} has no description"
        assert "type" in body, f"{name}: variable {var_name} has no type"
    outputs = hcl2.loads((folder / "outputs.tf").read_text()).get("output", [])
    assert outputs, f"{name} has no outputs"
    for block in outputs:
        ((out_name, body),) = block.items()
        assert body.get("description"), f"{name}: output {out_name} has no description"
    text = (folder / "main.tf").read_text()
    assert 'provider "' not in text, "modules must not configure providers"
    assert "aws_caller_identity" not in text, "modules make no AWS API calls at plan time"


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_readme_documents_every_input_and_output_and_pins_a_tag(name: str) -> None:
    readme = (CATALOG / name / "README.md").read_text()
    for inp in construct_class(name).PROPS.inputs():
        assert f"| `{inp.name}` |" in readme
    for block in hcl2.loads((CATALOG / name / "outputs.tf").read_text()).get("output", []):
        assert f"| `{next(iter(block)).strip(chr(34))}` |" in readme
    assert re.search(rf'source = "git::https://[^"]+//modules_out/{name}\?ref=v\d+\.\d+\.\d+"', readme), (
        "usage must pin ?ref"
    )


@pytest.mark.synth
@pytest.mark.terraform
def test_committed_catalog_is_a_fresh_export(repo_root: Path, tf_cli_config: Path) -> None:
    """CI fails when modules_out/ is stale: regenerating from the constructs gives no diff."""
    from platform_tools.catalog_export import StaleCatalogError, check_catalog

    try:
        check_catalog(repo_root / "platform.yaml", CATALOG)
    except StaleCatalogError as err:
        pytest.fail(str(err), pytrace=False)


@pytest.mark.terraform
def test_catalog_is_fmt_clean(terraform: Callable[..., Terraform]) -> None:
    result = terraform(CATALOG).fmt_check()
    assert result.returncode == 0, result.stdout


@pytest.mark.terraform
@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_validates(name: str, terraform: Callable[..., Terraform], tmp_path: Path) -> None:
    work = tmp_path / name
    shutil.copytree(CATALOG / name, work, ignore=shutil.ignore_patterns("examples"))
    tf = terraform(work)
    tf.init(backend=False)
    result = tf.validate()
    assert result["valid"], result["diagnostics"]
    assert result["warning_count"] == 0, result["diagnostics"]


def _tag_keys(value: Any) -> set[str]:
    return set(value) if isinstance(value, dict) else set()


#: ids and ARNs that callers usually pass from other resources' attributes (unknown until apply)
COMPUTED = re.compile(r"^(?:vpc|subnet|sg|pl)-[0-9a-f]+$|^arn:aws:")


def _computed_copy(example: Path) -> Path:
    """Rewrite an example so every id/ARN it passes is only known after apply.

    Variables whose default is an id or ARN (or a list/map of them) are read through a
    ``terraform_data`` resource, whose ``output`` is unknown at plan time, as the attribute of a resource
    created in the same configuration would be. A module that decides ``count``/``for_each`` from such a
    value ("create a key when none is given") fails this plan with "Invalid count argument".
    """
    computed = {}
    for tf_file in example.glob("*.tf"):
        for block in hcl2.loads(tf_file.read_text()).get("variable", []):
            ((name, body),) = block.items()
            default = body.get("default")
            values = (
                [default]
                if isinstance(default, str)
                else list(default)
                if isinstance(default, list)
                else list(default.values())
                if isinstance(default, dict)
                else []
            )
            if values and all(isinstance(v, str) and COMPUTED.match(v.strip('"')) for v in values):
                computed[name.strip('"')] = default
    for tf_file in example.glob("*.tf"):
        text = tf_file.read_text()
        for name in computed:
            text = re.sub(rf"\bvar\.{name}\b", f"terraform_data.computed.output.{name}", text)
        tf_file.write_text(text)
    (example / "computed.tf.json").write_text(
        json.dumps({"resource": {"terraform_data": {"computed": {"input": computed}}}}, indent=2)
    )
    return example


@pytest.mark.terraform
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_plans_when_ids_come_from_other_resources(
    example: str, terraform: Callable[..., Terraform], tmp_path: Path
) -> None:
    """Every example plans with the real provider (offline: fake credentials, nothing looked up) even when the
    ids it passes are computed: modules compose (outputs of one, unknown at plan, feed another without
    breaking count/for_each), every taggable resource carries the identity tags, and the plan passes the
    guardrail policies service repos are held to (policy/, the same runner as `infra policy check`), among them
    unique_names: no two resources of the example take one name."""
    copy = tmp_path / "modules_out"
    shutil.copytree(CATALOG, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    work = _computed_copy(copy / example)
    (work / "offline_override.tf.json").write_text(OFFLINE_PROVIDER)
    tf = terraform(work)
    tf.init(backend=False)
    validation = tf.validate()
    assert validation["valid"], validation["diagnostics"]
    result = tf.run("plan", "-input=false", "-no-color", "-lock=false", f"-out={tmp_path / 'plan.bin'}", check=False)
    assert result.returncode == 0, result.stderr
    plan = tf.show_json(str(tmp_path / "plan.bin"))
    _assert_creates_tagged_resources(plan)
    _assert_passes_the_policies(plan)


def _assert_passes_the_policies(plan: dict[str, Any]) -> None:
    from support.policy import check_everywhere

    findings = [
        f"{kind}: {result['msg']}"
        for report in check_everywhere(plan)
        for kind in ("failures", "warnings")
        for result in report[kind]
    ]
    assert not findings, "the example breaks the guardrail policies:\n" + "\n".join(findings)
    _assert_names_were_compared(plan)


def _assert_names_were_compared(plan: dict[str, Any]) -> None:
    """unique_names.rego found no two resources with one name above, and that is not because it had nothing to
    compare: the example plans resources whose names AWS keeps unique, with names known at plan time."""
    from platform_tools.guardrails.policy.data import name_namespaces

    spaces = name_namespaces()
    known = [
        rc["address"]
        for rc in plan["resource_changes"]
        if rc["type"] in spaces
        and isinstance(rc["change"]["after"].get(spaces[rc["type"]]["attribute"]), str)
        and rc["change"]["after_unknown"].get(spaces[rc["type"]]["attribute"]) is not True
    ]
    assert known, "no resource whose name unique_names.rego compares"


def _assert_creates_tagged_resources(plan: dict[str, Any]) -> None:
    from platform_constructs.hcl import load_shapes

    changes = [rc for rc in plan["resource_changes"] if rc["mode"] == "managed" and rc["type"].startswith("aws_")]
    assert changes, "the example plans nothing"
    assert all(rc["change"]["actions"] == ["create"] for rc in changes)
    shapes = load_shapes()
    untagged = []
    for rc in changes:
        if "tags" not in shapes.resource("resource", rc["type"]).attributes:
            continue
        tags = _tag_keys(rc["change"]["after"].get("tags"))
        if not {"Environment", "Service", "ManagedBy"} <= tags:
            untagged.append(f"{rc['address']}: {sorted(tags)}")
    assert not untagged, "taggable resources without the module's identity tags:\n" + "\n".join(untagged)


CHECKOV_TARGETS = [*MODULE_NAMES, *EXAMPLES]


@pytest.mark.parametrize("target", CHECKOV_TARGETS)
def test_checkov_zero_failed_checks(target: str, checkov: str) -> None:
    """Each module alone and each example alone: checkov reports a module's resources once per scan, so one
    example's clean call would hide another example's failing inputs if they were scanned together."""
    from platform_tools.guardrails.checkov import run_checkov

    is_module = target in MODULE_NAMES
    report = run_checkov(CATALOG / target, *(["--skip-path", "examples"] if is_module else []))
    assert report.parsing_errors == 0
    assert report.failed == (), "\n".join(
        f"{f.check_id} {f.resource} ({f.file}): {f.check_name}" for f in report.failed
    )
    assert report.unjustified_skips == (), report.unjustified_skips
    assert report.passed > 0


def test_catalog_readme_has_semver_rules_and_changelog_conventions() -> None:
    readme = (CATALOG / "README.md").read_text()
    for phrase in ("## Versioning", "major", "minor", "patch", "## CHANGELOG conventions", "moved"):
        assert phrase in readme
    for name in MODULE_NAMES:
        assert f"[`{name}`]({name}/)" in readme
