# Where the plan takes code from, and code it runs outside any provider's resources: module sources only from the
# platform catalog at a release, local paths, or the registry's guardrails.sources.modules prefixes; providers only
# from guardrails.sources.providers; no `data "external"` or `data "http"` (they run a program or fetch a URL while
# Terraform plans); no provisioners (local-exec, remote-exec, file) on any resource, of any type.
#
# It reads the plan's `configuration` section (lib.config_facts) at every module level, so resources of every type
# count, not only aws_*: a null_resource or terraform_data with a provisioner is seen here. The service workflow's
# static pre-flight (infra gate preflight) refuses the same before Terraform runs; this is the check on what
# Terraform actually planned, and what conftest runs.
package sources

import data.lib
import rego.v1

findings := evaluate(lib.input_context, data.guardrails)

# The policy as a function of (document, data): what sources_test.rego calls.
check(doc, cfg) := evaluate(lib.context(doc), cfg)

deny contains r if some r in lib.report(findings, data.guardrails, "deny")

warn contains r if some r in lib.report(findings, data.guardrails, "warn")

warn contains r if some r in lib.excepted_results(findings, data.guardrails)

no_facts := {"modules": [], "providers": [], "code": []}

evaluate(ctx, cfg) := ((module_findings(facts.modules, cfg) | provider_findings(facts.providers, cfg)) | data_findings(facts.code)) | provisioner_findings(facts.code) if {
	facts := object.get(ctx, "config", no_facts)
}

finding(rule, address, detail, fix) := {"rule": rule, "level": "deny", "severity": "HIGH", "address": address, "detail": detail, "fix": fix}

# -- sources.module ----------------------------------------------------------------------------------
# a catalog module: NAME?ref=vX.Y.Z (a release tag) or a full commit, nothing after it
catalog_pin := `^[a-z0-9_]+\?ref=(v[0-9]+\.[0-9]+\.[0-9]+|[0-9a-f]{40})$`

module_findings(modules, cfg) := {f |
	some m in modules
	not allowed_module(m.source, cfg)
	f := module_finding(m, cfg.sources.catalog)
}

allowed_module(source, _) if startswith(source, "./")

allowed_module(source, _) if startswith(source, "../")

allowed_module(source, cfg) if {
	startswith(source, cfg.sources.catalog)
	regex.match(catalog_pin, trim_prefix(source, cfg.sources.catalog))
}

allowed_module(source, cfg) if {
	some prefix in cfg.sources.modules
	startswith(source, prefix)
}

pinned_example(catalog) := concat("", [catalog, "<module>?ref=vX.Y.Z"])

module_finding(m, catalog) := finding(
	"sources.module", m.address,
	"names no module source",
	concat("", ["use ", pinned_example(catalog), " or a local module"])
) if {
	m.source == ""
} else := finding(
	"sources.module", m.address,
	concat("", ["takes the platform catalog without a release pin (", m.source, ")"]),
	concat("", ["pin a release: ", pinned_example(catalog)])
) if {
	startswith(m.source, catalog)
} else := finding(
	"sources.module", m.address,
	concat("", [
		"takes code from ", m.source, ", which is neither the platform catalog at a release, a local ./ or ../ path, ",
		"nor a source in guardrails.sources.modules"
	]),
	concat("", [
		"use ", pinned_example(catalog), " or a local module; another source needs the platform team to add its ",
		"prefix to guardrails.sources.modules in platform.yaml"
	])
)

# -- sources.provider --------------------------------------------------------------------------------
# Terraform itself (terraform_data, terraform_remote_state) is no plugin
builtin_providers := {"terraform.io/builtin/terraform"}

provider_findings(providers, cfg) := {f |
	allowed := {normalised(p) | some p in cfg.sources.providers} | builtin_providers
	some p in providers
	not normalised(p.source) in allowed
	f := finding(
		"sources.provider", p.address,
		concat("", ["uses provider ", p.source, ", which is not in guardrails.sources.providers"]),
		concat("", [
			"use one of ", concat(", ", sort(cfg.sources.providers)), "; another provider needs the platform team ",
			"to add it to guardrails.sources.providers in platform.yaml"
		])
	)
}

# hashicorp/aws and registry.terraform.io/hashicorp/aws are one provider; case does not matter
normalised(source) := concat("/", ["registry.terraform.io", lower(source)]) if {
	count(split(source, "/")) == 2
} else := lower(source)

# -- sources.data_source -----------------------------------------------------------------------------
plan_time_code := {
	"external": "runs a program of the PR's choosing while Terraform plans",
	"http": "fetches a URL of the PR's choosing while Terraform plans"
}

data_findings(code) := {f |
	some c in code
	c.mode == "data"
	what := plan_time_code[c.type]
	f := finding(
		"sources.data_source", c.address,
		concat("", ["data \"", c.type, "\" ", what]),
		"remove it: pass the value in as a variable (or a file in the repository), or ask the platform team for a module that provides it"
	)
}

# -- sources.provisioner -----------------------------------------------------------------------------
provisioner_findings(code) := {f |
	some c in code
	count(c.provisioners) > 0
	f := finding(
		"sources.provisioner", c.address,
		concat("", ["has provisioner(s) ", concat(", ", c.provisioners), ", which run commands outside any provider during terraform apply"]),
		"remove the provisioner: do the work with a resource of an allowlisted provider, or in the service's deployment pipeline"
	)
}
