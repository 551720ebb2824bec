"""Rule variants only the rds module needs: checks across the attributes of its ``storage`` object.

Each holds in both forms like the shared rules in :mod:`platform_constructs.rules` (Python ``holds`` for
stack mode, an HCL ``condition`` for the module's ``validation`` blocks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from platform_constructs.rules import Rule


@dataclass(frozen=True)
class AutoscalingCeiling(Rule):
    """``max_allocated_storage`` is 0 (autoscaling off) or at least ``allocated_storage``."""

    def holds(self, value: Any) -> bool:
        return value.max_allocated_storage == 0 or value.max_allocated_storage >= value.allocated_storage

    def condition(self, ref: str) -> str:
        return f"{ref}.max_allocated_storage == 0 || {ref}.max_allocated_storage >= {ref}.allocated_storage"


@dataclass(frozen=True)
class ProvisionedIops(Rule):
    """io1/io2 need ``iops``; gp3 takes ``iops``/``throughput`` only from 400 GiB (its baseline below)."""

    def holds(self, value: Any) -> bool:
        if value.type in ("io1", "io2"):
            return value.iops is not None and value.throughput is None
        return (value.iops is None and value.throughput is None) or value.allocated_storage >= 400

    def condition(self, ref: str) -> str:
        return (
            f'contains(["io1", "io2"], {ref}.type) ? ({ref}.iops != null && {ref}.throughput == null) : '
            f"(({ref}.iops == null && {ref}.throughput == null) || {ref}.allocated_storage >= 400)"
        )
