package sources_test

import data.fixtures
import data.sources
import rego.v1

catalog := "git::https://github.com/acme/platform-infra.git//modules_out/"

# a plan whose configuration is `root` (resources, module_calls, provider_config) and whose changes are `changes`
doc(changes, root, providers) := {
	"format_version": "1.2", "resource_changes": changes,
	"configuration": {"provider_config": providers, "root_module": root}
}

aws := {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"}}

calls(sources_by_name) := {"module_calls": {name: {"source": s, "module": {}} | some name, s in sources_by_name}}

found(d) := fixtures.hits(sources.check(d, fixtures.cfg))

details(d) := {[f.rule, f.address, f.detail] | some f in sources.check(d, fixtures.cfg)}

# -- sources.module ----------------------------------------------------------------------------------
test_module_passes_the_catalog_at_a_release_local_paths_and_allowlisted_prefixes if {
	count(found(doc([], calls({
		"sg": concat("", [catalog, "sg?ref=v1.4.0"]),
		"rds": concat("", [catalog, "rds?ref=0123456789abcdef0123456789abcdef01234567"]),
		"local": "./modules/app",
		"up": "../shared/app",
		"shared": "git::https://github.com/acme/shared-modules.git//queues?ref=v2.0.0"
	}), aws))) == 0
}

test_module_refuses_other_sources if {
	every s in [
		"git::https://github.com/evil/platform-infra.git//modules_out/sg?ref=v1.0.0",
		"terraform-aws-modules/vpc/aws",
		"github.com/acme/platform-infra//modules_out/sg",
		"https://example.com/module.zip",
		"s3::https://s3.amazonaws.com/bucket/module.zip",
		"modules/app"
	] {
		details(doc([], calls({"m": s}), aws)) == {[
			"sources.module", "module.m",
			concat("", ["takes code from ", s, ", which is neither the platform catalog at a release, a local ./ or ../ path, nor a source in guardrails.sources.modules"])
		]}
	}
}

test_module_refuses_a_call_without_a_source if {
	details(doc([], {"module_calls": {"m": {"module": {}}}}, aws)) == {["sources.module", "module.m", "names no module source"]}
}

# the catalog itself, but at a branch, with more after the tag, or walking out of modules_out
test_module_refuses_the_catalog_without_a_release_pin if {
	every rest in ["sg", "sg?ref=main", "sg?ref=v1.0.0&depth=1", "sg?ref=v1.0", "../policy?ref=v1.0.0", "sg//x?ref=v1.0.0"] {
		s := concat("", [catalog, rest])
		details(doc([], calls({"m": s}), aws)) == {["sources.module", "module.m", concat("", ["takes the platform catalog without a release pin (", s, ")"])]}
	}
}

# a local module's own calls are judged too, at every level
test_module_refuses_a_nested_call if {
	root := {"module_calls": {"app": {"source": "./modules/app", "module": {"module_calls": {
		"inner": {"source": "git::https://github.com/evil/x.git", "module": {}}
	}}}}}
	found(doc([], root, aws)) == {["sources.module", "module.app.module.inner"]}
}

# -- sources.provider --------------------------------------------------------------------------------
test_provider_passes_allowlisted_names_in_either_form if {
	providers := {
		"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"},
		"random": {"name": "random", "full_name": "Registry.Terraform.io/HashiCorp/Random"},
		"terraform": {"name": "terraform", "full_name": "terraform.io/builtin/terraform"}
	}
	rc := {"address": "random_id.x", "mode": "managed", "type": "random_id", "name": "x", "provider_name": "registry.terraform.io/hashicorp/random", "change": {"actions": ["create"], "after": {}, "after_unknown": {}}}
	count(found(doc([rc], {}, providers))) == 0
}

test_provider_refuses_others if {
	providers := {
		"aws": {"name": "aws", "full_name": "registry.terraform.io/evil/aws"},
		"m:aws": {"name": "aws", "full_name": "registry.opentofu.org/hashicorp/aws", "module_address": "module.m"}
	}
	# a resource change names its provider even when no provider block does
	rc := {"address": "external_thing.x", "mode": "managed", "type": "external_thing", "name": "x", "provider_name": "registry.terraform.io/hashicorp/external", "change": {"actions": ["create"], "after": {}, "after_unknown": {}}}
	found(doc([rc], {}, providers)) == {
		["sources.provider", "provider[\"registry.terraform.io/evil/aws\"]"],
		["sources.provider", "module.m.provider[\"registry.opentofu.org/hashicorp/aws\"]"],
		["sources.provider", "provider[\"registry.terraform.io/hashicorp/external\"]"]
	}
}

# -- sources.data_source -----------------------------------------------------------------------------
data_source(type, name) := {"address": concat(".", ["data", type, name]), "mode": "data", "type": type, "name": name, "provider_config_key": type, "expressions": {}}

test_data_source_fails_on_external_and_http_at_any_level if {
	root := {
		"resources": [data_source("external", "run")],
		"module_calls": {"app": {"source": "./app", "module": {"resources": [data_source("http", "fetch")]}}}
	}
	details(doc([], root, aws)) == {
		["sources.data_source", "data.external.run", "data \"external\" runs a program of the PR's choosing while Terraform plans"],
		["sources.data_source", "module.app.data.http.fetch", "data \"http\" fetches a URL of the PR's choosing while Terraform plans"]
	}
}

test_data_source_passes_other_data_sources if {
	count(found(doc([], {"resources": [data_source("aws_iam_policy_document", "p")]}, aws))) == 0
}

# -- sources.provisioner -----------------------------------------------------------------------------
provisioned(type, name, kinds) := {
	"address": concat(".", [type, name]), "mode": "managed", "type": type, "name": name,
	"provisioners": [{"type": k, "expressions": {}} | some k in kinds]
}

# any resource type: a null_resource or terraform_data has no aws_ prefix and no attributes worth a policy
test_provisioner_fails_on_any_resource_type if {
	root := {
		"resources": [provisioned("null_resource", "run", ["local-exec"]), provisioned("aws_instance", "vm", ["remote-exec", "file"])],
		"module_calls": {"app": {"source": "./app", "module": {"resources": [provisioned("terraform_data", "boot", ["local-exec"])]}}}
	}
	details(doc([], root, aws)) == {
		["sources.provisioner", "null_resource.run", "has provisioner(s) local-exec, which run commands outside any provider during terraform apply"],
		["sources.provisioner", "aws_instance.vm", "has provisioner(s) remote-exec, file, which run commands outside any provider during terraform apply"],
		["sources.provisioner", "module.app.terraform_data.boot", "has provisioner(s) local-exec, which run commands outside any provider during terraform apply"]
	}
}

test_provisioner_passes_resources_without_one if {
	count(found(doc([], {"resources": [provisioned("terraform_data", "x", [])]}, aws))) == 0
}

# a module input named like a level of the configuration is not one
test_module_ignores_lookalike_keys_in_expressions if {
	root := {"module_calls": {"app": {"source": "./app", "expressions": {"module_calls": {"constant_value": {"x": 1}}}, "module": {}}}}
	count(found(doc([], root, aws))) == 0
}

# synthesized JSON (this repository's own stacks) has no configuration section: nothing to judge
test_provisioner_skips_synthesized_json if {
	count(sources.check({"resource": {"terraform_data": {"x": {"provisioner": [{"local-exec": {"command": "true"}}]}}}}, fixtures.cfg)) == 0
}
