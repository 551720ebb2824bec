"""Helpers for the ``infra release`` tests: real git repositories in tmp_path, a small module, a catalog seam.

The release tool runs the engineer's ``git``; tests pin its identity and ignore the machine's git config
through the environment (``git_env``), so a developer's signing or hook settings cannot change the result.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import textwrap
from datetime import date
from pathlib import Path

import pytest

from platform_tools.release.changelog import Links
from platform_tools.release.command import Request
from support.catalog_consumer import GIT_ENV, git

LINKS = Links(
    web="https://github.com/acme/platform-infra", source="git::https://github.com/acme/platform-infra.git//modules_out"
)
DAY = date(2026, 12, 1)


def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_API_URL", raising=False)


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


class Seam:
    """The catalog seam for temp repos without constructs: freshness is given, re-export is recorded.

    The real seam (``CatalogFreshness``: check_catalog / export_catalog) is exercised once, by the stale
    refusal test; these repositories hold hand-written modules that no construct could export.
    """

    def __init__(self, stale: str | None = None) -> None:
        self.stale = stale
        self.regenerated: list[Path] = []

    def check(self, catalog: Path) -> None:
        from platform_tools.catalog_export import StaleCatalogError

        if self.stale:
            raise StaleCatalogError(f"{catalog} is stale:\n  - differs: {self.stale}")

    def regenerate(self, catalog: Path) -> None:
        self.regenerated.append(catalog)


def request(repo: Path, **kwargs: object) -> Request:
    return Request(repo=repo, day=DAY, **kwargs)  # type: ignore[arg-type]


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root`` (``.git`` included) by content hash: "byte-identical" made checkable."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() or path.is_symlink():
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[path.relative_to(root).as_posix() + "/"] = ""
    return out


VERSIONS_TF = """\
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7.0"
    }
  }
}
"""

VARIABLES_TF = """\
variable "name" {
  description = "Name of the bucket."
  type        = string

  validation {
    condition     = length(var.name) <= 63
    error_message = "At most 63 characters."
  }
}

variable "versioning" {
  description = "Keep old versions of objects."
  type        = bool
  default     = true
  nullable    = false
}

variable "rules" {
  description = "Lifecycle rules by key."
  type        = map(object({ days = number }))
  default     = {}
}

variable "readers" {
  description = "Principals that may read."
  type        = list(string)
  default     = []
}
"""

MAIN_TF = """\
locals {
  tags = { ManagedBy = "terraform" }
}

data "aws_partition" "current" {}

resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = local.tags

  lifecycle {
    precondition {
      condition     = !startswith(var.name, "xn--")
      error_message = "Bucket names must not start with xn--."
    }
  }
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}
"""

OUTPUTS_TF = """\
output "bucket_arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_name" {
  description = "Name of the bucket."
  value       = aws_s3_bucket.this.bucket
  sensitive   = true
}
"""


def write_box(folder: Path) -> None:
    """A small but complete module: variables with defaults and validation, resources, data, outputs."""
    folder.mkdir(parents=True)
    (folder / "versions.tf").write_text(VERSIONS_TF)
    (folder / "variables.tf").write_text(VARIABLES_TF)
    (folder / "main.tf").write_text(MAIN_TF)
    (folder / "outputs.tf").write_text(OUTPUTS_TF)
    (folder / "README.md").write_text("# `box` module\n\nS3 bucket with versioning.\n")
    (folder / "examples" / "basic").mkdir(parents=True)
    (folder / "examples" / "basic" / "main.tf").write_text('module "box" {\n  source = "../.."\n  name = "x"\n}\n')


def write_catalog(root: Path) -> None:
    catalog = root / "modules_out"
    write_box(catalog / "box")
    tiny = catalog / "tiny"
    tiny.mkdir()
    (tiny / "versions.tf").write_text(VERSIONS_TF)
    (tiny / "outputs.tf").write_text('output "answer" {\n  description = "The answer."\n  value       = 42\n}\n')
    (catalog / "README.md").write_text("# Module catalog\n")
    (catalog / "CHANGELOG.md").write_text(
        textwrap.dedent(
            """\
            # Changelog

            All notable changes to the module catalog.

            ## Unreleased

            ### box
            - Added: the `box` module.
            """
        )
    )


def record_release(repo: Path, version: str, day: str = "2026-11-29") -> str:
    """Record a release by hand, the three records agreeing: a ``## [version]`` CHANGELOG entry (below
    ``Unreleased``, whose notes stay put), the commit ``release: v<version>`` and the annotated tag on it.

    The baseline of a rule test: the records a release leaves, without its texts (a real release empties
    ``Unreleased``, which the tests write into). Returns the release commit.
    """
    changelog = repo / "modules_out" / "CHANGELOG.md"
    text = changelog.read_text()
    entry = f"## [{version}] - {day}\n\nReleased by hand for the tests.\n\n"
    first = re.search(r"^## \[", text, re.M)
    changelog.write_text(text[: first.start()] + entry + text[first.start() :] if first else f"{text}\n{entry}")
    commit_all(repo, f"release: v{version}")
    git(repo, "tag", "-a", f"v{version}", "-m", f"release v{version}")
    return git(repo, "rev-parse", "HEAD").strip()


def released_repo(root: Path, version: str = "1.0.0") -> Path:
    """A repository whose catalog was released as ``version`` (records made by hand: the baseline of a rule test)."""
    root.mkdir(parents=True, exist_ok=True)
    write_catalog(root)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "catalog")
    record_release(root, version)
    return root


def copy_repo(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest
