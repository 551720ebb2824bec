"""The service repositories the gate tests check: a clean one, and the edits an attacker (or a careless team)
makes to it. Files are rendered by the platform from the test registry, as `infra render` writes them."""

from __future__ import annotations

from pathlib import Path

from platform_constructs.registry import load_registry
from platform_tools.service_files.render import render_service_files
from support.gate import GATE_FIXTURES

CATALOG = "git::https://github.com/acme/platform-infra.git//modules_out"
SERVICE = "fileflow"
ENVIRONMENTS = ("dev", "prod")


def rendered(tmp: Path) -> dict[str, str]:
    """``infra render``'s files for fileflow (backend.tf per environment, the caller, infracost.yml)."""
    registry = load_registry(GATE_FIXTURES / "platform.yaml")
    render_service_files(registry, tmp / "rendered")
    root = tmp / "rendered" / SERVICE
    files = {str(p.relative_to(root)): p.read_text() for p in root.rglob("*") if p.is_file()}
    # the service deploys to dev and prod only (platform.yaml); the rendered stg folder stays out of its repo
    return {k: v for k, v in files.items() if "/environments/stg/" not in k}


def main_tf(env: str, extra: str = "") -> str:
    """A service environment that passes every check: tags from the provider, a catalog security group."""
    return f'''terraform {{
  required_version = ">= 1.5"
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }}
  }}
}}

provider "aws" {{
  region = "ap-northeast-2"
  default_tags {{
    tags = {{
      Team        = "storage"
      Owner       = "fileflow-lead@acme.example"
      CostCenter  = "CC-1001"
      Environment = "{env}"
      Service     = "fileflow"
      ManagedBy   = "terraform"
    }}
  }}
}}

module "endpoints_sg" {{
  source = "{CATALOG}/sg?ref=v1.0.0"

  environment        = "{env}"
  service_name       = "fileflow"
  name               = "endpoints"
  description        = "VPC interface endpoints of fileflow"
  vpc_id             = "vpc-0123456789abcdef0"
  preset             = "vpc_endpoint"
  preset_source_cidr = "10.20.0.0/16"
}}
{extra}'''


def clean(tmp: Path) -> dict[str, str | None]:
    files: dict[str, str | None] = dict(rendered(tmp))
    for env in ENVIRONMENTS:
        files[f"infra/environments/{env}/main.tf"] = main_tf(env)
    return files
