"""Plans a PR author who wants past the guardrails would write, and the findings they get.

Each plan is what ``terraform show -json`` gives for such a configuration (resource changes, after_unknown, the
configuration section with its references), checked on every engine and on both input shapes (the view the runner
builds and the raw plan conftest sees, :func:`support.policy.check_everywhere`), with the messages the PR comment
shows. The policies' own unit tests (policy/*_test.rego) cover the same rules case by case on the raw shape; these
prove the runner's view carries what the rules need (references across modules, prefix lists, pieces of a big plan).
"""

from __future__ import annotations

from typing import Any

import pytest

from platform_tools.guardrails.policy import engines, runner, view
from platform_tools.resources import policy_dir
from support.policy import ENGINES, check_everywhere, findings

TAGS = {
    "Environment": "dev",
    "Service": "fileflow",
    "Team": "storage",
    "Owner": "fileflow-lead@acme.example",
    "CostCenter": "CC-1001",
    "ManagedBy": "terraform",
}
PUBLIC = "is public address space (outside private ranges and guardrails.network.public_cidrs)"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return runner.default_data()


def change(
    address: str, after: dict[str, Any], unknown: dict[str, Any] | None = None, *, module: str = ""
) -> dict[str, Any]:
    """A resource change creating ``address`` (``type.name``, inside ``module`` when given)."""
    rtype, name = address.split(".")
    return {
        "address": f"{module}.{address}" if module else address,
        **({"module_address": module} if module else {}),
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["create"], "after": {"tags_all": TAGS, **after}, "after_unknown": unknown or {}},
    }


def refs(*targets: str) -> dict[str, list[str]]:
    """An expression reading ``targets`` (``type.name``), as Terraform lists it: the attribute and the resource."""
    return {"references": [r for t in targets for r in (f"{t}.id", t)]}


def config(address: str, **expressions: Any) -> dict[str, Any]:
    rtype, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": rtype,
        "name": name,
        "provider_config_key": "aws",
        "expressions": expressions,
    }


def plan(changes: list[dict[str, Any]], root: list[dict[str, Any]], **modules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}},
            "root_module": {
                "resources": root,
                "module_calls": {
                    name: {"source": "./modules/" + name, "module": {"resources": res}} for name, res in modules.items()
                },
            },
        },
    }


def messages(results: list[dict[str, Any]], rule: str) -> set[str]:
    return {r["msg"] for entry in results for r in entry["failures"] if r["metadata"]["rule"] == rule}


def sg_rule(name: str, **after: Any) -> dict[str, Any]:
    return change(
        f"aws_security_group_rule.{name}",
        {"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "admin", **after},
    )


def vpc_rule(name: str, unknown: dict[str, Any] | None = None, *, module: str = "", **after: Any) -> dict[str, Any]:
    return change(
        f"aws_vpc_security_group_ingress_rule.{name}",
        {"from_port": 22, "to_port": 22, "ip_protocol": "tcp", "description": "admin", **after},
        unknown,
        module=module,
    )


def prefix_list(name: str, *cidrs: str, module: str = "") -> dict[str, Any]:
    entries = [{"cidr": c, "description": "entry"} for c in cidrs]
    return change(
        f"aws_ec2_managed_prefix_list.{name}",
        {"name": name, "address_family": "IPv4", "max_entries": 10, "entry": entries},
        {"id": True, "entry": [{} for _ in entries]},
        module=module,
    )


# -- open ingress by address arithmetic ---------------------------------------------------------------------
def test_two_halves_of_the_internet_are_two_findings(data: dict[str, Any]) -> None:
    results = check_everywhere(plan([sg_rule("halves", cidr_blocks=["0.0.0.0/1", "128.0.0.0/1"])], []), data=data)
    assert messages(results, "security_groups.open_ingress") == {
        f"aws_security_group_rule.halves: ingress on ports 22-22 from {c}, which {PUBLIC} "
        "[security_groups.open_ingress] fix: narrow the source to private address space or a source security "
        "group; if this public range must reach the service, register it under guardrails.network.public_cidrs in "
        "platform.yaml (reviewed by the platform team); only 80/443 on a load balancer's group may be open to the "
        "internet"
        for c in ("0.0.0.0/1", "128.0.0.0/1")
    }


def test_public_ranges_mapped_ipv4_and_unreadable_strings_are_open(data: dict[str, Any]) -> None:
    group = change(
        "aws_security_group.app",
        {
            "name": "dev-fileflow-app-sg",
            "ingress": [
                {
                    "cidr_blocks": ["8.0.0.0/8", "10.0.0.0/16", "010.0.0.0/8"],
                    "ipv6_cidr_blocks": ["::ffff:0:0/96", "fd00::/8"],
                    "from_port": 5432,
                    "to_port": 5432,
                    "protocol": "tcp",
                    "description": "db",
                }
            ],
        },
    )
    results = check_everywhere(plan([group, vpc_rule("v6", cidr_ipv6="2000::/3")], []), data=data)
    details = {m.split(" [")[0] for m in messages(results, "security_groups.open_ingress")}
    assert details == {
        f"aws_security_group.app: ingress on ports 5432-5432 from 8.0.0.0/8, which {PUBLIC}",
        f"aws_security_group.app: ingress on ports 5432-5432 from ::ffff:0:0/96, which {PUBLIC}",
        "aws_security_group.app: ingress on ports 5432-5432 from 010.0.0.0/8, which is not a CIDR the policy can "
        "read, so it counts as open",
        f"aws_vpc_security_group_ingress_rule.v6: ingress on ports 22-22 from 2000::/3, which {PUBLIC}",
    }


def test_a_prefix_list_is_judged_by_its_entries_across_modules(data: dict[str, Any]) -> None:
    """The list and the rules sit in a module; the runner's view must resolve the module's references."""
    mod = "module.net"
    changes = [
        prefix_list("office", "10.0.0.0/8", module=mod),
        prefix_list("partners", "10.1.0.0/16", "198.51.100.0/24", module=mod),
        vpc_rule("from_office", {"prefix_list_id": True}, module=mod),
        vpc_rule("from_partners", {"prefix_list_id": True}, module=mod),
        vpc_rule("literal", module=mod, prefix_list_id="pl-0123456789abcdef0"),
    ]
    net = [
        config(
            "aws_vpc_security_group_ingress_rule.from_office", prefix_list_id=refs("aws_ec2_managed_prefix_list.office")
        ),
        config(
            "aws_vpc_security_group_ingress_rule.from_partners",
            prefix_list_id=refs("aws_ec2_managed_prefix_list.partners"),
        ),
    ]
    results = check_everywhere(plan(changes, [], net=net), data=data)
    assert {m.split(" [")[0] for m in messages(results, "security_groups.open_ingress")} == {
        "module.net.aws_vpc_security_group_ingress_rule.from_partners: ingress on ports 22-22 from 198.51.100.0/24 "
        f"in module.net.aws_ec2_managed_prefix_list.partners, which {PUBLIC}",
        "module.net.aws_vpc_security_group_ingress_rule.literal: ingress on ports 22-22 from prefix list "
        "pl-0123456789abcdef0, which is not created in this plan, so its entries cannot be checked",
    }


def loose_entry_plan() -> dict[str, Any]:
    """A private list in one module, a rule using it, and in another module an entry resource that attaches
    0.0.0.0/0 to "some" list through a variable: the rule's list can no longer be trusted."""
    changes = [
        prefix_list("office", "10.0.0.0/8", module="module.net"),
        vpc_rule("from_office", {"prefix_list_id": True}, module="module.net"),
        change(
            "aws_ec2_managed_prefix_list_entry.sneaky",
            {"cidr": "0.0.0.0/0", "description": "maintenance"},
            {"prefix_list_id": True},
            module="module.ops",
        ),
        *[change(f"aws_sqs_queue.q{i}", {"name": f"dev-fileflow-q{i}"}) for i in range(6)],
    ]
    net = [
        config(
            "aws_vpc_security_group_ingress_rule.from_office", prefix_list_id=refs("aws_ec2_managed_prefix_list.office")
        )
    ]
    ops = [config("aws_ec2_managed_prefix_list_entry.sneaky", prefix_list_id={"references": ["var.list_id"]})]
    return plan(changes, [], net=net, ops=ops)


def test_an_entry_attached_through_a_variable_taints_every_list(data: dict[str, Any]) -> None:
    results = check_everywhere(loose_entry_plan(), data=data)
    assert {m.split(" [")[0] for m in messages(results, "security_groups.open_ingress")} == {
        "module.net.aws_vpc_security_group_ingress_rule.from_office: ingress on ports 22-22 from a prefix list known "
        "only after apply, which refers to no aws_ec2_managed_prefix_list of this plan whose entries are all known "
        "at plan time"
    }


@pytest.mark.parametrize("engine", ENGINES)
def test_pieces_of_a_big_plan_keep_prefix_list_entries_in_view(data: dict[str, Any], engine: str) -> None:
    """Cut in pieces of two resources, the entry of module.ops still reaches the piece holding module.net's rule."""
    context = view.view(loose_entry_plan())
    pieces = view.chunks(context, size=2)
    assert len(pieces) > 3
    holding_rule = [p for p in pieces if "aws_vpc_security_group_ingress_rule" in p["by_type"]]
    assert holding_rule and all("aws_ec2_managed_prefix_list_entry" in p["by_type"] for p in pieces)
    rego = engines.select(engine)
    whole = runner.merge_results([rego.evaluate({"platform_view": context}, data, policy_dir())], "plan.json")
    split = runner.merge_results([rego.evaluate({"platform_view": p}, data, policy_dir()) for p in pieces], "plan.json")
    assert whole == split
    assert (
        "failures",
        "security_groups.open_ingress",
        "module.net.aws_vpc_security_group_ingress_rule.from_office",
    ) in (findings(split))


# -- values known only after apply ----------------------------------------------------------------------------
def test_computed_exposure_settings_are_findings_unless_the_provider_computes_them(data: dict[str, Any]) -> None:
    """The same after_unknown means two things: set from a computed expression (a finding) or left to the provider
    (aws_s3_bucket.acl, aws_security_group.ingress without inline rules: nothing hidden). The configuration tells
    them apart, on the runner's view as on the raw plan."""
    computed = refs("terraform_data.x")
    changes = [
        change("aws_s3_bucket.set", {"bucket": "dev-fileflow-set"}, {"acl": True}),
        change("aws_s3_bucket.unset", {"bucket": "dev-fileflow-unset"}, {"acl": True}),
        change("aws_security_group.set", {"name": "dev-fileflow-set-sg"}, {"ingress": True}),
        change("aws_security_group.unset", {"name": "dev-fileflow-unset-sg"}, {"ingress": True}),
        change("aws_lb.front", {"name": "dev-fileflow-front"}, {"internal": True}),
        vpc_rule("computed", {"cidr_ipv4": True}),
        vpc_rule("peer", {"referenced_security_group_id": True}),
    ]
    root = [
        config("aws_s3_bucket.set", bucket={"constant_value": "dev-fileflow-set"}, acl=computed),
        config("aws_s3_bucket.unset", bucket={"constant_value": "dev-fileflow-unset"}),
        config("aws_security_group.set", ingress=computed),
        config("aws_security_group.unset"),
        config("aws_vpc_security_group_ingress_rule.computed", cidr_ipv4=computed),
    ]
    results = check_everywhere(plan(changes, root), data=data)
    unknown = {
        (rule, address)
        for _, rule, address in findings(results)
        if rule in ("public_resources.unknown_value", "security_groups.unknown_source")
    }
    assert unknown == {
        ("public_resources.unknown_value", "aws_s3_bucket.set"),
        ("public_resources.unknown_value", "aws_lb.front"),
        ("security_groups.unknown_source", "aws_security_group.set"),
        ("security_groups.unknown_source", "aws_vpc_security_group_ingress_rule.computed"),
    }
    assert (
        "aws_s3_bucket.set: acl is known only after apply, so the policy cannot tell whether the canned ACL makes "
        "objects public [public_resources.unknown_value] fix: set acl explicitly to a value known at plan time: a "
        "literal, or a variable with a default, not an attribute of a resource created in the same apply or a data "
        "source"
    ) in messages(results, "public_resources.unknown_value")


# -- module and provider sources, code outside the providers -------------------------------------------------
CATALOG = "git::https://github.com/acme/platform-infra.git//modules_out/"


def test_the_data_names_the_registrys_catalog_and_allowlists(data: dict[str, Any]) -> None:
    assert data["guardrails"]["sources"] == {
        "catalog": CATALOG,
        "modules": [],
        "providers": [
            "registry.terraform.io/hashicorp/archive",
            "registry.terraform.io/hashicorp/aws",
            "registry.terraform.io/hashicorp/null",
            "registry.terraform.io/hashicorp/random",
            "registry.terraform.io/hashicorp/time",
            "registry.terraform.io/hashicorp/tls",
        ],
    }


def test_code_from_elsewhere_is_a_finding_at_every_module_level(data: dict[str, Any]) -> None:
    """Modules from outside the catalog or unpinned, a provider outside the allowlist, an external data source in a
    local module, provisioners on resources that are not aws_* (null_resource, terraform_data)."""
    provisioner = [{"type": "local-exec", "expressions": {"command": {"constant_value": "curl x | sh"}}}]
    doc = {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "null_resource.run",
                "mode": "managed",
                "type": "null_resource",
                "name": "run",
                "provider_name": "registry.terraform.io/hashicorp/null",
                "change": {"actions": ["create"], "after": {}, "after_unknown": {"id": True}},
            }
        ],
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"},
                "shell": {"name": "shell", "full_name": "registry.terraform.io/scottwinkler/shell"},
            },
            "root_module": {
                "resources": [{**config("null_resource.run"), "provisioners": provisioner}],
                "module_calls": {
                    "sg": {"source": f"{CATALOG}sg?ref=v1.2.0", "module": {}},
                    "db": {"source": f"{CATALOG}rds?ref=main", "module": {}},
                    "app": {
                        "source": "./modules/app",
                        "module": {
                            "resources": [
                                {
                                    "address": "data.external.token",
                                    "mode": "data",
                                    "type": "external",
                                    "name": "token",
                                    "expressions": {},
                                },
                                {**config("terraform_data.boot"), "provisioners": provisioner},
                            ],
                            "module_calls": {"vpc": {"source": "terraform-aws-modules/vpc/aws", "module": {}}},
                        },
                    },
                },
            },
        },
    }
    results = check_everywhere(doc, data=data)
    assert {f for f in findings(results) if f[1].startswith("sources.")} == {
        ("failures", "sources.module", "module.db"),
        ("failures", "sources.module", "module.app.module.vpc"),
        ("failures", "sources.provider", 'provider["registry.terraform.io/scottwinkler/shell"]'),
        ("failures", "sources.data_source", "module.app.data.external.token"),
        ("failures", "sources.provisioner", "null_resource.run"),
        ("failures", "sources.provisioner", "module.app.terraform_data.boot"),
    }
    assert (
        f"module.db: takes the platform catalog without a release pin ({CATALOG}rds?ref=main) [sources.module] fix: "
        f"pin a release: {CATALOG}<module>?ref=vX.Y.Z"
    ) in messages(results, "sources.module")


def test_a_plan_that_changes_nothing_still_shows_its_data_sources(data: dict[str, Any]) -> None:
    """Only a data source, nothing to create: the configuration is judged all the same."""
    doc = {
        "format_version": "1.2",
        "configuration": {
            "root_module": {
                "resources": [
                    {
                        "address": "data.http.payload",
                        "mode": "data",
                        "type": "http",
                        "name": "payload",
                        "expressions": {},
                    }
                ]
            }
        },
    }
    assert findings(check_everywhere(doc, data=data)) == {("failures", "sources.data_source", "data.http.payload")}
