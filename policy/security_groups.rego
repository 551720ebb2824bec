# Security group ingress: nothing open to the internet except HTTP/HTTPS (80/443) on load balancer groups, no
# all-protocol ingress from the internet, a description on every rule. Covers inline ingress blocks of
# aws_security_group, aws_security_group_rule (type ingress) and aws_vpc_security_group_ingress_rule, IPv4 and IPv6.
#
# "Open" is decided by address arithmetic (cidr.rego), per CIDR: a source is open unless it lies entirely inside
# private space or inside one range of the registry's guardrails.network.public_cidrs. So 0.0.0.0/1 plus
# 128.0.0.0/1, 8.0.0.0/8 or ::ffff:0:0/96 are each open, each a finding of its own. A prefix list is open unless it
# can be resolved: an aws_ec2_managed_prefix_list of the same plan, referenced by the rule, whose entries (and the
# aws_ec2_managed_prefix_list_entry resources added to it) are all known and each judged like a CIDR.
#
# A load balancer group is recognised two ways, both from the plan itself: an aws_lb/aws_alb of type
# application references it in security_groups, or its name follows our naming with an `alb` segment
# ({env}-{service}-...-alb..., what the catalog's sg module makes with name = "alb").
package security_groups

import data.cidr
import data.lib
import rego.v1

findings := evaluate(lib.input_context, data.guardrails)

# The policy as a function of (document, data): what security_groups_test.rego calls.
check(doc, cfg) := evaluate(lib.context(doc), cfg)

deny contains r if some r in lib.report(findings, data.guardrails, "deny")

warn contains r if some r in lib.report(findings, data.guardrails, "warn")

warn contains r if some r in lib.excepted_results(findings, data.guardrails)

evaluate(ctx, cfg) := (exposed(perms, alb_groups(ctx), lists, verdicts) | unknown_sources(ctx, perms)) | undescribed(perms) if {
	# arrays, not sets: rego-cpp inserts into a set of objects in linear time
	perms := array.concat(array.concat(inline_ingress(ctx), rule_ingress(ctx)), vpc_ingress(ctx))
	lists := prefix_lists(ctx)
	allowed := cidr.allowed_nets(object.get(cfg, "public_cidrs", []))
	# each distinct CIDR is judged once: rego-cpp does not memoise function calls
	distinct := {x | some p in perms; some x in p.cidrs} | {y | some l in lists; some y in l.cidrs}
	verdicts := {c: cidr.verdict(c, al) | some c in distinct; al := allowed}
}

# One finding per open source of each permission: all_traffic_ingress for protocol -1, else open_ingress unless it
# is the load balancer's 80/443. (The outer values are bound again inside the comprehension: rego-cpp otherwise
# reads them as unbound there.)
exposed(perms, groups, lists, verdicts) := {f |
	some p in perms
	ls := lists
	vs := verdicts
	some s in open_sources(p, ls, vs)
	f := exposure(p, s, groups)
}

exposure(p, s, groups) := {
	"rule": "security_groups.all_traffic_ingress", "level": "deny", "severity": "HIGH", "address": p.address,
	"detail": concat("", ["all protocols and ports (-1) from ", s.source, ", which ", s.why]),
	"fix": "open only the protocol and port the service needs, from a known source"
} if {
	all_protocols(p)
} else := {
	"rule": "security_groups.open_ingress", "level": "deny", "severity": "HIGH", "address": p.address,
	"detail": concat("", ["ingress on ports ", format_port(p.from), "-", format_port(p.to), " from ", s.source, ", which ", s.why]),
	"fix": s.fix
} if {
	not allowed_web(p, groups)
}

web_ports := {80, 443}

# Every ingress permission as {address, groups (config keys), cidrs (known strings), prefix_list_ids (known
# strings), prefix_list_refs (config keys, "?..." when not a resource of the module), unknown (fields known only
# after apply), from, to, protocol, description}.
# (i is declared first: regorus refuses a `some` after an assignment, rego-cpp misreads `some i, x in` here)
inline_ingress(ctx) := [p |
	some i
	some r in ctx.by_type.aws_security_group
	blocks := list(lib.known(r, "ingress"))
	ing := blocks[i]
	is_object(ing)
	unknown := at(list(object.get(r.unknown, "ingress", [])), i)
	p := {
		"address": r.address, "groups": [r.config_key],
		"cidrs": array.concat(lib.known_strings(object.get(ing, "cidr_blocks", [])), lib.known_strings(object.get(ing, "ipv6_cidr_blocks", []))),
		"prefix_list_ids": lib.known_strings(object.get(ing, "prefix_list_ids", [])),
		"prefix_list_refs": list(object.get(r.refs, "ingress_prefix_list_ids", [])),
		"unknown": lib.unknown_fields(r.unknown, unknown, ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"]),
		"from": object.get(ing, "from_port", null), "to": object.get(ing, "to_port", null),
		"protocol": object.get(ing, "protocol", null), "description": object.get(ing, "description", "")
	}
]

rule_ingress(ctx) := [p |
	some r in ctx.by_type.aws_security_group_rule
	lib.known(r, "type") == "ingress"
	p := {
		"address": r.address, "groups": list(object.get(r.refs, "security_group_id", [])),
		"cidrs": array.concat(lib.known_strings(object.get(r.values, "cidr_blocks", [])), lib.known_strings(object.get(r.values, "ipv6_cidr_blocks", []))),
		"prefix_list_ids": lib.known_strings(object.get(r.values, "prefix_list_ids", [])),
		"prefix_list_refs": list(object.get(r.refs, "prefix_list_ids", [])),
		"unknown": lib.unknown_fields(r.unknown, r.unknown, ["cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids"]),
		"from": object.get(r.values, "from_port", null), "to": object.get(r.values, "to_port", null),
		"protocol": object.get(r.values, "protocol", null), "description": object.get(r.values, "description", "")
	}
]

# (the most common rule resource, so written without helper calls: rego-cpp pays for each call per rule)
vpc_ingress(ctx) := [p |
	some r in ctx.by_type.aws_vpc_security_group_ingress_rule
	p := {
		"address": r.address, "groups": list(object.get(r.refs, "security_group_id", [])),
		"cidrs": [c | some c in [object.get(r.values, "cidr_ipv4", null), object.get(r.values, "cidr_ipv6", null)]; is_string(c); not contains(c, "${")],
		"prefix_list_ids": [c | some c in [object.get(r.values, "prefix_list_id", null)]; is_string(c); not contains(c, "${")],
		"prefix_list_refs": object.get(r.refs, "prefix_list_id", []),
		"unknown": [f | some f in ["cidr_ipv4", "cidr_ipv6", "prefix_list_id"]; r.unknown[f] == true],
		"from": object.get(r.values, "from_port", null), "to": object.get(r.values, "to_port", null),
		"protocol": object.get(r.values, "ip_protocol", null), "description": object.get(r.values, "description", "")
	}
]

list(x) := x if is_array(x)

else := [y | some y in x] if is_set(x)

else := []

at(a, i) := a[i] if is_object(a[i])

else := {}

# -- prefix lists ------------------------------------------------------------------------------------
# {config key: {"known": bool, "cidrs": [...]}} of every aws_ec2_managed_prefix_list of the plan. A list is known
# when its entries and every aws_ec2_managed_prefix_list_entry attached to it are known, and no entry resource of
# the plan is attached through something other than a resource reference (a variable, a local, a module output):
# such an entry could land in any list. (Entry resources are in every piece of a split plan, view.py GLOBAL_TYPES.)
prefix_lists(ctx) := {r.config_key: {"known": known, "cidrs": cidrs} |
	loose := [e | some e in ctx.by_type.aws_ec2_managed_prefix_list_entry; loose_entry(e)]
	some r in ctx.by_type.aws_ec2_managed_prefix_list
	key := r.config_key
	entries := list(lib.known(r, "entry"))
	attached := [e | some e in ctx.by_type.aws_ec2_managed_prefix_list_entry; key in list(object.get(e.refs, "prefix_list_id", []))]
	cidrs := array.concat([c | some x in entries; c := object.get(x, "cidr", null); is_string(c)], [c | some e in attached; some c in lib.known_strings(object.get(e.values, "cidr", null))])
	known := all_known(r, entries, attached, loose)
}

all_known(r, entries, attached, loose) := true if {
	count(loose) == 0
	not r.unknown.entry == true
	every x in entries {
		count(lib.known_strings(object.get(x, "cidr", null))) == 1
	}
	every e in attached {
		count(lib.known_strings(object.get(e.values, "cidr", null))) == 1
	}
	lib.known(r, "entry")
} else := false

loose_entry(e) if count(object.get(e.refs, "prefix_list_id", [])) == 0

loose_entry(e) if {
	some k in object.get(e.refs, "prefix_list_id", [])
	not lib.resource_key(k)
}

# -- judging the sources -----------------------------------------------------------------------------
# The open sources of a permission: [{source, why, fix}], one per CIDR or prefix list the internet may reach it
# from.
open_sources(p, lists, verdicts) := array.concat(array.concat(
	[{"source": c, "why": verdicts[c].why, "fix": cidr_fix} | some c in p.cidrs; verdicts[c].open],
	[{"source": concat("", ["prefix list ", id]), "why": "is not created in this plan, so its entries cannot be checked", "fix": prefix_list_fix} | some id in p.prefix_list_ids]
), computed_list_sources(p, lists, verdicts))

# A prefix list known only after apply: judged through the lists the rule refers to, when all of them resolve.
computed_list_sources(p, lists, verdicts) := [] if {
	not "prefix_list_id" in p.unknown
	not "prefix_list_ids" in p.unknown
} else := [{"source": concat("", [c, " in ", k]), "why": verdicts[c].why, "fix": cidr_fix} |
	some k in p.prefix_list_refs
	some c in lists[k].cidrs
	verdicts[c].open
] if {
	count(p.prefix_list_refs) > 0
	every k in p.prefix_list_refs {
		lists[k].known == true
	}
} else := [{
	"source": "a prefix list known only after apply",
	"why": "refers to no aws_ec2_managed_prefix_list of this plan whose entries are all known at plan time",
	"fix": prefix_list_fix
}]

cidr_fix := "narrow the source to private address space or a source security group; if this public range must reach the service, register it under guardrails.network.public_cidrs in platform.yaml (reviewed by the platform team); only 80/443 on a load balancer's group may be open to the internet"

prefix_list_fix := "refer to an aws_ec2_managed_prefix_list created in the same configuration whose entries are private or registered public ranges, or use a CIDR or a source security group"

# Config keys of the groups that sit in front of an application load balancer.
alb_groups(ctx) := {g |
	some t in ["aws_lb", "aws_alb"]
	some r in ctx.by_type[t]
	object.get(r.values, "load_balancer_type", "application") in {"application", null}
	some g in list(object.get(r.refs, "security_groups", []))
} | {r.config_key |
	some r in ctx.by_type.aws_security_group
	name := lib.known(r, "name")
	is_string(name)
	regex.match(`^[a-z0-9]+-[a-z0-9-]+-alb(-[a-z0-9]+)*$`, name)
}

all_protocols(p) if p.protocol in {"-1", "all", -1}

web_only(p) if {
	p.from in web_ports
	p.from == p.to
}

format_port(x) := format_int(x, 10) if is_number(x)

else := "?"

allowed_web(p, groups) if {
	web_only(p)
	some g in p.groups
	g in groups
}

# -- security_groups.unknown_source ------------------------------------------------------------------
# A CIDR known only after apply cannot be judged: it could be 0.0.0.0/0. Unknown prefix lists are judged through
# the lists they refer to (open_sources); an unknown source security group is no address range and stays allowed.
cidr_fields := {"cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"}

unknown_sources(ctx, perms) := ({unknown_finding(p.address, f) |
	some p in perms
	some f in p.unknown
	f in cidr_fields
} | {unknown_finding(r.address, "ingress") |
	# whole inline rule set computed: unknown blocks from an expression (an unknown `ingress` the configuration
	# does not set is the provider's copy of the separate rules, and those are judged themselves)
	some r in ctx.by_type.aws_security_group
	r.unknown.ingress == true
	"ingress" in r.configured
}) | {unknown_finding(r.address, "type") |
	some r in ctx.by_type.aws_security_group_rule
	r.unknown.type == true
}

unknown_finding(address, field) := {
	"rule": "security_groups.unknown_source", "level": "deny", "severity": "HIGH", "address": address,
	"detail": concat("", [field, " is known only after apply, so the policy cannot tell whether this ingress is open to the internet"]),
	"fix": concat("", [
		"give ", field, " a value known at plan time: a literal, or a variable with a default, not an attribute of a ",
		"resource created in the same apply or a data source (a source security group may stay computed)"
	])
}

undescribed(perms) := {f |
	some p in perms
	not described(p)
	f := {
		"rule": "security_groups.missing_description", "level": "deny", "severity": "LOW", "address": p.address,
		"detail": "ingress rule without a description",
		"fix": "say in description who needs the port and why (it shows in the console and in audits)"
	}
}

described(p) if {
	is_string(p.description)
	trim_space(p.description) != ""
}
