"""policy/cidr.rego against Python's ipaddress, on both engines: the verdict "open or not" of every CIDR a PR author
might write is the one the arithmetic gives.

The Rego parser is hand-written (neither engine has usable net.* builtins, see cidr.rego), so it is held to an
independent implementation on a few thousand strings: random ranges inside, across and outside every private and
allowlisted range in both families, Python's own spellings of them (compressed, exploded, upper case, IPv4 tails),
and the malformed strings an attacker would try. The one direction that must never fail: a string the policy calls
private or allowlisted is, to Python, a network wholly inside such a range.
"""

from __future__ import annotations

import ipaddress
import random
from functools import cache
from typing import Any

import pytest

from platform_tools.guardrails.policy.engines import PolicyEngineError, policy_files, select
from support.policy import ENGINES

PRIVATE = tuple(
    ipaddress.ip_network(c)
    for c in (
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
)
ALLOWED = [
    {"cidr": "203.0.113.0/24", "description": "office egress"},
    {"cidr": "2001:db8:1234::/48", "description": "vendor webhooks"},
]
ALLOWED_NETS = tuple(ipaddress.ip_network(a["cidr"]) for a in ALLOWED)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ADVERSARIAL = [
    "10.1.0.0/16",
    "0.0.0.0/0",
    "::/0",
    "0.0.0.0/1",
    "128.0.0.0/1",
    "8.0.0.0/8",
    "10.0.0.0/7",  # wider than 10/8: half of it is public
    "172.0.0.0/8",
    "172.32.0.0/12",
    "192.168.0.0/15",
    "100.128.0.0/10",
    "100.64.0.0/9",
    "203.0.113.0/23",  # wider than the allowlisted /24
    "203.0.113.128/25",
    "203.0.114.0/24",
    "10.255.255.255/32",
    "11.0.0.0/8",
    "010.0.0.0/8",  # leading zeros: octal to some parsers
    "10.0.0.0/08",
    "10.0.0.0",  # no prefix length
    "10.0.0.0/33",
    "10.0.0/8",
    "10.0.0.0.0/8",
    " 10.0.0.0/8",
    "10.0.0.0/8 ",
    "10.0.0.0/8\n",
    "10.0.0.0/-1",
    "0x0a.0.0.0/8",
    "",
    "/8",
    "10.1.2.3/8",  # host bits set: AWS masks them
    "::ffff:0:0/96",  # every IPv4 address, mapped
    "::ffff:0.0.0.0/96",
    "::ffff:10.0.0.0/104",
    "::ffff:a00:0/104",
    "::10.0.0.0/104",
    "64:ff9b::/96",  # NAT64: the IPv4 internet again
    "2002::/16",  # 6to4
    "fc00::/6",
    "fc00::/7",
    "FD12:3456::/32",
    "fd00::/8",
    "fe80::/10",
    "fe80::/9",
    "fe80::1%eth0/64",  # zone id
    "::1/128",
    "::1/127",
    "::/128",
    "::",
    ":::/0",
    "1::2::3/64",
    "1:2:3:4:5:6:7:8:9/128",
    "1:2:3:4:5:6:7::/112",  # `::` standing for one group
    "::1:2:3:4:5:6:7:8/128",  # `::` standing for none
    "12345::/16",
    "g::/16",
    "2001:db8:1234::/48",
    "2001:db8:1234:ffff::/64",
    "2001:db8:1235::/48",
    "2001:db8:1234::/47",
    "2001:0db8:1234:0000:0000:0000:0000:0000/48",
    "fc00::10.0.0.1/128",
    "fc00::1.2.3/128",
    "::ffff:1.2.3.4.5/128",
    "::ffff:256.0.0.0/128",
    "1.2.3.4::/64",
    "::/129",
]


def random_cases(seed: int = 20261205, n: int = 1500) -> list[str]:
    """Ranges inside, straddling and outside every private and allowlisted network, in both families and in every
    spelling Python writes; then their prefix lengths widened past the range."""
    rng = random.Random(seed)
    anchors: list[IPNetwork] = [*PRIVATE, *ALLOWED_NETS]
    out: list[str] = []
    while len(out) < n:
        pick = rng.random()
        if pick < 0.5:
            base = rng.choice(anchors)
            length = rng.randint(max(0, base.prefixlen - 3), base.max_prefixlen)
            address = int(base.network_address) + rng.getrandbits(base.max_prefixlen - base.prefixlen)
        else:
            family = rng.choice((4, 6))
            bits = 32 if family == 4 else 128
            length = rng.randint(0, bits)
            address = rng.getrandbits(bits)
        net: IPNetwork = ipaddress.ip_network((address, length), strict=False)
        spelled = [net.with_prefixlen, str(net.network_address) + f"/{length}"]
        if net.version == 6:
            spelled += [net.exploded, net.compressed.upper()]
            if rng.random() < 0.2:  # the last 32 bits written as an IPv4 tail
                low = int(net.network_address) & 0xFFFFFFFF
                head = ipaddress.IPv6Address(int(net.network_address) & ~0xFFFFFFFF).exploded.rsplit(":", 2)[0]
                spelled.append(f"{head}:{ipaddress.IPv4Address(low)}/{length}")
        else:
            host = ipaddress.IPv4Address(address)
            spelled.append(f"{host}/{length}")  # host bits set
            spelled.append(f"::ffff:{net.network_address}/{96 + length}")  # the same range, mapped
        out.append(rng.choice(spelled))
    return out


def expected_open(text: str) -> bool:
    """The reference: open unless Python reads a network wholly inside a private or allowlisted range. Strings
    without an explicit prefix length or with a zone id are not CIDRs an AWS rule takes: open."""
    if "/" not in text or "%" in text or text != text.strip():
        return True
    length = text.rsplit("/", 1)[1]
    if length.startswith("0") and length != "0":  # Python reads /08 as /8; the policy reads plain numbers only
        return True
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return True
    return not any(net.version == r.version and net.subnet_of(r) for r in (*PRIVATE, *ALLOWED_NETS))


@cache
def verdicts(engine: str, cases: tuple[str, ...]) -> dict[str, Any]:
    query = "{c: data.cidr.verdict(c, data.cidr.allowed_nets(input.allowed)) | some c in input.cases}"
    answer: dict[str, Any] = select(engine).query(policy_files(), query, doc={"cases": list(cases), "allowed": ALLOWED})
    return answer


CASES = tuple(dict.fromkeys([*ADVERSARIAL, *random_cases()]))


@pytest.mark.parametrize("engine", ENGINES)
def test_every_verdict_is_the_arithmetic_of_ipaddress(engine: str) -> None:
    answers = verdicts(engine, CASES)
    assert set(answers) == set(CASES)
    wrong = [(c, answers[c]["open"]) for c in CASES if answers[c]["open"] != expected_open(c)]
    assert wrong == [], f"{len(wrong)} verdicts differ from ipaddress (cidr, policy says open): {wrong[:20]}"
    # the corpus exercises both answers in both families
    opens = {(c, answers[c]["open"]) for c in CASES}
    assert any(o for _, o in opens) and any(not o for _, o in opens)
    assert sum(":" in c and not answers[c]["open"] for c in CASES) > 50
    assert sum(":" not in c and not answers[c]["open"] for c in CASES) > 50


def test_the_engines_agree_on_every_verdict() -> None:
    assert verdicts(ENGINES[0], CASES) == verdicts(ENGINES[1], CASES)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("10.1.0.0/16", "RFC 1918 private range 10.0.0.0/8"),
        ("fd00::/8", "IPv6 unique local range fc00::/7"),
        ("203.0.113.128/25", "203.0.113.0/24 (office egress)"),
        ("0.0.0.0/1", "is public address space (outside private ranges and guardrails.network.public_cidrs)"),
        ("::ffff:0:0/96", "is public address space (outside private ranges and guardrails.network.public_cidrs)"),
        ("010.0.0.0/8", "is not a CIDR the policy can read, so it counts as open"),
    ],
)
def test_the_verdict_says_why(text: str, why: str) -> None:
    assert verdicts(ENGINES[0], CASES)[text]["why"] == why


def test_the_sg_module_and_the_policy_agree_on_private_space() -> None:
    """The catalog's sg module refuses at plan time what the policy would refuse on the PR: the same ranges."""
    from platform_constructs.catalog.sg.rules import PRIVATE_RANGES

    policy = select(ENGINES[0]).query(policy_files(), "[r.cidr | some r in data.cidr.private_nets]")
    assert tuple(policy) == PRIVATE_RANGES == tuple(str(n) for n in PRIVATE)


def test_why_the_arithmetic_is_written_out() -> None:
    """cidr.rego does the arithmetic itself because the engines' net.* builtins cannot be used. If an engine upgrade
    changes this, the choice (policy/README.md, policy-engines.md) is worth revisiting: this test then fails."""
    rego_cpp, regorus = select("regopy"), select("regorus")
    # rego-cpp: no net.* builtin at all (undefined, so the query has no value)
    with pytest.raises(PolicyEngineError):
        rego_cpp.query(policy_files(), 'net.cidr_contains("10.0.0.0/8", "10.1.0.0/16")')
    # regorus: a string that is not a CIDR stops the whole query instead of being false
    with pytest.raises(PolicyEngineError):
        regorus.query(policy_files(), 'net.cidr_contains("10.0.0.0/8", "300.1.0.0/16")')
    # ... and a leading zero reads as decimal, where the policy refuses to guess
    assert regorus.query(policy_files(), 'net.cidr_contains("10.0.0.0/8", "010.0.0.0/8")') is True
