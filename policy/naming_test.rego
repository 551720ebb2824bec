package naming_test

import data.fixtures
import data.naming
import rego.v1

found(changes) := fixtures.hits(naming.check(fixtures.plan(changes), fixtures.cfg))

# -- naming.pattern ----------------------------------------------------------------------------------
test_pattern_passes_on_env_service_type if {
	count(found([fixtures.change("aws_s3_bucket", "b", {"bucket": "dev-fileflow-uploads"})])) == 0
}

test_pattern_passes_on_shared_platform if {
	count(found([fixtures.change("aws_sqs_queue", "q", {"name": "shared-platform-events", "tags_all": fixtures.platform_tags})])) == 0
}

test_pattern_fails_on_free_name if {
	found([fixtures.change("aws_s3_bucket", "b", {"bucket": "MyBucket"})]) == {["naming.pattern", "aws_s3_bucket.b"]}
}

test_pattern_fails_on_unregistered_service if {
	found([fixtures.change("aws_sqs_queue", "q", {"name": "dev-ghost-jobs"})]) == {["naming.pattern", "aws_sqs_queue.q"]}
}

test_pattern_fails_on_unknown_environment if {
	found([fixtures.change("aws_sqs_queue", "q", {"name": "qa-fileflow-jobs"})]) == {["naming.pattern", "aws_sqs_queue.q"]}
}

test_pattern_strips_prefix if {
	count(found([fixtures.change("aws_kms_alias", "k", {"name": "alias/dev-fileflow-data"})])) == 0
	found([fixtures.change("aws_kms_alias", "k", {"name": "alias/data-key"})]) == {["naming.pattern", "aws_kms_alias.k"]}
}

test_pattern_accepts_fixed_names if {
	count(found([
		fixtures.change("aws_s3_bucket", "state", {"bucket": "acme-terraform-state-100000000000"}),
		fixtures.change("aws_sqs_queue", "lock", {"name": "terraform-state-lock"}),
		fixtures.change("aws_lb", "atl", {"name": "atlantis-target-dev"})
	])) == 0
}

test_pattern_skips_unknown_and_interpolated_names if {
	unknown := fixtures.change_unknown("aws_sqs_queue", "q", {"name": null}, {"name": true})
	interpolated := fixtures.change("aws_sqs_queue", "r", {"name": "${var.name}"})
	count(found([unknown, interpolated])) == 0
}

test_pattern_ignores_types_without_a_name_rule if {
	count(found([fixtures.change("aws_iam_role", "r", {"name": "WhateverRole"})])) == 0
}

# -- naming.tag_mismatch -----------------------------------------------------------------------------
test_tag_mismatch_warns_when_name_and_tags_disagree if {
	found := naming.check(fixtures.plan([fixtures.change("aws_sqs_queue", "q", {"name": "prod-fileflow-jobs"})]), fixtures.cfg)
	fixtures.hits(found) == {["naming.tag_mismatch", "aws_sqs_queue.q"]}
	every f in found {
		f.level == "warn"
	}
}

test_tag_mismatch_passes_when_they_agree if {
	count(found([fixtures.change("aws_sqs_queue", "q", {"name": "dev-fileflow-jobs"})])) == 0
}

test_tag_mismatch_not_reported_twice_for_bad_names if {
	found([fixtures.change("aws_sqs_queue", "q", {"name": "Jobs"})]) == {["naming.pattern", "aws_sqs_queue.q"]}
}
