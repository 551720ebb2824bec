"""Per-module case tables of the catalog tests (valid inputs, failing values, failing combinations)."""
