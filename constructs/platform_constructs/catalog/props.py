"""Module props: one pydantic model is both the construct's props and the module's ``variables.tf``.

A field's annotation gives the Terraform type, its ``Field(description=...)`` the variable description,
its default the variable default (no default = a required variable, never a null that fails at apply),
and the :class:`~platform_constructs.rules.Rule` objects in its ``Annotated`` metadata become both a
Python check (stack mode, before any Terraform is written) and ``validation`` blocks (module mode).
Nested models become ``object({...})`` types whose defaulted attributes are ``optional(type, default)``,
so a service repo only writes what it changes.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.hcl.render import expression
from platform_constructs.naming import Kind
from platform_constructs.rules import Rule


class RuleProblemsError(ValueError):
    """Every rule a props object breaks, carried through pydantic to :meth:`ModuleProps.create`."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class Sensitive:
    """Marks a field whose variable is ``sensitive = true`` (Terraform hides it in plan output)."""


SENSITIVE = Sensitive()


@dataclass(frozen=True)
class CrossCheck:
    """A rule over several fields: a Python check (stack mode) and a Terraform precondition (module mode).

    ``condition`` is an HCL expression in which ``{field}`` placeholders stand for the field references;
    the construct attaches it as a ``lifecycle.precondition`` on ``resource`` (a logical name).
    """

    fields: tuple[str, ...]
    holds: typing.Callable[[Any], bool]
    condition: str
    message: str
    resource: str

    def hcl(self, ref: typing.Callable[[str], str]) -> str:
        return self.condition.format(**{f: ref(f) for f in self.fields})


@dataclass(frozen=True)
class Input:
    """One module variable, derived from a props field."""

    name: str
    type: str
    description: str
    required: bool
    default: Any
    nullable: bool
    sensitive: bool
    validations: tuple[tuple[str, str], ...]  # (condition, error_message)

    def variable_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"description": self.description, "type": self.type}
        if not self.required:
            out["default"] = self.default
        out["nullable"] = self.nullable
        if self.sensitive:
            out["sensitive"] = True
        if self.validations:
            out["validation"] = [{"condition": f"${{{c}}}", "error_message": m} for c, m in self.validations]
        return out

    @property
    def default_hcl(self) -> str:
        return "(required)" if self.required else expression(self.default, literal=True).replace("\n", " ")


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _strip_annotated(annotation: Any) -> Any:
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def tf_type(annotation: Any) -> str:
    """The Terraform type constraint of a Python annotation (closed set: fails loudly on anything else)."""
    annotation = _strip_annotated(annotation)
    annotation, _ = _unwrap_optional(annotation)
    annotation = _strip_annotated(annotation)
    origin = get_origin(annotation)
    if annotation is bool:
        return "bool"
    if annotation in (int, float):
        return "number"
    if annotation is str or origin is Literal:
        return "string"
    if origin in (list, tuple):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return f"list({tf_type(args[0])})"
    if origin is dict:
        key, value = get_args(annotation)
        if key is not str:
            raise TypeError(f"map keys must be str, got {key!r}")
        return f"map({tf_type(value)})"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        attrs = []
        for name, field in annotation.model_fields.items():
            t = tf_type(field.annotation)
            if field.is_required():
                attrs.append(f"{name} = {t}")
            else:
                default = _json_default(field.get_default(call_default_factory=True))
                attrs.append(f"{name} = optional({t}, {expression(default, literal=True)})")
        return "object({" + ", ".join(attrs) + "})"
    raise TypeError(f"no Terraform type for {annotation!r}")


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, tuple):
        return [_json_default(v) for v in value]
    if isinstance(value, list):
        return [_json_default(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_default(v) for k, v in value.items()}
    return value


def _rules(metadata: list[Any]) -> list[Rule]:
    return [m for m in metadata if isinstance(m, Rule)]


def _nested_model(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """``("map"|"list"|"object", Model)`` when the field holds nested models with rules of their own."""
    annotation, _ = _unwrap_optional(_strip_annotated(annotation))
    annotation = _strip_annotated(annotation)
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object", annotation
    if origin is dict:
        value = _strip_annotated(get_args(annotation)[1])
        if isinstance(value, type) and issubclass(value, BaseModel):
            return "map", value
    if origin in (list, tuple):
        value = _strip_annotated(get_args(annotation)[0])
        if isinstance(value, type) and issubclass(value, BaseModel):
            return "list", value
    return None


def _name_fix(template: str, kind: Kind) -> str:
    fields = ", ".join(re.findall(r"\{(\w+)\}", template))
    return (
        f"shorten {fields} (limit {kind.value.max_len}); names are never truncated because truncated names can collide"
    )


def _check_message(owner: str, message: str) -> None:
    # Terraform's rule for validation messages; checked here so a bad one fails at export, not at plan.
    if not (message[:1].isupper() and message.rstrip().endswith((".", "?"))):
        raise TypeError(f"{owner}: rule message must be a sentence (capital first, '.' last): {message!r}")


class ModuleProps(BaseModel):
    """Base of every catalog construct's props: frozen, unknown keys refused, rules checked together."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    #: rules over several fields (see :class:`CrossCheck`)
    CROSS_CHECKS: ClassVar[tuple[CrossCheck, ...]] = ()
    #: resource names built by the one naming rule: ``{local name: (template over {field}s, Kind)}``.
    #: Checked here against the kind's AWS limits (stack mode) and by a precondition (module mode).
    NAMES: ClassVar[dict[str, tuple[str, Kind]]] = {}

    @model_validator(mode="after")
    def _check_rules(self) -> ModuleProps:
        problems = list(self._rule_problems(self, ""))
        for check in self.CROSS_CHECKS:
            if not check.holds(self):
                problems.append(Problem(", ".join(check.fields), check.message))
        if not problems:
            for local, (template, kind) in self.NAMES.items():
                name = template.format(**self.name_parts())
                problems += [
                    Problem(
                        local, f"{kind.name.lower().replace('_', ' ')} name {found}", name, _name_fix(template, kind)
                    )
                    for found in kind.value.problems(name)
                ]
        if problems:
            raise RuleProblemsError(problems)
        return self

    def name_parts(self) -> dict[str, Any]:
        """Values of the ``NAMES`` placeholders: the fields as they are. A module whose name segment is
        optional overrides this (and :attr:`CatalogConstruct.NAME_PARTS` for the HCL side), so an unset
        segment leaves no dangling hyphen."""
        return {f: getattr(self, f) for f in type(self).model_fields}

    @classmethod
    def _rule_problems(cls, model: BaseModel, prefix: str) -> typing.Iterator[Problem]:
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            for rule in _rules(field.metadata):
                if not rule.holds(value):
                    yield Problem(prefix + name, rule.message, value)

    @classmethod
    def create(cls, **values: Any) -> typing.Self:
        """Build props, turning pydantic's errors into one :class:`ConfigError` that names every field."""
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                inner = err.get("ctx", {}).get("error")
                if isinstance(inner, RuleProblemsError):
                    problems += [
                        Problem(f"{loc}.{p.path}" if loc else p.path, p.message, p.value, p.fix) for p in inner.problems
                    ]
                    continue
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(Problem(loc or "(props)", msg, err.get("input") if loc else None))
            raise ConfigError(f"{cls.__name__}", problems) from None

    @classmethod
    def inputs(cls) -> list[Input]:
        out = []
        for name, field in cls.model_fields.items():
            if not field.description:
                raise TypeError(f"{cls.__name__}.{name} needs a description (it becomes the variable's)")
            ref = f"var.{name}"
            validations = []
            for rule in _rules(field.metadata):
                _check_message(f"{cls.__name__}.{name}", rule.message)
                validations.append((rule.condition(ref), rule.message))
            nested = _nested_model(field.annotation)
            if nested:
                validations += _nested_validations(cls.__name__, name, ref, *nested, optional=_is_optional(field))
            required = field.is_required()
            default = None if required else _json_default(field.get_default(call_default_factory=True))
            out.append(
                Input(
                    name=name,
                    type=tf_type(field.annotation),
                    description=field.description,
                    required=required,
                    default=default,
                    nullable=not required and default is None,
                    sensitive=any(isinstance(m, Sensitive) for m in field.metadata),
                    validations=tuple(validations),
                )
            )
        return out

    def tfvars(self) -> dict[str, Any]:
        """The module inputs that give the same resources as these props (used by the equivalence tests)."""
        return {k: _json_default(v) for k, v in self.model_dump(mode="json").items()}


def _is_optional(field: Any) -> bool:
    return _unwrap_optional(_strip_annotated(field.annotation))[1]


def _nested_validations(
    owner: str, name: str, ref: str, kind: str, model: type[BaseModel], *, optional: bool
) -> list[tuple[str, str]]:
    out = []
    for attr, field in model.model_fields.items():
        for rule in _rules(field.metadata):
            _check_message(f"{owner}.{name}.{attr}", rule.message)
            if kind == "object":
                cond = rule.condition(f"{ref}.{attr}")
            elif kind == "map":
                cond = f"alltrue([for k, o in {ref} : {rule.condition(f'o.{attr}')}])"
            else:
                cond = f"alltrue([for o in {ref} : {rule.condition(f'o.{attr}')}])"
            if optional:
                cond = f"{ref} == null ? true : ({cond})"
            where = f"Each {name} entry" if kind != "object" else f"In {name}"
            out.append((cond, f"{where}, {attr}: {rule.message}"))
    return out
