package unique_names_test

import data.fixtures
import data.unique_names
import rego.v1

found(changes) := fixtures.hits(unique_names.check(fixtures.plan(changes), fixtures.cfg))

role(name, value) := fixtures.change("aws_iam_role", name, {"name": value})

group(name, value, vpc) := fixtures.change("aws_security_group", name, {"name": value, "vpc_id": vpc})

# -- unique_names.duplicate --------------------------------------------------------------------------
test_duplicate_passes_on_distinct_names if {
	count(found([role("a", "dev-fileflow-task"), role("b", "dev-fileflow-exec")])) == 0
}

test_duplicate_fails_on_the_same_name if {
	found([role("a", "dev-fileflow-task"), role("b", "dev-fileflow-task")]) == {["unique_names.duplicate", "aws_iam_role.b"]}
}

test_duplicate_names_both_addresses_and_the_fix if {
	some f in unique_names.check(fixtures.plan([role("a", "dev-fileflow-task"), role("b", "dev-fileflow-task")]), fixtures.cfg)
	f.level == "deny"
	f.severity == "HIGH"
	contains(f.detail, "aws_iam_role.a")
	f.address == "aws_iam_role.b"
	contains(f.fix, "another name")
}

test_duplicate_reports_each_further_resource_once if {
	found([role("a", "dev-fileflow-task"), role("b", "dev-fileflow-task"), role("c", "dev-fileflow-task")]) == {
		["unique_names.duplicate", "aws_iam_role.b"], ["unique_names.duplicate", "aws_iam_role.c"]
	}
}

test_duplicate_ignores_case_where_aws_does if {
	found([role("a", "dev-fileflow-task"), role("b", "Dev-FileFlow-Task")]) == {["unique_names.duplicate", "aws_iam_role.b"]}
}

test_duplicate_keeps_case_where_aws_does if {
	lower_group := fixtures.change("aws_cloudwatch_log_group", "a", {"name": "/ecs/dev-fileflow-api"})
	upper_group := fixtures.change("aws_cloudwatch_log_group", "b", {"name": "/ECS/dev-fileflow-api"})
	count(found([lower_group, upper_group])) == 0
}

test_duplicate_shares_a_namespace_across_types if {
	lb := fixtures.change("aws_lb", "a", {"name": "dev-fileflow-alb"})
	alb := fixtures.change("aws_alb", "b", {"name": "dev-fileflow-alb"})
	count(found([lb, alb])) == 1
}

test_duplicate_keeps_types_apart if {
	queue := fixtures.change("aws_sqs_queue", "q", {"name": "dev-fileflow-api"})
	count(found([queue, role("r", "dev-fileflow-api")])) == 0
}

test_duplicate_is_per_vpc_for_security_groups if {
	count(found([group("a", "dev-fileflow-api", "vpc-11111111"), group("b", "dev-fileflow-api", "vpc-22222222")])) == 0
	found([group("a", "dev-fileflow-api", "vpc-11111111"), group("b", "dev-fileflow-api", "vpc-11111111")]) == {["unique_names.duplicate", "aws_security_group.b"]}
}

test_duplicate_counts_an_unset_vpc_as_the_default_one if {
	a := fixtures.change("aws_security_group", "a", {"name": "dev-fileflow-api"})
	b := fixtures.change("aws_security_group", "b", {"name": "dev-fileflow-api", "vpc_id": null})
	count(found([a, b])) == 1
}

test_duplicate_is_per_cluster_for_ecs_services if {
	a := fixtures.change("aws_ecs_service", "a", {"name": "dev-fileflow-api", "cluster": "arn:aws:ecs:ap-northeast-2:111111111111:cluster/one"})
	b := fixtures.change("aws_ecs_service", "b", {"name": "dev-fileflow-api", "cluster": "arn:aws:ecs:ap-northeast-2:111111111111:cluster/two"})
	c := fixtures.change("aws_ecs_service", "c", {"name": "dev-fileflow-api", "cluster": "arn:aws:ecs:ap-northeast-2:111111111111:cluster/one"})
	count(found([a, b])) == 0
	count(found([a, c])) == 1
}

test_duplicate_skips_unknown_names if {
	# name_prefix: the name is known only after apply, and unique by construction
	a := fixtures.change_unknown("aws_iam_role", "a", {"name": null, "name_prefix": "dev-fileflow-"}, {"name": true})
	b := fixtures.change_unknown("aws_iam_role", "b", {"name": null, "name_prefix": "dev-fileflow-"}, {"name": true})
	c := role("c", "dev-fileflow-")
	count(found([a, b, c])) == 0
}

test_duplicate_skips_unknown_scopes if {
	a := fixtures.change_unknown("aws_security_group", "a", {"name": "dev-fileflow-api", "vpc_id": null}, {"vpc_id": true})
	b := fixtures.change_unknown("aws_security_group", "b", {"name": "dev-fileflow-api", "vpc_id": null}, {"vpc_id": true})
	count(found([a, b])) == 0
}

test_duplicate_skips_deletes_and_no_ops if {
	gone := fixtures.change_full("aws_iam_role", "old", {"name": "dev-fileflow-task"}, {}, ["delete"])
	kept := fixtures.change_full("aws_iam_role", "kept", {"name": "dev-fileflow-task"}, {}, ["no-op"])
	count(found([gone, role("new", "dev-fileflow-task")])) == 0
	count(found([kept, role("new", "dev-fileflow-task")])) == 0
}

test_duplicate_sees_a_replacement_as_one_resource if {
	replaced := fixtures.change_full("aws_iam_role", "r", {"name": "dev-fileflow-task"}, {}, ["delete", "create"])
	count(found([replaced])) == 0
}
