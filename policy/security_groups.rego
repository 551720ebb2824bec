# Security group ingress: no 0.0.0.0/0 or ::/0 except HTTP/HTTPS (80/443) on load balancer groups, no
# all-protocol ingress from anywhere, a description on every rule. Covers inline ingress blocks of
# aws_security_group, aws_security_group_rule (type ingress) and aws_vpc_security_group_ingress_rule.
#
# A load balancer group is recognised two ways, both from the plan itself: an aws_lb/aws_alb of type
# application references it in security_groups, or its name follows our naming with an `alb` segment
# ({env}-{service}-...-alb..., what the catalog's sg module makes with name = "alb").
package security_groups

import data.lib
import rego.v1

findings := evaluate(lib.input_context, data.guardrails)

# The policy as a function of (document, data): what security_groups_test.rego calls.
check(doc, cfg) := evaluate(lib.context(doc), cfg)

deny contains r if some r in lib.report(findings, data.guardrails, "deny")

warn contains r if some r in lib.report(findings, data.guardrails, "warn")

warn contains r if some r in lib.excepted_results(findings, data.guardrails)

evaluate(ctx, _) := (open_ingress(perms, alb_groups(ctx)) | all_traffic(perms)) | undescribed(perms) if {
	# arrays, not sets: rego-cpp inserts into a set of objects in linear time
	perms := array.concat(array.concat(inline_ingress(ctx), rule_ingress(ctx)), vpc_ingress(ctx))
}

anywhere := {"0.0.0.0/0", "::/0"}

web_ports := {80, 443}

# Every ingress permission as {address, groups (config keys), cidrs, from, to, protocol, description}.
inline_ingress(ctx) := [p |
	some r in ctx.by_type.aws_security_group
	some ing in list(lib.known(r, "ingress"))
	is_object(ing)
	p := {
		"address": r.address, "groups": [r.config_key],
		"cidrs": array.concat(list(object.get(ing, "cidr_blocks", [])), list(object.get(ing, "ipv6_cidr_blocks", []))),
		"from": object.get(ing, "from_port", null), "to": object.get(ing, "to_port", null),
		"protocol": object.get(ing, "protocol", null), "description": object.get(ing, "description", "")
	}
]

rule_ingress(ctx) := [p |
	some r in ctx.by_type.aws_security_group_rule
	lib.known(r, "type") == "ingress"
	p := {
		"address": r.address, "groups": list(object.get(r.refs, "security_group_id", [])),
		"cidrs": array.concat(list(object.get(r.values, "cidr_blocks", [])), list(object.get(r.values, "ipv6_cidr_blocks", []))),
		"from": object.get(r.values, "from_port", null), "to": object.get(r.values, "to_port", null),
		"protocol": object.get(r.values, "protocol", null), "description": object.get(r.values, "description", "")
	}
]

vpc_ingress(ctx) := [p |
	some r in ctx.by_type.aws_vpc_security_group_ingress_rule
	p := {
		"address": r.address, "groups": list(object.get(r.refs, "security_group_id", [])),
		"cidrs": [c | some c in [object.get(r.values, "cidr_ipv4", null), object.get(r.values, "cidr_ipv6", null)]; is_string(c)],
		"from": object.get(r.values, "from_port", null), "to": object.get(r.values, "to_port", null),
		"protocol": object.get(r.values, "ip_protocol", null), "description": object.get(r.values, "description", "")
	}
]

list(x) := x if is_array(x)

else := [y | some y in x] if is_set(x)

else := []

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

from_anywhere(p) if {
	some c in p.cidrs
	c in anywhere
}

all_protocols(p) if p.protocol in {"-1", "all", -1}

web_only(p) if {
	p.from in web_ports
	p.from == p.to
}

open_ingress(perms, groups) := {f |
	some p in perms
	from_anywhere(p)
	not all_protocols(p)
	not allowed_web(p, groups)
	f := {
		"rule": "security_groups.open_ingress", "level": "deny", "severity": "HIGH", "address": p.address,
		"detail": concat("", [
			"ingress from ", concat(", ", sort([c | some c in p.cidrs; c in anywhere])),
			" on ports ", format_port(p.from), "-", format_port(p.to)
		]),
		"fix": "allow a VPC CIDR or a source security group; only 80/443 on a load balancer's group may be open to the internet"
	}
}

format_port(x) := format_int(x, 10) if is_number(x)

else := "?"

allowed_web(p, groups) if {
	web_only(p)
	some g in p.groups
	g in groups
}

all_traffic(perms) := {f |
	some p in perms
	from_anywhere(p)
	all_protocols(p)
	f := {
		"rule": "security_groups.all_traffic_ingress", "level": "deny", "severity": "HIGH", "address": p.address,
		"detail": "all protocols and ports (-1) open to the internet",
		"fix": "open only the protocol and port the service needs, from a known source"
	}
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
