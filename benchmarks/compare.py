"""Runs a benchmark script under our haiku and under dm-haiku, interleaved, and prints ratios.

Each implementation lives in its own environment (dm-haiku and haiku-core both install the
import package `haiku`, so they can never share one):

    python benchmarks/compare.py core_overhead --ours .../bin/python --ref .../bin/python

Every round runs the script once per interpreter, alternating, so both see the same machine
load; the table shows medians over rounds and the ratio ours / dm-haiku.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess

HERE = pathlib.Path(__file__).parent


def run_once(python: str, script: str, extra: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [python, str(HERE / f"{script}.py"), "--json", *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("script", help="benchmark module in benchmarks/, e.g. core_overhead")
    parser.add_argument("--ours", required=True, help="python of the env with our haiku")
    parser.add_argument("--ref", required=True, help="python of the env with dm-haiku")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("extra", nargs="*", help="arguments passed to the script")
    args = parser.parse_args()

    results: dict[str, dict[str, list[float]]] = {"ours": {}, "ref": {}}
    for _ in range(args.rounds):
        for label, python in (("ours", args.ours), ("ref", args.ref)):
            for key, value in run_once(python, args.script, args.extra).items():
                results[label].setdefault(key, []).append(value)

    print(f"{'workload':32s} {'ours':>12s} {'dm-haiku':>12s} {'ours/dm':>8s}")
    for key in results["ours"]:
        ours = statistics.median(results["ours"][key])
        ref = statistics.median(results["ref"].get(key, [float("nan")]))
        print(f"{key:32s} {ours:12.3f} {ref:12.3f} {ours / ref:8.2f}")


if __name__ == "__main__":
    main()
