# Shared helpers: one view of a resource for both input shapes, tag reading, results and exceptions.
#
# Every policy is a function of (context, data) so the unit tests can call it directly: rego-cpp (the runner's
# second engine) crashes on `with` whenever the target rule depends on another rule, so the tests never use
# `with`, and `conftest verify` runs them unchanged. The files run on regorus, rego-cpp and OPA alike
# (policy/README.md lists what each engine needs).
#
# Speed: rego-cpp does not memoise function calls and copying values into new objects costs ~70 µs per
# resource, so the view is built once per document (`input_context`, a rule, hence computed once per query)
# and everything per-document (ALB groups, blocked buckets) is computed once per policy and passed down.
# The Python runner builds the same view itself (`input.platform_view`, see
# tools/platform_tools/guardrails/policy/view.py) because doing it here costs ~200 µs per resource;
# tests/guardrails/test_policy_runner.py proves both views give the same results on both engines.
package lib

import rego.v1

# -- the context ------------------------------------------------------------------------------------
# {"by_type": {resource type: [resource view]}, "tag_sets": {key: tag view}}; a resource view is
#   {address, type, config_key, module, values, unknown, refs, configured, tag_set, has_tags_all}
# for every managed resource that is created or updated:
# * `terraform show -json` plan: resource_changes, skipping no-op, read and pure deletes, reading change.after;
# * synthesized Terraform JSON (cdk.tf.json): resource.<type>.<name> bodies, with the provider's default tags
#   merged into the tags as Terraform would.
# Resources share tag maps (provider default_tags), so tags live once per distinct map in `tag_sets`
# ({tags, unknown_tags, tags_unknown}) and each resource names its map in `tag_set`: the tag policy judges
# each map once. `config` holds what the configuration takes code from (config_facts, plans only).
input_context := context(input)

context(doc) := doc.platform_view if {
	is_object(doc.platform_view)
} else := raw_context(doc, config_levels(doc))

# the configuration is walked once (config_levels) for the resource index and the configuration's facts
raw_context(doc, levels) := object.union(index(resources(doc, levels)), {"config": config_facts(doc, levels)})

index(res) := {
	"by_type": {t: [r | some r in res; r.type == t] | some t in {r.type | some r in res}},
	"tag_sets": {r.tag_set: r.tag_view | some r in res}
}

# The tag view of a resource (empty when its map is not known at all).
tags_of(ctx, r) := ctx.tag_sets[r.tag_set].tags

resources(doc, levels) := plan_resources(doc, levels) if {
	is_array(doc.resource_changes)
} else := synth_resources(doc) if {
	is_object(doc.resource)
} else := []

# the configuration attributes whose references the policies follow (rule -> group, LB -> groups, block -> bucket)
ref_attributes := ["security_group_id", "security_groups", "bucket"]

# Prefix-list attributes (rule -> list, entry -> list): every reference is kept, one that is not a resource of the
# module as "?<reference>", so a policy can tell a list it can resolve from one it cannot. Inline ingress blocks'
# prefix_list_ids are collected under "ingress_prefix_list_ids".
list_ref_attributes := ["prefix_list_id", "prefix_list_ids"]

# references that name no resource: a variable, a local, a module output, a data source, a meta-argument
non_resource_prefixes := ["var.", "local.", "module.", "data.", "each.", "count.", "path.", "self.", "terraform."]

plan_resources(doc, levels) := [view |
	idx := config_index(levels)
	some rc in doc.resource_changes
	object.get(rc, "mode", "managed") == "managed"
	acts := {a | some a in rc.change.actions}
	count(acts & {"no-op", "read"}) == 0
	acts != {"delete"}
	mod := strip_index(object.get(rc, "module_address", ""))
	key := prefixed(mod, concat(".", [rc.type, rc.name]))
	values := as_object(rc.change.after)
	unknown := as_object(object.get(rc.change, "after_unknown", {}))
	conf := object.get(idx, key, {})
	tv := tag_view(values, unknown, provider_may_tag(doc, conf))
	view := {
		"tag_view": tv,
		"tag_set": json.marshal(tv),
		"has_tags_all": plan_tags_all(values, unknown),
		"address": rc.address,
		"type": rc.type,
		"config_key": key,
		"module": mod,
		"values": values,
		"unknown": unknown,
		"refs": plan_refs(object.get(conf, "expressions", {}), mod),
		"configured": configured(object.get(conf, "expressions", {}))
	}
]

# Attributes whose after_unknown means something else when the configuration does not set them: the provider
# computes them (aws_s3_bucket.acl, aws_security_group.ingress without inline rules), and nothing is hidden.
configured_attributes := ["acl", "ingress", "network_interfaces"]

configured(expressions) := [k | some k in configured_attributes; k in object.keys(expressions)]

# (concat, not sprintf, joins results: rego-cpp 1.5 sprintf quotes regex.replace output)
strip_index(s) := regex.replace(s, `\[[^\]]*\]`, "")

as_object(x) := x if is_object(x)

else := {}

prefixed("", base) := base

prefixed(mod, base) := concat(".", [mod, base]) if mod != ""

# {config key: {expressions, provider}} of every configuration resource, every module level.
config_index(levels) := {res.key: res.conf | some res in config_resources(levels)}

config_resources(levels) := [{"key": key, "conf": {"expressions": object.get(res, "expressions", {}), "provider": object.get(res, "provider_config_key", "")}} |
	some level in levels
	level.last == "resources"
	is_array(level.value)
	mod := module_prefix(level.path)
	some res in level.value
	key := prefixed(mod, res.address)
]

# Every module's `resources` and `module_calls` in the configuration: [{path, last, value}], one walk.
config_levels(doc) := [{"path": path, "last": last, "value": value} |
	walk(object.get(doc, "configuration", {}), [path, value])
	count(path) > 0
	last := path[count(path) - 1]
	last in {"resources", "module_calls"}
	config_level(path, last)
]

module_prefix(path) := concat(".", [concat("", ["module.", path[i + 1]]) |
	some i
	path[i] == "module_calls"
])

# `path` leads from the configuration to `last` of a module: root_module, then (module_calls, NAME, module) per
# level. Only that shape counts: a module input or an attribute that happens to be called "resources" or
# "module_calls" is not a level (view.py walks the same levels).
config_level(path, last) if {
	n := count(path)
	path[n - 1] == last
	n >= 2
	(n - 2) % 3 == 0
	path[0] == "root_module"
	every i in [j | some j in numbers.range(1, n - 1); j < n - 1] {
		level_step(path, i)
	}
}

level_step(path, i) if {
	(i - 1) % 3 == 0
	path[i] == "module_calls"
}

level_step(path, i) if {
	(i - 1) % 3 == 1
	is_string(path[i])
}

level_step(path, i) if {
	(i - 1) % 3 == 2
	path[i] == "module"
}

# -- the configuration: where code comes from ---------------------------------------------------------
# {"modules": [{address, source}], "providers": [{address, source}], "code": [{address, mode, type,
# provisioners}]} of a plan: every module call at every level; every provider the configuration configures or
# requires and every provider a resource change names; every data source and every resource with provisioners,
# of any type (not only aws_*). Synthesized JSON is this repository's own code: nothing.
config_facts(doc, levels) := {
	"modules": config_modules(levels),
	"providers": config_providers(doc),
	"code": config_code(levels)
}

config_modules(levels) := {{"address": module_prefix(array.concat(level.path, [name])), "source": string_or_empty(object.get(call, "source", ""))} |
	some name
	some level in levels
	level.last == "module_calls"
	is_object(level.value)
	call := level.value[name]
}

config_providers(doc) := {provider_fact(string_or_empty(object.get(pc, "module_address", "")), provider_source(pc)) |
	some key
	pc := object.get(object.get(doc, "configuration", {}), "provider_config", {})[key]
	is_object(pc)
} | {provider_fact("", rc.provider_name) |
	some rc in object.get(doc, "resource_changes", [])
	is_string(rc.provider_name)
}

provider_source(pc) := pc.full_name if is_string(pc.full_name)

else := string_or_empty(object.get(pc, "name", ""))

provider_fact(mod, source) := {"address": prefixed(mod, concat("", ["provider[\"", source, "\"]"])), "source": source}

config_code(levels) := {{
	"address": prefixed(module_prefix(level.path), string_or_empty(res.address)),
	"mode": string_or_empty(object.get(res, "mode", "")),
	"type": string_or_empty(object.get(res, "type", "")),
	"provisioners": [string_or_empty(object.get(p, "type", "")) | some p in object.get(res, "provisioners", [])]
} |
	some level in levels
	level.last == "resources"
	is_array(level.value)
	some res in level.value
	runs_code(res)
}

runs_code(res) if res.mode == "data"

runs_code(res) if count(object.get(res, "provisioners", [])) > 0

string_or_empty(s) := s if is_string(s)

else := ""

# A provider without default_tags leaves tags_all = tags, even when the plan shows tags_all as unknown
# (the AWS provider does when both are empty). Unknown providers are assumed to add tags.
provider_may_tag(doc, conf) := false if {
	pc := doc.configuration.provider_config[conf.provider]
	not pc.expressions.default_tags
} else := true

# References from configuration expressions, as config keys in the resource's own module.
plan_refs(expressions, mod) := object.union(object.union({attr: refs |
	some attr in ref_attributes
	refs := {ref |
		some raw in object.get(object.get(expressions, attr, {}), "references", [])
		ref := module_ref(mod, raw)
	}
	count(refs) > 0
}, {attr: refs |
	some attr in list_ref_attributes
	refs := {kept_ref(mod, raw) | some raw in object.get(object.get(expressions, attr, {}), "references", [])}
	count(refs) > 0
}), ingress_list_refs(expressions, mod))

module_ref(mod, raw) := ref if {
	parts := split(raw, ".")
	count(parts) >= 2
	not non_resource(raw)
	ref := prefixed(mod, concat(".", [parts[0], strip_index(parts[1])]))
}

non_resource(raw) if {
	some p in non_resource_prefixes
	startswith(raw, p)
}

kept_ref(mod, raw) := ref if {
	ref := module_ref(mod, raw)
} else := concat("", ["?", raw])

# block syntax: a list of blocks, each with its own expressions; attribute syntax (ingress = ...): one expression
ingress_list_refs(expressions, mod) := {"ingress_prefix_list_ids": refs} if {
	refs := {kept_ref(mod, raw) | some raw in ingress_references(object.get(expressions, "ingress", null))}
	count(refs) > 0
} else := {}

ingress_references(x) := [raw |
	some b in x
	some raw in object.get(object.get(b, "prefix_list_ids", {}), "references", [])
] if is_array(x)

else := object.get(x, "references", []) if is_object(x)

else := []

# A config key naming a resource ("aws_x.y", "module.m.aws_x.y"), not a "?reference" kept unresolved nor a
# synthesized reference to a variable or a module ("var.x", "module.m").
resource_key(k) if {
	regex.match(`^(module\.[^.]+\.)*[a-z0-9_]+\.[^.]+$`, k)
	not non_resource(regex.replace(k, `^(module\.[^.]+\.)*`, ""))
}

# Both variables are declared up front: regorus 0.13 refuses a `some` that follows an assignment in the same body
# ("duplicated definition of local variable"), and rego-cpp 1.5 misreads `some k, v in x` inside a comprehension
# ("Invalid collection"); OPA accepts all three forms.
synth_resources(doc) := [view |
	some rtype, rname
	bodies := doc.resource[rtype]
	body := bodies[rname]
	values := object.union(body, {"tags_all": synth_tags(doc, body)})
	key := concat(".", [rtype, rname])
	tv := tag_view(values, {}, true)
	view := {
		"tag_view": tv,
		"tag_set": json.marshal(tv),
		"has_tags_all": false,
		"address": key,
		"type": rtype,
		"config_key": key,
		"module": "",
		"values": values,
		"unknown": {},
		"refs": synth_refs(values),
		"configured": configured(body)
	}
]

synth_tags(doc, body) := object.union(default_tags(doc, body), as_object(object.get(body, "tags", {})))

default_tags(doc, body) := {k: v |
	alias := provider_alias(body)
	some p in object.get(object.get(doc, "provider", {}), "aws", [])
	object.get(p, "alias", "") == alias
	some dt in object.get(p, "default_tags", [])
	dt_tags := object.get(dt, "tags", {})
	some k
	v := dt_tags[k]
}

provider_alias(body) := trim_prefix(body.provider, "aws.") if is_string(body.provider)

else := ""

# Synthesized JSON keeps references as "${type.name.attr}" strings.
synth_refs(values) := object.union({attr: refs |
	some attr in array.concat(ref_attributes, list_ref_attributes)
	refs := {m[1] |
		some s in strings_in(object.get(values, attr, null))
		some m in regex.find_all_string_submatch_n(`\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)`, s, -1)
	}
	count(refs) > 0
}, synth_ingress_refs(values))

synth_ingress_refs(values) := {"ingress_prefix_list_ids": refs} if {
	refs := {m[1] |
		some b in strings_in_blocks(object.get(values, "ingress", null))
		some s in strings_in(object.get(b, "prefix_list_ids", null))
		some m in regex.find_all_string_submatch_n(`\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)`, s, -1)
	}
	count(refs) > 0
} else := {}

strings_in_blocks(v) := [b | some b in v; is_object(b)] if is_array(v)

else := []

strings_in(v) := [v] if is_string(v)

else := [s | some s in v; is_string(s)] if is_array(v)

else := []

# The tags a resource ends up with: tags_all (provider default tags count), else tags.
# `tags` keeps known string values only; `unknown_tags` lists keys known only after apply;
# `tags_unknown` says the whole map is unknown (tags_all unknown on a provider with default_tags, or tags
# unknown without a tags_all).
tag_view(values, unknown, may_tag) := {
	"tags": {k: v |
		some k
		v := source[k]
		not k in unknown_keys
		is_string(v)
		not contains(v, "${")
	},
	"unknown_tags": unknown_keys,
	"tags_unknown": tags_all_unknown(values, unknown, may_tag)
} if {
	source := tag_source(values)
	unknown_keys := {k | some k; as_object(unknown.tags_all)[k] == true} | {k | some k; as_object(unknown.tags)[k] == true}
}

tag_source(values) := values.tags_all if is_object(values.tags_all)

else := values.tags if is_object(values.tags)

else := {}

tags_all_unknown(values, unknown, may_tag) := true if {
	unknown.tags_all == true
	may_tag
} else := true if {
	not is_object(values.tags_all)
	unknown.tags == true
} else := false

# The provider gave the resource a tags_all: it is taggable even when the schema table does not list it.
plan_tags_all(values, unknown) := true if {
	is_object(values.tags_all)
} else := true if {
	unknown.tags_all == true
} else := false

# -- known values ----------------------------------------------------------------------------------
# A value is known when the plan does not mark it unknown and it is not a Terraform interpolation
# (synthesized JSON keeps "${...}" references as strings).
known(r, attr) := v if {
	v := r.values[attr]
	v != null
	not r.unknown[attr] == true
	not interpolated(v)
}

interpolated(v) if {
	is_string(v)
	contains(v, "${")
}

# The known strings of a string or list attribute: plain strings only (not null, not a synthesized "${...}").
known_strings(v) := [s | some s in list_of(v); is_string(s); not interpolated(s)]

# The fields (of `fields`) that after_unknown marks as known only after apply, wholly or in one element. `whole` is
# the resource's after_unknown: when it marks nothing (most resources; synthesized JSON always) nothing is looked at.
unknown_fields(whole, unknown, fields) := [] if count(whole) == 0

else := [f | some f in fields; unknown_in(object.get(unknown, f, false))]

unknown_in(unknown) if unknown == true

unknown_in(unknown) if {
	is_array(unknown)
	some x in unknown
	x == true
}

list_of(x) := [x] if is_string(x)

else := x if is_array(x)

else := [y | some y in x] if is_set(x)

else := []

# -- results ---------------------------------------------------------------------------------------
# A finding is {rule, level (deny|warn), severity, address, detail, fix}. Results follow conftest: an object
# with msg plus the metadata keys (conftest moves every key but msg into metadata).
# concat, not sprintf: rego-cpp 1.5 sprintf quotes strings that builtins (concat, regex.replace) returned
message(f) := concat("", [f.address, ": ", f.detail, " [", f.rule, "] fix: ", f.fix])

result(f) := {"msg": message(f), "rule": f.rule, "address": f.address, "fix": f.fix, "severity": f.severity}

report(findings, cfg, level) := {result(f) |
	active := active_exceptions(cfg)
	some f in findings
	f.level == level
	not excepted(f, active)
}

# Excepted findings stay visible: conftest shows them as warnings, our runner as `exceptions`.
excepted_results(findings, cfg) := {object.union(result(f), {
	"msg": concat("", ["EXCEPTED by ", e.id, " (ticket ", e.ticket, ", approved by ", e.approver, ", until ", e.expires, "): ", message(f)]),
	"exception": e.id
}) |
	active := active_exceptions(cfg)
	some f in findings
	some e in active
	matches(e, f)
}

excepted(f, active) if {
	some e in active
	matches(e, f)
}

matches(e, f) if {
	e.rule == f.rule
	glob.match(e.address, [], f.address)
}

# -- exceptions ------------------------------------------------------------------------------------
# `infra policy data` refuses a register that breaks these rules before any policy runs (policy/data.py); the
# policies check them again for data built by other means (a hand-written conftest --data file).
required_exception_fields := ["id", "service", "rule", "address", "reason", "approver", "ticket", "approved", "expires"]

#: the longest an approval lasts, in days (the scanner skips' limit, tools/platform_tools/guardrails/suppressions.py)
max_validity_days := 365

exception_entries(cfg) := object.get(cfg, "exceptions", [])

# Dates are compared as YYYY-MM-DD strings (fixed width, so string order is date order): a nanosecond timestamp
# cannot hold a year past 2262, and an expiry such as 2999-12-31 made time.parse_ns fail (regorus stops the query
# on it; OPA makes the rule undefined).
today(cfg) := cfg.today if is_string(cfg.today)

else := concat("-", [format_int(d[0], 10), two_digits(d[1]), two_digits(d[2])]) if d := time.date(time.now_ns())

two_digits(n) := concat("", ["0", format_int(n, 10)]) if n < 10

else := format_int(n, 10)

# YYYY-MM-DD with a month 01-12 and a day 01-31 (9999-99-99 is not a date; Python refuses 02-30 as well)
is_date(s) if regex.match(`^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`, s)

# Days since 1970-01-01 of a date is_date accepts (Hinnant's days_from_civil, in whole numbers only: no timestamp,
# so no year limit). The leading zeros are trimmed first: regorus refuses to_number("05").
day_number(s) := ((era * 146097) + doe) - 719468 if {
	parts := split(s, "-")
	m := to_number(trim_left(parts[1], "0"))
	y := to_number(parts[0]) - january_or_february(m)
	era := floor(y / 400)
	yoe := y - (era * 400)
	doy := (floor(((153 * ((m + 9) % 12)) + 2) / 5) + to_number(trim_left(parts[2], "0"))) - 1
	doe := (((yoe * 365) + floor(yoe / 4)) - floor(yoe / 100)) + doy
}

january_or_february(m) := 1 if m <= 2

else := 0

exception_complete(e) if {
	every field in required_exception_fields {
		is_string(e[field])
		trim_space(e[field]) != ""
	}
	is_date(e.approved)
	is_date(e.expires)
}

# Approved no later than today, and expiring at most max_validity_days after the approval: an approval dated in
# the future, or a far expiry, would keep an exception alive without anyone looking at it again.
exception_window_ok(e, cfg) if {
	e.approved <= today(cfg)
	day_number(e.expires) - day_number(e.approved) <= max_validity_days
}

# An exception is valid through its expiry day (cfg.today, YYYY-MM-DD, pins the date for tests).
exception_expired(e, cfg) if {
	e.expires < today(cfg)
}

# Only the run's own service's entries apply (cfg.service, `infra policy check --service`); without a service none.
active_exceptions(cfg) := [e |
	some e in exception_entries(cfg)
	exception_complete(e)
	exception_window_ok(e, cfg)
	not exception_expired(e, cfg)
	e.service == cfg.service
]

# Broken or expired exceptions are failures themselves: an exception nobody renews must not linger.
exception_findings(cfg) := ({f |
	all_exceptions := exception_entries(cfg)
	some i
	e := all_exceptions[i]
	not exception_complete(e)
	f := {
		"rule": "exceptions.incomplete", "level": "deny", "severity": "HIGH",
		"address": concat("", ["exceptions[", format_int(i, 10), "] (", object.get(e, "id", "no id"), ")"]),
		"detail": concat("", ["an exception needs every field of ", concat(", ", required_exception_fields), ", approved and expires as YYYY-MM-DD"]),
		"fix": "complete the entry in policy/exceptions.yaml or delete it"
	}
} | {f |
	all_exceptions := exception_entries(cfg)
	some i
	e := all_exceptions[i]
	exception_complete(e)
	not exception_window_ok(e, cfg)
	f := {
		"rule": "exceptions.validity", "level": "deny", "severity": "HIGH",
		"address": concat("", ["exceptions[", format_int(i, 10), "] (", e.id, ")"]),
		"detail": concat("", [
			"approved ", e.approved, ", expires ", e.expires, ": an exception is approved no later than today and expires at most ",
			format_int(max_validity_days, 10), " days after its approval"
		]),
		"fix": "date approved on the day the platform team approved it and set expires at most 365 days later"
	}
}) | {f |
	all_exceptions := exception_entries(cfg)
	some i
	e := all_exceptions[i]
	exception_complete(e)
	exception_expired(e, cfg)
	f := {
		"rule": "exceptions.expired", "level": "deny", "severity": "HIGH",
		"address": concat("", ["exceptions[", format_int(i, 10), "] (", e.id, ")"]),
		"detail": concat("", ["exception for ", e.rule, " on ", e.address, " expired on ", e.expires]),
		"fix": "fix the finding and delete the exception, or get a new approval and a new expiry date"
	}
}
