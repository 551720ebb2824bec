package exceptions_test

import data.fixtures
import data.lib
import data.naming
import rego.v1

bad_name := fixtures.plan([fixtures.change("aws_sqs_queue", "q", {"name": "Jobs"})])

entry(expires) := {
	"id": "EXC-0001", "rule": "naming.pattern", "address": "aws_sqs_*.q", "reason": "legacy queue, renamed in Q3",
	"approver": "platform-team@acme.example", "ticket": "PLAT-42", "expires": expires
}

# an active exception moves the finding out of deny into the excepted results (conftest: warnings)
test_active_exception_excepts_the_matching_finding if {
	cfg := fixtures.cfg_with_exceptions([entry("2026-03-01")])
	found := naming.check(bad_name, cfg)
	count(lib.report(found, cfg, "deny")) == 0
	[r.exception | some r in lib.excepted_results(found, cfg)] == ["EXC-0001"]
	count(lib.exception_findings(cfg)) == 0
}

test_exception_for_another_rule_excepts_nothing if {
	cfg := fixtures.cfg_with_exceptions([object.union(entry("2026-12-31"), {"rule": "tags.missing_required"})])
	count(lib.report(naming.check(bad_name, cfg), cfg, "deny")) == 1
}

# -- exceptions.expired ------------------------------------------------------------------------------
test_expired_exception_is_a_failure_and_excepts_nothing if {
	cfg := fixtures.cfg_with_exceptions([entry("2026-02-28")])
	count(lib.report(naming.check(bad_name, cfg), cfg, "deny")) == 1
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.expired", "exceptions[0] (EXC-0001)"]}
}

# -- exceptions.incomplete ---------------------------------------------------------------------------
test_incomplete_exception_is_a_failure_and_excepts_nothing if {
	cfg := fixtures.cfg_with_exceptions([object.remove(entry("2026-12-31"), ["approver"])])
	count(lib.report(naming.check(bad_name, cfg), cfg, "deny")) == 1
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.incomplete", "exceptions[0] (EXC-0001)"]}
}

test_incomplete_exception_with_a_bad_date if {
	cfg := fixtures.cfg_with_exceptions([entry("31.12.2026")])
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.incomplete", "exceptions[0] (EXC-0001)"]}
}

test_incomplete_exception_passes_when_complete if {
	count(lib.exception_findings(fixtures.cfg_with_exceptions([entry("2026-12-31")]))) == 0
}

test_expired_exception_passes_through_its_expiry_day if {
	cfg := fixtures.cfg_with_exceptions([entry("2026-03-01")])
	count(lib.exception_findings(cfg)) == 0
}
