package security_groups_test

import data.fixtures
import data.security_groups
import rego.v1

sg(name, group_name) := fixtures.change("aws_security_group", name, {"name": group_name, "description": "x", "ingress": []})

vpc_rule(name, after) := fixtures.change("aws_vpc_security_group_ingress_rule", name, object.union({"description": "why", "ip_protocol": "tcp", "tags_all": null}, after))

# a plan with the groups, the rules, and configuration references rule -> group (and lb -> group)
doc(changes, config) := fixtures.plan_with_config(changes, config)

found(changes, config) := fixtures.hits(security_groups.check(doc(changes, config), fixtures.cfg))

alb := fixtures.change("aws_lb", "web", {"name": "dev-fileflow-web", "load_balancer_type": "application", "internal": false})

alb_ref := {"address": "aws_lb.web", "expressions": {"security_groups": {"references": ["aws_security_group.lb.id", "aws_security_group.lb"]}}}

# -- security_groups.open_ingress --------------------------------------------------------------------
test_open_ingress_allows_https_on_the_load_balancer_group if {
	rule := vpc_rule("https", {"cidr_ipv4": "0.0.0.0/0", "from_port": 443, "to_port": 443})
	count(found([sg("lb", "dev-fileflow-front-sg"), alb, rule], [alb_ref, fixtures.ref("aws_vpc_security_group_ingress_rule.https", "security_group_id", "aws_security_group.lb")])) == 0
}

test_open_ingress_allows_http_on_a_group_named_alb if {
	rule := fixtures.change("aws_security_group_rule", "http", {
		"type": "ingress", "cidr_blocks": ["0.0.0.0/0"], "from_port": 80, "to_port": 80, "protocol": "tcp", "description": "redirect"
	})
	count(found([sg("lb", "dev-fileflow-alb"), rule], [fixtures.ref("aws_security_group_rule.http", "security_group_id", "aws_security_group.lb")])) == 0
}

test_open_ingress_refuses_ssh_on_the_load_balancer_group if {
	rule := vpc_rule("ssh", {"cidr_ipv4": "0.0.0.0/0", "from_port": 22, "to_port": 22})
	found([sg("lb", "dev-fileflow-front-sg"), alb, rule], [alb_ref, fixtures.ref("aws_vpc_security_group_ingress_rule.ssh", "security_group_id", "aws_security_group.lb")]) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.ssh"]}
}

test_open_ingress_refuses_https_on_other_groups if {
	rule := vpc_rule("https", {"cidr_ipv6": "::/0", "from_port": 443, "to_port": 443})
	found([sg("app", "dev-fileflow-app-sg"), rule], [fixtures.ref("aws_vpc_security_group_ingress_rule.https", "security_group_id", "aws_security_group.app")]) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.https"]}
}

test_open_ingress_refuses_port_ranges_spanning_80_to_443 if {
	rule := vpc_rule("range", {"cidr_ipv4": "0.0.0.0/0", "from_port": 80, "to_port": 443})
	found([sg("lb", "dev-fileflow-alb"), rule], [fixtures.ref("aws_vpc_security_group_ingress_rule.range", "security_group_id", "aws_security_group.lb")]) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.range"]}
}

test_open_ingress_checks_inline_blocks if {
	group := fixtures.change("aws_security_group", "app", {"name": "dev-fileflow-app-sg", "ingress": [{
		"cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [], "from_port": 5432, "to_port": 5432, "protocol": "tcp", "description": "db"
	}]})
	found([group], []) == {["security_groups.open_ingress", "aws_security_group.app"]}
}

test_open_ingress_passes_private_sources if {
	rule := vpc_rule("db", {"cidr_ipv4": "10.0.0.0/16", "from_port": 5432, "to_port": 5432})
	count(found([rule], [])) == 0
}

test_open_ingress_in_synthesized_json_follows_interpolations if {
	synth := {"resource": {
		"aws_security_group": {"lb": {"name": "dev-fileflow-front-sg"}},
		"aws_lb": {"web": {"name": "dev-fileflow-web", "internal": false, "security_groups": ["${aws_security_group.lb.id}"]}},
		"aws_vpc_security_group_ingress_rule": {
			"https": {"security_group_id": "${aws_security_group.lb.id}", "cidr_ipv4": "0.0.0.0/0", "from_port": 443, "to_port": 443, "ip_protocol": "tcp", "description": "web"},
			"ssh": {"security_group_id": "${aws_security_group.lb.id}", "cidr_ipv4": "0.0.0.0/0", "from_port": 22, "to_port": 22, "ip_protocol": "tcp", "description": "admin"}
		}
	}}
	fixtures.hits(security_groups.check(synth, fixtures.cfg)) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.ssh"]}
}

# -- open by address arithmetic, per CIDR ------------------------------------------------------------
details(changes, config, cfg) := {[f.rule, f.address, f.detail] | some f in security_groups.check(doc(changes, config), cfg)}

public_space := "is public address space (outside private ranges and guardrails.network.public_cidrs)"

sg_rule(name, cidrs, v6) := fixtures.change("aws_security_group_rule", name, {
	"type": "ingress", "cidr_blocks": cidrs, "ipv6_cidr_blocks": v6, "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "admin"
})

# two halves of the internet are each public: two findings, each naming its own CIDR
test_open_ingress_refuses_each_half_of_the_address_space if {
	details([sg_rule("halves", ["0.0.0.0/1", "128.0.0.0/1"], [])], [], fixtures.cfg) == {
		["security_groups.open_ingress", "aws_security_group_rule.halves", concat("", ["ingress on ports 22-22 from 0.0.0.0/1, which ", public_space])],
		["security_groups.open_ingress", "aws_security_group_rule.halves", concat("", ["ingress on ports 22-22 from 128.0.0.0/1, which ", public_space])]
	}
}

test_open_ingress_refuses_any_public_range if {
	every c in ["8.0.0.0/8", "1.1.1.1/32", "10.0.0.0/7", "172.32.0.0/16", "100.128.0.0/10", "203.0.113.0/24"] {
		rule := vpc_rule("r", {"cidr_ipv4": c, "from_port": 22, "to_port": 22})
		details([rule], [], fixtures.cfg) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r", concat("", ["ingress on ports 22-22 from ", c, ", which ", public_space])]}
	}
}

test_open_ingress_refuses_public_ipv6_and_mapped_ipv4 if {
	every c in ["::/1", "2000::/3", "::ffff:0:0/96", "::ffff:0.0.0.0/96", "64:ff9b::/96", "2002::/16", "fc00::/6"] {
		rule := vpc_rule("r", {"cidr_ipv6": c, "from_port": 22, "to_port": 22})
		found([rule], []) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r"]}
	}
	found([sg_rule("mapped", [], ["::ffff:0:0/96"])], []) == {["security_groups.open_ingress", "aws_security_group_rule.mapped"]}
}

test_open_ingress_refuses_what_it_cannot_read if {
	rule := vpc_rule("r", {"cidr_ipv4": "010.0.0.0/8", "from_port": 22, "to_port": 22})
	details([rule], [], fixtures.cfg) == {[
		"security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r",
		"ingress on ports 22-22 from 010.0.0.0/8, which is not a CIDR the policy can read, so it counts as open"
	]}
}

test_open_ingress_passes_private_space_in_both_families if {
	every c in ["10.20.0.0/16", "172.31.0.0/16", "192.168.1.0/24", "100.64.0.0/10", "10.1.2.3/8"] {
		count(found([vpc_rule("r", {"cidr_ipv4": c, "from_port": 22, "to_port": 22})], [])) == 0
	}
	every c in ["fd00::/8", "FD12:3456:789a::/48", "fe80::/64"] {
		count(found([vpc_rule("r", {"cidr_ipv6": c, "from_port": 22, "to_port": 22})], [])) == 0
	}
}

registered := object.union(fixtures.cfg, {"public_cidrs": [
	{"cidr": "203.0.113.0/24", "description": "office egress"},
	{"cidr": "2001:db8:1234::/48", "description": "vendor webhooks"}
]})

test_open_ingress_allows_registered_public_ranges if {
	every c in ["203.0.113.0/24", "203.0.113.128/25"] {
		count(details([vpc_rule("r", {"cidr_ipv4": c, "from_port": 22, "to_port": 22})], [], registered)) == 0
	}
	count(details([vpc_rule("r", {"cidr_ipv6": "2001:db8:1234:5::/64", "from_port": 22, "to_port": 22})], [], registered)) == 0
}

# a range wider than the registered one, or next to it, is not covered by it
test_open_ingress_refuses_ranges_around_a_registered_one if {
	every c in ["203.0.112.0/23", "203.0.114.0/24"] {
		count(details([vpc_rule("r", {"cidr_ipv4": c, "from_port": 22, "to_port": 22})], [], registered)) == 1
	}
}

test_open_ingress_checks_every_cidr_of_an_inline_block if {
	group := fixtures.change("aws_security_group", "app", {"name": "dev-fileflow-app-sg", "ingress": [{
		"cidr_blocks": ["10.0.0.0/16", "8.8.8.0/24"], "ipv6_cidr_blocks": ["::/0"], "from_port": 5432, "to_port": 5432,
		"protocol": "tcp", "description": "db"
	}]})
	{d | some [_, _, d] in details([group], [], fixtures.cfg)} == {
		concat("", ["ingress on ports 5432-5432 from 8.8.8.0/24, which ", public_space]),
		concat("", ["ingress on ports 5432-5432 from ::/0, which ", public_space])
	}
}

# -- prefix lists --------------------------------------------------------------------------------------
test_open_ingress_refuses_prefix_lists_it_cannot_resolve if {
	rule := vpc_rule("pl", {"prefix_list_id": "pl-0123456789abcdef0", "from_port": 22, "to_port": 22})
	details([rule], [], fixtures.cfg) == {[
		"security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.pl",
		"ingress on ports 22-22 from prefix list pl-0123456789abcdef0, which is not created in this plan, so its entries cannot be checked"
	]}
	legacy := fixtures.change("aws_security_group_rule", "pl", {
		"type": "ingress", "prefix_list_ids": ["pl-11111111"], "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "x"
	})
	found([legacy], []) == {["security_groups.open_ingress", "aws_security_group_rule.pl"]}
	group := fixtures.change("aws_security_group", "app", {"name": "dev-fileflow-app-sg", "ingress": [{
		"prefix_list_ids": ["pl-22222222"], "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "x"
	}]})
	found([group], []) == {["security_groups.open_ingress", "aws_security_group.app"]}
}

managed_list(name, entries) := fixtures.change("aws_ec2_managed_prefix_list", name, {
	"name": name, "address_family": "IPv4", "max_entries": 5, "entry": entries, "tags_all": null
})

# the rule's prefix list is the plan's own, so its id is known only after apply
list_rule(name) := fixtures.change_unknown("aws_vpc_security_group_ingress_rule", name, {
	"description": "from the list", "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "tags_all": null
}, {"prefix_list_id": true})

list_ref(rule) := fixtures.ref(concat(".", ["aws_vpc_security_group_ingress_rule", rule]), "prefix_list_id", "aws_ec2_managed_prefix_list.pl")

test_open_ingress_passes_a_prefix_list_of_the_plan_with_private_entries if {
	pl := managed_list("pl", [{"cidr": "10.0.0.0/8", "description": "vpc"}, {"cidr": "fd00::/8", "description": "v6"}])
	count(found([pl, list_rule("r")], [list_ref("r")])) == 0
}

test_open_ingress_refuses_a_public_entry_of_a_prefix_list_of_the_plan if {
	pl := managed_list("pl", [{"cidr": "10.0.0.0/8", "description": "vpc"}, {"cidr": "8.8.8.0/24", "description": "?"}])
	details([pl, list_rule("r")], [list_ref("r")], fixtures.cfg) == {[
		"security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r",
		concat("", ["ingress on ports 22-22 from 8.8.8.0/24 in aws_ec2_managed_prefix_list.pl, which ", public_space])
	]}
	count(details([pl, list_rule("r")], [list_ref("r")], object.union(fixtures.cfg, {"public_cidrs": [{"cidr": "8.8.8.0/24", "description": "dns"}]}))) == 0
}

# an entry resource adds to the list outside its `entry` blocks
test_open_ingress_refuses_a_public_entry_resource_on_the_list if {
	pl := managed_list("pl", [{"cidr": "10.0.0.0/8", "description": "vpc"}])
	extra := fixtures.change("aws_ec2_managed_prefix_list_entry", "extra", {"cidr": "0.0.0.0/0", "description": "all"})
	entry_ref := fixtures.ref("aws_ec2_managed_prefix_list_entry.extra", "prefix_list_id", "aws_ec2_managed_prefix_list.pl")
	{d | some [_, _, d] in details([pl, extra, list_rule("r")], [list_ref("r"), entry_ref], fixtures.cfg)} == {concat("", ["ingress on ports 22-22 from 0.0.0.0/0 in aws_ec2_managed_prefix_list.pl, which ", public_space])}
}

unresolved := "ingress on ports 22-22 from a prefix list known only after apply, which refers to no aws_ec2_managed_prefix_list of this plan whose entries are all known at plan time"

# an entry attached through a local could land in any list: no list of the plan can be trusted
test_open_ingress_refuses_lists_when_an_entry_is_attached_indirectly if {
	pl := managed_list("pl", [{"cidr": "10.0.0.0/8", "description": "vpc"}])
	loose := fixtures.change("aws_ec2_managed_prefix_list_entry", "loose", {"cidr": "0.0.0.0/0", "description": "all"})
	loose_ref := {"address": "aws_ec2_managed_prefix_list_entry.loose", "expressions": {"prefix_list_id": {"references": ["local.list_id"]}}}
	details([pl, loose, list_rule("r")], [list_ref("r"), loose_ref], fixtures.cfg) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r", unresolved]}
}

test_open_ingress_refuses_a_computed_prefix_list_from_elsewhere if {
	pl := managed_list("pl", [{"cidr": "10.0.0.0/8", "description": "vpc"}])
	via_var := {"address": "aws_vpc_security_group_ingress_rule.r", "expressions": {"prefix_list_id": {"references": ["var.list_id"]}}}
	details([pl, list_rule("r")], [via_var], fixtures.cfg) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r", unresolved]}
	# no reference at all (a dynamic block, a for expression over nothing known)
	details([pl, list_rule("r")], [], fixtures.cfg) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r", unresolved]}
	# one list of the plan and one from a variable: not all resolvable
	both := {"address": "aws_vpc_security_group_ingress_rule.r", "expressions": {"prefix_list_id": {"references": ["aws_ec2_managed_prefix_list.pl.id", "aws_ec2_managed_prefix_list.pl", "var.other"]}}}
	details([pl, list_rule("r")], [both], fixtures.cfg) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r", unresolved]}
}

test_open_ingress_refuses_a_list_whose_entries_are_computed if {
	pl := fixtures.change_unknown("aws_ec2_managed_prefix_list", "pl", {"name": "pl", "entry": [{"description": "x"}], "tags_all": null}, {"entry": [{"cidr": true}]})
	details([pl, list_rule("r")], [list_ref("r")], fixtures.cfg) == {["security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.r", unresolved]}
}

# an allowed 443 on the load balancer's group stays allowed from a prefix list too
test_open_ingress_allows_https_from_a_prefix_list_on_the_load_balancer_group if {
	rule := vpc_rule("https", {"prefix_list_id": "pl-0123456789abcdef0", "from_port": 443, "to_port": 443})
	count(found([sg("lb", "dev-fileflow-alb"), rule], [fixtures.ref("aws_vpc_security_group_ingress_rule.https", "security_group_id", "aws_security_group.lb")])) == 0
}

# -- security_groups.unknown_source -------------------------------------------------------------------
computed(address) := {"references": [concat("", [address, ".id"]), address]}

unknown_fix := "give cidr_ipv4 a value known at plan time: a literal, or a variable with a default, not an attribute of a resource created in the same apply or a data source (a source security group may stay computed)"

test_unknown_source_fails_on_a_computed_cidr if {
	rule := fixtures.change_unknown("aws_vpc_security_group_ingress_rule", "r", {"description": "x", "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "tags_all": null}, {"cidr_ipv4": true})
	[f | some f in security_groups.check(doc([rule], []), fixtures.cfg)] == [{
		"rule": "security_groups.unknown_source", "level": "deny", "severity": "HIGH", "address": "aws_vpc_security_group_ingress_rule.r",
		"detail": "cidr_ipv4 is known only after apply, so the policy cannot tell whether this ingress is open to the internet",
		"fix": unknown_fix
	}]
	v6 := fixtures.change_unknown("aws_vpc_security_group_ingress_rule", "r6", {"description": "x", "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "tags_all": null}, {"cidr_ipv6": true})
	found([v6], []) == {["security_groups.unknown_source", "aws_vpc_security_group_ingress_rule.r6"]}
}

# one computed element among known ones: the known one is judged, the computed one is a finding
test_unknown_source_fails_on_one_computed_element if {
	rule := fixtures.change_unknown("aws_security_group_rule", "r", {
		"type": "ingress", "cidr_blocks": ["10.0.0.0/8", null], "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "x"
	}, {"cidr_blocks": [false, true]})
	found([rule], []) == {["security_groups.unknown_source", "aws_security_group_rule.r"]}
	public := fixtures.change_unknown("aws_security_group_rule", "r", {
		"type": "ingress", "cidr_blocks": ["8.0.0.0/8"], "ipv6_cidr_blocks": null, "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "x"
	}, {"ipv6_cidr_blocks": true})
	found([public], []) == {["security_groups.unknown_source", "aws_security_group_rule.r"], ["security_groups.open_ingress", "aws_security_group_rule.r"]}
}

# what a dynamic ingress block over a computed list plans to: one block whose fields are unknown
test_unknown_source_fails_on_an_inline_block_with_computed_cidrs if {
	group := fixtures.change_unknown("aws_security_group", "app", {"name": "dev-fileflow-app-sg", "ingress": [{
		"description": "", "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [], "self": false
	}]}, {"ingress": [{"cidr_blocks": true, "from_port": true, "to_port": true, "protocol": true, "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": []}]})
	found([group], []) == {["security_groups.unknown_source", "aws_security_group.app"], ["security_groups.missing_description", "aws_security_group.app"]}
}

test_unknown_source_fails_on_a_computed_ingress_attribute if {
	group := fixtures.change_unknown("aws_security_group", "app", {"name": "dev-fileflow-app-sg"}, {"ingress": true})
	found([group], [{"address": "aws_security_group.app", "expressions": {"ingress": computed("terraform_data.rules")}}]) == {["security_groups.unknown_source", "aws_security_group.app"]}
}

# a group without inline rules: the provider computes `ingress` from the separate rules, which are judged themselves
test_unknown_source_passes_a_group_whose_rules_are_separate if {
	group := fixtures.change_unknown("aws_security_group", "app", {"name": "dev-fileflow-app-sg"}, {"ingress": true})
	count(found([group], [{"address": "aws_security_group.app", "expressions": {"name": {"constant_value": "dev-fileflow-app-sg"}}}])) == 0
}

test_unknown_source_fails_on_a_computed_rule_type if {
	rule := fixtures.change_unknown("aws_security_group_rule", "r", {"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "x"}, {"type": true})
	found([rule], []) == {["security_groups.unknown_source", "aws_security_group_rule.r"]}
}

test_unknown_source_passes_computed_source_security_groups if {
	vpc := fixtures.change_unknown("aws_vpc_security_group_ingress_rule", "r", {"description": "x", "ip_protocol": "tcp", "from_port": 22, "to_port": 22, "tags_all": null}, {"referenced_security_group_id": true})
	legacy := fixtures.change_unknown("aws_security_group_rule", "l", {"type": "ingress", "from_port": 22, "to_port": 22, "protocol": "tcp", "description": "x"}, {"source_security_group_id": true})
	group := fixtures.change_unknown("aws_security_group", "app", {"name": "dev-fileflow-app-sg", "ingress": [{
		"cidr_blocks": [], "description": "from the lb", "from_port": 8080, "to_port": 8080, "protocol": "tcp"
	}]}, {"ingress": [{"cidr_blocks": [], "security_groups": true}]})
	count(found([vpc, legacy, group], [])) == 0
}

# -- security_groups.all_traffic_ingress -------------------------------------------------------------
test_all_traffic_ingress_fails_on_protocol_minus_one_from_anywhere if {
	rule := vpc_rule("all", {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "-1"})
	found([rule], []) == {["security_groups.all_traffic_ingress", "aws_vpc_security_group_ingress_rule.all"]}
}

test_all_traffic_ingress_fails_on_any_public_range if {
	rule := vpc_rule("all", {"cidr_ipv4": "0.0.0.0/1", "ip_protocol": "-1"})
	details([rule], [], fixtures.cfg) == {[
		"security_groups.all_traffic_ingress", "aws_vpc_security_group_ingress_rule.all",
		concat("", ["all protocols and ports (-1) from 0.0.0.0/1, which ", public_space])
	]}
}

test_all_traffic_ingress_passes_inside_the_vpc if {
	rule := vpc_rule("all", {"cidr_ipv4": "10.0.0.0/8", "ip_protocol": "-1"})
	count(found([rule], [])) == 0
}

# -- security_groups.missing_description -------------------------------------------------------------
test_missing_description_fails_on_empty_description if {
	rule := fixtures.change("aws_security_group_rule", "r", {
		"type": "ingress", "cidr_blocks": ["10.0.0.0/16"], "from_port": 8080, "to_port": 8080, "protocol": "tcp", "description": " "
	})
	found([rule], []) == {["security_groups.missing_description", "aws_security_group_rule.r"]}
}

test_missing_description_fails_on_inline_block_without_one if {
	group := fixtures.change("aws_security_group", "app", {"name": "dev-fileflow-app-sg", "ingress": [{
		"cidr_blocks": ["10.0.0.0/16"], "from_port": 8080, "to_port": 8080, "protocol": "tcp", "description": ""
	}]})
	found([group], []) == {["security_groups.missing_description", "aws_security_group.app"]}
}

test_missing_description_passes_with_one if {
	rule := vpc_rule("r", {"cidr_ipv4": "10.0.0.0/16", "from_port": 8080, "to_port": 8080})
	count(found([rule], [])) == 0
}

test_missing_description_ignores_egress if {
	rule := fixtures.change("aws_security_group_rule", "out", {
		"type": "egress", "cidr_blocks": ["0.0.0.0/0"], "from_port": 0, "to_port": 0, "protocol": "-1"
	})
	count(found([rule], [])) == 0
}
