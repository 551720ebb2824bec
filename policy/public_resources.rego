# Nothing public unless it is meant to be: S3 buckets behind a public access block (all four settings true,
# per bucket or account-wide), no public bucket ACLs, RDS not publicly accessible, no public IPs on launch
# outside public subnet tiers, internet-facing load balancers only when marked public, EKS and OpenSearch
# endpoints not public. A setting that decides exposure must be known at plan time (unknown_value): the checks
# above can only judge a value they see.
package public_resources

import data.lib
import rego.v1

findings := evaluate(lib.input_context, data.guardrails)

# The policy as a function of (document, data): what public_resources_test.rego calls.
check(doc, cfg) := evaluate(lib.context(doc), cfg)

deny contains r if some r in lib.report(findings, data.guardrails, "deny")

warn contains r if some r in lib.report(findings, data.guardrails, "warn")

warn contains r if some r in lib.excepted_results(findings, data.guardrails)

evaluate(ctx, cfg) := ((((((((bucket_without_block(ctx, blocked_buckets(ctx)) | weak_block(ctx)) | public_acl(ctx)) | public_rds(ctx)) | public_ip_subnet(ctx, cfg)) | internet_facing_lb(ctx, cfg)) | public_eks(ctx)) | public_opensearch(ctx)) | unknown_values(ctx)) | unknown_interfaces(ctx)

block_settings := ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"]

finding(rule, level, severity, address, detail, fix) := {
	"rule": rule, "level": level, "severity": severity, "address": address, "detail": detail, "fix": fix
}

account_block(ctx) if {
	some r in ctx.by_type.aws_s3_account_public_access_block
	every s in block_settings {
		r.values[s] == true
	}
}

# config keys of the buckets an aws_s3_bucket_public_access_block references
blocked_buckets(ctx) := {b | some pab in ctx.by_type.aws_s3_bucket_public_access_block; some b in object.get(pab.refs, "bucket", [])}

bucket_without_block(ctx, blocked) := set() if account_block(ctx)

else := {finding(
	"public_resources.s3_public_access_block", "deny", "HIGH", r.address,
	"bucket has no aws_s3_bucket_public_access_block (and the plan sets no account-wide block)",
	"add aws_s3_bucket_public_access_block with all four settings true for this bucket"
) |
	some r in ctx.by_type.aws_s3_bucket
	not r.config_key in blocked
}

weak_block(ctx) := {finding(
	"public_resources.s3_public_access_block", "deny", "HIGH", r.address,
	concat("", [s, " is not true"]), concat("", ["set ", s, " = true"])
) |
	some t in ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"]
	some r in ctx.by_type[t]
	some s in block_settings
	not r.unknown[s] == true
	not r.values[s] == true
}

public_acls := {"public-read", "public-read-write", "authenticated-read"}

public_acl(ctx) := {finding(
	"public_resources.s3_public_acl", "deny", "HIGH", r.address,
	concat("", ["canned ACL \"", acl, "\" makes objects public"]),
	"remove the ACL (use bucket ownership controls BucketOwnerEnforced) and share through a policy or CloudFront"
) |
	some t in ["aws_s3_bucket_acl", "aws_s3_bucket", "aws_s3_object"]
	some r in ctx.by_type[t]
	acl := lib.known(r, "acl")
	acl in public_acls
}

public_rds(ctx) := {finding(
	"public_resources.rds_public", "deny", "HIGH", r.address,
	"publicly_accessible = true gives the database a public address",
	"set publicly_accessible = false and reach it from the VPC (bastion, SSM, VPN)"
) |
	some t in ["aws_db_instance", "aws_rds_cluster_instance", "aws_neptune_cluster_instance", "aws_docdb_cluster_instance"]
	some r in ctx.by_type[t]
	lib.known(r, "publicly_accessible") == true
}

public_tier(ctx, r, cfg) if {
	some tier in cfg.public_subnet_tiers
	regex.match(concat("", ["(^|-)", tier, "(-|$)"]), lib.tags_of(ctx, r).Name)
}

public_ip_subnet(ctx, cfg) := {finding(
	"public_resources.subnet_public_ip", "deny", "MEDIUM", r.address,
	"map_public_ip_on_launch = true on a subnet whose Name tag does not mark a public tier",
	concat("", ["set map_public_ip_on_launch = false, or name the subnet as a public tier (", concat(", ", cfg.public_subnet_tiers), ")"])
) |
	some r in ctx.by_type.aws_subnet
	lib.known(r, "map_public_ip_on_launch") == true
	not public_tier(ctx, r, cfg)
}

public_facing(_, r, cfg) if {
	name := lib.known(r, "name")
	is_string(name)
	some marker in cfg.public_lb_markers
	regex.match(concat("", ["(^|-)", marker, "(-|$)"]), name)
}

public_facing(ctx, r, cfg) if lib.tags_of(ctx, r).Exposure in cfg.public_lb_markers

internet_facing_lb(ctx, cfg) := {finding(
	"public_resources.lb_internet_facing", "warn", "MEDIUM", r.address,
	"internet-facing load balancer not marked as public",
	concat("", ["set internal = true, or mark it public: a name segment or an Exposure tag from ", concat(", ", cfg.public_lb_markers)])
) |
	some t in ["aws_lb", "aws_alb", "aws_elb"]
	some r in ctx.by_type[t]
	lib.known(r, "internal") == false
	not public_facing(ctx, r, cfg)
}

public_eks(ctx) := {finding(
	"public_resources.eks_public_endpoint", "warn", "MEDIUM", r.address,
	"EKS API endpoint is public to the whole internet",
	"set vpc_config.endpoint_public_access = false (or restrict public_access_cidrs)"
) |
	some r in ctx.by_type.aws_eks_cluster
	some vc in object.get(r.values, "vpc_config", [])
	vc.endpoint_public_access == true
	open_cidrs(object.get(vc, "public_access_cidrs", ["0.0.0.0/0"]))
}

public_opensearch(ctx) := {finding(
	"public_resources.opensearch_public", "deny", "HIGH", r.address,
	"OpenSearch domain without vpc_options is reachable from the internet",
	"put the domain in a VPC (vpc_options with subnet_ids and security_group_ids)"
) |
	some t in ["aws_opensearch_domain", "aws_elasticsearch_domain"]
	some r in ctx.by_type[t]
	count(object.get(r.values, "vpc_options", [])) == 0
	not r.unknown.vpc_options == true
}

open_cidrs(cidrs) if {
	some c in cidrs
	c in {"0.0.0.0/0", "::/0"}
}

open_cidrs(null) := true

# -- public_resources.unknown_value ------------------------------------------------------------------
# Settings that decide whether something is reachable from the internet. Known only after apply, they cannot be
# judged, and a PR author could compute any of them from another resource's attribute: a deny, whatever the value
# will be. `when_configured`: the provider computes the attribute when the configuration does not set it (a
# bucket without an ACL), and that default is not hidden from anyone. Otherwise an unset, unknown value is AWS's
# default at apply time (an aws_lb without `internal` is internet-facing; an instance without
# associate_public_ip_address takes its subnet's setting), which must be said explicitly too.
unknown_attributes := [
	{"types": ["aws_db_instance", "aws_rds_cluster_instance", "aws_neptune_cluster_instance", "aws_docdb_cluster_instance"], "attribute": "publicly_accessible", "decides": "the database gets a public address", "when_configured": false},
	{"types": ["aws_s3_bucket_acl"], "attribute": "acl", "decides": "the canned ACL makes objects public", "when_configured": false},
	{"types": ["aws_s3_bucket", "aws_s3_object"], "attribute": "acl", "decides": "the canned ACL makes objects public", "when_configured": true},
	{"types": ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"], "attribute": "block_public_acls", "decides": "public ACLs are blocked", "when_configured": false},
	{"types": ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"], "attribute": "block_public_policy", "decides": "public bucket policies are blocked", "when_configured": false},
	{"types": ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"], "attribute": "ignore_public_acls", "decides": "public ACLs are ignored", "when_configured": false},
	{"types": ["aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"], "attribute": "restrict_public_buckets", "decides": "public bucket policies are restricted", "when_configured": false},
	{"types": ["aws_subnet"], "attribute": "map_public_ip_on_launch", "decides": "instances in the subnet get public addresses", "when_configured": false},
	{"types": ["aws_instance"], "attribute": "associate_public_ip_address", "decides": "the instance gets a public address", "when_configured": false},
	{"types": ["aws_lb", "aws_alb", "aws_elb"], "attribute": "internal", "decides": "the load balancer faces the internet", "when_configured": false}
]

unknown_values(ctx) := {unknown_finding(r.address, spec.attribute, spec.decides) |
	some spec in unknown_attributes
	some t in spec.types
	some r in ctx.by_type[t]
	r.unknown[spec.attribute] == true
	not provider_default(r, spec)
}

provider_default(r, spec) if {
	spec.when_configured
	not spec.attribute in r.configured
}

# Launch templates: each network interface's associate_public_ip_address, or the whole list set from an
# expression known only after apply.
unknown_interfaces(ctx) := {unknown_finding(r.address, concat("", ["network_interfaces[", format_int(i, 10), "].associate_public_ip_address"]), "instances launched from it get a public address") |
	some i
	some r in ctx.by_type.aws_launch_template
	interfaces := lib.list_of(object.get(r.unknown, "network_interfaces", []))
	interfaces[i].associate_public_ip_address == true
} | {unknown_finding(r.address, "network_interfaces", "instances launched from it get a public address") |
	some r in ctx.by_type.aws_launch_template
	r.unknown.network_interfaces == true
	"network_interfaces" in r.configured
}

unknown_finding(address, attribute, decides) := finding(
	"public_resources.unknown_value", "deny", "HIGH", address,
	concat("", [attribute, " is known only after apply, so the policy cannot tell whether ", decides]),
	concat("", [
		"set ", attribute, " explicitly to a value known at plan time: a literal, or a variable with a default, ",
		"not an attribute of a resource created in the same apply or a data source"
	])
)
