"""What the sg module accepts as an ingress source: address arithmetic in Python and in Terraform functions.

The platform's policy check (policy/security_groups.rego) calls a CIDR open unless it lies entirely inside private
space or inside a public range the registry allowlists. The module refuses the same CIDRs before any plan: the
same private ranges (:data:`PRIVATE_RANGES`, a test holds them equal to the policy's), the allowlist passed in as
``allowed_public_cidrs``. Terraform has no "contains" function, so containment is written with the ones it has:
``cidrhost(X, 0)`` is X's network address; that address with the range's prefix length, through
``cidrsubnet(.., 0, 0)``, is the range itself exactly when X's leading bits are the range's. Every step sits in
``try(.., false)``: anything Terraform cannot compute is refused.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from platform_constructs.hcl.render import expression
from platform_constructs.rules import Rule

#: address space the internet cannot reach a VPC from (policy/cidr.rego's private_nets, in the same order)
PRIVATE_RANGES = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
)
#: the shortest IPv4 prefix an ingress rule may name at all
MIN_IPV4_PREFIX = 8
#: IPv6 addresses that stand for IPv4 ones (Terraform prints them as IPv4)
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def admitted(cidr: str, allowed: Iterable[str]) -> bool:
    """``cidr`` lies entirely inside private space or inside one of ``allowed`` (of the same family)."""
    net = _network(cidr)
    if net is None or (net.version == 4 and net.prefixlen < MIN_IPV4_PREFIX):
        return False
    if net.version == 6 and net.subnet_of(_MAPPED):
        return False
    ranges = [r for r in (_network(c) for c in (*PRIVATE_RANGES, *allowed)) if r is not None]
    return any(r.version == net.version and net.subnet_of(r) for r in ranges)  # type: ignore[arg-type]


def _inside_any(ref: str, ranges: str) -> str:
    """HCL: ``ref`` (a CIDR) lies inside one of ``ranges`` (an HCL list of canonical CIDRs)."""
    length = f'tonumber(split("/", {ref})[1])'
    return (
        f'anytrue([for n in {ranges} : {length} >= tonumber(split("/", n)[1]) && '
        f'cidrsubnet(format("%s/%s", cidrhost({ref}, 0), split("/", n)[1]), 0, 0) == n])'
    )


def admitted_hcl(ref: str, allowed: str, version: int) -> str:
    """HCL for :func:`admitted` of one address family: ``ref`` a CIDR, ``allowed`` the list variable's reference."""
    private = expression([c for c in PRIVATE_RANGES if (":" in c) == (version == 6)], literal=True)
    if version == 4:
        ranges = f'concat({private}, [for a in {allowed} : a if !strcontains(a, ":")])'
        first = f'tonumber(split("/", {ref})[1]) >= {MIN_IPV4_PREFIX}'
    else:
        ranges = f'concat({private}, [for a in {allowed} : a if strcontains(a, ":")])'
        first = f'strcontains(cidrhost({ref}, 0), ":")'  # Terraform prints an IPv4-mapped address as IPv4
    return f"try({first} && {_inside_any(ref, ranges)}, false)"


@dataclass(frozen=True)
class Ipv6Cidr(Rule):
    """An IPv6 network in the form Terraform prints it (lower case, `::` compressed, no host bits), not an
    IPv4-mapped one: ``fd00::/8``, not ``FD00::/8``, ``fd00::1/8`` or ``::ffff:10.0.0.0/104``."""

    def holds(self, value: Any) -> bool:
        net = _network(value)  # host bits masked: str() then differs from a value with host bits set
        return isinstance(net, ipaddress.IPv6Network) and str(net) == value and not net.subnet_of(_MAPPED)

    def condition(self, ref: str) -> str:
        return f'try(strcontains(cidrhost({ref}, 0), ":") && cidrsubnet({ref}, 0, 0) == {ref}, false)'


@dataclass(frozen=True)
class PublicRange(Rule):
    """A network address in CIDR form, IPv4 at most /16 wide or IPv6 at most /32 (what platform.yaml's
    guardrails.network.public_cidrs accepts): ``203.0.113.0/24``, ``2001:db8::/32``."""

    def holds(self, value: Any) -> bool:
        net = _network(value)
        if isinstance(net, ipaddress.IPv4Network):
            return str(net) == value and net.prefixlen >= 16
        return Ipv6Cidr("-").holds(value) and net is not None and net.prefixlen >= 32

    def condition(self, ref: str) -> str:
        length = f'tonumber(split("/", {ref})[1])'
        v4 = f"try(can(cidrnetmask({ref})) && cidrsubnet({ref}, 0, 0) == {ref} && {length} >= 16, false)"
        v6 = f"try({length} >= 32, false)"
        return f"{v4} || ({Ipv6Cidr('-').condition(ref)} && {v6})"
