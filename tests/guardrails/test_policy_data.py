"""The data document the policies read (``infra policy data``): what the registry puts in it, and the exception
register's rules, enforced before any policy runs: every exception is scoped to one service and applies only to that
service's runs, and keeps the scanner skips' approval window (real dates, approved no later than today, at most 365
days). A PR author must not be able to borrow another service's exception, and an exception must come due."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_constructs.errors import ConfigError
from platform_constructs.registry import Registry, load_registry
from platform_constructs.registry.loader import default_registry_path, parse_registry
from platform_tools.cli import main
from platform_tools.guardrails.policy.data import build_data
from support.policy import check_everywhere, findings

TODAY = dt.date(2026, 12, 5)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(default_registry_path())


def entry(**changes: Any) -> dict[str, Any]:
    """An exception for fileflow's queue name, valid on TODAY, with ``changes``."""
    return {
        "id": "EXC-0001",
        "service": "fileflow",
        "rule": "naming.pattern",
        "address": "aws_sqs_queue.q",
        "reason": "legacy queue, renamed in Q3",
        "approver": "platform-team@acme.example",
        "ticket": "PLAT-42",
        "approved": "2026-12-01",
        "expires": "2027-06-30",
        **changes,
    }


def register(tmp_path: Path, *entries: dict[str, Any]) -> Path:
    path = tmp_path / "exceptions.yaml"
    path.write_text(yaml.safe_dump({"exceptions": list(entries)}, sort_keys=False))
    return path


def refusal(registry: Registry, path: Path, service: str | None = "fileflow") -> str:
    with pytest.raises(ConfigError) as caught:
        build_data(registry, service=service, exceptions_file=path, today=TODAY)
    return str(caught.value)


TAGS = {
    "Environment": "dev",
    "Service": "fileflow",
    "Team": "storage",
    "Owner": "fileflow-lead@acme.example",
    "CostCenter": "CC-1001",
    "ManagedBy": "terraform",
}
BAD_QUEUE = {
    "format_version": "1.2",
    "resource_changes": [
        {
            "address": "aws_sqs_queue.q",
            "mode": "managed",
            "type": "aws_sqs_queue",
            "name": "q",
            "change": {
                "actions": ["create"],
                "after": {
                    "name": "Jobs",
                    "tags_all": TAGS,
                },
                "after_unknown": {},
            },
        }
    ],
}


# -- exceptions are scoped to the service under check ---------------------------------------------------------
def test_an_exception_applies_only_to_its_own_services_runs(registry: Registry, tmp_path: Path) -> None:
    """The attacker's service (crawlinghub) writes the address fileflow has an exception for: still a deny."""
    path = register(tmp_path, entry())
    own = build_data(registry, service="fileflow", exceptions_file=path, today=TODAY)
    assert [e["id"] for e in own["guardrails"]["exceptions"]] == ["EXC-0001"]
    excepted = check_everywhere(BAD_QUEUE, data=own)
    assert ("exceptions", "naming.pattern", "aws_sqs_queue.q") in findings(excepted)
    assert ("failures", "naming.pattern", "aws_sqs_queue.q") not in findings(excepted)

    other = build_data(registry, service="crawlinghub", exceptions_file=path, today=TODAY)
    assert other["guardrails"]["exceptions"] == [] and other["guardrails"]["service"] == "crawlinghub"
    assert ("failures", "naming.pattern", "aws_sqs_queue.q") in findings(check_everywhere(BAD_QUEUE, data=other))


def test_without_a_service_no_exception_applies(registry: Registry, tmp_path: Path) -> None:
    data = build_data(registry, exceptions_file=register(tmp_path, entry()), today=TODAY)
    assert data["guardrails"]["exceptions"] == [] and data["guardrails"]["service"] is None
    # even data smuggled in by hand is not applied without a service
    smuggled = {"guardrails": {**data["guardrails"], "exceptions": [entry()]}}
    assert ("failures", "naming.pattern", "aws_sqs_queue.q") in findings(check_everywhere(BAD_QUEUE, data=smuggled))


def test_an_exception_without_a_service_is_refused(registry: Registry, tmp_path: Path) -> None:
    unscoped = entry()
    del unscoped["service"]
    text = refusal(registry, register(tmp_path, unscoped))
    assert "exceptions.yaml: exceptions[0] (EXC-0001).service: is required" in text
    assert "whose PR checks may use it" in text  # the fix
    # the same on a run for another service: the register is checked whole
    assert "exceptions[0] (EXC-0001).service: is required" in refusal(registry, register(tmp_path, unscoped), "authhub")


def test_an_exception_for_an_unregistered_service_is_refused(registry: Registry, tmp_path: Path) -> None:
    text = refusal(registry, register(tmp_path, entry(service="ghost")))
    assert "exceptions[0] (EXC-0001).service: is not registered in platform.yaml (got 'ghost')" in text
    assert "fileflow, crawlinghub, authhub" in text


def test_other_register_problems_are_located(registry: Registry, tmp_path: Path) -> None:
    text = refusal(
        registry,
        register(tmp_path, entry(rule="open ingress", reason=" "), entry(owner="me"), entry(id="EXC-0002")),
    )
    assert "exceptions[0] (EXC-0001).rule: is not a policy rule id (got 'open ingress')" in text
    assert "exceptions[0] (EXC-0001).reason: is required" in text
    assert "exceptions[1] (EXC-0001): has fields the register does not know (got ['owner'])" in text
    assert "exceptions[1] (EXC-0001).id: repeats the id of exceptions[0]" in text
    assert "exceptions[2]" not in text


def test_the_cli_refuses_an_unknown_service(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}))
    assert main(["policy", "check", str(clean), "--service", "ghost"]) == 2
    err = capsys.readouterr().err
    assert "--service: is not registered in platform.yaml (got 'ghost')" in err
    assert "fileflow, crawlinghub, authhub" in err
    assert main(["policy", "check", str(clean), "--service", "fileflow", "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["policy", "data", "--service", "fileflow"]) == 0
    assert json.loads(capsys.readouterr().out)["guardrails"]["service"] == "fileflow"


# -- exception validity -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expires": "9999-99-99"}, ".expires: must be a date YYYY-MM-DD (got '9999-99-99')"),
        ({"expires": "2027-02-30"}, ".expires: must be a date YYYY-MM-DD (got '2027-02-30')"),
        ({"expires": "20270630"}, ".expires: must be a date YYYY-MM-DD (got '20270630')"),
        ({"approved": None}, ".approved: must be a date YYYY-MM-DD"),
        ({"approved": "2099-01-01", "expires": "2099-12-31"}, ".approved: is after today (2026-12-05)"),
        ({"expires": "2027-12-02"}, ".expires: is 366 days after approved (at most 365)"),
        ({"approved": "2025-12-10", "expires": "2026-12-04"}, ".expires: expired (today is 2026-12-05)"),
    ],
)
def test_exception_dates_keep_the_approval_window(
    registry: Registry, tmp_path: Path, changes: dict[str, Any], message: str
) -> None:
    text = refusal(registry, register(tmp_path, entry(**changes)))
    assert f"exceptions.yaml: exceptions[0] (EXC-0001){message}" in text, text


def test_the_window_is_365_days_from_the_approval(registry: Registry, tmp_path: Path) -> None:
    path = register(tmp_path, entry(expires="2027-12-01"))
    assert build_data(registry, service="fileflow", exceptions_file=path, today=TODAY)["guardrails"]["exceptions"]
    # YAML dates (unquoted) are read as dates and passed on as YYYY-MM-DD strings
    path.write_text(path.read_text().replace("'2027-12-01'", "2027-12-01").replace("'2026-12-01'", "2026-12-01"))
    assert "2027-12-01" in path.read_text() and "'2027-12-01'" not in path.read_text()
    (found,) = build_data(registry, service="fileflow", exceptions_file=path, today=TODAY)["guardrails"]["exceptions"]
    assert (found["approved"], found["expires"]) == ("2026-12-01", "2027-12-01")


def test_a_lapsed_exception_stops_only_its_own_services_runs(registry: Registry, tmp_path: Path) -> None:
    """One service's expired entry must not take every other service's PR check down; the platform repository's
    run without a service checks the whole register."""
    path = register(tmp_path, entry(approved="2025-12-10", expires="2026-12-04"))
    assert "expired (today is 2026-12-05)" in refusal(registry, path, "fileflow")
    assert "expired (today is 2026-12-05)" in refusal(registry, path, None)
    other = build_data(registry, service="authhub", exceptions_file=path, today=TODAY)
    assert other["guardrails"]["exceptions"] == []


def test_the_platforms_own_register_is_valid_today(registry: Registry) -> None:
    """By today's date on purpose, as the scanner skips: a lapsed entry must turn this repository's CI red."""
    build_data(registry)


# -- the registry's public ranges reach the security-group policy ------------------------------------------------
def with_public_cidrs(*entries: dict[str, str]) -> Registry:
    doc = yaml.safe_load(Path(default_registry_path()).read_text())
    doc["guardrails"]["network"] = {"public_cidrs": list(entries)}
    return parse_registry(yaml.safe_dump(doc), "platform.yaml")


def ingress_from(cidr: str) -> dict[str, Any]:
    """A plan with one SSH rule from ``cidr`` on an ordinary group."""
    return {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "aws_vpc_security_group_ingress_rule.ssh",
                "mode": "managed",
                "type": "aws_vpc_security_group_ingress_rule",
                "name": "ssh",
                "change": {
                    "actions": ["create"],
                    "after": {
                        "cidr_ipv4": cidr,
                        "from_port": 22,
                        "to_port": 22,
                        "ip_protocol": "tcp",
                        "description": "office SSH",
                        "tags_all": TAGS,
                    },
                    "after_unknown": {},
                },
            }
        ],
    }


def test_registered_public_ranges_are_open_to_the_policy_and_nothing_more() -> None:
    registry = with_public_cidrs({"cidr": "203.0.113.0/24", "description": "office egress"})
    data = build_data(registry, today=TODAY)
    assert data["guardrails"]["public_cidrs"] == [{"cidr": "203.0.113.0/24", "description": "office egress"}]
    assert findings(check_everywhere(ingress_from("203.0.113.0/25"), data=data)) == set()
    wider = check_everywhere(ingress_from("203.0.112.0/23"), data=data)
    assert findings(wider) == {("failures", "security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.ssh")}
    (failure,) = [r for entry in wider for r in entry["failures"]]
    assert "from 203.0.112.0/23, which is public address space" in failure["msg"]
    assert "register it under guardrails.network.public_cidrs in platform.yaml" in failure["metadata"]["fix"]
    # without the registry entry the office range is public like any other
    plain = build_data(load_registry(default_registry_path()), today=TODAY)
    assert plain["guardrails"]["public_cidrs"] == []
    assert findings(check_everywhere(ingress_from("203.0.113.0/25"), data=plain))


@pytest.mark.parametrize("cidr", ["::ffff:cb00:7100/120", "64:ff9b::cb00:7100/120", "2002:cb00:7100::/40"])
def test_a_registered_range_may_not_stand_for_ipv4_space(cidr: str) -> None:
    # refused by the registry itself, so `infra registry check` and the policy data agree
    with pytest.raises(ConfigError) as caught:
        with_public_cidrs({"cidr": cidr, "description": "office egress, mapped"})
    (problem,) = caught.value.problems
    assert problem.path == "guardrails.network.public_cidrs[0].cidr"
    assert "overlaps an IPv6 range that stands for IPv4 addresses" in problem.message
    assert problem.fix == "register the IPv4 range itself"
