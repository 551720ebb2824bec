"""Base of the catalog constructs: one construct, two outputs (DESIGN.md).

A catalog construct writes its resources once, as Terraform expressions over its inputs spelled
``var.<field>`` (and ``local.<name>`` for its own locals), exactly as the exported module reads. Then:

* **module mode** (``modules export``): each props field becomes a ``variable`` with its validation
  blocks; expressions stay as written; resources get plain addresses (``aws_security_group.this``).
* **stack mode** (platform stacks, from Python): props are validated in Python first; each field becomes
  a ``locals`` entry holding the literal value, and ``var.x`` / ``local.y`` are rewritten to
  ``local.<prefix>x`` / ``local.<prefix>y`` (prefix = the construct id), so several instances share a
  stack. Same expressions, same counts and for_each keys: the tests plan both forms and compare.

Structure must therefore be decided by Terraform (``count``/``for_each`` over inputs), never by Python
``if`` on a prop value, or the two outputs would diverge. Three consequences learnt the hard way:

* ``count``/``for_each`` may only read values that are known at plan time in a caller that passes other
  resources' outputs: list lengths and explicit switches, never ``var.arn == null`` or ``toset(var.arns)``
  (the catalog test rewrites every example with computed ids to prove it).
* In stack mode an unset input is a *known* null, and Terraform evaluates the body of a ``count = 0``
  resource during validation: read optional objects through a zero-or-one list or map
  (``[for x in [var.lb] : x if x != null]``), not as ``var.lb.attribute``.
* A precondition makes its resource depend on every input it reads; put it on the resource it protects,
  or two instances that reference each other's outputs form a cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from platform_constructs.catalog.props import CrossCheck, ModuleProps
from platform_constructs.engine.core import (
    Construct,
    TerraformDataSource,
    TerraformLocal,
    TerraformOutput,
    TerraformProviderGeneratorMetadata,
    TerraformResource,
    TerraformVariable,
    Token,
)
from platform_constructs.registry.conventions import MANAGED_BY

_REF = re.compile(r"(?<![\w.])(var|local)\.([A-Za-z_][A-Za-z0-9_]*)")
_AWS = TerraformProviderGeneratorMetadata(provider_name="aws")


def _escape_literal(value: Any) -> Any:
    """A props value as a Terraform JSON literal: ``${``/``%{`` in strings must not interpolate."""
    if isinstance(value, str):
        return value.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list | tuple):
        return [_escape_literal(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_literal(v) for k, v in value.items()}
    return value


def _keep_nulls(value: Any) -> Any:
    """CDKTF drops ``None`` from JSON; objects in a map must keep every attribute, so write ``null``."""
    if value is None:
        return "${null}"
    if isinstance(value, list | tuple):
        return [_keep_nulls(v) for v in value]
    if isinstance(value, dict):
        return {k: _keep_nulls(v) for k, v in value.items()}
    return value


def _ident(construct_id: str) -> str:
    ident = re.sub(r"[^A-Za-z0-9_]", "_", construct_id).lower()
    return ident if ident[:1].isalpha() else f"c_{ident}"


class CatalogConstruct(Construct):
    """Subclasses set the class attributes and implement :meth:`build` with ``self.x(...)`` expressions."""

    #: folder under modules_out/ and the module's name in docs
    NAME: ClassVar[str]
    #: one line for the catalog table; the class docstring is the README's introduction
    SUMMARY: ClassVar[str]
    PROPS: ClassVar[type[ModuleProps]]
    #: README sections: what the defaults secure, and notes for upgrading between majors
    SECURITY_NOTES: ClassVar[tuple[str, ...]] = ()
    #: the example whose module block is the README's usage snippet (default: the first by name)
    USAGE_EXAMPLE: ClassVar[str | None] = None
    UPGRADE_NOTES: ClassVar[tuple[str, ...]] = ()
    #: ``NAMES`` placeholders rendered by an HCL expression instead of ``${var.<field>}`` (the HCL side of
    #: :meth:`ModuleProps.name_parts`), e.g. an optional segment with its hyphen
    NAME_PARTS: ClassVar[dict[str, str]] = {}

    def __init__(
        self, scope: Construct, construct_id: str, props: ModuleProps | None = None, *, module_mode: bool = False
    ) -> None:
        super().__init__(scope, construct_id)
        if module_mode == (props is not None):
            raise TypeError("pass props (stack mode) or module_mode=True (module export), not both")
        if props is not None and not isinstance(props, self.PROPS):
            raise TypeError(f"{type(self).__name__} takes {self.PROPS.__name__}, got {type(props).__name__}")
        self.module_mode = module_mode
        self.props = props
        self.prefix = "" if module_mode else _ident(construct_id) + "_"
        self.outputs: dict[str, Any] = {}
        self._resources: dict[str, TerraformResource | TerraformDataSource] = {}
        self._preconditions: dict[str, list[dict[str, str]]] = {}
        self._locals: set[str] = set()
        inputs = self.PROPS.inputs()
        if module_mode:
            for inp in inputs:
                var = TerraformVariable(self, f"var-{inp.name}", type=inp.type)
                var.override_logical_id(inp.name)
                for key, value in inp.variable_json().items():
                    if key != "type":
                        var.add_override(key, value)
        else:
            assert props is not None
            values = props.tfvars()
            for inp in inputs:
                local = TerraformLocal(self, f"in-{inp.name}", _keep_nulls(_escape_literal(values[inp.name])))
                local.override_logical_id(self.prefix + inp.name)
        self.build()
        for check in self.PROPS.CROSS_CHECKS:
            self._cross_check(check)
        for name, conditions in self._preconditions.items():
            self._resources[name].add_override("lifecycle.precondition", self._rewrite(conditions))

    # -- subclass API ----------------------------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def expr(self, text: str) -> str:
        """``text`` (an HCL expression over ``var.*``/``local.*``) with references for this mode.

        Idempotent: a reference already rewritten for stack mode is left alone, so values may pass
        through several helpers (names inside tags inside preconditions).
        """
        if self.module_mode:
            return text

        def repl(m: re.Match[str]) -> str:
            if m.group(1) == "local" and m.group(2).startswith(self.prefix):
                return m.group(0)
            return f"local.{self.prefix}{m.group(2)}"

        return _REF.sub(repl, text)

    def x(self, text: str) -> str:
        """A JSON-syntax interpolation of :meth:`expr` (what attribute values hold)."""
        return "${" + self.expr(text) + "}"

    def _rewrite(self, value: Any) -> Any:
        if self.module_mode:
            return value
        if isinstance(value, str):
            return self.expr(value)
        if isinstance(value, list | tuple):
            return [self._rewrite(v) for v in value]
        if isinstance(value, dict):
            return {k: self._rewrite(v) for k, v in value.items()}
        return value

    def addr(self, resource_type: str, name: str) -> str:
        """The address of one of this construct's resources, for use inside expressions."""
        return f"{resource_type}.{self.prefix}{name}"

    def local(self, name: str, expression: Any) -> str:
        """Declare ``local.<name>`` (``expression`` is a literal or an ``x()`` string); returns its ``x`` form."""
        if name in self.PROPS.model_fields:
            raise ValueError(f"local {name!r} clashes with a props field of the same name")
        local = TerraformLocal(self, f"local-{name}", _keep_nulls(self._rewrite(expression)))
        local.override_logical_id(self.prefix + name)
        self._locals.add(name)
        return self.x(f"local.{name}")

    def resource(self, resource_type: str, name: str, body: Mapping[str, Any]) -> TerraformResource:
        """A resource whose JSON body is ``body`` as written (blocks as lists of objects, ``dynamic`` allowed)."""
        res = TerraformResource(self, name, terraform_resource_type=resource_type, terraform_generator_metadata=_AWS)
        res.override_logical_id(self.prefix + name)
        for key, value in body.items():
            res.add_override(key, self._rewrite(value))
        self._register(name, res)
        return res

    def data(self, data_type: str, name: str, body: Mapping[str, Any]) -> TerraformDataSource:
        src = TerraformDataSource(self, name, terraform_resource_type=data_type, terraform_generator_metadata=_AWS)
        src.override_logical_id(self.prefix + name)
        for key, value in body.items():
            src.add_override(key, self._rewrite(value))
        self._register(name, src)
        return src

    def _register(self, name: str, element: TerraformResource | TerraformDataSource) -> None:
        if name in self._resources:
            raise ValueError(f"{type(self).__name__}: two resources named {name!r}")
        self._resources[name] = element

    def precondition(self, name: str, condition: str, message: str) -> None:
        """A plan-time check on resource ``name`` (``condition`` is an expression over ``var.*``)."""
        self._preconditions.setdefault(name, []).append({"condition": self.x(condition), "error_message": message})

    def _cross_check(self, check: CrossCheck) -> None:
        self.precondition(check.resource, check.hcl(lambda f: f"var.{f}"), check.message)

    def skip_check(self, name: str, check_id: str, reason: str) -> None:
        """A checkov suppression with its reason, kept as a comment in the exported HCL."""
        self._resources[name].add_override(f"//.checkov_skip_{check_id}", f"checkov:skip={check_id}: {reason}")

    def name_local(self, local: str) -> str:
        """Declare ``local.<local>`` from the props' :attr:`~ModuleProps.NAMES` template (the one naming
        rule, ``{environment}-{service_name}-...``) and return its interpolation."""
        template, _ = self.PROPS.NAMES[local]
        return self.local(
            local,
            re.sub(r"\{(\w+)\}", lambda m: "${" + self.NAME_PARTS.get(m[1], f"var.{m[1]}") + "}", template),
        )

    def named(self, resource: str, local: str) -> None:
        """Attach the AWS limits of ``local``'s kind to ``resource`` as a precondition: names are never
        truncated; an over-long one stops the plan (module mode) or the props (stack mode)."""
        _, kind = self.PROPS.NAMES[local]
        rule = kind.value
        ref = f"local.{local}"
        pattern = rule.pattern.replace("\\", "\\\\")
        affixes = "".join(
            [f' && !startswith({ref}, "{p}")' for p in rule.forbidden_prefixes]
            + [f' && !endswith({ref}, "{x}")' for x in rule.forbidden_suffixes]
        )
        self.precondition(
            resource,
            f"length({ref}) >= {rule.min_len} && length({ref}) <= {rule.max_len} && "
            f'can(regex("^(?:{pattern})$", {ref})){affixes}',
            f"The {kind.name.lower().replace('_', ' ')} name must be {rule.min_len}-{rule.max_len} characters of "
            f"{rule.charset}"
            + (f", not starting with {', '.join(rule.forbidden_prefixes)}" if rule.forbidden_prefixes else "")
            + (f", not ending with {', '.join(rule.forbidden_suffixes)}" if rule.forbidden_suffixes else "")
            + ": shorten environment, service_name or the name segment.",
        )

    def tags(self, name_value: str, extra: str = "{}") -> str:
        """Tags of a taggable resource: the caller's ``tags``, then the module's own, which win (``merge`` keeps
        the last value of a key): the identity tags (``conventions.IDENTITY_TAGS``, so a resource is attributable
        even in an account whose provider sets no default_tags), ``extra`` and ``Name``. The ``tags`` input
        refuses those keys in any case (``common.reserved_tag_keys``); the order is the second line of defence."""
        parts = [
            "var.tags",
            f'{{ Environment = var.environment, Service = var.service_name, ManagedBy = "{MANAGED_BY}" }}',
            *([extra] if extra != "{}" else []),
            f'{{ Name = "{name_value}" }}',
        ]
        return self.x(f"merge({', '.join(parts)})")

    def output(self, name: str, value: str, description: str, *, sensitive: bool = False) -> None:
        """A module output (module mode) or an entry of :attr:`outputs` (stack mode) with the same value."""
        value = self._rewrite(value)
        if self.module_mode:
            out = TerraformOutput(self, f"out-{name}", value=value, description=description)
            out.override_logical_id(name)
            if sensitive:
                out.add_override("sensitive", True)
        self.outputs[name] = value

    def num(self, text: str) -> float:
        return Token.as_number(self.x(text))
