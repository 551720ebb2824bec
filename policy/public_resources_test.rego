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
