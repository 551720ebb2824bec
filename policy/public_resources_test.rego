package public_resources_test

import data.fixtures
import data.public_resources
import rego.v1

found(changes, config) := fixtures.hits(public_resources.check(fixtures.plan_with_config(changes, config), fixtures.cfg))

the_bucket := fixtures.change("aws_s3_bucket", "b", {"bucket": "dev-fileflow-data"})

pab(settings) := fixtures.change("aws_s3_bucket_public_access_block", "b", object.union({
	"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true, "tags_all": null
}, settings))

pab_ref := fixtures.ref("aws_s3_bucket_public_access_block.b", "bucket", "aws_s3_bucket.b")

# -- public_resources.s3_public_access_block --------------------------------------------------------
test_s3_public_access_block_passes_with_all_four if {
	count(found([the_bucket, pab({})], [pab_ref])) == 0
}

test_s3_public_access_block_fails_without_a_block if {
	found([the_bucket], []) == {["public_resources.s3_public_access_block", "aws_s3_bucket.b"]}
}

test_s3_public_access_block_fails_on_a_weak_setting if {
	found([the_bucket, pab({"restrict_public_buckets": false})], [pab_ref]) == {["public_resources.s3_public_access_block", "aws_s3_bucket_public_access_block.b"]}
}

test_s3_public_access_block_accepts_the_account_wide_block if {
	account := fixtures.change("aws_s3_account_public_access_block", "all", {
		"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "restrict_public_buckets": true, "tags_all": null
	})
	count(found([the_bucket, account], [])) == 0
}

# -- public_resources.s3_public_acl ------------------------------------------------------------------
test_s3_public_acl_fails_on_public_read if {
	acl := fixtures.change("aws_s3_bucket_acl", "b", {"acl": "public-read", "tags_all": null})
	found([the_bucket, pab({}), acl], [pab_ref]) == {["public_resources.s3_public_acl", "aws_s3_bucket_acl.b"]}
}

test_s3_public_acl_passes_private if {
	acl := fixtures.change("aws_s3_bucket_acl", "b", {"acl": "private", "tags_all": null})
	count(found([the_bucket, pab({}), acl], [pab_ref])) == 0
}

# -- public_resources.rds_public ---------------------------------------------------------------------
test_rds_public_fails_when_publicly_accessible if {
	db := fixtures.change("aws_db_instance", "db", {"identifier": "dev-fileflow-db", "publicly_accessible": true})
	found([db], []) == {["public_resources.rds_public", "aws_db_instance.db"]}
}

test_rds_public_passes_when_private if {
	db := fixtures.change("aws_db_instance", "db", {"identifier": "dev-fileflow-db", "publicly_accessible": false})
	count(found([db], [])) == 0
}

# -- public_resources.subnet_public_ip ---------------------------------------------------------------
net(name, public_ip) := fixtures.change("aws_subnet", "s", {
	"map_public_ip_on_launch": public_ip, "tags_all": object.union(fixtures.tags, {"Name": name})
})

test_subnet_public_ip_fails_on_private_tier if {
	found([net("dev-fileflow-private-a", true)], []) == {["public_resources.subnet_public_ip", "aws_subnet.s"]}
}

test_subnet_public_ip_passes_on_public_tier if {
	count(found([net("dev-fileflow-public-a", true)], [])) == 0
}

test_subnet_public_ip_passes_when_off if {
	count(found([net("dev-fileflow-private-a", false)], [])) == 0
}

# -- public_resources.lb_internet_facing -------------------------------------------------------------
balancer(name, internal, extra_tags) := fixtures.change("aws_lb", "lb", {
	"name": name, "internal": internal, "tags_all": object.union(fixtures.tags, extra_tags)
})

test_lb_internet_facing_warns_when_not_marked if {
	found := public_resources.check(fixtures.plan([balancer("dev-fileflow-api", false, {})]), fixtures.cfg)
	fixtures.hits(found) == {["public_resources.lb_internet_facing", "aws_lb.lb"]}
	every f in found {
		f.level == "warn"
	}
}

test_lb_internet_facing_passes_when_named_public if {
	count(found([balancer("dev-fileflow-web", false, {})], [])) == 0
}

test_lb_internet_facing_passes_with_exposure_tag if {
	count(found([balancer("dev-fileflow-api", false, {"Exposure": "public"})], [])) == 0
}

test_lb_internet_facing_passes_when_internal if {
	count(found([balancer("dev-fileflow-api", true, {})], [])) == 0
}

# -- public_resources.eks_public_endpoint ------------------------------------------------------------
cluster(access, cidrs) := fixtures.change("aws_eks_cluster", "k", {"name": "dev-fileflow-eks", "vpc_config": [{
	"endpoint_public_access": access, "public_access_cidrs": cidrs
}]})

test_eks_public_endpoint_warns_when_open_to_the_internet if {
	found([cluster(true, ["0.0.0.0/0"])], []) == {["public_resources.eks_public_endpoint", "aws_eks_cluster.k"]}
}

test_eks_public_endpoint_passes_when_private_or_restricted if {
	count(found([cluster(false, ["0.0.0.0/0"])], [])) == 0
	count(found([cluster(true, ["203.0.113.0/24"])], [])) == 0
}

# -- public_resources.opensearch_public --------------------------------------------------------------
test_opensearch_public_fails_without_vpc_options if {
	domain := fixtures.change("aws_opensearch_domain", "s", {"domain_name": "dev-fileflow-search", "vpc_options": []})
	found([domain], []) == {["public_resources.opensearch_public", "aws_opensearch_domain.s"]}
}

test_opensearch_public_passes_in_a_vpc if {
	domain := fixtures.change("aws_opensearch_domain", "s", {"domain_name": "dev-fileflow-search", "vpc_options": [{"subnet_ids": ["subnet-1"]}]})
	count(found([domain], [])) == 0
}

# -- public_resources.unknown_value ------------------------------------------------------------------
computed(address) := {"references": [concat("", [address, ".id"]), address]}

unknown_detail(changes, config) := {[f.rule, f.address, f.detail] | some f in public_resources.check(fixtures.plan_with_config(changes, config), fixtures.cfg)}

test_unknown_value_fails_on_computed_publicly_accessible if {
	db := fixtures.change_unknown("aws_db_instance", "db", {"identifier": "dev-fileflow-db", "publicly_accessible": null}, {"publicly_accessible": true})
	member := fixtures.change_unknown("aws_rds_cluster_instance", "m", {"identifier": "dev-fileflow-m"}, {"publicly_accessible": true})
	unknown_detail([db, member], []) == {
		["public_resources.unknown_value", "aws_db_instance.db", "publicly_accessible is known only after apply, so the policy cannot tell whether the database gets a public address"],
		["public_resources.unknown_value", "aws_rds_cluster_instance.m", "publicly_accessible is known only after apply, so the policy cannot tell whether the database gets a public address"]
	}
}

test_unknown_value_fails_on_a_computed_acl if {
	acl := fixtures.change_unknown("aws_s3_bucket_acl", "b", {"tags_all": null}, {"acl": true})
	found([the_bucket, pab({}), acl], [pab_ref]) == {["public_resources.unknown_value", "aws_s3_bucket_acl.b"]}
	# the bucket's own (deprecated) acl argument, set from a computed value
	bucket := fixtures.change_unknown("aws_s3_bucket", "b", {"bucket": "dev-fileflow-data"}, {"acl": true})
	found([bucket, pab({})], [pab_ref, {"address": "aws_s3_bucket.b", "expressions": {"acl": computed("terraform_data.x")}}]) == {["public_resources.unknown_value", "aws_s3_bucket.b"]}
}

# the AWS provider computes aws_s3_bucket.acl when the configuration does not set it: no ACL is hidden
test_unknown_value_passes_a_bucket_that_sets_no_acl if {
	bucket := fixtures.change_unknown("aws_s3_bucket", "b", {"bucket": "dev-fileflow-data"}, {"acl": true})
	count(found([bucket, pab({})], [pab_ref, {"address": "aws_s3_bucket.b", "expressions": {"bucket": {"constant_value": "dev-fileflow-data"}}}])) == 0
}

test_unknown_value_fails_on_a_computed_block_setting if {
	block := fixtures.change_unknown("aws_s3_bucket_public_access_block", "b", {
		"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "tags_all": null
	}, {"restrict_public_buckets": true})
	unknown_detail([the_bucket, block], [pab_ref]) == {[
		"public_resources.unknown_value", "aws_s3_bucket_public_access_block.b",
		"restrict_public_buckets is known only after apply, so the policy cannot tell whether public bucket policies are restricted"
	]}
	account := fixtures.change_unknown("aws_s3_account_public_access_block", "all", {
		"block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true, "tags_all": null
	}, {"restrict_public_buckets": true})
	["public_resources.unknown_value", "aws_s3_account_public_access_block.all"] in found([account], [])
}

test_unknown_value_fails_on_computed_public_addresses if {
	subnet := fixtures.change_unknown("aws_subnet", "a", {"tags_all": object.union(fixtures.tags, {"Name": "dev-fileflow-private-a"})}, {"map_public_ip_on_launch": true})
	instance := fixtures.change_unknown("aws_instance", "vm", {"tags_all": fixtures.tags}, {"associate_public_ip_address": true})
	template := fixtures.change_unknown("aws_launch_template", "lt", {"network_interfaces": [{"device_index": 0}, {"device_index": 1}], "tags_all": fixtures.tags}, {"network_interfaces": [{}, {"associate_public_ip_address": true}]})
	unknown_detail([subnet, instance, template], []) == {
		["public_resources.unknown_value", "aws_subnet.a", "map_public_ip_on_launch is known only after apply, so the policy cannot tell whether instances in the subnet get public addresses"],
		["public_resources.unknown_value", "aws_instance.vm", "associate_public_ip_address is known only after apply, so the policy cannot tell whether the instance gets a public address"],
		["public_resources.unknown_value", "aws_launch_template.lt", "network_interfaces[1].associate_public_ip_address is known only after apply, so the policy cannot tell whether instances launched from it get a public address"]
	}
	whole := fixtures.change_unknown("aws_launch_template", "lt", {"tags_all": fixtures.tags}, {"network_interfaces": true})
	found([whole], [{"address": "aws_launch_template.lt", "expressions": {"network_interfaces": computed("terraform_data.x")}}]) == {["public_resources.unknown_value", "aws_launch_template.lt"]}
}

# unset, `internal` is computed: AWS then makes the load balancer internet-facing
test_unknown_value_fails_on_an_unset_or_computed_internal if {
	every t in ["aws_lb", "aws_alb", "aws_elb"] {
		lb := fixtures.change_unknown(t, "front", {"name": "dev-fileflow-front"}, {"internal": true})
		found([lb], []) == {["public_resources.unknown_value", concat(".", [t, "front"])]}
	}
}

test_unknown_value_passes_known_settings if {
	db := fixtures.change("aws_db_instance", "db", {"identifier": "dev-fileflow-db", "publicly_accessible": false})
	lb := fixtures.change("aws_lb", "app", {"name": "dev-fileflow-app", "internal": true})
	vm := fixtures.change("aws_instance", "vm", {"associate_public_ip_address": false})
	template := fixtures.change("aws_launch_template", "lt", {"network_interfaces": [{"associate_public_ip_address": "false"}]})
	count(found([db, lb, vm, template, the_bucket, pab({})], [pab_ref])) == 0
}
