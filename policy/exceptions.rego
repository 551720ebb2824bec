# The exception register itself is checked: an entry without an owner, a reason, a ticket or a valid expiry,
# or one past its expiry date, fails the run until someone renews or deletes it.
package exceptions

import data.lib
import rego.v1

deny contains lib.result(f) if some f in lib.exception_findings(data.guardrails)

# Without the registry data every other policy would silently find nothing.
deny contains result if {
	not data.guardrails.required_tags
	result := {
		"msg": "policy data missing: data.guardrails is not loaded [exceptions.data_missing] fix: run conftest with --data <(infra policy data)",
		"rule": "exceptions.data_missing", "address": "-", "severity": "HIGH",
		"fix": "run conftest with --data <(infra policy data)"
	}
}
