"""The synth pipeline: registry → stacks → ``cdktf.out/``, all-or-nothing, and skipped when nothing changed.

* Input errors surface before any Terraform is written (the registry is validated first).
* Stacks synthesize into a scratch folder next to the output; only when every platform check passes
  (required tags today; naming and security later) does the scratch folder replace the output, so a
  failed synth never leaves a half-written ``cdktf.out/``.
* A fingerprint of everything that shapes the output (registry text, the code synth runs, the engine
  versions) is stored with the output. When it matches and the files are intact, synth returns
  without starting jsii: a no-change synth costs well under a second.
"""

from __future__ import annotations

import ast
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import platform_constructs
import platform_stacks
from platform_constructs.engine import ENGINE_DISTRIBUTIONS
from platform_constructs.errors import SynthError
from platform_constructs.output_tree import staged_tree
from platform_constructs.registry.loader import parse_registry, read_registry_text

FINGERPRINT_FILE = ".infra-synth.json"


@dataclass
class SynthResult:
    outdir: Path
    stacks: list[str]
    cached: bool
    seconds: float
    files: dict[str, str] = field(default_factory=dict)


#: where the synth import closure starts: the pipeline and the app it builds
ENTRY_MODULES = ("platform_stacks.synth", "platform_stacks.app")
_ROOTS = {
    "platform_constructs": Path(platform_constructs.__file__).parent,
    "platform_stacks": Path(platform_stacks.__file__).parent,
}


def _module_file(name: str) -> Path | None:
    top, _, rest = name.partition(".")
    root = _ROOTS.get(top)
    if root is None:
        return None
    base = root.joinpath(*rest.split(".")) if rest else root
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def import_targets(source: str, name: str, *, is_package: bool) -> Iterator[tuple[int, str]]:
    """``(line, target)`` for every import in ``source`` (module ``name``), at the top or inside functions (lazy
    imports run too), relative ones resolved. ``from a.b import c`` gives ``a.b.c``: ``c`` may be a submodule or
    a name in ``a.b`` (callers that need modules look the prefixes up). Also what the layering test reads."""
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                yield node.lineno, base if alias.name == "*" else f"{base}.{alias.name}"


def synth_sources() -> list[Path]:
    """The source files synth reads: the static import closure of :data:`ENTRY_MODULES` within this
    project's packages (parent packages included). Tools, templates and the catalog export are outside it,
    so editing them keeps the cache valid."""
    seen: dict[str, Path] = {}
    queue = list(ENTRY_MODULES)
    while queue:
        name = queue.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):
            module = ".".join(parts[:i])
            path = _module_file(module)
            if path is None or module in seen:
                continue
            seen[module] = path
            queue.extend(
                target for _, target in import_targets(path.read_text(), module, is_package=path.name == "__init__.py")
            )
    return sorted(set(seen.values()))


def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in synth_sources():
        root = next(r for r in _ROOTS.values() if path.is_relative_to(r))
        digest.update(f"{root.name}/{path.relative_to(root)}".encode())
        digest.update(path.read_bytes())
    for dist in ENGINE_DISTRIBUTIONS:
        try:
            digest.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=missing".encode())
    return digest.hexdigest()


def fingerprint(registry_text: str, hcl: bool) -> str:
    return hashlib.sha256(f"{_code_digest()}\n{hcl}\n{registry_text}".encode()).hexdigest()


def _is_synth_output(path: Path) -> bool:
    """Files Terraform or ``infra deploy`` add next to the output (provider lock, override files) are not ours."""
    name = path.name
    return not (
        name in (FINGERPRINT_FILE, ".terraform.lock.hcl")
        or name.endswith(("_override.tf", "_override.tf.json"))
        or ".terraform" in path.parts
    )


def _file_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and _is_synth_output(p)
    }


def _cached(outdir: Path, expected: str) -> dict[str, Any] | None:
    marker = outdir / FINGERPRINT_FILE
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    if recorded.get("fingerprint") != expected:
        return None
    if _file_hashes(outdir) != recorded.get("files"):
        return None  # someone edited or deleted output files: rebuild rather than trust them
    return dict(recorded)


def synth(
    platform: str | Path | None = None, outdir: str | Path = "cdktf.out", *, force: bool = False, hcl: bool = False
) -> SynthResult:
    started = time.perf_counter()
    out = Path(outdir)
    source, text = read_registry_text(platform)
    expected = fingerprint(text, hcl)
    if not force:
        recorded = _cached(out, expected)
        if recorded is not None:
            return SynthResult(out, list(recorded.get("stacks", [])), True, time.perf_counter() - started)

    registry = parse_registry(text, source)  # every input error, before anything is written
    with staged_tree(
        out,
        (FINGERPRINT_FILE, "manifest.json"),
        command="synth",
        produced_by="written by infra synth",
        default="cdktf.out",
    ) as scratch:
        from platform_stacks.app import build_app  # starts jsii: only when there is work to do

        app, stacks = build_app(registry, scratch)
        app.synth()
        violations = [v.render() for s in stacks for v in s.tag_aspect.violations]
        if violations:
            raise SynthError("synth refused: required tags missing\n  - " + "\n  - ".join(violations))
        if hcl:
            from platform_constructs.hcl import render_stack_dir

            for stack in stacks:
                render_stack_dir(scratch / "stacks" / stack.node.id / "cdk.tf.json", scratch / "hcl" / stack.node.id)
        files = _file_hashes(scratch)
        names = [s.node.id for s in stacks]
        (scratch / FINGERPRINT_FILE).write_text(
            json.dumps({"fingerprint": expected, "registry": source, "stacks": names, "files": files}, indent=2) + "\n"
        )
    return SynthResult(out, names, False, time.perf_counter() - started, files)
