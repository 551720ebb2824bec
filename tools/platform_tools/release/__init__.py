"""``infra release``: semver releases of the module catalog whose number cannot lie about the change.

interface (what a module offers, read with python-hcl2; hcl_eval and hcl_types read its expressions and types) →
diff (changes and the bump each forces) → version (semver) → changelog (CHANGELOG, UPGRADE, notes) → gitrepo
(commit, tag) → publish (the GitHub Release); records reads the last release from the CHANGELOG and checks it against
the release commits and tags first. command wires them; the CLI is platform_tools/cli/release.py. The
rules are documented in docs/releasing.md.
"""
