"""Checks run on every service-repo PR: Rego policies, scanner baselines, cost thresholds, the combined report."""
