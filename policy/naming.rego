# Names follow {env}-{service}-{resource-type} (docs/naming-and-tags.md). Each named type and its name
# attribute come from data.guardrails.name_attributes; names fixed by the spec (state bucket, lock table,
# Atlantis role...) are listed in data.guardrails.fixed_names. Unknown names (computed) are skipped.
package naming

import data.lib
import rego.v1

findings := evaluate(lib.input_context, data.guardrails)

# The policy as a function of (document, data): what naming_test.rego calls.
check(doc, cfg) := evaluate(lib.context(doc), cfg)

deny contains r if some r in lib.report(findings, data.guardrails, "deny")

warn contains r if some r in lib.report(findings, data.guardrails, "warn")

warn contains r if some r in lib.excepted_results(findings, data.guardrails)

evaluate(ctx, cfg) := pattern(names, cfg) | tag_mismatch(ctx, names, cfg) if {
	rx := name_regex(cfg)
	fixed_names := {n | some n in cfg.fixed_names}

	# One regex match per name (in regorus a match costs more than everything else here); the fixed-name
	# patterns are only tried on the few names that would be reported.
	names := [{"address": r.address, "name": name, "tag_set": r.tag_set, "valid": regex.match(rx, name)} |
		some t
		rs := ctx.by_type[t]
		spec := cfg.name_attributes[t]
		attr := spec.attribute
		strip := object.get(spec, "strip_prefix", "")
		some r in rs
		raw := r.values[attr]
		is_string(raw)
		not r.unknown[attr] == true
		not contains(raw, "${")
		name := trim_prefix(raw, strip)
		not name in fixed_names
	]
}

fixed_pattern(name, patterns) if {
	some p in patterns
	regex.match(p, name)
}

name_regex(cfg) := concat("", [
	"^(", concat("|", array.concat(cfg.environments, [cfg.shared_environment])),
	")-(", concat("|", array.concat([s | some s; cfg.services[s]], [cfg.platform_service])), ")(-[a-z0-9]+)*$"
])

pattern(names, cfg) := {f |
	some n in names
	not n.valid
	not fixed_pattern(n.name, cfg.fixed_name_patterns)
	f := {
		"rule": "naming.pattern", "level": "deny", "severity": "MEDIUM", "address": n.address,
		"detail": concat("", ["name \"", n.name, "\" does not follow {env}-{service}-{resource-type} with a registered env and service"]),
		"fix": "build the name from the environment and service, e.g. dev-fileflow-api (platform_constructs.naming.resource_name)"
	}
}

# The name's env and service must be the ones the resource is tagged with (names that fail the pattern
# are reported once, by naming.pattern).
tag_mismatch(ctx, names, cfg) := {f |
	some n in names
	n.valid
	tags := ctx.tag_sets[n.tag_set].tags
	prefix := concat("-", [tags.Environment, tags.Service])
	not startswith(concat("", [n.name, "-"]), concat("", [prefix, "-"]))
	f := {
		"rule": "naming.tag_mismatch", "level": "warn", "severity": "LOW", "address": n.address,
		"detail": concat("", ["name \"", n.name, "\" does not start with \"", prefix, "\" from its Environment and Service tags"]),
		"fix": "use the same environment and service in the name and in the tags"
	}
	not fixed_pattern(n.name, cfg.fixed_name_patterns)
}
