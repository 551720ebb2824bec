"""The policies' resource view, built in Python: what lib.rego would build from a plan or a synth document.

rego-cpp is slow at turning a raw plan into the policies' resource view (~200 µs per resource: every value
copied into a new object is deep-copied), so the view is built here and handed over as ``input.platform_view``;
lib.rego uses it when present and builds it from the raw document otherwise (conftest). Tests prove both views
give identical results. The view keeps only the attributes the policies read (:data:`PROJECTED_ATTRIBUTES`,
checked against the .rego files by a test) and stores each distinct tag map once. Big views are cut into
self-contained :func:`chunks`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

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
        # unique names (guardrails.name_namespaces: the namespace's scope)
        "vpc_id",
        "cluster",
        "event_bus_name",
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
        "prefix_list_id",
        "prefix_list_ids",
        "entry",
        "cidr",
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
        "associate_public_ip_address",
        "network_interfaces",
        "vpc_config",
        "vpc_options",
    }
)
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
        "aws_ec2_managed_prefix_list",
    }
)
#: settings every chunk needs to see: account-wide ones, and prefix-list entries (an entry attached through a
#: variable could land in any list, so every piece must know of it)
GLOBAL_TYPES = frozenset({"aws_s3_account_public_access_block", "aws_ec2_managed_prefix_list_entry"})
#: types whose names unique_names.rego compares across the whole plan (guardrails.name_namespaces; a test keeps
#: the two in step): the view lists them once more under ``named``, which only the first piece of a cut view gets,
#: so a duplicate split over two pieces is still seen, and reported once
NAMED_TYPES = frozenset(
    {
        "aws_s3_bucket",
        "aws_dynamodb_table",
        "aws_kms_alias",
        "aws_lb",
        "aws_alb",
        "aws_lb_target_group",
        "aws_alb_target_group",
        "aws_security_group",
        "aws_ecs_cluster",
        "aws_ecs_service",
        "aws_iam_role",
        "aws_iam_policy",
        "aws_iam_user",
        "aws_iam_group",
        "aws_iam_instance_profile",
        "aws_lambda_function",
        "aws_sns_topic",
        "aws_sqs_queue",
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_db_subnet_group",
        "aws_db_parameter_group",
        "aws_elasticache_replication_group",
        "aws_cloudwatch_event_rule",
        "aws_cloudwatch_log_group",
    }
)
#: the name and scope attributes of NAMED_TYPES (guardrails.name_namespaces' attribute and scope_attribute)
NAMED_ATTRIBUTES = frozenset(
    {"name", "bucket", "function_name", "identifier", "cluster_identifier", "replication_group_id"}
    | {"vpc_id", "cluster", "event_bus_name"}
)
#: configuration attributes whose references the policies follow (lib.rego's ref_attributes)
REF_ATTRIBUTES = ("security_group_id", "security_groups", "bucket")
#: prefix-list attributes whose references are all kept, "?reference" when not a resource (lib.rego's
#: list_ref_attributes); inline ingress blocks' prefix_list_ids go under INGRESS_LIST_REFS
LIST_REF_ATTRIBUTES = ("prefix_list_id", "prefix_list_ids")
INGRESS_LIST_REFS = "ingress_prefix_list_ids"
#: attributes whose presence in the configuration the policies ask about (lib.rego's configured_attributes): an
#: unknown value the configuration does not set is the provider's own computed default
CONFIGURED_ATTRIBUTES = ("acl", "ingress", "network_interfaces")
#: references that name no resource (lib.rego's non_resource_prefixes)
NON_RESOURCE_PREFIXES = ("var.", "local.", "module.", "data.", "each.", "count.", "path.", "self.", "terraform.")
#: the configuration facts of a document without a configuration (synthesized JSON)
NO_CONFIG: dict[str, list[dict[str, Any]]] = {"modules": [], "providers": [], "code": []}
_INDEX = re.compile(r"\[[^\]]*\]")
_SYNTH_REF = re.compile(r"\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)")


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _prefixed(module: str, base: str) -> str:
    return f"{module}.{base}" if module else base


def _pick(value: dict[str, Any]) -> dict[str, Any]:
    return {k: value[k] for k in PROJECTED_ATTRIBUTES.intersection(value)}


def _true_keys(value: Any) -> set[str]:
    return {k for k, v in value.items() if v is True} if isinstance(value, dict) and value else set()


def _tag_view(values: dict[str, Any], unknown: dict[str, Any], may_tag: bool) -> dict[str, Any]:
    """lib.rego's ``tag_view``: known tag values, keys known only after apply, whole map unknown."""
    tags_all = values.get("tags_all")
    tags = values.get("tags")
    source = tags_all if isinstance(tags_all, dict) else tags if isinstance(tags, dict) else {}
    unknown_all, unknown_tags = unknown.get("tags_all"), unknown.get("tags")
    unknown_keys = _true_keys(unknown_all) | _true_keys(unknown_tags)
    return {
        "tags": {k: v for k, v in source.items() if k not in unknown_keys and isinstance(v, str) and "${" not in v},
        "unknown_tags": sorted(unknown_keys),
        "tags_unknown": (unknown_all is True and may_tag) or (not isinstance(tags_all, dict) and unknown_tags is True),
    }


class _TagSets:
    """Distinct tag views, numbered: resources share a few tag maps (provider default_tags)."""

    def __init__(self) -> None:
        self.keys: dict[tuple[Any, ...], str] = {}
        self.sets: dict[str, dict[str, Any]] = {}

    def key(self, tag_view: dict[str, Any]) -> str:
        # a hashable identity of the view (its tag values are strings, its unknown keys a sorted list)
        ident = (frozenset(tag_view["tags"].items()), tuple(tag_view["unknown_tags"]), tag_view["tags_unknown"])
        found = self.keys.get(ident)
        if found is None:
            self.keys[ident] = found = str(len(self.keys))
            self.sets[found] = tag_view
        return found


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
    if len(parts) < 2 or raw.startswith(NON_RESOURCE_PREFIXES):
        return None
    return _prefixed(module, f"{parts[0]}.{_INDEX.sub('', parts[1])}")


def _kept_ref(module: str, raw: str) -> str:
    ref = _module_ref(module, raw)
    return ref if ref is not None else f"?{raw}"


def _references(expression: Any) -> list[str]:
    return [raw for raw in _obj(expression).get("references") or [] if isinstance(raw, str)]


def _ingress_references(expression: Any) -> list[str]:
    """Inline ingress blocks' prefix_list_ids references (block syntax), or the whole expression's (attribute)."""
    if isinstance(expression, list):
        return [raw for block in expression for raw in _references(_obj(block).get("prefix_list_ids"))]
    return _references(expression)


def _plan_refs(expressions: dict[str, Any], module: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not expressions:
        return out
    for attr in REF_ATTRIBUTES:
        refs = {ref for raw in _references(expressions.get(attr)) if (ref := _module_ref(module, raw)) is not None}
        if refs:
            out[attr] = sorted(refs)
    for attr in LIST_REF_ATTRIBUTES:
        kept = {_kept_ref(module, raw) for raw in _references(expressions.get(attr))}
        if kept:
            out[attr] = sorted(kept)
    ingress = {_kept_ref(module, raw) for raw in _ingress_references(expressions.get("ingress"))}
    if ingress:
        out[INGRESS_LIST_REFS] = sorted(ingress)
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []


def _synth_refs(values: dict[str, Any]) -> dict[str, list[str]]:
    out = {}
    for attr in (*REF_ATTRIBUTES, *LIST_REF_ATTRIBUTES):
        refs = {m.group(1) for s in _strings(values.get(attr)) for m in _SYNTH_REF.finditer(s)}
        if refs:
            out[attr] = sorted(refs)
    blocks = values.get("ingress")
    ingress = {
        m.group(1)
        for block in (blocks if isinstance(blocks, list) else [])
        if isinstance(block, dict)
        for s in _strings(block.get("prefix_list_ids"))
        for m in _SYNTH_REF.finditer(s)
    }
    if ingress:
        out[INGRESS_LIST_REFS] = sorted(ingress)
    return out


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def config_facts(plan: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """lib.rego's ``config_facts``: what the configuration takes code from and runs outside a provider.

    Every module call at every level (address, source); every provider the configuration names and every provider a
    resource change names (address ``provider["<source>"]``, module-prefixed when configured in a module); every
    data source and every resource with provisioners, whatever its type. Synthesized JSON has neither a
    configuration section nor resource changes: nothing.
    """
    configuration = _obj(plan.get("configuration"))
    modules: list[dict[str, Any]] = []
    code: list[dict[str, Any]] = []

    def walk(module: dict[str, Any], prefix: str) -> None:
        resources = module.get("resources")
        for item in resources if isinstance(resources, list) else []:
            res = _obj(item)
            raw = res.get("provisioners")
            provisioners = raw if isinstance(raw, list) else []
            if res.get("mode") == "data" or provisioners:
                code.append(
                    {
                        "address": _prefixed(prefix, _string(res.get("address"))),
                        "mode": _string(res.get("mode", "")),
                        "type": _string(res.get("type", "")),
                        "provisioners": [_string(_obj(p).get("type", "")) for p in provisioners],
                    }
                )
        for name, call in _obj(module.get("module_calls")).items():
            address = _prefixed(prefix, f"module.{name}")
            modules.append({"address": address, "source": _string(_obj(call).get("source", ""))})
            walk(_obj(_obj(call).get("module")), address)

    walk(_obj(configuration.get("root_module")), "")
    providers = set()
    for pc in _obj(configuration.get("provider_config")).values():
        if isinstance(pc, dict):
            full_name = pc.get("full_name")
            source = full_name if isinstance(full_name, str) else _string(pc.get("name", ""))
            providers.add((_string(pc.get("module_address", "")), source))
    changes = plan.get("resource_changes")
    for rc in changes if isinstance(changes, list) else []:
        if isinstance(rc, dict) and isinstance(rc.get("provider_name"), str):
            providers.add(("", rc["provider_name"]))
    return {
        "modules": modules,
        "providers": [
            {"address": _prefixed(module, f'provider["{source}"]'), "source": source}
            for module, source in sorted(providers)
        ],
        "code": code,
    }


def plan_view(plan: dict[str, Any], tag_sets: _TagSets) -> list[dict[str, Any]]:
    """lib.rego's ``plan_resources``, in Python, with values projected to what the policies read."""
    configuration = _obj(plan.get("configuration"))
    index = _config_index(_obj(configuration.get("root_module")))
    providers = _obj(configuration.get("provider_config"))
    out = []
    modules: dict[str, str] = {}  # module address → without instance keys (a few distinct values)
    for rc in plan.get("resource_changes") or []:
        change = _obj(rc.get("change"))
        actions = change.get("actions") or []
        skipped = "no-op" in actions or "read" in actions or set(actions) == {"delete"}
        if skipped or rc.get("mode", "managed") != "managed":
            continue
        address = rc.get("module_address", "") or ""
        module = modules.get(address)
        if module is None:
            module = modules[address] = _INDEX.sub("", address)
        key = _prefixed(module, f"{rc.get('type')}.{rc.get('name')}")
        values, unknown = _obj(change.get("after")), _obj(change.get("after_unknown"))
        conf = _obj(index.get(key))
        expressions = _obj(conf.get("expressions"))
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
                "refs": _plan_refs(expressions, module),
                "configured": [k for k in CONFIGURED_ATTRIBUTES if k in expressions],
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
                    "configured": [k for k in CONFIGURED_ATTRIBUTES if k in body],
                    "tag_set": tag_sets.key(_tag_view(values, {}, True)),
                    "has_tags_all": False,
                }
            )
    return out


def view(doc: dict[str, Any], *, named_from: dict[str, Any] | None = None) -> dict[str, Any]:
    """The context lib.rego would build from ``doc``, passed to the policies as ``input.platform_view``.

    ``named`` lists the resources whose names unique_names.rego compares (:data:`NAMED_TYPES`). ``named_from``: the
    whole plan ``doc`` is a part of (:func:`split_plan`), whose named resources this part must carry instead of its
    own; an empty plan for the other parts."""
    tag_sets = _TagSets()
    resources = _resources(doc, tag_sets)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for r in resources:
        by_type.setdefault(r["type"], []).append(r)
    source = resources if named_from is None else _resources(_named_changes(named_from), _TagSets())
    # (a plan that changes nothing may still read an external data source: the facts never depend on the changes)
    return {"by_type": by_type, "tag_sets": tag_sets.sets, "config": config_facts(doc), "named": _named(source)}


def _resources(doc: dict[str, Any], tag_sets: _TagSets) -> list[dict[str, Any]]:
    if isinstance(doc.get("resource_changes"), list):
        return plan_view(doc, tag_sets)
    if isinstance(doc.get("resource"), dict):
        return synth_view(doc, tag_sets)
    return []


def _named_changes(plan: dict[str, Any]) -> dict[str, Any]:
    """``plan`` with only the resource changes of :data:`NAMED_TYPES`."""
    changes = plan.get("resource_changes")
    if not isinstance(changes, list):
        return plan
    return {
        **plan,
        "resource_changes": [rc for rc in changes if isinstance(rc, dict) and rc.get("type") in NAMED_TYPES],
    }


def _named(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What unique_names.rego reads of each named resource: its name and scope attributes only (the first piece
    carries these for the whole plan, so they are kept small)."""
    return [
        {
            "address": r["address"],
            "type": r["type"],
            "values": {k: v for k, v in r["values"].items() if k in NAMED_ATTRIBUTES},
            "unknown": {k: v for k, v in r["unknown"].items() if k in NAMED_ATTRIBUTES},
        }
        for r in resources
        if r["type"] in NAMED_TYPES
    ]


def _grouped(
    items: list[Any], type_of: Callable[[Any], Any], module_of: Callable[[Any], str]
) -> tuple[list[Any], list[list[Any]]]:
    """``(account-wide items, groups)``: the one rule for cutting a plan, on views (:func:`chunks`) and on raw
    resource changes (:func:`split_plan`) alike. References only ever join resources of the same module
    (Terraform resolves them per module), so linked types stay together per module, in a group each; every other
    item is a group of its own; account-wide settings go into every piece."""
    shared: list[Any] = []
    linked: dict[str, list[Any]] = {}
    rest: list[list[Any]] = []
    for item in items:
        rtype = type_of(item)
        if rtype in GLOBAL_TYPES:
            shared.append(item)
        elif rtype in LINKED_TYPES:
            linked.setdefault(module_of(item), []).append(item)
        else:
            rest.append([item])
    return shared, [*linked.values(), *rest]


def chunks(context: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """Self-contained views of at most ~``size`` resources each.

    rego-cpp's cost grows faster than linearly with the input (``Input`` conversion, sets), so big plans are
    evaluated in pieces, cut by :func:`_grouped`.
    """
    resources = [r for rs in context["by_type"].values() for r in rs]
    if len(resources) <= size:
        return [context]
    shared, groups = _grouped(resources, lambda r: r["type"], lambda r: r["module"])
    pieces: list[list[dict[str, Any]]] = [[]]
    for group in groups:
        if pieces[-1] and len(pieces[-1]) + len(group) > size:
            pieces.append([])
        pieces[-1].extend(group)
    out = []
    for n, piece in enumerate(pieces):
        by_type: dict[str, list[dict[str, Any]]] = {}
        for r in [*piece, *shared]:
            by_type.setdefault(r["type"], []).append(r)
        used = {r["tag_set"] for r in piece} | {r["tag_set"] for r in shared}
        tag_sets = {k: v for k, v in context["tag_sets"].items() if k in used}
        # the configuration's facts are the plan's, not a resource's: the first piece judges them (rego-cpp would
        # pay for every module call once per piece)
        config = context.get("config", NO_CONFIG) if n == 0 else NO_CONFIG
        # likewise the named resources: names are compared across the whole plan, in the first piece
        named = context.get("named", []) if n == 0 else []
        out.append({"by_type": by_type, "tag_sets": tag_sets, "config": config, "named": named})
    return out


def split_plan(plan: dict[str, Any], parts: int, weights: tuple[float, ...] | None = None) -> list[dict[str, Any]]:
    """A ``terraform show -json`` plan as ``parts`` plans whose views can be built and judged on their own: the
    grouping of :func:`chunks` (linked types together per module, account-wide settings in every part), decided
    on the raw resource changes, so that each part's view is built by the process that judges it. ``weights``:
    the share of the resources each part should get (default: equal). Anything but a plan comes back whole."""
    changes = plan.get("resource_changes")
    if parts <= 1 or not isinstance(changes, list):
        return [plan]
    shared, groups = _grouped(
        changes,
        lambda rc: rc.get("type") if isinstance(rc, dict) else None,
        lambda rc: _INDEX.sub("", rc.get("module_address", "") or ""),
    )
    shares = weights or (1.0,) * parts
    pieces: list[list[Any]] = [[] for _ in range(parts)]
    for group in sorted(groups, key=len, reverse=True):  # biggest first, each to the emptiest part
        emptiest = min(range(parts), key=lambda i: len(pieces[i]) / shares[i])
        pieces[emptiest].extend(group)
    return [{**plan, "resource_changes": piece + shared} for piece in pieces]
