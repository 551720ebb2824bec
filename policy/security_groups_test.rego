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

# -- security_groups.all_traffic_ingress -------------------------------------------------------------
test_all_traffic_ingress_fails_on_protocol_minus_one_from_anywhere if {
	rule := vpc_rule("all", {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "-1"})
	found([rule], []) == {["security_groups.all_traffic_ingress", "aws_vpc_security_group_ingress_rule.all"]}
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
