# Names AWS keeps unique: two resources of one plan that would take the same name (two ecs_service instances for
# one service: the same ECS service, log group, IAM roles and security group) plan cleanly, each module on its own,
# and the second fails at apply. This policy compares the names across the whole plan. Each type's namespace, name
# attribute, letter-case rule and scope (per VPC, per cluster, per event bus) come from
# data.guardrails.name_namespaces (tools/platform_tools/guardrails/policy/data.py). Names known only after apply
# (name_prefix, computed) are never compared, nor is a scope known only after apply.
#
# No exception waives it (lib.report is not used): a duplicate name fails at apply whatever anybody approved, and
# `infra policy data` refuses an exceptions.yaml entry for it.
package unique_names

import data.lib
import rego.v1

findings := evaluate(lib.input_context, data.guardrails)

# The policy as a function of (document, data): what unique_names_test.rego calls.
check(doc, cfg) := evaluate(lib.context(doc), cfg)

deny contains lib.result(f) if some f in findings

# The named resources: the runner's view lists them, for the whole plan, under `named` (in the first piece of a view
# cut in pieces, none in the others); a view built here from the raw plan has them in `by_type`.
named(ctx) := ctx.named if is_array(ctx.named)

else := [r |
	some t
	rs := ctx.by_type[t]
	some r in rs
]

# Cost: one pass builds a key per named resource; when the keys are all distinct (the usual plan) that is all.
# Otherwise one sort and one pass over neighbours: pairing every name with every other would be quadratic, and a
# plan of thousands of roles and groups is ordinary. The separator cannot occur in an AWS name or a Terraform address.
sep := "\u0001"

evaluate(ctx, cfg) := found if {
	spaces := cfg.name_namespaces
	keyed := [[k, r.address, raw] |
		some r in named(ctx)
		spec := spaces[r.type]
		attr := spec.attribute
		raw := r.values[attr]
		k := name_key(r, spec, raw)
	]
	found := duplicates_of(keyed)
}

# (a sorted array, not a set, tells whether the keys are distinct: rego-cpp inserts into a set in linear time)
duplicates_of(keyed) := set() if {
	ks := sort([e[0] | some e in keyed])
	every i in numbers.range(1, count(ks) - 1) {
		ks[i] != ks[i - 1]
	}
} else := duplicates(sort([concat(sep, e) | some e in keyed]))

# namespace, scope and name (lower-cased where AWS ignores case), joined; undefined while the name or scope is unknown
name_key(r, spec, raw) := concat(sep, [spec.namespace, scope, folded(raw, spec.case_insensitive)]) if {
	attr := spec.attribute
	is_string(raw)
	raw != ""
	not r.unknown[attr] == true
	not contains(raw, "${")
	scope := scope_of(r, spec)
}

folded(name, true) := lower(name)

folded(name, false) := name

scope_of(_, spec) := "" if spec.scope_attribute == ""

scope_of(r, spec) := s if {
	attr := spec.scope_attribute
	attr != ""
	not r.unknown[attr] == true
	s := scope_value(object.get(r.values, attr, null), spec.scope_default)
}

scope_value(v, _) := v if {
	is_string(v)
	v != ""
	not contains(v, "${")
}

scope_value(v, default_scope) := default_scope if not is_string(v)

scope_value(v, default_scope) := default_scope if v == ""

# A sorted entry is namespace, scope, folded name, address, name: the resources of one name follow each other in
# address order. Each one whose key equals its predecessor's is a finding naming both addresses.
duplicates(sorted) := {f |
	some i
	entry := sorted[i]
	i > 0
	this := split(entry, sep)
	prev := split(sorted[i - 1], sep)
	array.slice(this, 0, 3) == array.slice(prev, 0, 3)
	f := finding(this, prev)
}

finding(this, prev) := {
	"rule": "unique_names.duplicate", "level": "deny", "severity": "HIGH", "address": this[3],
	"detail": concat("", [
		this[0], " name \"", this[4], "\"", in_scope(this[1]), " is also planned for ", prev[3],
		same_case(this[4], prev[4]), ": AWS refuses the second one at apply"
	]),
	"fix": "give one of them another name: a distinct name segment or module input (two catalog module instances need different names), or remove the duplicate resource"
}

in_scope("") := ""

in_scope(scope) := concat("", [" in ", scope]) if scope != ""

same_case(a, b) := "" if a == b

same_case(a, b) := concat("", [" as \"", b, "\" (the same name: AWS ignores letter case here)"]) if a != b
