"""A service repo consuming the catalog the way production does: a ``git::`` source pinned to a tag.

Shared by the catalog consumption test and the release test: rewrite an example's local ``source``
paths to ``git::file://<repo>//modules_out/<module>?ref=<tag>`` and let Terraform fetch the modules
itself (go-getter + git), so what is proven is the tag, not the working tree.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from support.catalog import OFFLINE_PROVIDER

#: A pinned identity and no machine git config, so a developer's signing or hook settings cannot change a result.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "platform",
    "GIT_AUTHOR_EMAIL": "platform@acme.example",
    "GIT_COMMITTER_NAME": "platform",
    "GIT_COMMITTER_EMAIL": "platform@acme.example",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**GIT_ENV, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(repo)}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def pin_to_tag(example: Path, catalog: Path, repo: Path, tag: str, dest: Path) -> Path:
    """Copy ``example``'s ``*.tf`` into ``dest`` with every ``../`` module source pinned to ``tag`` of ``repo``.

    ``catalog`` is the folder the example's relative sources point into (``modules_out/`` as exported).
    """
    dest.mkdir(parents=True)
    for tf_file in example.glob("*.tf"):
        text = tf_file.read_text()

        def git_source(match: re.Match[str]) -> str:
            target = (example / match.group(1)).resolve()
            rel = target.relative_to(catalog.resolve())
            return f'source = "git::file://{repo}//modules_out/{rel}?ref={tag}"'

        text = re.sub(r'source\s*=\s*"(\.\.[^"]*)"', git_source, text)
        (dest / tf_file.name).write_text(text)
    (dest / "offline_override.tf.json").write_text(OFFLINE_PROVIDER)
    return dest


def installed_refs(data_dir: Path) -> str:
    """Terraform's record of the module sources it fetched (``modules.json``), to prove the pinned ref."""
    return (data_dir / "modules" / "modules.json").read_text()
