"""Micro-benchmarks of haiku-core's tracing hot path (per-operation cost in microseconds).

Runs the same public `hk` code under whichever `haiku` is importable, so the numbers of our
haiku and of dm-haiku can be compared side by side (see benchmarks/compare.py):

    python benchmarks/core_overhead.py --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import jax.numpy as jnp

import haiku as hk

N = 2000


class Empty(hk.Module):
    def __call__(self):
        return None


class WithParam(hk.Module):
    def __call__(self, n):
        for _ in range(n):
            hk.get_parameter("w", [], init=jnp.zeros)


def construct(n):
    for _ in range(n):
        Empty()


def call(n):
    m = Empty()
    for _ in range(n):
        m()


def get_parameter(n):
    WithParam()(n)


def _per_op_us(body, n: int, repeats: int) -> float:
    times = []
    f = hk.transform(lambda: body(n))
    f.init(None)  # warm up
    for _ in range(repeats):
        start = time.perf_counter()
        f.init(None)
        times.append((time.perf_counter() - start) / n * 1e6)
    return statistics.median(times)


WORKLOADS = {"module_construction": construct, "method_call": call, "get_parameter": get_parameter}


def run(repeats: int = 7) -> dict[str, float]:
    return {name: _per_op_us(fn, N, repeats) for name, fn in WORKLOADS.items()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    result = run(args.repeats)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:24s} {v:8.2f} us")
