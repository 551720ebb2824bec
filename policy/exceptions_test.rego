package exceptions_test

import data.fixtures
import data.lib
import data.naming
import rego.v1

bad_name := fixtures.plan([fixtures.change("aws_sqs_queue", "q", {"name": "Jobs"})])

# fixtures.cfg runs for service fileflow on 2026-03-01
entry(expires) := {
	"id": "EXC-0001", "service": "fileflow", "rule": "naming.pattern", "address": "aws_sqs_*.q",
	"reason": "legacy queue, renamed in Q3", "approver": "platform-team@acme.example", "ticket": "PLAT-42",
	"approved": "2026-02-01", "expires": expires
}

denied(cfg) := lib.report(naming.check(bad_name, cfg), cfg, "deny")

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
	count(denied(cfg)) == 1
}

# -- scoped to the service under check ----------------------------------------------------------------
# The same address in another service's plan is another resource: its finding stays a deny.
test_exception_for_another_service_excepts_nothing if {
	cfg := fixtures.cfg_with_exceptions([object.union(entry("2026-12-31"), {"service": "billing"})])
	count(denied(cfg)) == 1
	count(lib.excepted_results(naming.check(bad_name, cfg), cfg)) == 0
}

test_exception_excepts_nothing_when_the_run_names_no_service if {
	cfg := object.union(fixtures.cfg_with_exceptions([entry("2026-12-31")]), {"service": null})
	count(denied(cfg)) == 1
}

# -- exceptions.expired ------------------------------------------------------------------------------
test_expired_exception_is_a_failure_and_excepts_nothing if {
	cfg := fixtures.cfg_with_exceptions([entry("2026-02-28")])
	count(denied(cfg)) == 1
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.expired", "exceptions[0] (EXC-0001)"]}
}

test_expired_exception_passes_through_its_expiry_day if {
	cfg := fixtures.cfg_with_exceptions([entry("2026-03-01")])
	count(lib.exception_findings(cfg)) == 0
}

# -- exceptions.incomplete ---------------------------------------------------------------------------
test_incomplete_exception_is_a_failure_and_excepts_nothing if {
	cfg := fixtures.cfg_with_exceptions([object.remove(entry("2026-12-31"), ["approver"])])
	count(denied(cfg)) == 1
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.incomplete", "exceptions[0] (EXC-0001)"]}
}

# an entry without a service would apply to every service: refused, never applied to all
test_incomplete_exception_without_a_service_fails if {
	cfg := fixtures.cfg_with_exceptions([object.remove(entry("2026-12-31"), ["service"])])
	count(denied(cfg)) == 1
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.incomplete", "exceptions[0] (EXC-0001)"]}
}

test_incomplete_exception_with_a_bad_date if {
	every expires in ["31.12.2026", "9999-99-99", "2026-13-01", "2026-12-32", "20261231"] {
		cfg := fixtures.cfg_with_exceptions([entry(expires)])
		fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.incomplete", "exceptions[0] (EXC-0001)"]}
		count(denied(cfg)) == 1
	}
}

test_incomplete_exception_passes_when_complete if {
	count(lib.exception_findings(fixtures.cfg_with_exceptions([entry("2026-12-31")]))) == 0
}

# -- exceptions.validity -----------------------------------------------------------------------------
test_validity_fails_an_expiry_more_than_365_days_after_the_approval if {
	cfg := fixtures.cfg_with_exceptions([entry("2027-02-02")])
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.validity", "exceptions[0] (EXC-0001)"]}
	count(denied(cfg)) == 1
}

# approved: 2099-01-01 with expires: 2099-12-31 would otherwise never come due
test_validity_fails_an_approval_dated_after_today if {
	cfg := fixtures.cfg_with_exceptions([object.union(entry("2026-12-31"), {"approved": "2026-03-02"})])
	fixtures.hits(lib.exception_findings(cfg)) == {["exceptions.validity", "exceptions[0] (EXC-0001)"]}
	count(denied(cfg)) == 1
}

test_validity_passes_exactly_365_days_across_a_leap_day if {
	cfg := object.union(fixtures.cfg, {"today": "2027-03-01", "exceptions": [object.union(entry("2028-02-29"), {"approved": "2027-03-01"})]})
	count(lib.exception_findings(cfg)) == 0
	count(denied(cfg)) == 0
	bad := object.union(fixtures.cfg, {"today": "2027-03-01", "exceptions": [object.union(entry("2028-03-01"), {"approved": "2027-03-01"})]})
	fixtures.hits(lib.exception_findings(bad)) == {["exceptions.validity", "exceptions[0] (EXC-0001)"]}
}

# the day arithmetic against Python's datetime (days since 1970-01-01), far past a nanosecond timestamp's range
test_validity_day_numbers_pass_against_the_calendar if {
	lib.day_number("1970-01-01") == 0
	lib.day_number("2000-03-01") == 11017
	lib.day_number("2024-02-29") == 19782
	lib.day_number("2026-03-01") == 20513
	lib.day_number("2999-12-31") == 376199
	lib.day_number("1000-01-01") == -354285
}
