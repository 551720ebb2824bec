"""Run the Rego guardrails (policy/) on a plan or a synth folder, with conftest's output format.

The engine is rego-cpp through ``regopy``: a real Rego interpreter with Python bindings, so the same
``.rego`` files run here and under conftest. Output is exactly ``conftest test --all-namespaces
--output json``: one entry per file and policy namespace with ``successes``, ``failures``, ``warnings``
and ``exceptions``; each result is ``{"msg", "metadata": {rule, address, fix, severity}}``.

rego-cpp is slow at turning a raw plan into the policies' resource view (~200 µs per resource: every
value copied into a new object is deep-copied), so this module builds that view itself, in Python, and
hands it over as ``input.platform_view``; lib.rego uses it when present and builds it from the raw
document otherwise (conftest, ``fast=False``). Tests prove both views and both results are identical
(tests/test_policy_runner.py, tests/test_policy_plans.py). The view keeps only the attributes the policies
read (``PROJECTED_ATTRIBUTES``, checked against the .rego files by a test) and stores each distinct tag map
once. Big plans are evaluated in chunks of ``CHUNK_SIZE`` (rego-cpp's cost grows faster than linearly with
the input), linked resource types kept together per module, over the CPU cores.

Excepted findings come back from the policies as warnings carrying an ``exception`` id (that is what
conftest shows); the runner files them under ``exceptions``, as conftest does for its own exceptions.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.errors import ConfigError, PlatformError, Problem

POLICY_DIR = Path(__file__).resolve().parents[3] / "policy"
#: the policy packages that produce results, in report order
NAMESPACES = ("tags", "naming", "security_groups", "public_resources", "exceptions")
#: every attribute of change.after / after_unknown a policy reads (tests/test_policy_runner.py proves the list
#: is complete by reading the .rego files); tags are read once, into the view's own tag fields
PROJECTED_ATTRIBUTES = frozenset(
    {
        # naming (guardrails.name_attributes)
        "name",
        "bucket",
        "function_name",
        "identifier",
        "cluster_identifier",
        "replication_group_id",
        # security groups
        "ingress",
        "type",
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "cidr_ipv4",
        "cidr_ipv6",
        "from_port",
        "to_port",
        "protocol",
        "ip_protocol",
        "description",
        "load_balancer_type",
        # public resources
        "internal",
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
        "acl",
        "publicly_accessible",
        "map_public_ip_on_launch",
        "vpc_config",
        "vpc_options",
    }
)
CHUNK_SIZE = 1000
#: below this many resources one process does everything (starting a worker costs ~0.1 s)
PARALLEL_THRESHOLD = 3000
#: resource types whose checks look at other resources of the same module: kept in one chunk per module
LINKED_TYPES = frozenset(
    {
        "aws_security_group",
        "aws_security_group_rule",
        "aws_vpc_security_group_ingress_rule",
        "aws_lb",
        "aws_alb",
        "aws_s3_bucket",
        "aws_s3_bucket_public_access_block",
    }
)
#: account-wide settings every chunk needs to see
GLOBAL_TYPES = frozenset({"aws_s3_account_public_access_block"})
#: configuration attributes whose references the policies follow (lib.rego's ref_attributes)
REF_ATTRIBUTES = ("security_group_id", "security_groups", "bucket")
_INDEX = re.compile(r"\[[^\]]*\]")
_SYNTH_REF = re.compile(r"\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)")


class PolicyEngineError(PlatformError):
    """The Rego engine refused the policies or the query: a defect in policy/, not in the user's plan."""

    exit_code = 1


class PolicyFailedError(PlatformError):
    """At least one deny finding: the rule refused the change."""

    exit_code = 3


# -- loading ---------------------------------------------------------------------------------------
def policy_files(policy_dir: Path = POLICY_DIR, *, tests: bool = False) -> list[Path]:
    files = sorted(policy_dir.glob("*.rego"))
    return [f for f in files if f.name.endswith("_test.rego") == tests or (tests and not f.name.endswith("_test.rego"))]


def _query() -> str:
    # partial-set rules are defined (empty) even without results; exceptions.rego has no warn rules
    parts = ", ".join(
        f'"{ns}": {{"deny": data.{ns}.deny, "warn": ' + ("set()" if ns == "exceptions" else f"data.{ns}.warn") + "}"
        for ns in NAMESPACES
    )
    return f"x = {{{parts}}}"


def _interpreter(data: dict[str, Any], policy_dir: Path, *, tests: bool = False) -> Any:
    from regopy import Interpreter, RegoError

    rego = Interpreter()
    try:
        for file in policy_files(policy_dir, tests=tests):
            rego.add_module(file.name, file.read_text())
        rego.add_data(data)
    except RegoError as err:
        raise PolicyEngineError(f"the Rego engine rejected {policy_dir}: {str(err)[:2000]}") from None
    return rego


_BUNDLES: dict[tuple[str, str], Any] = {}

# rego-cpp (regopy 1.5) writes strings into its JSON answer without escaping quotes, backslashes or control
# characters, so one for_each address such as aws_x.y["a"] makes the whole answer unreadable. Every string
# therefore crosses the engine with those characters swapped for private-use code points, and back. The
# policies never look for these characters, and exception patterns (data) are swapped the same way.
_SWAPS = {'"': "\ue000", "\\": "\ue001", **{chr(c): chr(0xE100 + c) for c in range(0x20)}}
_TO_ENGINE = str.maketrans(_SWAPS)
_FROM_ENGINE = str.maketrans({v: k for k, v in _SWAPS.items()})
_ESCAPED_IN_JSON = re.compile(r'\\["\\bfnrtu]')


def _swap(value: Any, table: dict[int, str]) -> Any:
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {_swap(k, table): _swap(v, table) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_swap(v, table) for v in value]
    return value


def to_engine(value: Any) -> Any:
    """``value`` with engine-unsafe characters swapped out (unchanged, and not copied, when it has none)."""
    if not _ESCAPED_IN_JSON.search(json.dumps(value, ensure_ascii=False)):
        return value
    return _swap(value, _TO_ENGINE)


def from_engine(value: Any) -> Any:
    return _swap(value, _FROM_ENGINE)


def _bundle(data: dict[str, Any], policy_dir: Path) -> Any:
    """One compiled bundle per (policies, data): compiling costs more than evaluating a small chunk."""
    key = (str(policy_dir.resolve()), json.dumps(data, sort_keys=True))
    if key not in _BUNDLES:
        rego = _interpreter(to_engine(data), policy_dir)
        bundle = rego.build(_query(), [])
        if not bundle.ok():
            raise PolicyEngineError(f"could not compile the policies in {policy_dir}")
        _BUNDLES.clear()
        _BUNDLES[key] = bundle
    return _BUNDLES[key]


def _evaluate(doc: dict[str, Any], data: dict[str, Any], policy_dir: Path) -> dict[str, dict[str, list[Any]]]:
    from regopy import Input, Interpreter

    bundle = _bundle(data, policy_dir)
    rego = Interpreter()
    rego.set_input(Input(to_engine(doc)))
    try:
        text = str(rego.query_bundle(bundle))
        parsed = json.loads(text)
        result: dict[str, dict[str, list[Any]]] = from_engine(parsed["bindings"]["x"])
    except (ValueError, KeyError, TypeError) as err:
        raise PolicyEngineError(f"unexpected engine output: {str(err)[:2000]}") from None
    return result


# -- the resource view (the fast path) ----------------------------------------------------------------
def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _prefixed(module: str, base: str) -> str:
    return f"{module}.{base}" if module else base


def _pick(value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if k in PROJECTED_ATTRIBUTES}


def _tag_view(values: dict[str, Any], unknown: dict[str, Any], may_tag: bool) -> dict[str, Any]:
    """lib.rego's ``tag_view``: known tag values, keys known only after apply, whole map unknown."""
    tags_all = values.get("tags_all")
    tags = values.get("tags")
    source = tags_all if isinstance(tags_all, dict) else tags if isinstance(tags, dict) else {}
    unknown_keys = {k for k, v in _obj(unknown.get("tags_all")).items() if v is True}
    unknown_keys |= {k for k, v in _obj(unknown.get("tags")).items() if v is True}
    return {
        "tags": {k: v for k, v in source.items() if k not in unknown_keys and isinstance(v, str) and "${" not in v},
        "unknown_tags": sorted(unknown_keys),
        "tags_unknown": (unknown.get("tags_all") is True and may_tag)
        or (not isinstance(tags_all, dict) and unknown.get("tags") is True),
    }


class _TagSets:
    """Distinct tag views, numbered: resources share a few tag maps (provider default_tags)."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.sets: dict[str, dict[str, Any]] = {}

    def key(self, tag_view: dict[str, Any]) -> str:
        text = json.dumps(tag_view, sort_keys=True)
        if text not in self.keys:
            self.keys[text] = key = str(len(self.keys))
            self.sets[key] = tag_view
        return self.keys[text]


def _config_index(module: dict[str, Any], prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """{config key: {expressions, provider}} over every module level (lib.rego's ``config_index``)."""
    out = {} if out is None else out
    for res in module.get("resources") or []:
        if isinstance(res, dict) and "address" in res:
            out[_prefixed(prefix, res["address"])] = {
                "expressions": res.get("expressions") or {},
                "provider": res.get("provider_config_key", ""),
            }
    for name, call in (module.get("module_calls") or {}).items():
        _config_index(_obj(_obj(call).get("module")), _prefixed(prefix, f"module.{name}"), out)
    return out


def _module_ref(module: str, raw: str) -> str | None:
    parts = raw.split(".")
    if len(parts) < 2 or raw.startswith(("var.", "local.", "module.", "data.")):
        return None
    return _prefixed(module, f"{parts[0]}.{_INDEX.sub('', parts[1])}")


def _plan_refs(expressions: dict[str, Any], module: str) -> dict[str, list[str]]:
    out = {}
    for attr in REF_ATTRIBUTES:
        refs = {
            ref
            for raw in _obj(expressions.get(attr)).get("references") or []
            if isinstance(raw, str) and (ref := _module_ref(module, raw)) is not None
        }
        if refs:
            out[attr] = sorted(refs)
    return out


def _synth_refs(values: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    for attr in REF_ATTRIBUTES:
        value = values.get(attr)
        strings = (
            [value]
            if isinstance(value, str)
            else [s for s in value if isinstance(s, str)]
            if isinstance(value, list)
            else []
        )
        refs = {m.group(1) for s in strings for m in _SYNTH_REF.finditer(s)}
        if refs:
            out[attr] = sorted(refs)
    return out


def plan_view(plan: dict[str, Any], tag_sets: _TagSets) -> list[dict[str, Any]]:
    """lib.rego's ``plan_resources``, in Python, with values projected to what the policies read."""
    configuration = _obj(plan.get("configuration"))
    index = _config_index(_obj(configuration.get("root_module")))
    providers = _obj(configuration.get("provider_config"))
    out = []
    for rc in plan.get("resource_changes") or []:
        change = _obj(rc.get("change"))
        actions = set(change.get("actions") or [])
        if rc.get("mode", "managed") != "managed" or actions & {"no-op", "read"} or actions == {"delete"}:
            continue
        module = _INDEX.sub("", rc.get("module_address", "") or "")
        key = _prefixed(module, f"{rc.get('type')}.{rc.get('name')}")
        values, unknown = _obj(change.get("after")), _obj(change.get("after_unknown"))
        conf = _obj(index.get(key))
        provider = providers.get(str(conf.get("provider", "")))
        may_tag = not (isinstance(provider, dict) and not _obj(provider.get("expressions")).get("default_tags"))
        out.append(
            {
                "address": rc.get("address"),
                "type": rc.get("type"),
                "config_key": key,
                "module": module,
                "values": _pick(values),
                "unknown": _pick(unknown),
                "refs": _plan_refs(_obj(conf.get("expressions")), module),
                "tag_set": tag_sets.key(_tag_view(values, unknown, may_tag)),
                "has_tags_all": isinstance(values.get("tags_all"), dict) or unknown.get("tags_all") is True,
            }
        )
    return out


def synth_view(doc: dict[str, Any], tag_sets: _TagSets) -> list[dict[str, Any]]:
    """lib.rego's ``synth_resources``: resource bodies with the provider's default tags merged in."""
    providers = _obj(doc.get("provider")).get("aws") or []
    out = []
    for rtype, bodies in _obj(doc.get("resource")).items():
        for rname, raw_body in _obj(bodies).items():
            body = _obj(raw_body)
            provider = body.get("provider")
            alias = provider.removeprefix("aws.") if isinstance(provider, str) else ""
            tags: dict[str, Any] = {}
            for p in providers:
                if _obj(p).get("alias", "") == alias:
                    for dt in p.get("default_tags") or []:
                        tags.update(_obj(_obj(dt).get("tags")))
            tags.update(_obj(body.get("tags")))
            values = {**body, "tags_all": tags}
            key = f"{rtype}.{rname}"
            out.append(
                {
                    "address": key,
                    "type": rtype,
                    "config_key": key,
                    "module": "",
                    "values": _pick(values),
                    "unknown": {},
                    "refs": _synth_refs(values),
                    "tag_set": tag_sets.key(_tag_view(values, {}, True)),
                    "has_tags_all": False,
                }
            )
    return out


def view(doc: dict[str, Any]) -> dict[str, Any]:
    """The context lib.rego would build from ``doc``, passed to the policies as ``input.platform_view``."""
    tag_sets = _TagSets()
    if isinstance(doc.get("resource_changes"), list):
        resources = plan_view(doc, tag_sets)
    elif isinstance(doc.get("resource"), dict):
        resources = synth_view(doc, tag_sets)
    else:
        resources = []
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in resources:
        by_type.setdefault(r["type"], []).append(r)
    return {"by_type": by_type, "tag_sets": tag_sets.sets}


# -- results -----------------------------------------------------------------------------------------
def _result(raw: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in raw.items() if k != "msg"}
    return {"msg": raw["msg"], "metadata": dict(sorted(meta.items()))}


def _merge(parts: Iterable[dict[str, dict[str, list[Any]]]], filename: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, dict[str, Any]]] = {ns: {} for ns in NAMESPACES}
    kinds: dict[str, dict[str, str]] = {ns: {} for ns in NAMESPACES}
    for part in parts:
        for ns in NAMESPACES:
            for kind in ("deny", "warn"):
                for raw in part.get(ns, {}).get(kind, []):
                    seen[ns][raw["msg"]] = raw
                    kinds[ns][raw["msg"]] = kind
    out = []
    for ns in NAMESPACES:
        failures, warnings, exceptions = [], [], []
        for msg in sorted(seen[ns]):
            raw = seen[ns][msg]
            if kinds[ns][msg] == "deny":
                failures.append(_result(raw))
            elif "exception" in raw:
                exceptions.append(_result(raw))
            else:
                warnings.append(_result(raw))
        # conftest counts a rule query with no result as a success: deny and warn per namespace
        successes = int(not failures) + int(not warnings)
        out.append(
            {
                "filename": filename,
                "namespace": ns,
                "successes": successes,
                "failures": failures,
                "warnings": warnings,
                "exceptions": exceptions,
            }
        )
    return out


def _default_data() -> dict[str, Any]:
    from platform_constructs.registry import load_registry
    from platform_constructs.registry.loader import default_registry_path
    from platform_stacks.guardrails.policy_data import build_data

    return build_data(load_registry(default_registry_path()))


def chunks(context: dict[str, Any], size: int = CHUNK_SIZE) -> list[dict[str, Any]]:
    """Self-contained views of at most ~``size`` resources each.

    rego-cpp's cost grows faster than linearly with the input (``Input`` conversion, sets), so big plans are
    evaluated in pieces. References only ever join resources of the same module (Terraform resolves them
    per module), so linked types stay together per module; account-wide settings go into every piece.
    """
    resources = [r for rs in context["by_type"].values() for r in rs]
    if len(resources) <= size:
        return [context]
    shared = [r for r in resources if r["type"] in GLOBAL_TYPES]
    groups: dict[str, list[dict[str, Any]]] = {}
    rest: list[dict[str, Any]] = []
    for r in resources:
        if r["type"] in GLOBAL_TYPES:
            continue
        if r["type"] in LINKED_TYPES:
            groups.setdefault(r["module"], []).append(r)
        else:
            rest.append(r)
    pieces: list[list[dict[str, Any]]] = [[]]
    for group in [*groups.values(), *([r] for r in rest)]:
        if pieces[-1] and len(pieces[-1]) + len(group) > size:
            pieces.append([])
        pieces[-1].extend(group)
    out = []
    for piece in pieces:
        by_type: dict[str, list[dict[str, Any]]] = {}
        for r in [*piece, *shared]:
            by_type.setdefault(r["type"], []).append(r)
        used = {r["tag_set"] for r in piece} | {r["tag_set"] for r in shared}
        out.append({"by_type": by_type, "tag_sets": {k: v for k, v in context["tag_sets"].items() if k in used}})
    return out


def _evaluate_view(context: dict[str, Any], data: dict[str, Any], policy_dir: Path) -> dict[str, Any]:
    return _evaluate({"platform_view": context}, data, policy_dir)


def check_plan(
    plan: dict[str, Any],
    *,
    data: dict[str, Any] | None = None,
    filename: str = "plan.json",
    policy_dir: Path = POLICY_DIR,
    fast: bool = True,
    workers: int | None = None,
) -> list[dict[str, Any]]:
    """conftest JSON (as Python) for a ``terraform show -json`` plan or one synthesized ``cdk.tf.json``.

    ``fast=False`` hands the raw document to the policies in one piece (what conftest does); the default hands
    them the view built here, in pieces, over the CPU cores for big plans: the same results
    (tests/test_policy_runner.py) in a fraction of the time.
    """
    data = data if data is not None else _default_data()
    if not fast:
        return _merge([_evaluate(plan, data, policy_dir)], filename)
    pieces = chunks(view(plan))
    n = sum(len(rs) for p in pieces for rs in p["by_type"].values())
    if workers is None:
        workers = min(os.cpu_count() or 1, len(pieces)) if n >= PARALLEL_THRESHOLD else 1
    if workers <= 1 or len(pieces) < 2:
        parts = [_evaluate_view(p, data, policy_dir) for p in pieces]
    else:
        import multiprocessing

        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            parts = list(pool.map(_evaluate_view, pieces, [data] * len(pieces), [policy_dir] * len(pieces)))
    return _merge(parts, filename)


def check_path(path: str | Path, *, data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A plan JSON file, one ``cdk.tf.json``, or a synth folder (every ``stacks/*/cdk.tf.json`` in it)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("stacks/*/cdk.tf.json")) or sorted(path.glob("*/cdk.tf.json"))
        files = files or sorted(path.glob("cdk.tf.json"))
    else:
        files = [path] if path.is_file() else []
    if not files:
        raise ConfigError(
            "policy check",
            [
                Problem(
                    "path",
                    "no plan JSON or cdk.tf.json found",
                    str(path),
                    "pass `terraform show -json` output or cdktf.out",
                )
            ],
        )
    data = data if data is not None else _default_data()
    results: list[dict[str, Any]] = []
    for file in files:
        try:
            doc = json.loads(file.read_text())
        except ValueError as err:
            raise ConfigError(
                "policy check",
                [
                    Problem(
                        str(file),
                        f"not JSON: {err}",
                        None,
                        "write the plan with `terraform show -json PLAN > plan.json`",
                    )
                ],
            ) from None
        if not isinstance(doc, dict) or not ("resource_changes" in doc or "resource" in doc or "format_version" in doc):
            raise ConfigError(
                "policy check",
                [
                    Problem(
                        str(file),
                        "neither a plan (resource_changes) nor Terraform JSON (resource)",
                        None,
                        "pass `terraform show -json` output or a synthesized cdk.tf.json",
                    )
                ],
            )
        results += check_plan(doc, data=data, filename=str(file))
    return results


# -- the policies' own tests --------------------------------------------------------------------------
@dataclass(frozen=True)
class TestOutcome:
    package: str
    name: str
    passed: bool


_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.M)
_TEST_RULE = re.compile(r"^(test_\w+)", re.M)


def run_tests(policy_dir: Path = POLICY_DIR) -> list[TestOutcome]:
    """conftest verify semantics: every ``test_`` rule of every *_test.rego must be true.

    rego-cpp crashes when a single test rule is queried, or when one interpreter answers several test
    packages, so each test file gets a fresh interpreter (policies + shared fixtures + that file) and its
    package is queried whole: a rule missing from the answer (undefined) or not ``true`` fails.
    """
    from regopy import Interpreter, RegoError

    files = sorted(policy_dir.glob("*.rego"))
    tests = {f: f.read_text() for f in files if f.name.endswith("_test.rego")}
    suites = {f: text for f, text in tests.items() if _TEST_RULE.search(text)}
    support = [f for f in files if f not in suites]
    outcomes = []
    for file, text in suites.items():
        rego = Interpreter()
        try:
            for module in [*support, file]:
                rego.add_module(module.name, module.read_text())
        except RegoError as err:
            raise PolicyEngineError(f"the Rego engine rejected {file}: {str(err)[:2000]}") from None
        match = _PACKAGE.search(text)
        if match is None:
            raise PolicyEngineError(f"{file.name}: no package line")
        out = str(rego.query(f"x = data.{match.group(1)}"))
        try:
            got = json.loads(out)["bindings"]["x"]
        except (ValueError, KeyError, TypeError):
            raise PolicyEngineError(f"{file.name}: the engine answered {out[:2000]}") from None
        outcomes += [TestOutcome(match.group(1), n, got.get(n) is True) for n in sorted(set(_TEST_RULE.findall(text)))]
    return outcomes


# -- presentation --------------------------------------------------------------------------------------
def counts(results: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "failures": sum(len(r["failures"]) for r in results),
        "warnings": sum(len(r["warnings"]) for r in results),
        "exceptions": sum(len(r["exceptions"]) for r in results),
        "successes": sum(r["successes"] for r in results),
    }


def table(results: list[dict[str, Any]]) -> str:
    """A readable table: one line per finding, worst first, then conftest's summary line."""
    rows = []
    order = {"FAIL": 0, "WARN": 1, "EXCEPTION": 2}
    for entry in results:
        for label, key in (("FAIL", "failures"), ("WARN", "warnings"), ("EXCEPTION", "exceptions")):
            for res in entry[key]:
                m = res["metadata"]
                rows.append(
                    (
                        order[label],
                        label,
                        m.get("severity", ""),
                        m.get("rule", ""),
                        m.get("address", ""),
                        m.get("fix", ""),
                    )
                )
    rows.sort()
    lines = []
    if rows:
        head = ("RESULT", "SEVERITY", "RULE", "ADDRESS", "FIX")
        body = [r[1:] for r in rows]
        widths = [max(len(str(x[i])) for x in [head, *body]) for i in range(4)]
        for row in [head, *body]:
            lines.append("  ".join(str(c).ljust(w) for c, w in zip(row[:4], widths, strict=True)) + "  " + row[4])
    c = counts(results)
    total = c["successes"] + c["failures"] + c["warnings"] + c["exceptions"]
    lines.append(
        f"{total} tests, {c['successes']} passed, {c['warnings']} warnings, {c['failures']} failures, "
        f"{c['exceptions']} exceptions"
    )
    return "\n".join(lines)


# -- benchmark -----------------------------------------------------------------------------------------
def synthetic_plan(n_resources: int = 10000) -> dict[str, Any]:
    """A realistic plan of ``n_resources``: mixed types, tags_all, security groups and rules, a few violations;
    every action create or update, so nothing is skipped for free."""
    tags = {
        "Environment": "dev",
        "Service": "fileflow",
        "Team": "storage",
        "Owner": "fileflow-lead@acme.example",
        "CostCenter": "CC-1001",
        "ManagedBy": "terraform",
    }
    changes: list[dict[str, Any]] = []
    config_modules: dict[str, Any] = {}
    i = 0
    while len(changes) < n_resources:
        mod = f"module.svc{i // 20}"
        name = f"r{i}"
        kind = i % 10
        after: dict[str, Any]
        if kind == 0:
            rtype, after = (
                "aws_security_group",
                {"name": f"dev-fileflow-s{i}-sg", "description": "x", "ingress": [], "tags": tags, "tags_all": tags},
            )
        elif kind == 1:
            rtype, after = (
                "aws_vpc_security_group_ingress_rule",
                {
                    "cidr_ipv4": "0.0.0.0/0" if i % 97 == 1 else "10.0.0.0/16",
                    "from_port": 443,
                    "to_port": 443,
                    "ip_protocol": "tcp",
                    "description": "https",
                    "tags": None,
                    "tags_all": tags,
                },
            )
        elif kind == 2:
            rtype, after = "aws_s3_bucket", {"bucket": f"dev-fileflow-b{i}", "tags": tags, "tags_all": tags}
        elif kind == 3:
            rtype, after = (
                "aws_s3_bucket_public_access_block",
                {
                    "block_public_acls": True,
                    "block_public_policy": True,
                    "ignore_public_acls": True,
                    "restrict_public_buckets": True,
                },
            )
        elif kind == 4:
            rtype, after = (
                "aws_iam_role",
                {
                    "name": f"dev-fileflow-role{i}" if i % 101 else f"Role{i}",
                    "assume_role_policy": "{}",
                    "tags": tags,
                    "tags_all": tags,
                },
            )
        elif kind == 5:
            rtype, after = (
                "aws_cloudwatch_log_group",
                {
                    "name": f"/ecs/dev/fileflow/{i}",
                    "retention_in_days": 30,
                    "tags": tags,
                    "tags_all": dict(tags) if i % 89 else {},
                },
            )
        elif kind == 6:
            rtype, after = (
                "aws_db_instance",
                {
                    "identifier": f"dev-fileflow-db{i}",
                    "publicly_accessible": False,
                    "engine": "postgres",
                    "tags": tags,
                    "tags_all": tags,
                },
            )
        elif kind == 7:
            rtype, after = (
                "aws_subnet",
                {
                    "cidr_block": "10.0.1.0/24",
                    "map_public_ip_on_launch": False,
                    "tags": {**tags, "Name": f"dev-fileflow-private-{i}"},
                    "tags_all": {**tags, "Name": f"dev-fileflow-private-{i}"},
                },
            )
        elif kind == 8:
            rtype, after = (
                "aws_ecs_service",
                {"name": f"dev-fileflow-svc{i}", "desired_count": 2, "tags": tags, "tags_all": tags},
            )
        else:
            rtype, after = (
                "aws_kms_key",
                {"description": "k", "enable_key_rotation": True, "tags": tags, "tags_all": tags},
            )
        after.update({f"extra_{k}": k for k in range(3)})
        changes.append(
            {
                "address": f"{mod}.{rtype}.{name}",
                "module_address": mod,
                "mode": "managed",
                "type": rtype,
                "name": name,
                "change": {
                    "actions": ["create"] if i % 3 else ["update"],
                    "after": after,
                    "after_unknown": {"id": True, "arn": True},
                },
            }
        )
        res_cfg: dict[str, Any] = {"address": f"{rtype}.{name}", "type": rtype, "expressions": {}}
        if kind == 1:
            res_cfg["expressions"]["security_group_id"] = {
                "references": [f"aws_security_group.r{i - 1}.id", f"aws_security_group.r{i - 1}"]
            }
        if kind == 3:
            res_cfg["expressions"]["bucket"] = {"references": [f"aws_s3_bucket.r{i - 1}.id", f"aws_s3_bucket.r{i - 1}"]}
        config_modules.setdefault(mod.removeprefix("module."), {"module": {"resources": []}})["module"][
            "resources"
        ].append(res_cfg)
        i += 1
    return {
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"root_module": {"module_calls": config_modules}},
    }


def bench(n_resources: int = 10000) -> dict[str, float]:
    """Seconds for the policy check of a synthetic ``n_resources`` plan (scripts/bench.py reports them)."""
    plan = synthetic_plan(n_resources)
    data = _default_data()
    _BUNDLES.clear()
    t0 = time.perf_counter()
    results = check_plan(plan, data=data)
    t1 = time.perf_counter()
    check_plan(plan, data=data)
    t2 = time.perf_counter()
    c = counts(results)
    return {
        "policy_resources": float(n_resources),
        "policy_check_s": round(t1 - t0, 3),
        "policy_check_warm_s": round(t2 - t1, 3),
        "policy_failures": float(c["failures"]),
    }
