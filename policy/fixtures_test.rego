# Shared fixtures of the policy unit tests: a small data document (what `infra policy data` builds from
# platform.yaml) and builders for plan documents. Tests call `<policy>.check(doc, cfg)` directly: rego-cpp
# crashes on `with`, so no test uses it (see README.md).
package fixtures

import rego.v1

tags := {
	"Environment": "dev", "Service": "fileflow", "Team": "storage",
	"Owner": "fileflow-lead@acme.example", "CostCenter": "CC-1001", "ManagedBy": "terraform"
}

platform_tags := {
	"Environment": "shared", "Service": "platform", "Team": "platform",
	"Owner": "platform-team@acme.example", "CostCenter": "CC-0001", "ManagedBy": "terraform"
}

cfg := {
	"service": "fileflow",
	"required_tags": ["Environment", "Service", "Team", "Owner", "CostCenter", "ManagedBy"],
	"managed_by": "terraform",
	"environments": ["dev", "stg", "prod"],
	"shared_environment": "shared",
	"platform_service": "platform",
	"services": {"fileflow": {"Team": "storage", "Owner": "fileflow-lead@acme.example", "CostCenter": "CC-1001"}},
	"platform": {"Team": "platform", "Owner": "platform-team@acme.example", "CostCenter": "CC-0001"},
	"taggable_types": {
		"aws_s3_bucket": true, "aws_sqs_queue": true, "aws_security_group": true, "aws_db_instance": true,
		"aws_subnet": true, "aws_lb": true, "aws_eks_cluster": true, "aws_opensearch_domain": true,
		"aws_iam_role": true, "aws_kms_alias_fake": true
	},
	"name_attributes": {
		"aws_s3_bucket": {"attribute": "bucket"},
		"aws_sqs_queue": {"attribute": "name"},
		"aws_security_group": {"attribute": "name"},
		"aws_kms_alias": {"attribute": "name", "strip_prefix": "alias/"},
		"aws_lb": {"attribute": "name"}
	},
	"name_namespaces": {
		"aws_iam_role": {"namespace": "IAM role", "attribute": "name", "case_insensitive": true, "scope_attribute": "", "scope_default": ""},
		"aws_sqs_queue": {"namespace": "SQS queue", "attribute": "name", "case_insensitive": false, "scope_attribute": "", "scope_default": ""},
		"aws_lb": {"namespace": "load balancer", "attribute": "name", "case_insensitive": false, "scope_attribute": "", "scope_default": ""},
		"aws_alb": {"namespace": "load balancer", "attribute": "name", "case_insensitive": false, "scope_attribute": "", "scope_default": ""},
		"aws_cloudwatch_log_group": {"namespace": "CloudWatch log group", "attribute": "name", "case_insensitive": false, "scope_attribute": "", "scope_default": ""},
		"aws_security_group": {"namespace": "security group", "attribute": "name", "case_insensitive": false, "scope_attribute": "vpc_id", "scope_default": "default VPC"},
		"aws_ecs_service": {"namespace": "ECS service", "attribute": "name", "case_insensitive": false, "scope_attribute": "cluster", "scope_default": "default"}
	},
	"fixed_names": ["terraform-state-lock", "acme-terraform-state-100000000000"],
	"fixed_name_patterns": ["^atlantis-target-[a-z0-9-]+$"],
	"public_subnet_tiers": ["public"],
	"public_lb_markers": ["public", "external", "web"],
	"public_cidrs": [],
	"sources": {
		"catalog": "git::https://github.com/acme/platform-infra.git//modules_out/",
		"modules": ["git::https://github.com/acme/shared-modules.git//"],
		"providers": ["registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/random"]
	},
	"exceptions": [],
	"today": "2026-03-01"
}

cfg_with_exceptions(entries) := object.union(cfg, {"exceptions": entries})

# A resource change creating `type.name` with `after` values (tags_all = the registry tags unless given).
change(type, name, after) := change_full(type, name, after, {}, ["create"])

# (built whole, never merged: object.union is shallow in rego-cpp and recursive in OPA)
change_full(type, name, after, unknown, actions) := {
	"address": concat(".", [type, name]), "mode": "managed", "type": type, "name": name,
	"change": {"actions": actions, "after": with_tags(after), "after_unknown": unknown}
}

with_tags(after) := after if "tags_all" in object.keys(after)

else := object.union(after, {"tags_all": tags})

# The same with explicit after_unknown.
change_unknown(type, name, after, unknown) := change_full(type, name, after, unknown, ["create"])

# A plan of these changes; `config` lists configuration resources {address, expressions}.
plan(changes) := {"format_version": "1.2", "resource_changes": changes, "configuration": {"root_module": {}}}

plan_with_config(changes, config) := {
	"format_version": "1.2", "resource_changes": changes,
	"configuration": {"root_module": {"resources": config}}
}

ref(address, attr, target) := {"address": address, "expressions": {attr: {"references": [concat("", [target, ".id"]), target]}}}

# rule ids and addresses of a policy's findings
hits(findings) := {[f.rule, f.address] | some f in findings}
