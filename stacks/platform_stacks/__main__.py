"""The CDKTF app entry point (``cdktf.json`` runs ``python -m platform_stacks``).

The official ``cdktf`` CLI sets ``CDKTF_OUTDIR``; the registry comes from ``$INFRA_PLATFORM``, else
``./platform.yaml``, else the embedded default: the same resolution as ``infra synth`` without ``--platform``
(``resolve_registry_path``), and the same pipeline, so both give the same stacks.
"""

from __future__ import annotations

import os
import sys

from platform_constructs.errors import PlatformError
from platform_constructs.registry.loader import resolve_registry_path
from platform_stacks.synth import synth


def main() -> int:
    try:
        result = synth(resolve_registry_path(None), os.environ.get("CDKTF_OUTDIR", "cdktf.out"), force=True)
    except PlatformError as err:
        print(err, file=sys.stderr)
        return err.exit_code
    print(f"synthesized {', '.join(result.stacks)} into {result.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
