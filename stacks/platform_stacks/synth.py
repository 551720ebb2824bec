"""The synth pipeline: registry → stacks → ``cdktf.out/``, all-or-nothing, and skipped when nothing changed.

* Input errors surface before any Terraform is written (the registry is validated first).
* Stacks synthesize into a scratch folder next to the output; only when every platform check passes
  (required tags today; naming and security later) does the scratch folder replace the output, so a
  failed synth never leaves a half-written ``cdktf.out/``.
* A fingerprint of everything that shapes the output (registry text, this code, the templates, the
  engine versions) is stored with the output. When it matches and the files are intact, synth returns
  without starting jsii: a no-change synth costs well under a second.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import platform_constructs
import platform_stacks
from platform_constructs.engine import ENGINE_DISTRIBUTIONS
from platform_constructs.errors import SynthError
from platform_constructs.registry.loader import parse_registry, read_registry_text
from platform_constructs.templating import templates_dir
from platform_stacks.output_tree import staged_tree

FINGERPRINT_FILE = ".infra-synth.json"


@dataclass
class SynthResult:
    outdir: Path
    stacks: list[str]
    cached: bool
    seconds: float
    files: dict[str, str] = field(default_factory=dict)


def _code_digest() -> str:
    digest = hashlib.sha256()
    roots = [Path(platform_constructs.__file__).parent, Path(platform_stacks.__file__).parent, templates_dir()]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".py", ".j2", ".yaml", ".json"} and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
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
