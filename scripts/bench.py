"""``make bench``: performance figures, each measured in a fresh process.

Prints: the import time of the AWS provider bindings alone (the package's eager import, and through the
engine seam's lazy loader), a full synth, their ratios, peak memory of the synth (Python and its node
child), a second synth when nothing changed, the module catalog export, and the Rego policy check of a
synthetic 10,000-resource plan. Targets: full synth <= 1.3 x the bare provider import; no-change synth
<= 1 s (foundation issue); policy check of 10k resources <= 2 s (guardrails issue).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable

IMPORT_EAGER = "import importlib, platform_constructs.engine as e; importlib.import_module(e.PROVIDER_PACKAGE)"
IMPORT_LAZY = "import platform_constructs.engine.aws"

WORKER = r"""
import json, os, sys, time
t0 = time.perf_counter()
from platform_stacks.synth import synth
r = synth(sys.argv[1] if sys.argv[1] != "-" else None, sys.argv[2], force=sys.argv[3] == "force")
elapsed = time.perf_counter() - t0

def hwm(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0

def children(pid):
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            out += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
        except OSError:
            pass
    return out

node = [c for c in children(os.getpid()) if "node" in open(f"/proc/{c}/comm").read()]
print(json.dumps({"seconds": elapsed, "cached": r.cached, "py_peak": hwm(os.getpid()),
                  "node_peak": max((hwm(c) for c in node), default=0)}))
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=REPO, env=env or os.environ.copy(), capture_output=True, text=True, check=True)
    return time.perf_counter() - start, out.stdout


def best_of(n: int, cmd: list[str]) -> float:
    return min(timed(cmd)[0] for _ in range(n))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platform", default="platform.yaml")
    parser.add_argument("--runs", type=int, default=3, help="repetitions; the best run is reported")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    platform = args.platform if Path(args.platform).is_file() else "-"

    baseline = best_of(args.runs, [PY, "-c", "import platform_constructs.engine"])
    eager = best_of(args.runs, [PY, "-c", IMPORT_EAGER])
    lazy = best_of(args.runs, [PY, "-c", IMPORT_LAZY])

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out = str(Path(tmp) / "cdktf.out")
        platform_args = ["--platform", platform] if platform != "-" else []

        def worker(mode: str) -> list[dict[str, float]]:
            return [json.loads(timed([PY, "-c", WORKER, platform, out, mode])[1]) for _ in range(args.runs)]

        def cli_synth(*extra: str) -> float:
            return best_of(args.runs, [PY, "-m", "platform_tools", "synth", "--out", out, *platform_args, *extra])

        catalog = str(Path(tmp) / "modules_out")
        export_wall = best_of(
            args.runs, [PY, "-m", "platform_tools", "modules", "export", "--out", catalog, *platform_args]
        )
        check_wall = best_of(
            args.runs,
            [PY, "-m", "platform_tools", "modules", "export", "--check", "--out", catalog, *platform_args],
        )
        # the Rego guardrails over a synthetic 10,000-resource plan (every resource created or updated), in a
        # fresh process per run so no compiled bundle is reused; each run reports a cold and a warm check
        policy_runs = [
            json.loads(
                timed(
                    [
                        PY,
                        "-c",
                        "import json; from platform_tools.guardrails.policy.synthetic import bench; "
                        "print(json.dumps(bench(10000)))",
                    ]
                )[1]
            )
            for _ in range(args.runs)
        ]
        full_runs = worker("force")
        full_wall = cli_synth("--force")
        cached_runs = worker("cached")
        cached_wall = cli_synth()

    full = min(r["seconds"] for r in full_runs)
    figures = {
        "python_and_engine_seam_startup_s": round(baseline, 3),
        "provider_import_eager_s": round(eager, 3),
        "provider_import_lazy_seam_s": round(lazy, 3),
        "full_synth_in_process_s": round(full, 3),
        "full_synth_cli_wall_s": round(full_wall, 3),
        "ratio_full_synth_to_eager_import": round(full_wall / eager, 2),
        "ratio_full_synth_to_lazy_import": round(full_wall / lazy, 2),
        "synth_peak_rss_python_mib": round(max(r["py_peak"] for r in full_runs) / 2**20, 1),
        "synth_peak_rss_node_mib": round(max(r["node_peak"] for r in full_runs) / 2**20, 1),
        "no_change_synth_in_process_s": round(min(r["seconds"] for r in cached_runs), 3),
        "no_change_synth_cli_wall_s": round(cached_wall, 3),
        "modules_export_all_cli_wall_s": round(export_wall, 3),
        "modules_export_check_cli_wall_s": round(check_wall, 3),
        "policy_check_10k_resources_s": min(r["policy_check_s"] for r in policy_runs),
        "policy_check_10k_resources_warm_s": min(r["policy_check_warm_s"] for r in policy_runs),
        "runs": args.runs,
        "spread_full_synth_s": round(statistics.pstdev(r["seconds"] for r in full_runs), 3),
    }
    assert all(r["cached"] for r in cached_runs), "second synth was not served from the cache"
    width = max(len(k) for k in figures)
    print(f"synth benchmark (best of {args.runs}; registry: {platform if platform != '-' else 'embedded'})")
    for key, value in figures.items():
        print(f"  {key.ljust(width)}  {value}")
    print(
        f"  targets: full synth <= 1.3 x bare import -> {figures['ratio_full_synth_to_eager_import']} "
        f"(eager) / {figures['ratio_full_synth_to_lazy_import']} (lazy); no-change synth <= 1 s -> "
        f"{figures['no_change_synth_cli_wall_s']} s; policy check of 10k resources <= 2 s -> "
        f"{figures['policy_check_10k_resources_s']} s"
    )
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
