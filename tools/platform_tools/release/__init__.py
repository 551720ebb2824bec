"""``infra release``: semver releases of the module catalog whose number cannot lie about the change.

interface (what a module offers, read with python-hcl2) → diff (changes and the bump each forces) →
version (semver) → changelog (CHANGELOG, UPGRADE, notes) → gitrepo (commit, tag) → github (publish).
command wires them and registers the CLI. The rules are documented in docs/releasing.md.
"""
