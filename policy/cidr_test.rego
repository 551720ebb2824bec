package cidr_test

import data.cidr
import rego.v1

# The written-out private networks are the parse of their CIDRs (cidr.rego writes them parsed for speed).
test_private_nets_are_their_cidrs if {
	count(cidr.private_nets) == 9
	every r in cidr.private_nets {
		cidr.parse(r.cidr) == r.net
	}
}

test_parse_reads_both_families_and_ipv4_tails if {
	cidr.parse("10.1.2.0/24") == {"version": 4, "groups": [2561, 512], "length": 24}
	cidr.parse("2001:db8::/32") == {"version": 6, "groups": [8193, 3512, 0, 0, 0, 0, 0, 0], "length": 32}
	cidr.parse("::ffff:10.0.0.1/128") == {"version": 6, "groups": [0, 0, 0, 0, 0, 65535, 2560, 1], "length": 128}
	cidr.parse("1:2:3:4:5:6:7::/112") == {"version": 6, "groups": [1, 2, 3, 4, 5, 6, 7, 0], "length": 112}
}

test_parse_refuses_what_is_not_a_plain_cidr if {
	every c in ["010.0.0.0/8", "10.0.0.0/08", "10.0.0.0", "10.0.0.0/33", "256.0.0.0/8", " 10.0.0.0/8", "1::2::3/64", "12345::/16", "::1:2:3:4:5:6:7:8/128", "fe80::1%eth0/64", "::/129", 10] {
		not cidr.parse(c)
	}
}
