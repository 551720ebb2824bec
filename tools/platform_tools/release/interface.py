"""The interface of a module folder, read from its HCL with python-hcl2: what a caller can depend on.

A caller depends on the variables it sets (names, types, required or not, defaults, validations), the
outputs it reads, the resource addresses its state holds (``moved`` blocks keep them), and the Terraform
and provider versions it must run. :mod:`.diff` compares two of these; nothing here decides a bump.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platform_tools.release.hcl_eval import ExprError, unwrap
from platform_tools.release.hcl_types import TypeSpec, parse_type

#: files in the catalog root that `infra release` writes itself: never part of a module's change set
RELEASE_FILES = ("CHANGELOG.md", "UPGRADE.md")
#: files in the catalog root that no release is about (the export's ownership marker)
IGNORED = (".infra-modules",)


@dataclass(frozen=True)
class Variable:
    name: str
    type: str  # normalized type constraint ("any" when absent)
    required: bool
    default: Any  # python-hcl2's form of the default (compared as is); None when required
    nullable: bool
    sensitive: bool
    description: str
    validations: tuple[tuple[str, str], ...]  # (condition, error_message)

    @property
    def type_spec(self) -> TypeSpec | None:
        try:
            return parse_type(self.type)
        except ExprError:
            return None


@dataclass(frozen=True)
class Output:
    name: str
    value: str
    description: str
    sensitive: bool
    preconditions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Block:
    """A resource, data source or module call, by the address a caller's state knows it by."""

    address: str  # aws_x.name | data.aws_x.name | module.name
    kind: str  # resource | data | module
    count: str | None
    for_each: str | None
    body: str  # canonical JSON of the arguments (without count/for_each/lifecycle preconditions)
    preconditions: tuple[tuple[str, str], ...]

    @property
    def repetition(self) -> tuple[str, str | None]:
        if self.count is not None:
            return ("count", self.count)
        if self.for_each is not None:
            return ("for_each", self.for_each)
        return ("single", None)


@dataclass(frozen=True)
class ModuleInterface:
    name: str
    variables: dict[str, Variable]
    outputs: dict[str, Output]
    blocks: dict[str, Block]
    locals: dict[str, Any]
    moved: tuple[tuple[str, str], ...]  # (from, to)
    required_version: str | None
    providers: dict[str, tuple[str, str | None]]  # local name -> (source, version constraint)
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256 of every file of the module
    summary: str = ""  # first paragraph line of the module README (the catalog's one-line description)


def _text(value: Any) -> str:
    """A python-hcl2 string (``"\\"text\\""`` or ``${expr}``) as plain text."""
    if not isinstance(value, str):
        return json.dumps(value)
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        try:
            return str(json.loads(value))
        except ValueError:
            return value[1:-1]
    return value


def _name(label: str) -> str:
    return label[1:-1] if label.startswith('"') and label.endswith('"') else label


def _clean(value: Any) -> Any:
    """Drop python-hcl2's bookkeeping keys (``__is_block__``, ``__comments__``) for comparison."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _rules(blocks: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for block in blocks or []:
        out.append((unwrap(str(block.get("condition", ""))), _text(block.get("error_message", ""))))
    return tuple(out)


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> dict[str, Any]:
    import hcl2

    parsed: dict[str, Any] = hcl2.loads(text)
    return parsed


def _parse_file(path: Path) -> dict[str, Any]:
    from lark.exceptions import LarkError

    try:
        return _parse(path.read_text())
    except (LarkError, UnicodeDecodeError) as err:
        raise ExprError(f"{path}: not valid HCL: {err}") from err


def _variable(name: str, body: dict[str, Any]) -> Variable:
    return Variable(
        name=name,
        type=unwrap(str(body.get("type", "any"))),
        required="default" not in body,
        default=_clean(body.get("default")),
        nullable=bool(body.get("nullable", True)),
        sensitive=bool(body.get("sensitive", False)),
        description=_text(body.get("description", "")),
        validations=_rules(body.get("validation")),
    )


def _block(kind: str, address: str, body: dict[str, Any]) -> Block:
    preconditions: list[tuple[str, str]] = []
    for lifecycle in body.get("lifecycle", []) or []:
        preconditions += _rules(lifecycle.get("precondition"))
    rest = {k: v for k, v in _clean(body).items() if k not in ("count", "for_each")}
    for lifecycle in rest.get("lifecycle", []) or []:
        lifecycle.pop("precondition", None)
    count, for_each = body.get("count"), body.get("for_each")
    return Block(
        address=address,
        kind=kind,
        count=None if count is None else unwrap(str(count)),
        for_each=None if for_each is None else unwrap(str(for_each)),
        body=json.dumps(rest, sort_keys=True),
        preconditions=tuple(preconditions),
    )


def _summary(readme: Path) -> str:
    if not readme.is_file():
        return ""
    for raw in readme.read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "<!--")):
            return line
    return ""


def _hash_files(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".terraform") for part in path.relative_to(folder).parts):
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def read_module(folder: Path) -> ModuleInterface:
    """Interface of the module in ``folder`` (every top-level ``*.tf`` file; examples are not the module)."""
    variables: dict[str, Variable] = {}
    outputs: dict[str, Output] = {}
    blocks: dict[str, Block] = {}
    locals_: dict[str, Any] = {}
    moved: list[tuple[str, str]] = []
    required_version: str | None = None
    providers: dict[str, tuple[str, str | None]] = {}
    for path in sorted(folder.glob("*.tf")):
        doc = _parse_file(path)
        for entry in doc.get("variable", []):
            for label, body in entry.items():
                variables[_name(label)] = _variable(_name(label), body)
        for entry in doc.get("output", []):
            for label, body in entry.items():
                preconditions: list[tuple[str, str]] = []
                for lifecycle in body.get("lifecycle", []) or []:
                    preconditions += _rules(lifecycle.get("precondition"))
                preconditions += _rules(body.get("precondition"))
                outputs[_name(label)] = Output(
                    name=_name(label),
                    value=unwrap(str(body.get("value", ""))),
                    description=_text(body.get("description", "")),
                    sensitive=bool(body.get("sensitive", False)),
                    preconditions=tuple(preconditions),
                )
        for kind in ("resource", "data"):
            for entry in doc.get(kind, []):
                for rtype, named in entry.items():
                    for label, body in named.items():
                        if label.startswith("__"):
                            continue
                        prefix = "data." if kind == "data" else ""
                        address = f"{prefix}{_name(rtype)}.{_name(label)}"
                        blocks[address] = _block(kind, address, body)
        for entry in doc.get("module", []):
            for label, body in entry.items():
                address = f"module.{_name(label)}"
                blocks[address] = _block("module", address, body)
        for entry in doc.get("locals", []):
            locals_.update({k: v for k, v in entry.items() if not k.startswith("__")})
        for entry in doc.get("moved", []):
            moved.append((unwrap(str(entry.get("from", ""))), unwrap(str(entry.get("to", "")))))
        for terraform in doc.get("terraform", []):
            if "required_version" in terraform:
                required_version = _text(terraform["required_version"])
            for req in terraform.get("required_providers", []) or []:
                for local_name, spec in req.items():
                    if local_name.startswith("__"):
                        continue
                    if isinstance(spec, dict):
                        version = spec.get("version")
                        providers[local_name] = (
                            _text(spec.get("source", f"hashicorp/{local_name}")),
                            None if version is None else _text(version),
                        )
                    else:
                        providers[local_name] = (f"hashicorp/{local_name}", _text(spec))
    return ModuleInterface(
        name=folder.name,
        variables=variables,
        outputs=outputs,
        blocks=blocks,
        locals=locals_,
        moved=tuple(moved),
        required_version=required_version,
        providers=providers,
        files=_hash_files(folder),
        summary=_summary(folder / "README.md"),
    )


@dataclass(frozen=True)
class Catalog:
    """Every module of a catalog folder plus the hashes of its shared files (README, shared examples)."""

    modules: dict[str, ModuleInterface]
    shared_files: dict[str, str]


def read_catalog(root: Path) -> Catalog:
    """Modules are the sub-folders holding a ``versions.tf``; everything else is shared catalog material."""
    modules = {p.parent.name: read_module(p.parent) for p in sorted(root.glob("*/versions.tf")) if p.parent.is_dir()}
    shared: dict[str, str] = {}
    for rel, digest in _hash_files(root).items():
        top = rel.split("/", 1)[0]
        if top in modules or rel in RELEASE_FILES or rel in IGNORED:
            continue
        shared[rel] = digest
    return Catalog(modules=modules, shared_files=shared)
