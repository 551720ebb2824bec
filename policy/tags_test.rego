package tags_test

import data.fixtures
import data.tags
import rego.v1

found(changes) := fixtures.hits(tags.check(fixtures.plan(changes), fixtures.cfg))

queue(name, after) := fixtures.change("aws_sqs_queue", name, object.union({"name": concat("-", ["dev-fileflow", name])}, after))

# -- tags.missing_required ---------------------------------------------------------------------------
test_missing_required_passes_with_registry_tags if {
	count(found([queue("q", {})])) == 0
}

test_missing_required_passes_for_platform_resources if {
	count(found([fixtures.change("aws_sqs_queue", "p", {"name": "shared-platform-q", "tags_all": fixtures.platform_tags})])) == 0
}

test_missing_required_fails_without_tags if {
	found([queue("q", {"tags_all": {}})]) == {["tags.missing_required", "aws_sqs_queue.q"]}
}

test_missing_required_fails_on_blank_value if {
	blank := object.union(fixtures.tags, {"CostCenter": "  "})
	["tags.missing_required", "aws_sqs_queue.q"] in found([queue("q", {"tags_all": blank})])
}

test_missing_required_falls_back_to_tags if {
	found([queue("q", {"tags_all": null, "tags": {"Environment": "dev"}})]) == {["tags.missing_required", "aws_sqs_queue.q"]}
}

test_missing_required_tolerates_unknown_tag_values if {
	partial := object.remove(fixtures.tags, ["Owner"])
	doc := fixtures.plan([fixtures.change_unknown("aws_sqs_queue", "q", {"name": "dev-fileflow-q", "tags_all": partial}, {"tags_all": {"Owner": true}})])
	count(tags.check(doc, fixtures.cfg)) == 0
}

test_missing_required_tolerates_unknown_tag_map if {
	doc := fixtures.plan([fixtures.change_unknown("aws_sqs_queue", "q", {"name": "dev-fileflow-q", "tags_all": null}, {"tags_all": true})])
	count(tags.check(doc, fixtures.cfg)) == 0
}

test_missing_required_unknown_map_on_provider_without_default_tags_fails if {
	rc := fixtures.change_unknown("aws_sqs_queue", "q", {"name": "dev-fileflow-q", "tags_all": null, "tags": null}, {"tags_all": true})
	doc := {
		"resource_changes": [rc],
		"configuration": {
			"provider_config": {"aws.bare": {"name": "aws", "expressions": {"region": {"constant_value": "x"}}}},
			"root_module": {"resources": [{"address": "aws_sqs_queue.q", "provider_config_key": "aws.bare", "expressions": {}}]}
		}
	}
	fixtures.hits(tags.check(doc, fixtures.cfg)) == {["tags.missing_required", "aws_sqs_queue.q"]}
}

test_missing_required_skips_untaggable_types if {
	doc := fixtures.plan([{
		"address": "aws_s3_bucket_policy.p", "mode": "managed", "type": "aws_s3_bucket_policy", "name": "p",
		"change": {"actions": ["create"], "after": {"policy": "{}"}, "after_unknown": {}}
	}])
	count(tags.check(doc, fixtures.cfg)) == 0
}

test_missing_required_skips_deletes_and_reads if {
	gone := fixtures.change_full("aws_sqs_queue", "q", {"name": "dev-fileflow-q", "tags_all": {}}, {}, ["delete"])
	read := fixtures.change_full("aws_sqs_queue", "r", {"name": "dev-fileflow-r", "tags_all": {}}, {}, ["read"])
	noop := fixtures.change_full("aws_sqs_queue", "n", {"name": "dev-fileflow-n", "tags_all": {}}, {}, ["no-op"])
	replace := fixtures.change_full("aws_sqs_queue", "s", {"name": "dev-fileflow-s", "tags_all": {}}, {}, ["delete", "create"])
	found([gone, read, noop, replace]) == {["tags.missing_required", "aws_sqs_queue.s"]}
}

test_missing_required_in_synthesized_json_reads_provider_default_tags if {
	doc := {
		"provider": {"aws": [{"region": "x", "default_tags": [{"tags": fixtures.tags}]}, {"alias": "bare", "region": "x"}]},
		"resource": {"aws_sqs_queue": {
			"ok": {"name": "dev-fileflow-ok"},
			"stray": {"name": "dev-fileflow-stray", "provider": "aws.bare"}
		}}
	}
	fixtures.hits(tags.check(doc, fixtures.cfg)) == {["tags.missing_required", "aws_sqs_queue.stray"]}
}

# -- tags.invalid_value ------------------------------------------------------------------------------
test_invalid_value_fails_on_unknown_environment if {
	found([queue("q", {"tags_all": object.union(fixtures.tags, {"Environment": "qa"})})]) == {["tags.invalid_value", "aws_sqs_queue.q"]}
}

test_invalid_value_fails_on_unregistered_service if {
	bad := object.union(fixtures.tags, {"Service": "ghost"})
	["tags.invalid_value", "aws_sqs_queue.q"] in found([queue("q", {"tags_all": bad})])
}

test_invalid_value_fails_on_owner_not_an_email if {
	bad := object.union(fixtures.tags, {"Owner": "storage team"})
	["tags.invalid_value", "aws_sqs_queue.q"] in found([queue("q", {"tags_all": bad})])
}

test_invalid_value_fails_on_managed_by if {
	bad := object.union(fixtures.tags, {"ManagedBy": "console"})
	["tags.invalid_value", "aws_sqs_queue.q"] in found([queue("q", {"tags_all": bad})])
}

test_invalid_value_accepts_shared_and_platform if {
	count(found([queue("q", {"tags_all": fixtures.platform_tags})])) == 0
}

test_invalid_value_reports_each_distinct_problem_per_resource if {
	bad := object.union(fixtures.tags, {"Environment": "qa", "ManagedBy": "console"})
	found := tags.check(fixtures.plan([queue("a", {"tags_all": bad}), queue("b", {"tags_all": bad})]), fixtures.cfg)
	count([f | some f in found; f.rule == "tags.invalid_value"]) == 4
}

# -- tags.registry_mismatch --------------------------------------------------------------------------
test_registry_mismatch_warns_on_other_team if {
	found := tags.check(fixtures.plan([queue("q", {"tags_all": object.union(fixtures.tags, {"Team": "marketing"})})]), fixtures.cfg)
	[f.rule | some f in found] == ["tags.registry_mismatch"]
	every f in found {
		f.level == "warn"
		contains(f.detail, "storage")
	}
}

test_registry_mismatch_passes_on_registry_values if {
	found := tags.check(fixtures.plan([queue("q", {})]), fixtures.cfg)
	not "tags.registry_mismatch" in {f.rule | some f in found}
}
