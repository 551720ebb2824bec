"""Evaluate the Terraform expressions the release rules need, on python-hcl2's own parse tree.

The bump rules must know whether a *new* resource is created when a caller keeps every default: its
``count`` / ``for_each`` is evaluated with the variables' defaults (through ``local`` values). The
evaluator understands literals, ``var.*`` / ``local.*``, operators, conditionals, ``for`` expressions
and the collection functions modules use to build switches. Anything else is :data:`UNKNOWN`, and an
unknown switch counts as *on*: the tool may over-state a bump, never under-state one.

Type constraints are parsed on the same tree (:mod:`.hcl_types`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree


class _Unknown:
    """A value the evaluator cannot prove (a required variable, a resource attribute, a function it lacks)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


class ExprError(Exception):
    """The text is not an HCL expression python-hcl2 can parse."""


@functools.lru_cache(maxsize=4096)
def parse_expression(text: str) -> Tree[Token]:
    """The parse tree of one expression (python-hcl2's grammar; cached: the same text recurs across versions)."""
    import hcl2
    from lark.exceptions import LarkError

    try:
        start = hcl2.parses_to_tree(f"__expr__ = {text}\n")
    except LarkError as err:
        raise ExprError(f"not an expression: {text!r}: {err}") from err
    body = start.children[0]
    assert isinstance(body, Tree)
    attribute = next(c for c in body.children if isinstance(c, Tree) and c.data == "attribute")
    return trees(attribute)[1]


def unwrap(value: str) -> str:
    """``${expr}`` as python-hcl2 serializes expressions → ``expr``; a quoted string stays as it is."""
    if value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def trees(node: Tree[Token]) -> list[Tree[Token]]:
    """Child sub-trees without layout (new lines, comments)."""
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _tokens(node: Tree[Token]) -> list[Token]:
    return [c for c in node.children if isinstance(c, Token)]


def ident(node: Tree[Token]) -> str:
    """Name of an ``identifier`` (or ``keyword``) node."""
    return str(node.children[0])


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(chars: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch == "\\" and i + 1 < len(chars):
            nxt = chars[i + 1]
            if nxt == "u" and i + 6 <= len(chars):
                out.append(chr(int(chars[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out).replace("$${", "${").replace("%%{", "%{")


def _is_empty(value: Any) -> bool:
    return isinstance(value, dict | list) and len(value) == 0


@dataclass
class Scope:
    """What ``var.*`` and ``local.*`` mean: variable values (defaults) and the locals' expressions."""

    variables: Mapping[str, Any]
    locals: Mapping[str, Any]
    bound: dict[str, Any] = field(default_factory=dict)
    _local_values: dict[str, Any] = field(default_factory=dict)
    _evaluating: set[str] = field(default_factory=set)

    def local(self, name: str) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        if name not in self.locals or name in self._evaluating:
            return UNKNOWN
        self._evaluating.add(name)
        try:
            value = loaded_value(self.locals[name], self)
        finally:
            self._evaluating.discard(name)
        self._local_values[name] = value
        return value

    def child(self, bound: dict[str, Any]) -> Scope:
        scope = Scope(self.variables, self.locals, {**self.bound, **bound})
        scope._local_values = self._local_values
        scope._evaluating = self._evaluating
        return scope


def loaded_value(value: Any, scope: Scope) -> Any:
    """A value as ``hcl2.loads`` returns it (quoted strings, ``${expr}`` strings, dicts, lists) → Python."""
    if isinstance(value, dict):
        return {str(_string_key(k, scope)): loaded_value(v, scope) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [loaded_value(v, scope) for v in value]
    if isinstance(value, str):
        try:
            return evaluate(unwrap(value), scope)
        except ExprError:
            return UNKNOWN
    return value


def _string_key(key: str, scope: Scope) -> Any:
    if key.startswith('"'):
        try:
            return evaluate(key, scope)
        except ExprError:
            return key
    return key


def evaluate_node(node: Tree[Token], scope: Scope) -> Any:
    """The value of an already parsed expression (type constraints evaluate their ``optional()`` defaults)."""
    return _Evaluator(scope).eval(node)


def evaluate(text: str, scope: Scope) -> Any:
    """Value of an expression in ``scope``, or :data:`UNKNOWN` when it cannot be proven."""
    return _Evaluator(scope).eval(parse_expression(text))


def _as_number(value: Any) -> Any:
    if isinstance(value, bool):
        return UNKNOWN
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return UNKNOWN
    return UNKNOWN


def _length(value: Any) -> Any:
    return len(value) if isinstance(value, dict | list | str) else UNKNOWN


def _toset(value: Any) -> Any:
    if not isinstance(value, list):
        return UNKNOWN
    out: list[Any] = []
    for item in value:
        if item is UNKNOWN:
            return UNKNOWN
        if item not in out:
            out.append(item)
    return out


def _merge(*values: Any) -> Any:
    if all(_is_empty(v) for v in values):
        return {}
    if any(not isinstance(v, dict) for v in values):
        return UNKNOWN
    out: dict[str, Any] = {}
    for v in values:
        out.update(v)
    return out


def _concat(*values: Any) -> Any:
    if any(not isinstance(v, list) for v in values):
        return UNKNOWN
    return [item for v in values for item in v]


def _compact(value: Any) -> Any:
    if not isinstance(value, list) or any(v is UNKNOWN for v in value):
        return UNKNOWN
    return [v for v in value if v not in (None, "")]


def _flatten(value: Any) -> Any:
    if not isinstance(value, list):
        return UNKNOWN
    out: list[Any] = []
    for item in value:
        if item is UNKNOWN:
            return UNKNOWN
        if isinstance(item, list):
            inner = _flatten(item)
            if inner is UNKNOWN:
                return UNKNOWN
            out.extend(inner)
        else:
            out.append(item)
    return out


def _coalesce(*values: Any) -> Any:
    for v in values:
        if v is UNKNOWN:
            return UNKNOWN
        if v is not None and v != "":
            return v
    return UNKNOWN


def _keys(value: Any) -> Any:
    return sorted(value) if isinstance(value, dict) else UNKNOWN


def _values(value: Any) -> Any:
    return [value[k] for k in sorted(value)] if isinstance(value, dict) else UNKNOWN


def _contains(collection: Any, item: Any) -> Any:
    if not isinstance(collection, list) or item is UNKNOWN or any(v is UNKNOWN for v in collection):
        return UNKNOWN
    return item in collection


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if not isinstance(mapping, dict) or not isinstance(key, str):
        return UNKNOWN
    if key in mapping:
        return mapping[key]
    return default[0] if default else UNKNOWN


def _try(*values: Any) -> Any:
    # try() returns its first argument that evaluates without error; unknown stays unknown (no proof).
    return values[0] if values else UNKNOWN


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "length": _length,
    "toset": _toset,
    "tolist": lambda v: v if isinstance(v, list) else UNKNOWN,
    "tomap": lambda v: v if isinstance(v, dict) else UNKNOWN,
    "merge": _merge,
    "concat": _concat,
    "compact": _compact,
    "flatten": _flatten,
    "distinct": _toset,
    "coalesce": _coalesce,
    "keys": _keys,
    "values": _values,
    "contains": _contains,
    "lookup": _lookup,
    "try": _try,
    "tonumber": _as_number,
    "tobool": lambda v: v if isinstance(v, bool) else UNKNOWN,
    "tostring": lambda v: v if isinstance(v, str) else UNKNOWN,
}

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else UNKNOWN,
    "%": lambda a, b: a % b if b else UNKNOWN,
}


class _Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def eval(self, node: Tree[Token]) -> Any:
        handler = getattr(self, f"_{node.data}", None)
        if handler is None:
            return UNKNOWN  # splats, heredocs, templates with directives: not needed to prove a switch off
        return handler(node)

    # -- terms -----------------------------------------------------------------------------------------
    def _expr_term(self, node: Tree[Token]) -> Any:
        kids = trees(node)
        return self.eval(kids[0]) if len(kids) == 1 else UNKNOWN

    def _int_lit(self, node: Tree[Token]) -> Any:
        return int(str(node.children[0]))

    def _float_lit(self, node: Tree[Token]) -> Any:
        return float(str(node.children[0]))

    def _literal_value(self, node: Tree[Token]) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _string(self, node: Tree[Token]) -> Any:
        parts: list[str] = []
        for part in trees(node):
            inner = part.children[0]
            if isinstance(inner, Token):
                parts.append(_unescape(str(inner)))
                continue
            if inner.data != "interpolation":
                return UNKNOWN
            value = self.eval(trees(inner)[0])
            if value is UNKNOWN or isinstance(value, dict | list) or value is None:
                return UNKNOWN
            parts.append(json.dumps(value) if isinstance(value, bool) else str(value))
        return "".join(parts)

    def _identifier(self, node: Tree[Token]) -> Any:
        name = ident(node)
        return self.scope.bound.get(name, UNKNOWN)

    def _tuple(self, node: Tree[Token]) -> Any:
        return [self.eval(k) for k in trees(node)]

    def _object(self, node: Tree[Token]) -> Any:
        out: dict[str, Any] = {}
        for elem in trees(node):
            key_node, value_node = trees(elem)
            inner = trees(key_node)[0]
            if inner.data == "keyword":
                key: Any = ident(inner)
            else:
                term = trees(inner)[0] if inner.data == "expr_term" else inner
                key = ident(term) if term.data == "identifier" else self.eval(inner)
            if not isinstance(key, str):
                return UNKNOWN
            out[key] = self.eval(value_node)
        return out

    def _get_attr_expr_term(self, node: Tree[Token]) -> Any:
        base, attr = trees(node)
        name = ident(trees(attr)[0])
        base_term = trees(base)[0] if base.data == "expr_term" else base
        if base_term.data == "identifier":
            root = ident(base_term)
            if root == "var" and root not in self.scope.bound:
                return self.scope.variables.get(name, UNKNOWN)
            if root == "local" and root not in self.scope.bound:
                return self.scope.local(name)
        value = self.eval(base)
        if isinstance(value, dict):
            return value.get(name, UNKNOWN)
        return UNKNOWN

    def _index_expr_term(self, node: Tree[Token]) -> Any:
        base, index = trees(node)
        value = self.eval(base)
        if index.data == "short_index":
            key: Any = int(str(_tokens(index)[-1]))
        else:
            key = self.eval(trees(index)[0])
        if isinstance(value, dict) and isinstance(key, str):
            return value.get(key, UNKNOWN)
        if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(value):
            return value[key]
        return UNKNOWN

    def _function_call(self, node: Tree[Token]) -> Any:
        kids = trees(node)
        name = ident(kids[0])
        args = [self.eval(a) for a in trees(kids[1])] if len(kids) > 1 else []
        func = _FUNCTIONS.get(name)
        if func is None:
            return UNKNOWN
        if name not in ("try", "coalesce", "merge", "contains") and any(a is UNKNOWN for a in args):
            return UNKNOWN
        try:
            return func(*args)
        except (TypeError, ValueError):
            return UNKNOWN

    # -- operators -------------------------------------------------------------------------------------
    def _unary_op(self, node: Tree[Token]) -> Any:
        op = str(_tokens(node)[0])
        value = self.eval(trees(node)[0])
        if op == "!":
            return (not value) if isinstance(value, bool) else UNKNOWN
        number = _as_number(value)
        return -number if number is not UNKNOWN else UNKNOWN

    def _binary_op(self, node: Tree[Token]) -> Any:
        lhs_node, term = trees(node)[:2]
        op_node, rhs_node = trees(term)
        op = str(op_node.children[0])
        lhs = self.eval(lhs_node)
        if op in ("&&", "||"):
            if op == "&&" and lhs is False:
                return False
            if op == "||" and lhs is True:
                return True
            rhs = self.eval(rhs_node)
            if op == "&&" and rhs is False:
                return False
            if op == "||" and rhs is True:
                return True
            if isinstance(lhs, bool) and isinstance(rhs, bool):
                return lhs and rhs if op == "&&" else lhs or rhs
            return UNKNOWN
        rhs = self.eval(rhs_node)
        if lhs is UNKNOWN or rhs is UNKNOWN:
            return UNKNOWN
        if op in ("==", "!="):
            equal = lhs == rhs and type(lhs) is type(rhs) if lhs is not None and rhs is not None else lhs is rhs
            return equal if op == "==" else not equal
        a, b = _as_number(lhs), _as_number(rhs)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if op in _COMPARE:
            return _COMPARE[op](a, b)
        return _ARITH[op](a, b)

    def _conditional(self, node: Tree[Token]) -> Any:
        cond_node, then_node, else_node = trees(node)
        cond = self.eval(cond_node)
        if cond is True:
            return self.eval(then_node)
        if cond is False:
            return self.eval(else_node)
        then, other = self.eval(then_node), self.eval(else_node)
        if then is not UNKNOWN and then == other:
            return then
        if _is_empty(then) and _is_empty(other):
            return then
        return UNKNOWN

    # -- for expressions -------------------------------------------------------------------------------
    def _for(self, node: Tree[Token], *, is_object: bool) -> Any:
        kids = trees(node)
        intro = kids[0]
        intro_kids = trees(intro)
        names = [ident(k) for k in intro_kids if k.data == "identifier"]
        source = self.eval(intro_kids[-1])
        empty: Any = {} if is_object else []
        if _is_empty(source):
            return empty
        if not isinstance(source, dict | list):
            return UNKNOWN
        pairs = list(source.items()) if isinstance(source, dict) else list(enumerate(source))
        body = kids[1:]
        cond = body[-1] if body and body[-1].data == "for_cond" else None
        exprs = body[:-1] if cond is not None else body
        out_obj: dict[str, Any] = {}
        out_list: list[Any] = []
        for key, value in pairs:
            bound = {names[0]: key, names[1]: value} if len(names) == 2 else {names[0]: value}
            inner = _Evaluator(self.scope.child(bound))
            if cond is not None:
                keep = inner.eval(trees(cond)[0])
                if keep is UNKNOWN:
                    return UNKNOWN
                if not keep:
                    continue
            if is_object:
                k = inner.eval(exprs[0])
                if not isinstance(k, str):
                    return UNKNOWN
                out_obj[k] = inner.eval(exprs[1])
            else:
                out_list.append(inner.eval(exprs[0]))
        return out_obj if is_object else out_list

    def _for_tuple_expr(self, node: Tree[Token]) -> Any:
        return self._for(node, is_object=False)

    def _for_object_expr(self, node: Tree[Token]) -> Any:
        return self._for(node, is_object=True)


def is_off(value: Any, meta: str) -> bool:
    """True only when ``count`` is provably 0 or ``for_each`` provably empty."""
    if meta == "count":
        return isinstance(value, int | float) and not isinstance(value, bool) and value == 0
    return _is_empty(value)
