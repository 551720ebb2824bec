"""Rego guardrails: the engine adapter, the resource view, the runner, the policies' own tests."""
