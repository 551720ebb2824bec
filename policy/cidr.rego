# CIDR arithmetic: is an address range inside private space or inside a range the registry allowlists?
#
# Written with whole numbers and string functions only, because the engines differ on the net.* builtins:
# rego-cpp (regopy 1.5) has none at all; regorus 0.13 has net.cidr_contains but stops the whole query when a
# string is not a CIDR (any PR author could write one) and reads 010.0.0.0/8 as 10.0.0.0/8. So the parser here
# accepts only the plain forms (decimal octets without leading zeros, hex groups, one `::`, an IPv4 tail) and
# anything else is not a CIDR, which the policies treat as open: a string this file cannot read is never
# private. tests/guardrails/test_policy_cidr.py compares every verdict with Python's ipaddress on both engines.
package cidr

import rego.v1

# -- parsing -----------------------------------------------------------------------------------------
# A CIDR as {"version": 4 or 6, "groups": 16-bit numbers (2 for IPv4, 8 for IPv6), "length": prefix length};
# undefined when the string is not one. Host bits may be set (AWS masks them): containment ignores them.
parse(c) := {"version": 4, "groups": v4_groups(parts[0]), "length": to_number(parts[1])} if {
	is_string(c)
	regex.match(ipv4_cidr, c)
	parts := split(c, "/")
}

parse(c) := {"version": 6, "groups": v6_groups(parts[0]), "length": to_number(parts[1])} if {
	is_string(c)
	s := lower(c)
	regex.match(`^[0-9a-f:.]{2,45}/(12[0-8]|1[01][0-9]|[1-9][0-9]|[0-9])$`, s)
	contains(s, ":")
	parts := split(s, "/")
}

octet := `(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`

ipv4_cidr := concat("", ["^", octet, `(\.`, octet, `){3}/(3[0-2]|[12][0-9]|[0-9])$`])

ipv4_address := concat("", ["^", octet, `(\.`, octet, `){3}$`])

is_ipv4_address(a) if regex.match(ipv4_address, a)

v4_groups(a) := [(o[0] * 256) + o[1], (o[2] * 256) + o[3]] if {
	o := [to_number(x) | some x in split(a, ".")]
}

# RFC 4291 text: eight groups, or fewer around one `::` (one or more zero groups), the last two groups may be
# written as an IPv4 address (::ffff:192.0.2.1).
v6_groups(a) := array.concat(hex_groups(head_groups(a, tail), 6), v4_groups(tail)) if {
	contains(a, ".")
	parts := split(a, ":")
	tail := parts[count(parts) - 1]
	is_ipv4_address(tail)
}

v6_groups(a) := hex_groups(a, 8) if not contains(a, ".")

# the groups before an IPv4 tail: "::ffff:" -> "::ffff", "::" stays "::"
head_groups(a, tail) := head if {
	head := trim_suffix(a, tail)
	endswith(head, "::")
} else := trim_suffix(trim_suffix(a, tail), ":") if {
	endswith(trim_suffix(a, tail), ":")
}

hex_groups(t, n) := array.concat(array.concat(left, zeros(fill)), right) if {
	halves := split(t, "::")
	count(halves) == 2
	left := side(halves[0])
	right := side(halves[1])
	fill := (n - count(left)) - count(right)
	fill >= 1
}

hex_groups(t, n) := side(t) if {
	not contains(t, "::")
	count(split(t, ":")) == n
}

side("") := []

side(s) := [hex(g) | some g in groups] if {
	s != ""
	groups := split(s, ":")
	every g in groups {
		regex.match(`^[0-9a-f]{1,4}$`, g)
	}
}

zeros(n) := [0 | some _ in numbers.range(1, n)]

# one group of 1-4 hex digits, left-padded to four (no comprehension: rego-cpp cannot unify one over a parameter)
hex(g) := (((hex_digits[substring(p, 0, 1)] * 4096) + (hex_digits[substring(p, 1, 1)] * 256)) + (hex_digits[substring(p, 2, 1)] * 16)) + hex_digits[substring(p, 3, 1)] if {
	p := concat("", [substring("0000", 0, 4 - count(g)), g])
}

hex_digits := {
	"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9,
	"a": 10, "b": 11, "c": 12, "d": 13, "e": 14, "f": 15
}

# -- containment -------------------------------------------------------------------------------------
# inner lies entirely inside outer: same family, at least as long a prefix, and the same leading bits.
within(inner, outer) if {
	inner.version == outer.version
	inner.length >= outer.length
	every i in numbers.range(0, count(outer.groups) - 1) {
		bits.rsh(inner.groups[i], 16 - covered(outer.length, i)) == bits.rsh(outer.groups[i], 16 - covered(outer.length, i))
	}
}

# how many of group i's 16 bits a prefix of `length` bits fixes
covered(length, i) := 0 if {
	length <= 16 * i
} else := 16 if {
	length >= 16 * (i + 1)
} else := length - (16 * i)

# -- what counts as private --------------------------------------------------------------------------
# Address space the internet cannot reach a VPC from. Loopback and link-local are here because they are not
# routed at all (no packet from the internet carries them), not because a rule needs them. Each range is written
# parsed too, so no evaluation pays for parsing them; cidr_test.rego proves `net` is parse(cidr).
private_nets := [
	{"cidr": "10.0.0.0/8", "name": "RFC 1918 private range 10.0.0.0/8", "net": {"version": 4, "groups": [2560, 0], "length": 8}},
	{"cidr": "172.16.0.0/12", "name": "RFC 1918 private range 172.16.0.0/12", "net": {"version": 4, "groups": [44048, 0], "length": 12}},
	{"cidr": "192.168.0.0/16", "name": "RFC 1918 private range 192.168.0.0/16", "net": {"version": 4, "groups": [49320, 0], "length": 16}},
	{"cidr": "100.64.0.0/10", "name": "RFC 6598 shared address space 100.64.0.0/10", "net": {"version": 4, "groups": [25664, 0], "length": 10}},
	{"cidr": "127.0.0.0/8", "name": "IPv4 loopback 127.0.0.0/8", "net": {"version": 4, "groups": [32512, 0], "length": 8}},
	{"cidr": "169.254.0.0/16", "name": "IPv4 link-local 169.254.0.0/16", "net": {"version": 4, "groups": [43518, 0], "length": 16}},
	{"cidr": "fc00::/7", "name": "IPv6 unique local range fc00::/7", "net": {"version": 6, "groups": [64512, 0, 0, 0, 0, 0, 0, 0], "length": 7}},
	{"cidr": "fe80::/10", "name": "IPv6 link-local fe80::/10", "net": {"version": 6, "groups": [65152, 0, 0, 0, 0, 0, 0, 0], "length": 10}},
	{"cidr": "::1/128", "name": "IPv6 loopback ::1/128", "net": {"version": 6, "groups": [0, 0, 0, 0, 0, 0, 0, 1], "length": 128}}
]

# The registry's allowlist (data.guardrails.public_cidrs: [{cidr, description}]), parsed once per evaluation.
allowed_nets(public_cidrs) := [{"net": n, "name": concat("", [e.cidr, " (", e.description, ")"])} |
	some e in public_cidrs
	n := parse(e.cidr)
]

# -- the verdict -------------------------------------------------------------------------------------
# {"open": bool, "why": text} for one CIDR string; `allowed` is allowed_nets(...). Open means the internet may
# reach it: not a CIDR this file can read, or not entirely inside private space or one allowlisted range.
verdict(c, allowed) := {"open": true, "why": "is not a CIDR the policy can read, so it counts as open"} if {
	not parse(c)
} else := {"open": false, "why": names[0]} if {
	p := parse(c)
	names := [r.name | some r in array.concat(private_nets, allowed); within(p, r.net)]
	count(names) > 0
} else := {"open": true, "why": "is public address space (outside private ranges and guardrails.network.public_cidrs)"}
