"""Terraform type constraints (``map(object({a = optional(string, "x")}))``) parsed on python-hcl2's tree, so
"is this change a widening?" is a structural question, not a string comparison."""

from __future__ import annotations

import json
from dataclasses import dataclass

from lark import Token, Tree

from platform_tools.release.hcl_eval import UNKNOWN, ExprError, Scope, evaluate_node, ident, parse_expression, trees


@dataclass(frozen=True)
class TypeSpec:
    """A parsed type constraint: ``kind`` is a primitive, ``any``, a collection, ``object`` or ``tuple``."""

    kind: str
    element: TypeSpec | None = None
    attributes: tuple[tuple[str, Attr], ...] = ()
    elements: tuple[TypeSpec, ...] = ()


@dataclass(frozen=True)
class Attr:
    type: TypeSpec
    optional: bool
    default: str | None  # canonical JSON of the optional() default (or its source text when not a literal)


def parse_type(text: str) -> TypeSpec:
    """``map(object({a = optional(string, "x")}))`` → :class:`TypeSpec`; an unknown shape raises ExprError."""
    return _type(parse_expression(text))


def _type(node: Tree[Token]) -> TypeSpec:
    while node.data == "expr_term" and len(trees(node)) == 1:
        node = trees(node)[0]
    if node.data == "identifier":
        return TypeSpec(ident(node))
    if node.data != "function_call":
        raise ExprError(f"not a type constraint: {node.data}")
    kids = trees(node)
    name = ident(kids[0])
    args = trees(kids[1]) if len(kids) > 1 else []
    if name in ("list", "set", "map") and len(args) == 1:
        return TypeSpec(name, element=_type(args[0]))
    if name == "tuple" and len(args) == 1:
        items = trees(trees(args[0])[0])
        return TypeSpec("tuple", elements=tuple(_type(i) for i in items))
    if name == "object" and len(args) == 1:
        obj = trees(args[0])[0]
        attrs: list[tuple[str, Attr]] = []
        for elem in trees(obj):
            key_node, value_node = trees(elem)
            key_term = trees(key_node)[0]
            key_term = trees(key_term)[0] if key_term.data == "expr_term" else key_term
            attrs.append((ident(key_term), _attr(value_node)))
        return TypeSpec("object", attributes=tuple(sorted(attrs)))
    raise ExprError(f"not a type constraint: {name}(...)")


def _attr(node: Tree[Token]) -> Attr:
    term = node
    while term.data == "expr_term" and len(trees(term)) == 1:
        term = trees(term)[0]
    if term.data == "function_call" and ident(trees(term)[0]) == "optional":
        args = trees(trees(term)[1])
        default: str | None = None
        if len(args) > 1:
            value = evaluate_node(args[1], Scope({}, {}))
            default = json.dumps(value, sort_keys=True) if value is not UNKNOWN else _source(args[1])
        return Attr(_type(args[0]), optional=True, default=default)
    return Attr(_type(node), optional=False, default=None)


def _source(node: Tree[Token]) -> str:
    import hcl2

    return str(hcl2.reconstruct(node)).strip()


def widening(old: TypeSpec, new: TypeSpec) -> bool:
    """True when every value the old type accepted converts to the same value under the new type.

    Provable cases only: identical types, the same collection of a widened element, an object that gained
    optional attributes or made a required attribute optional. Everything else (including a change to
    ``any``, whose conversion rules differ) is not a widening.
    """
    if old == new:
        return True
    if old.kind != new.kind:
        return False
    if old.kind in ("list", "set", "map"):
        assert old.element is not None and new.element is not None
        return widening(old.element, new.element)
    if old.kind == "tuple":
        return len(old.elements) == len(new.elements) and all(
            widening(a, b) for a, b in zip(old.elements, new.elements, strict=True)
        )
    if old.kind == "object":
        old_attrs, new_attrs = dict(old.attributes), dict(new.attributes)
        for name, attr in old_attrs.items():
            now = new_attrs.get(name)
            if now is None or not widening(attr.type, now.type):
                return False
            if attr.optional and (not now.optional or attr.default != now.default):
                return False
        return all(attr.optional for name, attr in new_attrs.items() if name not in old_attrs)
    return False
