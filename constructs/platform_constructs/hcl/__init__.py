"""HCL output: Terraform JSON rendered as native syntax, for readers and scanners that want HCL."""

from __future__ import annotations

import json
from pathlib import Path

from platform_constructs.hcl.render import RenderError, render_config, template
from platform_constructs.hcl.schema import ProviderShapes, load_shapes

__all__ = ["ProviderShapes", "RenderError", "load_shapes", "render_config", "render_stack_dir", "template"]


def render_stack_dir(
    json_file: Path, hcl_dir: Path, shapes: ProviderShapes | None = None, cli_config: Path | None = None
) -> Path:
    """Write ``hcl_dir/main.tf`` from a synthesized ``cdk.tf.json``, formatted by ``terraform fmt``."""
    from platform_constructs.paths import cli_config_path
    from platform_constructs.tf import Terraform, write_cli_config

    shapes = shapes or load_shapes(cli_config=cli_config)
    text = render_config(json.loads(json_file.read_text()), shapes)
    hcl_dir.mkdir(parents=True, exist_ok=True)
    target = hcl_dir / "main.tf"
    target.write_text(text)
    cfg = cli_config or write_cli_config(cli_config_path())
    Terraform(hcl_dir, cli_config=cfg).run("fmt", "-no-color", "main.tf")
    return target
