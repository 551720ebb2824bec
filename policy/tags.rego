# Mandatory tags (seed task 2-6): every taggable AWS resource carries the registry's required tags with valid
# values. Taggable = the AWS provider schema gives the type a `tags` argument (data.guardrails.taggable_types,
# generated from `terraform providers schema -json`), or the plan shows a tags_all for it.
package tags

import data.lib
import rego.v1

findings := evaluate(lib.input_context, data.guardrails)

# The policy as a function of (document, data): what tags_test.rego calls.
check(doc, cfg) := evaluate(lib.context(doc), cfg)

deny contains r if some r in lib.report(findings, data.guardrails, "deny")

warn contains r if some r in lib.report(findings, data.guardrails, "warn")

warn contains r if some r in lib.excepted_results(findings, data.guardrails)

# Cost model of rego-cpp (what shapes this file): every statement run per resource costs tens of
# microseconds, placing a value into a new collection copies it, and a value computed inside a comprehension
# body may be recomputed per iteration. So each distinct tag map (`ctx.tag_sets`: resources share their
# provider's default tags) is judged once, in the function body, and the per-resource pass only looks up
# its map's problems.
evaluate(ctx, cfg) := attach(ctx, cfg.taggable_types, problems) if {
	problems := {k: ps |
		some k
		tv := ctx.tag_sets[k]
		ps := tag_problems(tv, cfg)
		count(ps) > 0
	}
}

# Taggable = the schema table lists the type, or (any other type) the plan gives the resource a tags_all.
attach(ctx, schema, problems) := {object.union(p, {"address": r.address}) |
	some t
	rs := ctx.by_type[t]
	schema[t]
	some r in rs
	some p in problems[r.tag_set]
} | {object.union(p, {"address": r.address}) |
	some t
	rs := ctx.by_type[t]
	not schema[t]
	some r in rs
	r.has_tags_all
	some p in problems[r.tag_set]
}

# Every problem of one tag view: {rule, level, severity, detail, fix}.
tag_problems(tv, cfg) := (missing(tv, cfg) | bad_values(tv.tags, cfg)) | registry_mismatch(tv.tags, cfg)

missing(tv, cfg) := {p |
	not tv.tags_unknown
	absent := [k | some k in cfg.required_tags; not present(tv, k)]
	count(absent) > 0
	p := {
		"rule": "tags.missing_required", "level": "deny", "severity": "HIGH",
		"detail": concat("", ["missing required tag(s) ", concat(", ", absent)]),
		"fix": "create it with a provider whose default_tags carry the registry tags, or set them in tags"
	}
}

present(tv, k) if trim_space(tv.tags[k]) != ""

present(tv, k) if k in tv.unknown_tags

# Value formats: Environment and Service must name something the registry knows, Owner is an email,
# ManagedBy is terraform.
bad_values(tags, cfg) := {p |
	env := tags.Environment
	not env in cfg.environments
	env != cfg.shared_environment
	p := invalid(
		concat("", ["tag Environment = \"", env, "\" is not a registered environment"]),
		concat("", ["use one of ", concat(", ", sort(array.concat(cfg.environments, [cfg.shared_environment])))])
	)
} | {p |
	svc := tags.Service
	not cfg.services[svc]
	svc != cfg.platform_service
	p := invalid(
		concat("", ["tag Service = \"", svc, "\" is not a registered service"]),
		"register the service in platform.yaml (services:) or fix the tag"
	)
} | {p |
	owner := tags.Owner
	not regex.match(`^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$`, owner)
	p := invalid(concat("", ["tag Owner = \"", owner, "\" is not an email address"]), "set Owner to the accountable person's email")
} | {p |
	managed := tags.ManagedBy
	managed != cfg.managed_by
	p := invalid(
		concat("", ["tag ManagedBy = \"", managed, "\", expected \"", cfg.managed_by, "\""]),
		concat("", ["set ManagedBy = ", cfg.managed_by])
	)
}

invalid(detail, fix) := {"rule": "tags.invalid_value", "level": "deny", "severity": "MEDIUM", "detail": detail, "fix": fix}

# Team, Owner and CostCenter should be the registry's values for that service (cost allocation reads them).
registry_mismatch(tags, cfg) := {p |
	svc := tags.Service
	expected := registered_tags(svc, cfg)
	some key in ["Team", "Owner", "CostCenter"]
	value := tags[key]
	value != expected[key]
	p := {
		"rule": "tags.registry_mismatch", "level": "warn", "severity": "LOW",
		"detail": concat("", ["tag ", key, " = \"", value, "\", but platform.yaml registers \"", expected[key], "\" for service ", svc]),
		"fix": "take the tags from the registry (Label.for_service / the module's tags input) or update platform.yaml"
	}
}

registered_tags(svc, cfg) := cfg.services[svc]

registered_tags(svc, cfg) := cfg.platform if svc == cfg.platform_service
