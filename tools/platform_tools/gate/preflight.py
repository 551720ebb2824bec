"""The static pre-flight of a service PR's Terraform, run in a trusted job before any Terraform touches it.

``terraform init`` and ``plan`` execute code the PR chooses: a ``data "external"`` program runs at plan time, a
provider binary is any code its author wrote, a committed ``.terraform/`` folder can hold a provider that the
PR's own lock file vouches for. The plan job therefore has no token and no secret, and it only starts when this
check, which parses the files as data and runs nothing, found none of those doors:

- data sources ``external`` and ``http`` (anywhere, including inside ``check`` blocks) and any ``provisioner``;
- providers (declared in ``required_providers`` or implied by a resource type) outside the registry's
  ``guardrails.sources.providers``;
- module sources other than the platform catalog at a release tag, local paths inside the repository, and the
  registry's ``guardrails.sources.modules`` prefixes;
- committed ``.terraform/`` or ``terraform.d/`` folders, symbolic links, and files Terraform would load but that
  do not parse (a file the check cannot read is a file it cannot vouch for).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_tools.gate.findings import GateFinding
from platform_tools.gate.settings import GateSettings
from platform_tools.guardrails.policy.data import normalise_provider

#: data sources that run code or reach the network at plan time
FORBIDDEN_DATA = {
    "external": "runs a program of the PR's choosing during `terraform plan`",
    "http": "fetches a URL during `terraform plan`",
}
#: built into Terraform itself (terraform_data, terraform_remote_state)
BUILTIN_PROVIDERS = frozenset({"terraform.io/builtin/terraform"})
#: a catalog module pinned to a release tag or a full commit
CATALOG_REF = re.compile(r"^(v\d+\.\d+\.\d+|[0-9a-f]{40})$")
MODULE_NAME = re.compile(r"^[a-z0-9_]+$")
#: files above this size are refused rather than parsed (a generated monster file is a review problem anyway)
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Preflight:
    findings: tuple[GateFinding, ...]
    files: int

    @property
    def ok(self) -> bool:
        return not any(f.blocking for f in self.findings)


def run_preflight(repo: Path, settings: GateSettings) -> Preflight:
    """Every finding in the repository at once; ``repo`` is the service repository's root."""
    repo = repo.resolve()
    findings: list[GateFinding] = []
    modules: dict[Path, list[tuple[str, Any]]] = {}
    files = 0
    for path in _walk(repo, findings):
        rel = path.relative_to(repo).as_posix()
        if path.stat().st_size > MAX_FILE_BYTES:
            findings.append(_finding("gate.file_size", rel, f"{rel} is larger than {MAX_FILE_BYTES} bytes", "split it"))
            continue
        try:
            doc = _parse(path)
        except Exception as err:
            findings.append(
                _finding(
                    "gate.unparsable",
                    rel,
                    f"{rel} does not parse as Terraform ({type(err).__name__}: {str(err)[:200]})",
                    "fix the syntax (`terraform fmt` / `terraform validate` locally)",
                )
            )
            continue
        files += 1
        modules.setdefault(path.parent, []).append((rel, doc))
    for folder, docs in modules.items():
        findings += _check_module(repo, folder, docs, settings)
    return Preflight(tuple(findings), files)


def _walk(repo: Path, findings: list[GateFinding]) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(repo):
        here = Path(dirpath)
        for name in list(dirnames):
            child = here / name
            rel = child.relative_to(repo).as_posix()
            if name == ".git":
                dirnames.remove(name)
            elif child.is_symlink():
                findings.append(_symlink(rel))
                dirnames.remove(name)
            elif name in (".terraform", "terraform.d"):
                findings.append(
                    _finding(
                        "gate.committed_plugins",
                        rel,
                        f"{rel}/ is committed: Terraform would use providers or modules from it instead of the "
                        "platform's allowlisted sources",
                        f"delete {rel}/ and add it to .gitignore",
                    )
                )
                dirnames.remove(name)
        for name in filenames:
            child = here / name
            if child.is_symlink():
                findings.append(_symlink(child.relative_to(repo).as_posix()))
            elif name.endswith((".tf", ".tf.json")):
                yield child


def _symlink(rel: str) -> GateFinding:
    return _finding(
        "gate.symlink",
        rel,
        f"{rel} is a symbolic link: Terraform and the scanners would read a file outside what the PR shows",
        "commit the file itself",
    )


def _parse(path: Path) -> Any:
    text = path.read_text(encoding="utf-8-sig")
    if path.name.endswith(".tf.json"):
        return _from_json(json.loads(text))
    import hcl2

    return hcl2.loads(text)


def _from_json(doc: Any) -> dict[str, Any]:
    """Terraform's JSON syntax in python-hcl2's shape: each block type a list of ``{label: body}``."""
    if not isinstance(doc, dict):
        raise ValueError("a .tf.json file must hold a JSON object")
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "//":
            continue
        items = value if isinstance(value, list) else [value]
        out[key] = items
    return out


def _unquote(value: Any) -> str:
    text = str(value)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


def _labelled(items: Any) -> Iterator[tuple[str, Any]]:
    """``[{'"label"': body}, ...]`` (or a single dict) as ``(label, body)`` pairs."""
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict):
            for label, body in item.items():
                if label != "__is_block__":
                    yield _unquote(label), body


def _bodies(value: Any) -> Iterator[dict[str, Any]]:
    for body in value if isinstance(value, list) else [value]:
        if isinstance(body, dict):
            yield body


def _check_module(repo: Path, folder: Path, docs: list[tuple[str, Any]], settings: GateSettings) -> list[GateFinding]:
    out: list[GateFinding] = []
    declared: dict[str, str] = {}
    used: list[tuple[str, str, str]] = []  # (file, address, provider local name)
    for rel, doc in docs:
        for tf in _bodies(doc.get("terraform", [])):
            for block in _bodies(tf.get("required_providers", [])):
                for local, spec in block.items():
                    if local == "__is_block__":
                        continue
                    source = _unquote(spec.get("source", "")) if isinstance(spec, dict) else _unquote(spec)
                    declared[local] = source or f"hashicorp/{local}"
                    used.append((rel, f"required_providers.{local}", local))
        for local, _body in _labelled(doc.get("provider", [])):
            used.append((rel, f"provider.{local}", local))
        out += _data_and_provisioners(rel, doc)
        for kind in ("resource", "data", "ephemeral"):
            for rtype, named in _labelled(doc.get(kind, [])):
                for name, body in _labelled(named):
                    local = _provider_of(rtype, body)
                    prefix = "" if kind == "resource" else f"{kind}."
                    used.append((rel, f"{prefix}{rtype}.{name}", local))
        for name, body in _labelled(doc.get("module", [])):
            for b in _bodies(body):
                out += _check_module_source(repo, folder, rel, f"module.{name}", b.get("source"), settings=settings)
    for rel, address, local in used:
        implied = "terraform.io/builtin/terraform" if local == "terraform" else f"hashicorp/{local}"
        source = normalise_provider(declared.get(local, implied))
        if source not in settings.providers and source not in BUILTIN_PROVIDERS:
            out.append(
                _finding(
                    "gate.provider_source",
                    address,
                    f"{rel}: {address} uses provider {source}, which is not on the platform's allowlist "
                    f"({', '.join(settings.providers)}): a provider is code that runs in the plan",
                    "use an allowlisted provider, or ask the platform team to add it to guardrails.sources.providers",
                )
            )
    return out


def _provider_of(rtype: str, body: Any) -> str:
    for b in _bodies(body):
        ref = b.get("provider")
        if isinstance(ref, str) and ref:
            return _unquote(ref).removeprefix("${").removesuffix("}").split(".")[0]
    return rtype.split("_", 1)[0]


def _data_and_provisioners(rel: str, doc: Any) -> list[GateFinding]:
    """Forbidden data sources and provisioners anywhere in the document, however deeply nested."""
    out: list[GateFinding] = []
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        node, where = stack.pop()
        if isinstance(node, list):
            stack += [(n, where) for n in node]
            continue
        if not isinstance(node, dict):
            continue
        for key, value in node.items():
            if key == "data":
                for dtype, named in _labelled(value):
                    if dtype in FORBIDDEN_DATA:
                        for name, _ in _labelled(named):
                            out.append(
                                _finding(
                                    "gate.data_source",
                                    f"data.{dtype}.{name}",
                                    f'{rel}: data "{dtype}" "{name}" {FORBIDDEN_DATA[dtype]}',
                                    "remove it: pass the value as a variable, or read it with an AWS data source",
                                )
                            )
            if key == "provisioner":
                for ptype, _ in _labelled(value):
                    out.append(
                        _finding(
                            "gate.provisioner",
                            _address(where) or rel,
                            f'{rel}: provisioner "{ptype}" in {_address(where) or "a block"} runs commands outside '
                            "Terraform's model",
                            "remove it: build images or run scripts in the service's own pipeline",
                        )
                    )
            if isinstance(value, (dict, list)):
                label = _unquote(key)
                stack.append((value, f"{where}.{label}" if where else label))
    return out


def _address(where: str) -> str:
    """``resource.null_resource.r`` -> ``null_resource.r``: the address a reader finds in the file."""
    return where.removeprefix("resource.")


def _check_module_source(
    repo: Path, folder: Path, rel: str, address: str, raw: Any, *, settings: GateSettings
) -> list[GateFinding]:
    source = _unquote(raw) if raw is not None else ""
    if not source or "${" in source:
        return [_finding("gate.module_source", address, f"{rel}: {address} has no literal source", "set source")]
    if source.startswith(("./", "../")):
        target = (folder / source).resolve()
        if target.is_relative_to(repo):
            return []
        return [
            _finding(
                "gate.module_source",
                address,
                f"{rel}: {address} source {source!r} leaves the repository",
                "keep local modules inside the repository",
            )
        ]
    catalog = f"git::{settings.catalog_url}//modules_out/"
    if source.startswith(catalog):
        rest = source[len(catalog) :]
        name, _, query = rest.partition("?")
        ref = query.removeprefix("ref=") if query.startswith("ref=") and "&" not in query else ""
        if MODULE_NAME.match(name) and CATALOG_REF.match(ref):
            return []
        return [
            _finding(
                "gate.module_source",
                address,
                f"{rel}: {address} takes the catalog module without a release pin ({source!r})",
                f"pin a release: {catalog}<module>?ref=vX.Y.Z",
            )
        ]
    if any(source.startswith(prefix) for prefix in settings.module_prefixes):
        return []
    return [
        _finding(
            "gate.module_source",
            address,
            f"{rel}: {address} takes code from {source!r}, which is neither the platform catalog nor an allowlisted "
            "source",
            f"use {catalog}<module>?ref=vX.Y.Z or a local ./module, or ask the platform team to add the source to "
            "guardrails.sources.modules",
        )
    ]


def _finding(rule: str, address: str, message: str, fix: str) -> GateFinding:
    return GateFinding(rule=rule, address=address, message=message, fix=fix)
