"""The service-PR gate's trusted side: settings from the registry, a static pre-flight of the PR's Terraform, and
the checks that treat the untrusted plan job's output as data (docs/guardrails/workflow.md)."""
