"""``infracost breakdown|diff`` offline: the real JSON format (version 0.2), prices from a fixed table.

The workflow's commands are served: ``breakdown --config-file F --format json --out-file O`` and ``diff
--config-file F --compare-to BASE --format json --out-file O``, run in the folder the config's project paths
are relative to. Each project's monthly cost is the sum of :data:`PRICES` over the ``resource "TYPE"`` blocks in
its folder's ``*.tf`` files, so a PR that adds an expensive resource shows as a cost increase in that project,
and a project missing from the config file is missing from the output, as with Infracost itself.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

#: USD per month per resource of the type; anything else costs nothing (as free resources do in Infracost)
PRICES = {"aws_db_instance": Decimal("1500"), "aws_nat_gateway": Decimal("32.85"), "aws_kms_key": Decimal("1")}
RESOURCE = re.compile(r'^\s*resource\s+"([A-Za-z0-9_]+)"', re.M)


def _cost(folder: Path) -> tuple[Decimal, list[dict[str, Any]]]:
    total, resources = Decimal(0), []
    for tf in sorted(folder.glob("*.tf")) if folder.is_dir() else []:
        for rtype in RESOURCE.findall(tf.read_text()):
            price = PRICES.get(rtype, Decimal(0))
            total += price
            resources.append({"name": rtype, "resourceType": rtype, "monthlyCost": str(price)})
    return total, resources


def _projects(config: Path) -> list[dict[str, Any]]:
    doc = yaml.safe_load(config.read_text())
    out = []
    for p in doc.get("projects") or []:
        total, resources = _cost(Path(p["path"]))
        out.append(
            {
                "name": p.get("name", p["path"]),
                "metadata": {"path": p["path"], "configFilePath": str(config)},
                "breakdown": {"resources": resources, "totalMonthlyCost": str(total)},
            }
        )
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="infracost")
    parser.add_argument("command", choices=["breakdown", "diff"])
    parser.add_argument("--config-file", required=True)
    parser.add_argument("--compare-to")
    parser.add_argument("--format", default="json")
    parser.add_argument("--out-file", required=True)
    args = parser.parse_args(argv)
    projects = _projects(Path(args.config_file))
    if args.command == "diff":
        base = {p["name"]: p for p in json.loads(Path(args.compare_to).read_text()).get("projects") or []}
        for p in projects:
            past = base.get(p["name"])
            past_total = Decimal(past["breakdown"]["totalMonthlyCost"]) if past else None
            p["pastBreakdown"] = past["breakdown"] if past else None
            now = Decimal(p["breakdown"]["totalMonthlyCost"])
            p["diff"] = {"totalMonthlyCost": str(now - (past_total or 0))}
    total = sum((Decimal(p["breakdown"]["totalMonthlyCost"]) for p in projects), Decimal(0))
    doc: dict[str, Any] = {
        "version": "0.2",
        "currency": "USD",
        "metadata": {"infracostCommand": args.command, "configFilePath": args.config_file},
        "projects": projects,
        "totalMonthlyCost": str(total),
    }
    if args.command == "diff":
        past = sum(
            (Decimal(p["pastBreakdown"]["totalMonthlyCost"]) for p in projects if p.get("pastBreakdown")), Decimal(0)
        )
        doc["pastTotalMonthlyCost"] = str(past)
        doc["diffTotalMonthlyCost"] = str(total - past)
    Path(args.out_file).write_text(json.dumps(doc, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
