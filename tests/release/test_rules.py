"""Each bump rule, proven on a real git repository: release v1.0.0, change one thing, ask for the bump.

Every scenario copies a repository whose small catalog (``box`` and ``tiny``) is tagged v1.0.0, commits
one change, and runs the release planner (everything a release does except writing). The test asserts
the rule that fired and the minimum bump it forces; ``test_every_rule_has_a_scenario`` keeps the table
(``RULES``) and the scenarios in step.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from platform_tools.release.command import plan_release
from platform_tools.release.diff import RULES, constraint_change
from platform_tools.release.hcl_eval import Scope, evaluate
from platform_tools.release.version import Bump
from support.release import LINKS, Seam, commit_all, copy_repo, git_env, request

Mutation = Callable[[Path], None]


def edit(rel: str, old: str, new: str) -> Mutation:
    def apply(catalog: Path) -> None:
        path = catalog / rel
        text = path.read_text()
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1))

    return apply


def append(rel: str, text: str) -> Mutation:
    def apply(catalog: Path) -> None:
        path = catalog / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((path.read_text() if path.exists() else "") + "\n" + text)

    return apply


def both(*steps: Mutation) -> Mutation:
    def apply(catalog: Path) -> None:
        for step in steps:
            step(catalog)

    return apply


def remove(rel: str) -> Mutation:
    def apply(catalog: Path) -> None:
        target = catalog / rel
        shutil.rmtree(target) if target.is_dir() else target.unlink()

    return apply


VARS = "box/variables.tf"
MAIN = "box/main.tf"
OUTS = "box/outputs.tf"
VERS = "box/versions.tf"
RULES_VAR = """variable "rules" {
  description = "Lifecycle rules by key."
  type        = map(object({ days = number }))
  default     = {}
}
"""
PRECONDITION = """
    precondition {
      condition     = !startswith(var.name, "xn--")
      error_message = "Bucket names must not start with xn--."
    }
"""


def off_switch(var: str, meta: str) -> Mutation:
    """A new resource behind ``meta`` plus the variable it reads (default off)."""
    return both(
        append(VARS, var),
        append(MAIN, f'resource "aws_s3_bucket_policy" "extra" {{\n  {meta}\n  bucket = "b"\n  policy = "{{}}"\n}}\n'),
    )


# (id, mutation, rule expected among the changes, minimum bump)
SCENARIOS: list[tuple[str, Mutation, str, Bump]] = [
    # -- major
    ("module removed", remove("tiny"), "module-removed", Bump.MAJOR),
    ("variable removed", edit(VARS, RULES_VAR, ""), "variable-removed", Bump.MAJOR),
    ("variable renamed", edit(VARS, 'variable "rules"', 'variable "lifecycle_rules"'), "variable-removed", Bump.MAJOR),
    (
        "new required variable",
        append(VARS, 'variable "owner" {\n  description = "Owner."\n  type = string\n}\n'),
        "variable-required-added",
        Bump.MAJOR,
    ),
    ("optional made required", edit(VARS, "  default     = true\n", ""), "variable-now-required", Bump.MAJOR),
    ("default changed", edit(VARS, "default     = true", "default     = false"), "default-changed", Bump.MAJOR),
    (
        "type narrowed (new required attribute)",
        edit(VARS, "object({ days = number })", "object({ days = number, prefix = string })"),
        "variable-type-narrowed",
        Bump.MAJOR,
    ),
    ("type narrowed (element)", edit(VARS, "list(string)", "list(number)"), "variable-type-narrowed", Bump.MAJOR),
    ("type to any", edit(VARS, "list(string)", "any"), "variable-type-narrowed", Bump.MAJOR),
    (
        "nullable changed",
        edit(VARS, "nullable    = false", "nullable    = true"),
        "variable-nullable-changed",
        Bump.MAJOR,
    ),
    ("validation condition stricter", edit(VARS, "<= 63", "<= 40"), "validation-added", Bump.MAJOR),
    (
        "validation added",
        edit(
            VARS,
            "  type        = list(string)\n",
            "  type        = list(string)\n  validation {\n    condition     = length(var.readers) < 10\n"
            '    error_message = "At most 9 readers."\n  }\n',
        ),
        "validation-added",
        Bump.MAJOR,
    ),
    ("precondition stricter", edit(MAIN, '"xn--"', '"xn-"'), "precondition-added", Bump.MAJOR),
    ("output removed", edit(OUTS, 'output "bucket_arn"', 'output "arn"'), "output-removed", Bump.MAJOR),
    (
        "output made sensitive",
        edit(OUTS, "aws_s3_bucket.this.arn\n", "aws_s3_bucket.this.arn\n  sensitive   = true\n"),
        "output-now-sensitive",
        Bump.MAJOR,
    ),
    (
        "resource removed",
        edit(MAIN, 'resource "aws_s3_bucket_versioning" "this"', 'data "aws_s3_bucket" "other"'),
        "address-removed",
        Bump.MAJOR,
    ),
    (
        "resource renamed without moved",
        edit(MAIN, 'resource "aws_s3_bucket_versioning" "this"', 'resource "aws_s3_bucket_versioning" "main"'),
        "address-removed",
        Bump.MAJOR,
    ),
    (
        "count added to an existing resource",
        edit(
            MAIN,
            "  bucket = aws_s3_bucket.this.id\n",
            "  count  = var.versioning ? 1 : 0\n  bucket = aws_s3_bucket.this.id\n",
        ),
        "repetition-changed",
        Bump.MAJOR,
    ),
    (
        "new resource created by default",
        append(MAIN, 'resource "aws_s3_bucket_policy" "p" {\n  bucket = "b"\n  policy = "{}"\n}\n'),
        "resource-added-on",
        Bump.MAJOR,
    ),
    (
        "new resource on a switch that defaults on",
        off_switch('variable "policy" {\n  type = bool\n  default = true\n}\n', "count = var.policy ? 1 : 0"),
        "resource-added-on",
        Bump.MAJOR,
    ),
    (
        "new resource on a required input (not provably off)",
        append(
            MAIN,
            'resource "aws_s3_bucket_policy" "p" {\n  count = var.name == "" ? 0 : 1\n'
            '  bucket = "b"\n  policy = "{}"\n}\n',
        ),
        "resource-added-on",
        Bump.MAJOR,
    ),
    (
        "new resource over a null default (Terraform rejects a null for_each)",
        off_switch('variable "grants" {\n  type = map(string)\n  default = null\n}\n', "for_each = var.grants"),
        "resource-added-on",
        Bump.MAJOR,
    ),
    (
        "new module call",
        append(MAIN, 'module "logs" {\n  source = "../tiny"\n}\n'),
        "resource-added-on",
        Bump.MAJOR,
    ),
    ("terraform floor raised", edit(VERS, '">= 1.5"', '">= 1.7"'), "terraform-version-narrowed", Bump.MAJOR),
    ("provider ceiling lowered", edit(VERS, "< 7.0", "< 6.0"), "provider-version-narrowed", Bump.MAJOR),
    (
        "provider floor raised (~>)",
        edit(VERS, '">= 5.100, < 7.0"', '"~> 6.0"'),
        "provider-version-narrowed",
        Bump.MAJOR,
    ),
    (
        "provider added",
        edit(
            VERS,
            "  required_providers {\n",
            '  required_providers {\n    random = {\n      source = "hashicorp/random"\n    }\n',
        ),
        "provider-added",
        Bump.MAJOR,
    ),
    # -- minor
    (
        "module added",
        both(append("extra/versions.tf", 'terraform {\n  required_version = ">= 1.5"\n}\n')),
        "module-added",
        Bump.MINOR,
    ),
    (
        "new optional variable",
        append(VARS, 'variable "owner" {\n  description = "Owner."\n  type = string\n  default = null\n}\n'),
        "variable-optional-added",
        Bump.MINOR,
    ),
    (
        "required made optional",
        edit(VARS, "  type        = string\n", '  type        = string\n  default     = "box"\n'),
        "variable-now-optional",
        Bump.MINOR,
    ),
    (
        "type widened (optional attribute)",
        edit(VARS, "object({ days = number })", 'object({ days = number, prefix = optional(string, "") })'),
        "variable-type-widened",
        Bump.MINOR,
    ),
    (
        "validation removed",
        edit(
            VARS,
            "  validation {\n    condition     = length(var.name) <= 63\n"
            '    error_message = "At most 63 characters."\n  }\n',
            "",
        ),
        "validation-removed",
        Bump.MINOR,
    ),
    (
        "precondition removed",
        edit(MAIN, "  lifecycle {" + PRECONDITION + "  }\n", ""),
        "precondition-removed",
        Bump.MINOR,
    ),
    (
        "output added",
        append(OUTS, 'output "bucket_id" {\n  description = "Id."\n  value = aws_s3_bucket.this.id\n}\n'),
        "output-added",
        Bump.MINOR,
    ),
    (
        "new resource: var.x ? 1 : 0, default false",
        off_switch('variable "policy" {\n  type = bool\n  default = false\n}\n', "count = var.policy ? 1 : 0"),
        "resource-added-off",
        Bump.MINOR,
    ),
    (
        "new resource: var.x == null ? 0 : 1",
        off_switch('variable "policy" {\n  type = string\n  default = null\n}\n', "count = var.policy == null ? 0 : 1"),
        "resource-added-off",
        Bump.MINOR,
    ),
    (
        "new resource: var.x != null ? 1 : 0",
        off_switch('variable "policy" {\n  type = string\n  default = null\n}\n', "count = var.policy != null ? 1 : 0"),
        "resource-added-off",
        Bump.MINOR,
    ),
    (
        "new resource: length(var.x) > 0 ? 1 : 0",
        off_switch(
            'variable "grants" {\n  type = list(string)\n  default = []\n}\n', "count = length(var.grants) > 0 ? 1 : 0"
        ),
        "resource-added-off",
        Bump.MINOR,
    ),
    (
        "new resource: for_each = var.x, default {}",
        off_switch('variable "grants" {\n  type = map(string)\n  default = {}\n}\n', "for_each = var.grants"),
        "resource-added-off",
        Bump.MINOR,
    ),
    (
        "new resource: for_each = toset(var.x), default []",
        off_switch('variable "grants" {\n  type = list(string)\n  default = []\n}\n', "for_each = toset(var.grants)"),
        "resource-added-off",
        Bump.MINOR,
    ),
    (
        "new resource: for expression over an empty default, through a local",
        both(
            edit(MAIN, "locals {\n", 'locals {\n  grants = { for k, v in var.grants : k => v if v != "" }\n'),
            off_switch('variable "grants" {\n  type = map(string)\n  default = {}\n}\n', "for_each = local.grants"),
        ),
        "resource-added-off",
        Bump.MINOR,
    ),
    ("data source added", append(MAIN, 'data "aws_caller_identity" "me" {}\n'), "data-source-added", Bump.MINOR),
    (
        "resource renamed with a moved block",
        both(
            edit(MAIN, 'resource "aws_s3_bucket_versioning" "this"', 'resource "aws_s3_bucket_versioning" "main"'),
            append(
                MAIN, "moved {\n  from = aws_s3_bucket_versioning.this\n  to   = aws_s3_bucket_versioning.main\n}\n"
            ),
        ),
        "address-moved",
        Bump.MINOR,
    ),
    ("terraform floor lowered", edit(VERS, '">= 1.5"', '">= 1.4"'), "terraform-version-widened", Bump.MINOR),
    ("provider ceiling raised", edit(VERS, "< 7.0", "< 8.0"), "provider-version-widened", Bump.MINOR),
    # -- patch
    (
        "validation message only",
        edit(VARS, "At most 63 characters.", "Bucket names have at most 63 characters."),
        "validation-message-changed",
        Bump.PATCH,
    ),
    (
        "precondition message only",
        edit(MAIN, "must not start with xn--.", "cannot start with xn--."),
        "precondition-message-changed",
        Bump.PATCH,
    ),
    (
        "description",
        edit(VARS, "Keep old versions of objects.", "Keep previous object versions."),
        "description-changed",
        Bump.PATCH,
    ),
    (
        "variable marked sensitive",
        edit(VARS, "  type        = list(string)\n", "  type        = list(string)\n  sensitive   = true\n"),
        "variable-sensitive-changed",
        Bump.PATCH,
    ),
    (
        "output expression",
        edit(OUTS, "aws_s3_bucket.this.arn", "aws_s3_bucket.this.arn # same\n"),
        "files-changed",
        Bump.PATCH,
    ),
    (
        "output value changed",
        edit(OUTS, "value       = aws_s3_bucket.this.bucket", "value       = aws_s3_bucket.this.id"),
        "output-value-changed",
        Bump.PATCH,
    ),
    ("output no longer sensitive", edit(OUTS, "  sensitive   = true\n", ""), "output-no-longer-sensitive", Bump.PATCH),
    ("resource arguments (main.tf body)", edit(MAIN, "  tags   = local.tags\n", ""), "resource-changed", Bump.PATCH),
    (
        "locals",
        edit(MAIN, 'ManagedBy = "terraform"', 'ManagedBy = "terraform", Catalog = "acme"'),
        "locals-changed",
        Bump.PATCH,
    ),
    ("data source removed", edit(MAIN, 'data "aws_partition" "current" {}\n', ""), "data-source-removed", Bump.PATCH),
    ("README", edit("box/README.md", "S3 bucket", "An S3 bucket"), "files-changed", Bump.PATCH),
    ("example", append("box/examples/basic/main.tf", "# versioning defaults to on\n"), "files-changed", Bump.PATCH),
    ("catalog README", append("README.md", "More words.\n"), "files-changed", Bump.PATCH),
]


def _plan_after(baseline: Path, tmp_path: Path, mutation: Mutation) -> tuple[Bump, list[str], list[str]]:
    repo = copy_repo(baseline, tmp_path / "repo")
    mutation(repo / "modules_out")
    commit_all(repo, "change")
    plan = plan_release(request(repo, dry_run=True), Seam(), LINKS)
    return plan.minimum, [c.kind for c in plan.changes], [c.text for c in plan.changes]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_rule(
    scenario: tuple[str, Mutation, str, Bump], baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, mutation, kind, bump = scenario
    git_env(monkeypatch)
    minimum, kinds, texts = _plan_after(baseline, tmp_path, mutation)
    assert kind in kinds, f"{case}: expected {kind}, got {kinds}: {texts}"
    assert minimum is bump, f"{case}: expected {bump}, got {minimum}: {list(zip(kinds, texts, strict=True))}"


def test_provider_removed_is_a_patch(baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_env(monkeypatch)
    repo = copy_repo(baseline, tmp_path / "repo")
    versions = repo / "modules_out" / "box" / "versions.tf"
    versions.write_text(
        versions.read_text().replace(
            "  required_providers {\n",
            '  required_providers {\n    random = {\n      source = "hashicorp/random"\n    }\n',
        )
    )
    commit_all(repo, "random provider")
    from support.release import record_release

    record_release(repo, "2.0.0")
    versions.write_text(versions.read_text().replace('    random = {\n      source = "hashicorp/random"\n    }\n', ""))
    commit_all(repo, "no random provider")
    plan = plan_release(request(repo, dry_run=True), Seam(), LINKS)
    assert [c.kind for c in plan.changes] == ["provider-removed"]
    assert plan.minimum is Bump.PATCH and plan.version.tag == "v2.0.1"


def test_every_rule_has_a_scenario() -> None:
    covered = {s[2] for s in SCENARIOS} | {"provider-removed"}
    assert set(RULES) - covered == set()


def test_rename_is_reported_as_removal_plus_addition(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_env(monkeypatch)
    minimum, kinds, _ = _plan_after(baseline, tmp_path, edit(VARS, 'variable "rules"', 'variable "lifecycle_rules"'))
    assert sorted(kinds) == ["variable-optional-added", "variable-removed"] and minimum is Bump.MAJOR


def test_resource_rename_names_the_moved_block_to_write(
    baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_env(monkeypatch)
    repo = copy_repo(baseline, tmp_path / "repo")
    edit(MAIN, 'resource "aws_s3_bucket_versioning" "this"', 'resource "aws_s3_bucket_versioning" "main"')(
        repo / "modules_out"
    )
    commit_all(repo, "rename")
    plan = plan_release(request(repo, dry_run=True), Seam(), LINKS)
    (change,) = [c for c in plan.changes if c.kind == "address-removed"]
    assert "moved { from = module.<name>.aws_s3_bucket_versioning.this" in change.upgrade_action
    assert "aws_s3_bucket_versioning.main" in change.upgrade_action


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (">= 1.5", ">= 1.5", None),
        (">= 1.5", ">= 1.6", "narrowed"),
        (">= 1.5", "~> 1.5", "narrowed"),
        (">= 5.100, < 7.0", ">= 5.90, < 7.0", "widened"),
        (">= 5.100, < 7.0", ">= 5.100", "widened"),
        (">= 5.100", ">= 5.100, < 7.0", "narrowed"),
        ("~> 5.100", ">= 5.100, < 6.0", "widened"),  # same range, written differently: no change in bounds
        (">= 1.5", "!= 1.6.0", "narrowed"),
    ],
)
def test_version_constraints(old: str, new: str, expected: str | None) -> None:
    assert constraint_change(old, new) == expected


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("var.on ? 1 : 0", 0),
        ("!var.on ? 0 : 1", 0),
        ("var.none == null ? 0 : 1", 0),
        ("length(var.empty_list) > 0 && var.unknown ? 1 : 0", 0),
        ("var.unknown || var.on ? 1 : 0", None),
        ("merge(var.empty_map, {})", {}),
        ('{ for k, v in var.empty_map : k => v if v != "" }', {}),
        ("[for w in (var.none == null ? [] : [var.none]) : w]", []),
        ('length(concat(var.empty_list, ["a"]))', 1),
    ],
)
def test_evaluator_proves_switches_off(expr: str, value: object) -> None:
    from platform_tools.release.hcl_eval import UNKNOWN

    scope = Scope({"on": False, "none": None, "empty_list": [], "empty_map": {}, "unknown": UNKNOWN}, {})
    result = evaluate(expr, scope)
    assert (result is UNKNOWN) if value is None else result == value


def test_docs_list_every_rule_with_its_bump(repo_root: Path) -> None:
    docs = (repo_root / "docs" / "releasing.md").read_text()
    for kind, rule in RULES.items():
        assert f"| `{kind}` | {rule.bump} | {rule.section} | {rule.meaning} |" in docs, kind


def test_catalog_ref_is_the_newest_release_in_the_changelog(tmp_path: Path) -> None:
    from platform_constructs.catalog import catalog_ref

    changelog = tmp_path / "CHANGELOG.md"
    assert catalog_ref(changelog) == "v1.0.0"  # no file: before the first release
    changelog.write_text("# Changelog\n\n## Unreleased\n\n- Added: `x`.\n")
    assert catalog_ref(changelog) == "v1.0.0"
    changelog.write_text("## [2.0.0] - 2027-01-01\n\n## [1.4.1] - 2027-02-01\n\n## [1.10.0] - 2026-12-01\n")
    assert catalog_ref(changelog) == "v2.0.0"  # the highest version, not the first heading


def test_cli_wires_release_and_publish() -> None:
    from platform_tools.cli import build_parser
    from platform_tools.cli.release import cmd_release, cmd_release_publish

    args = build_parser().parse_args(["release", "--bump", "minor", "--dry-run", "--publish"])
    assert (args.func, args.bump, args.dry_run, args.publish, args.branch) == (cmd_release, "minor", True, True, "main")
    args = build_parser().parse_args(["release", "publish", "v1.0.0", "--remote", "upstream"])
    assert (args.func, args.tag, args.remote) == (cmd_release_publish, "v1.0.0", "upstream")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["release", "--bump", "minor", "--version", "1.2.0"])
