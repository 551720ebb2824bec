"""The AWS regions ``platform.yaml`` may name, read from the committed ``regions.json``.

A region that merely looks like one (``ap-northeast-9``) would land in every stack and backend.tf and fail only
at deploy time. The list comes from botocore's endpoint data at the version pinned in requirements.lock; it is
committed because the light install has no botocore. Regenerate it after a botocore bump with
``python -m platform_constructs.registry.regions`` (a test compares it with the installed botocore).
"""

from __future__ import annotations

import difflib
import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

REGIONS_FILE = "regions.json"
PARTITION = "aws"


@cache
def known_regions() -> frozenset[str]:
    """The commercial-partition regions of the committed file (read once per process)."""
    data = json.loads(resources.files(__package__).joinpath(REGIONS_FILE).read_text(encoding="utf-8"))
    return frozenset(data["regions"])


def closest_regions(region: str, n: int = 3) -> list[str]:
    """Known regions nearest to ``region``, for the fix of an error message."""
    return difflib.get_close_matches(region, sorted(known_regions()), n=n, cutoff=0.5)


def generate() -> dict[str, Any]:
    """The file's content from the installed botocore (a dev dependency; not needed at runtime)."""
    import botocore
    from botocore.loaders import Loader

    endpoints = Loader().load_data("endpoints")
    (aws,) = [p for p in endpoints["partitions"] if p["partition"] == PARTITION]
    return {
        "_source": f"botocore {botocore.__version__} data/endpoints.json, partitions[partition=={PARTITION!r}]"
        ".regions; regenerate with: python -m platform_constructs.registry.regions",
        "botocore_version": botocore.__version__,
        "regions": sorted(aws["regions"]),
    }


def render() -> str:
    """``generate()`` as the exact text committed, so the comparison test is a plain string equality."""
    return json.dumps(generate(), indent=2) + "\n"


def main() -> int:
    """Rewrite the committed file from the installed botocore; the diff shows what a bump changed."""
    path = Path(__file__).with_name(REGIONS_FILE)
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}: {len(generate()['regions'])} regions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
