"""`hk.layer_stack` vs an unrolled loop: jit trace+compile time of `apply` at several depths.

Reuses the model of benchmarks/layer_stack_compile.py (a residual gelu layer, width 64) and
prints milliseconds as JSON for benchmarks/suite.py. Each measurement builds a fresh
transformed function, so no JAX cache is hit.

    python benchmarks/layer_stack_depths.py [--json] [--depths 4,16,48] [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import statistics

from layer_stack_compile import compile_seconds, stacked, unrolled


def run(depths: list[int], repeats: int) -> dict[str, float]:
    result = {}
    for depth in depths:
        for name, make in (("layer_stack", stacked), ("unrolled", unrolled)):
            times = [compile_seconds(make, depth) * 1e3 for _ in range(repeats)]
            result[f"{name}.depth{depth}.compile"] = statistics.median(times)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--depths", default="4,16,48")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    result = run([int(d) for d in args.depths.split(",")], args.repeats)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:32s} {v:10.1f} ms")
