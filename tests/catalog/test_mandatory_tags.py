"""The tags a catalog module sets itself win over the caller's ``tags``, in every module.

Two defences, both checked here on the exported HCL (``modules_out/``), cheaply; the plans are in
tests/catalog/test_validation_coverage.py, which runs every module's case table through ``terraform plan`` and the
props: each module's table holds :func:`support.catalog_cases.reserved_tag_cases`, a caller's ``tags`` trying to
take each of the module's tag keys, as written and in lower case, and each must fail the plan with the rule's
message (they all planned, and the caller's value won, before this rule existed).
"""

from __future__ import annotations

import importlib
import re

import pytest

from platform_constructs.catalog import MODULES
from platform_constructs.catalog.common import MODULE_TAGS
from platform_constructs.catalog.rds.props import RDS_TAGS
from support.catalog import CATALOG
from support.catalog_cases import RESERVED_TAG_MESSAGE

#: the keys each module sets besides MODULE_TAGS
OWN_TAGS = {"rds": RDS_TAGS}


@pytest.mark.parametrize("module", list(MODULES))
def test_every_module_key_is_tried_in_the_case_table(module: str) -> None:
    table = importlib.import_module(f"support.catalog_cases.{module}")
    tried = {k for b in table.BAD if b.field == "tags" and b.message == RESERVED_TAG_MESSAGE for k in b.value}
    for key in (*MODULE_TAGS, *OWN_TAGS.get(module, ())):
        assert {key, key.lower()} <= tried, f"{module}: no case passes tags.{key} (and tags.{key.lower()})"


@pytest.mark.parametrize("module", list(MODULES))
def test_the_module_merges_its_own_tags_last(module: str) -> None:
    """Every taggable resource's ``tags`` is ``merge(var.tags, <the module's tags>...)``: ``merge`` keeps the last
    value of a key, so even a value the validation did not stop cannot replace the module's."""
    text = (CATALOG / module / "main.tf").read_text()
    merges = re.findall(r"^\s*tags\s*=\s*(merge\(.*\))\s*$", text, re.M)
    assert merges, f"{module}: no tags found"
    for expression in merges:
        assert expression.startswith("merge(var.tags, { Environment = var.environment, Service = var.service_name, "), (
            f"{module}: {expression}"
        )
        assert expression.count("var.tags") == 1, expression
    assert "var.tags" not in re.sub(r"^\s*tags\s*=.*$", "", text, flags=re.M), f"{module}: var.tags read elsewhere"
