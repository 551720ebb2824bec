"""Compare two catalog interfaces and name every change with the minimum semver bump it forces.

The rules (``RULES``) are the contract service teams rely on when they move a ``?ref=``: a caller who
keeps every argument the same must get the same plan from a minor or patch release. So anything that can
break a caller's configuration (a removed or narrowed input, a removed output, a higher Terraform or
provider floor) or change a caller's plan without the caller opting in (a changed default, a new resource
created by default, an address change without ``moved``) is major. When the tool cannot prove a change
harmless (a ``count`` it cannot evaluate, a type change it cannot prove wider), it says major: it may
over-state a bump, never under-state one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from platform_tools.release.hcl_eval import UNKNOWN, ExprError, Scope, evaluate, is_off, loaded_value
from platform_tools.release.hcl_types import widening
from platform_tools.release.interface import Block, Catalog, ModuleInterface, Variable
from platform_tools.release.version import Bump

SECTIONS = ("Added", "Changed", "Removed", "Fixed")


@dataclass(frozen=True)
class Rule:
    bump: Bump
    section: str
    meaning: str  # one line for the docs and the refusal message


#: every kind of change the tool recognises; docs/releasing.md and the catalog README show this table
RULES: dict[str, Rule] = {
    # major: a caller's configuration breaks, or its plan changes without it opting in
    "module-removed": Rule(Bump.MAJOR, "Removed", "a module removed"),
    "variable-removed": Rule(Bump.MAJOR, "Removed", "a variable removed (a rename is a removal plus an addition)"),
    "variable-required-added": Rule(Bump.MAJOR, "Added", "a new required variable (no default)"),
    "variable-now-required": Rule(Bump.MAJOR, "Changed", "an optional variable made required"),
    "variable-type-narrowed": Rule(Bump.MAJOR, "Changed", "a variable type changed in a way not provably wider"),
    "variable-nullable-changed": Rule(Bump.MAJOR, "Changed", "a variable's nullable flag changed"),
    "validation-added": Rule(Bump.MAJOR, "Changed", "a validation added or its condition changed (stricter)"),
    "precondition-added": Rule(Bump.MAJOR, "Changed", "a precondition added or its condition changed (stricter)"),
    "default-changed": Rule(Bump.MAJOR, "Changed", "a variable default changed (same inputs, different plan)"),
    "output-removed": Rule(Bump.MAJOR, "Removed", "an output removed (a rename is a removal plus an addition)"),
    "output-now-sensitive": Rule(Bump.MAJOR, "Changed", "an output became sensitive (callers must mark theirs)"),
    "address-removed": Rule(
        Bump.MAJOR, "Removed", "a resource or module call removed or renamed without a `moved` block (destroy)"
    ),
    "repetition-changed": Rule(
        Bump.MAJOR, "Changed", "`count`/`for_each` of a resource changed without a `moved` block (instances re-keyed)"
    ),
    "resource-added-on": Rule(
        Bump.MAJOR, "Added", "a new resource or module call created with the defaults (or not provably off)"
    ),
    "terraform-version-narrowed": Rule(Bump.MAJOR, "Changed", "the required Terraform version range narrowed"),
    "provider-version-narrowed": Rule(Bump.MAJOR, "Changed", "a required provider version range narrowed"),
    "provider-added": Rule(Bump.MAJOR, "Added", "a new required provider"),
    # minor: new things a caller may opt into; nothing changes for a caller who does not
    "module-added": Rule(Bump.MINOR, "Added", "a new module"),
    "variable-optional-added": Rule(Bump.MINOR, "Added", "a new optional variable"),
    "variable-now-optional": Rule(Bump.MINOR, "Changed", "a required variable made optional"),
    "variable-type-widened": Rule(
        Bump.MINOR, "Changed", "a variable type widened (an object gained optional attributes)"
    ),
    "validation-removed": Rule(Bump.MINOR, "Changed", "a validation removed (accepts more)"),
    "precondition-removed": Rule(Bump.MINOR, "Changed", "a precondition removed (accepts more)"),
    "output-added": Rule(Bump.MINOR, "Added", "a new output"),
    "resource-added-off": Rule(Bump.MINOR, "Added", "a new resource behind a switch that is off with the defaults"),
    "data-source-added": Rule(Bump.MINOR, "Added", "a new data source (reads, creates nothing)"),
    "address-moved": Rule(Bump.MINOR, "Changed", "a resource address changed with a `moved` block covering it"),
    "terraform-version-widened": Rule(Bump.MINOR, "Changed", "the required Terraform version range widened"),
    "provider-version-widened": Rule(Bump.MINOR, "Changed", "a required provider version range widened"),
    # patch: nothing a caller can observe in its configuration or plan shape
    "validation-message-changed": Rule(Bump.PATCH, "Fixed", "only a validation's error message changed"),
    "precondition-message-changed": Rule(Bump.PATCH, "Fixed", "only a precondition's error message changed"),
    "description-changed": Rule(Bump.PATCH, "Changed", "a variable or output description changed"),
    "variable-sensitive-changed": Rule(Bump.PATCH, "Changed", "a variable's `sensitive` flag changed"),
    "output-value-changed": Rule(Bump.PATCH, "Changed", "an output's expression changed"),
    "output-no-longer-sensitive": Rule(Bump.PATCH, "Changed", "an output is no longer sensitive"),
    "resource-changed": Rule(Bump.PATCH, "Changed", "arguments of an existing resource changed (main.tf bodies)"),
    "locals-changed": Rule(Bump.PATCH, "Changed", "local values changed"),
    "data-source-removed": Rule(Bump.PATCH, "Removed", "a data source removed (nothing is destroyed)"),
    "provider-removed": Rule(Bump.PATCH, "Removed", "a required provider no longer needed"),
    "files-changed": Rule(Bump.PATCH, "Changed", "README, examples, comments or formatting changed"),
}


@dataclass(frozen=True)
class Change:
    """One change of one module: the CHANGELOG line, the bump it forces and, if major, what callers do."""

    module: str  # module folder, or "catalog" for the shared README and examples
    kind: str  # a key of RULES
    subject: str  # what changed, as written in the text (a variable, an address, a file)
    text: str  # the CHANGELOG line without its section prefix
    upgrade_action: str = ""  # for majors: what a caller must do (UPGRADE.md)

    @property
    def bump(self) -> Bump:
        return RULES[self.kind].bump

    @property
    def section(self) -> str:
        return RULES[self.kind].section


def minimum_bump(changes: list[Change]) -> Bump:
    return max((c.bump for c in changes), default=Bump.NONE)


def _hcl(value: Any) -> str:
    """A default as a reader writes it: python-hcl2 keeps strings quoted, the rest is JSON-like."""
    if isinstance(value, str):
        return value[2:-1] if value.startswith("${") else value
    return json.dumps(value, sort_keys=True)


def _base(address: str) -> str:
    """``aws_x.a["k"]`` → ``aws_x.a`` (moved blocks may name single instances)."""
    return re.sub(r"\[[^\]]*\]$", "", address)


def _defaults(module: ModuleInterface) -> Scope:
    values: dict[str, Any] = {}
    for var in module.variables.values():
        if var.required:
            values[var.name] = UNKNOWN
        else:
            values[var.name] = loaded_value(var.default, Scope({}, {}))
    return Scope(values, module.locals)


def created_by_default(module: ModuleInterface, block: Block) -> bool:
    """False only when ``count`` is provably 0 or ``for_each`` provably empty with every default."""
    meta, expr = block.repetition
    if expr is None:
        return True
    try:
        value = evaluate(expr, _defaults(module))
    except ExprError:
        return True
    return not is_off(value, meta)


# -- version constraints --------------------------------------------------------------------------------

_CLAUSE = re.compile(r"^\s*(>=|<=|~>|!=|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})\s*$")


def _bounds(constraint: str) -> tuple[tuple[tuple[int, ...], bool] | None, tuple[tuple[int, ...], bool] | None] | None:
    """(lower, upper) bounds as ((version), inclusive); None when a clause is not understood."""
    lower: tuple[tuple[int, ...], bool] | None = None
    upper: tuple[tuple[int, ...], bool] | None = None

    def pad(parts: list[int]) -> tuple[int, ...]:
        return tuple([*parts, 0, 0, 0][:3])

    def raise_lower(bound: tuple[tuple[int, ...], bool]) -> None:
        nonlocal lower
        if lower is None or (bound[0], not bound[1]) > (lower[0], not lower[1]):
            lower = bound

    def drop_upper(bound: tuple[tuple[int, ...], bool]) -> None:
        nonlocal upper
        if upper is None or (bound[0], bound[1]) < (upper[0], upper[1]):
            upper = bound

    for clause in constraint.split(","):
        match = _CLAUSE.match(clause)
        if not match:
            return None
        op, raw = match[1] or "=", [int(p) for p in match[2].split(".")]
        version = pad(raw)
        if op == ">=":
            raise_lower((version, True))
        elif op == ">":
            raise_lower((version, False))
        elif op == "<=":
            drop_upper((version, True))
        elif op == "<":
            drop_upper((version, False))
        elif op == "=":
            raise_lower((version, True))
            drop_upper((version, True))
        elif op == "~>":
            raise_lower((version, True))
            if len(raw) == 1:
                return None
            ceiling = [*raw[:-2], raw[-2] + 1]
            drop_upper((pad(ceiling), False))
        else:
            return None
    return lower, upper


def constraint_change(old: str | None, new: str | None) -> str | None:
    """ "narrowed", "widened" or None (same) for two version constraints; unknown shapes count as narrowed."""
    if (old or "") == (new or ""):
        return None
    old_b = _bounds(old) if old else (None, None)
    new_b = _bounds(new) if new else (None, None)
    if old_b is None or new_b is None:
        return "narrowed"
    (old_lo, old_hi), (new_lo, new_hi) = old_b, new_b
    lower_raised = new_lo is not None and (old_lo is None or (new_lo[0], not new_lo[1]) > (old_lo[0], not old_lo[1]))
    upper_lowered = new_hi is not None and (old_hi is None or (new_hi[0], new_hi[1]) < (old_hi[0], old_hi[1]))
    return "narrowed" if lower_raised or upper_lowered else "widened"


# -- per-module comparison ------------------------------------------------------------------------------


class _Collector:
    def __init__(self, module: str) -> None:
        self.module = module
        self.changes: list[Change] = []

    def add(self, kind: str, subject: str, text: str, action: str = "") -> None:
        self.changes.append(Change(self.module, kind, subject, text, action))


def _compare_rules(
    out: _Collector, owner: str, old: tuple[tuple[str, str], ...], new: tuple[tuple[str, str], ...], kind: str
) -> None:
    """Validations (kind "validation") or preconditions (kind "precondition") of one variable/block/output."""
    old_conditions = [c for c, _ in old]
    new_conditions = [c for c, _ in new]
    for cond, message in new:
        if cond not in old_conditions:
            out.add(
                f"{kind}-added",
                owner,
                f"{owner}: new or stricter {kind}: {message}",
                f'Check that your inputs satisfy the new {kind} of {owner}: "{message}" (plans fail otherwise).',
            )
    for cond, message in old:
        if cond not in new_conditions:
            out.add(f"{kind}-removed", owner, f"{owner}: {kind} removed (accepts more): {message}")
    old_messages = {c: m for c, m in old}
    for cond, message in new:
        if cond in old_messages and old_messages[cond] != message:
            out.add(f"{kind}-message-changed", owner, f'{owner}: {kind} message now reads "{message}"')


def _compare_variable(out: _Collector, old: Variable, new: Variable) -> None:
    ref = f"`{new.name}`"
    if old.required and not new.required:
        out.add("variable-now-optional", ref, f"variable {ref} is now optional (default `{_hcl(new.default)}`)")
    elif not old.required and new.required:
        out.add(
            "variable-now-required",
            ref,
            f"variable {ref} is now required (it defaulted to `{_hcl(old.default)}`)",
            f"Set `{new.name}` in every call; `{new.name} = {_hcl(old.default)}` keeps today's behaviour.",
        )
    elif not old.required and old.default != new.default:
        out.add(
            "default-changed",
            ref,
            f"default of {ref} changed from `{_hcl(old.default)}` to `{_hcl(new.default)}`",
            f"To keep today's plan, set `{new.name} = {_hcl(old.default)}` explicitly; "
            "otherwise review the plan, it follows the new default.",
        )
    if old.type != new.type:
        old_spec, new_spec = old.type_spec, new.type_spec
        if old_spec is not None and new_spec is not None and widening(old_spec, new_spec):
            out.add("variable-type-widened", ref, f"type of {ref} widened: `{new.type}` (was `{old.type}`)")
        else:
            out.add(
                "variable-type-narrowed",
                ref,
                f"type of {ref} changed to `{new.type}` (was `{old.type}`)",
                f"Check the value you pass for `{new.name}` against the new type `{new.type}`.",
            )
    if old.nullable != new.nullable:
        meaning = "the default" if not new.nullable else "null itself"
        out.add(
            "variable-nullable-changed",
            ref,
            f"{ref}: `nullable = {str(new.nullable).lower()}` (passing null now means {meaning})",
            f"If you pass `null` for `{new.name}`, it now means {meaning}: pass the value you mean.",
        )
    if old.sensitive != new.sensitive:
        out.add("variable-sensitive-changed", ref, f"{ref}: `sensitive = {str(new.sensitive).lower()}`")
    if old.description != new.description:
        out.add("description-changed", ref, f"description of variable {ref}")
    _compare_rules(out, f"variable {ref}", old.validations, new.validations, "validation")


def _moved_targets(module: ModuleInterface) -> dict[str, str]:
    """base address moved from → base address it ends at (chains followed)."""
    direct = {_base(f): _base(t) for f, t in module.moved}
    out = {}
    for start, first in direct.items():
        seen, target = {start}, first
        while target in direct and target not in seen:
            seen.add(target)
            target = direct[target]
        out[start] = target
    return out


def _compare_blocks(out: _Collector, old: ModuleInterface, new: ModuleInterface) -> None:
    moved = _moved_targets(new)
    moved_bases = {b for pair in new.moved for b in map(_base, pair)}
    removed = [a for a in old.blocks if a not in new.blocks]
    added = [a for a in new.blocks if a not in old.blocks]
    claimed: set[str] = set()
    # addresses that left: moved (minor), renamed or removed without moved (major); data sources are reads
    unexplained: list[str] = []
    for address in removed:
        block = old.blocks[address]
        target = moved.get(address)
        if target is not None and target in new.blocks:
            claimed.add(target)
            out.add("address-moved", f"`{address}`", f"`{address}` moved to `{target}` (a `moved` block keeps it)")
        elif block.kind == "data":
            out.add("data-source-removed", f"`{address}`", f"data source `{address}` no longer read")
        else:
            unexplained.append(address)
    for address in unexplained:
        rtype = address.rsplit(".", 1)[0]
        twins = [a for a in added if a not in claimed and a.rsplit(".", 1)[0] == rtype]
        others = [a for a in unexplained if a.rsplit(".", 1)[0] == rtype]
        if len(twins) == 1 and len(others) == 1:
            claimed.add(twins[0])
            out.add(
                "address-removed",
                f"`{address}`",
                f"`{address}` renamed to `{twins[0]}` without a `moved` block (destroyed and recreated)",
                f"Before applying, add `moved {{ from = module.<name>.{address}  to = module.<name>.{twins[0]} }}` "
                f"to your root module (or `terraform state mv`); otherwise the apply replaces it.",
            )
        else:
            out.add(
                "address-removed",
                f"`{address}`",
                f"`{address}` removed: the next apply destroys it",
                f"The apply destroys `module.<name>.{address}`. To keep the real object, add `removed {{ from = "
                f"module.<name>.{address}  lifecycle {{ destroy = false }} }}` (Terraform >= 1.7) or run "
                "`terraform state rm` before applying.",
            )
    for address in added:
        if address in claimed:
            continue
        block = new.blocks[address]
        if block.kind == "data":
            out.add("data-source-added", f"`{address}`", f"data source `{address}`")
        elif address in moved.values():
            out.add("address-moved", f"`{address}`", f"`{address}` (a `moved` block carries existing state over)")
        elif created_by_default(new, block):
            what = "module call" if block.kind == "module" else "resource"
            out.add(
                "resource-added-on",
                f"`{address}`",
                f"new {what} `{address}`, created with the defaults",
                f"The next apply creates `module.<name>.{address}` for every caller: review the plan.",
            )
        else:
            meta, expr = block.repetition
            out.add("resource-added-off", f"`{address}`", f"`{address}`, off unless enabled (`{meta} = {expr}`)")
    for address in [a for a in old.blocks if a in new.blocks]:
        before, after = old.blocks[address], new.blocks[address]
        if before.repetition != after.repetition and before.kind != "data":
            if address in moved_bases:
                out.add(
                    "address-moved",
                    f"`{address}`",
                    f"instances of `{address}` re-keyed; `moved` blocks carry existing state over",
                )
            else:
                out.add(
                    "repetition-changed",
                    f"`{address}`",
                    f"`{address}`: `{before.repetition[0]}` changed to `{after.repetition[0]} = "
                    f"{after.repetition[1]}` (instances may be destroyed and recreated)",
                    f"Review the plan for `module.<name>.{address}`; move existing instances to their new keys "
                    "with `moved` blocks or `terraform state mv` before applying.",
                )
        if before.body != after.body:
            out.add("resource-changed", f"`{address}`", f"arguments of `{address}`")
        _compare_rules(out, f"`{address}`", before.preconditions, after.preconditions, "precondition")


def _compare_versions(out: _Collector, old: ModuleInterface, new: ModuleInterface) -> None:
    change = constraint_change(old.required_version, new.required_version)
    if change == "narrowed":
        out.add(
            "terraform-version-narrowed",
            "Terraform",
            f"requires Terraform `{new.required_version}` (was `{old.required_version}`)",
            f"Run a Terraform version matching `{new.required_version}`.",
        )
    elif change == "widened":
        out.add(
            "terraform-version-widened",
            "Terraform",
            f"accepts Terraform `{new.required_version}` (was `{old.required_version}`)",
        )
    for name, (source, version) in new.providers.items():
        if name not in old.providers:
            out.add(
                "provider-added",
                f"`{source}`",
                f"requires provider `{source}` `{version or 'any'}`",
                f"Run `terraform init -upgrade`; configure `{source}` in your root module if it needs settings.",
            )
            continue
        change = constraint_change(old.providers[name][1], version)
        if change == "narrowed" or old.providers[name][0] != source:
            out.add(
                "provider-version-narrowed",
                f"`{source}`",
                f"requires provider `{source}` `{version}` (was `{old.providers[name][1]}`)",
                f"Use `{source}` `{version}` in your root module and run `terraform init -upgrade`.",
            )
        elif change == "widened":
            out.add("provider-version-widened", f"`{source}`", f"accepts provider `{source}` `{version}`")
    for name, (source, _) in old.providers.items():
        if name not in new.providers:
            out.add("provider-removed", f"`{source}`", f"no longer requires provider `{source}`")


def diff_module(old: ModuleInterface, new: ModuleInterface) -> list[Change]:
    out = _Collector(new.name)
    for name, var in new.variables.items():
        ref = f"`{name}`"
        if name not in old.variables:
            if var.required:
                out.add(
                    "variable-required-added",
                    ref,
                    f"required variable {ref} (`{var.type}`): {var.description}",
                    f"Set `{name}` (type `{var.type}`) in every call: {var.description}",
                )
            else:
                out.add(
                    "variable-optional-added",
                    ref,
                    f"optional variable {ref} (default `{_hcl(var.default)}`): {var.description}",
                )
        else:
            _compare_variable(out, old.variables[name], var)
    for name in old.variables:
        if name not in new.variables:
            out.add(
                "variable-removed",
                f"`{name}`",
                f"variable `{name}`",
                f"Delete the `{name} = ...` argument from every call (Terraform rejects unknown arguments).",
            )
    for name, output in new.outputs.items():
        ref = f"`{name}`"
        if name not in old.outputs:
            out.add("output-added", ref, f"output {ref}: {output.description}")
            continue
        before = old.outputs[name]
        if before.value != output.value:
            out.add("output-value-changed", ref, f"output {ref} is computed differently")
        if output.sensitive and not before.sensitive:
            out.add(
                "output-now-sensitive",
                ref,
                f"output {ref} is now sensitive",
                f"Mark outputs of your root module that expose `module.<name>.{name}` with `sensitive = true`.",
            )
        elif before.sensitive and not output.sensitive:
            out.add("output-no-longer-sensitive", ref, f"output {ref} is no longer sensitive")
        if before.description != output.description:
            out.add("description-changed", ref, f"description of output {ref}")
        _compare_rules(out, f"output {ref}", before.preconditions, output.preconditions, "precondition")
    for name in old.outputs:
        if name not in new.outputs:
            out.add(
                "output-removed",
                f"`{name}`",
                f"output `{name}`",
                f"Replace every reference to `module.<name>.{name}` (the hand-written notes name the replacement).",
            )
    _compare_blocks(out, old, new)
    if json.dumps(old.locals, sort_keys=True) != json.dumps(new.locals, sort_keys=True):
        out.add("locals-changed", "locals", "local values")
    _compare_versions(out, old, new)
    _compare_files(out, old.files, new.files, explained=bool(out.changes))
    return out.changes


def _compare_files(out: _Collector, old: dict[str, str], new: dict[str, str], *, explained: bool) -> None:
    changed = sorted(p for p in set(old) | set(new) if old.get(p) != new.get(p))
    top_tf = [p for p in changed if "/" not in p and p.endswith(".tf")]
    other = [p for p in changed if p not in top_tf]
    if not explained:
        other = top_tf + other
    if other:
        listing = ", ".join(f"`{p}`" for p in other[:6]) + (f" and {len(other) - 6} more" if len(other) > 6 else "")
        out.add("files-changed", listing, f"{listing}")


def diff_catalogs(old: Catalog, new: Catalog) -> list[Change]:
    """Every change between two catalogs, modules in name order, the shared files last."""
    changes: list[Change] = []
    for name in sorted(set(old.modules) | set(new.modules)):
        if name not in new.modules:
            changes.append(
                Change(
                    name,
                    "module-removed",
                    f"`{name}`",
                    f"module `{name}`",
                    f"Remove the `module` blocks that source `{name}` (or keep them on the previous tag).",
                )
            )
        elif name not in old.modules:
            changes.append(Change(name, "module-added", f"`{name}`", added_module_text(new.modules[name])))
        else:
            changes += diff_module(old.modules[name], new.modules[name])
    shared = _Collector("catalog")
    _compare_files(shared, old.shared_files, new.shared_files, explained=False)
    return changes + shared.changes


def added_module_text(module: ModuleInterface) -> str:
    required = sum(1 for v in module.variables.values() if v.required)
    checks = sum(len(v.validations) for v in module.variables.values())
    lead = module.summary.rstrip(".") or f"module `{module.name}`"
    return (
        f"{lead}. {len(module.variables)} inputs ({required} required, {checks} validation blocks), "
        f"{len(module.outputs)} outputs."
    )


def first_release_changes(new: Catalog) -> list[Change]:
    """The first release adds every module; nothing existed before it."""
    return [Change(n, "module-added", f"`{n}`", added_module_text(m)) for n, m in sorted(new.modules.items())]
