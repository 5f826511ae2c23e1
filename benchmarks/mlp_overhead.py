"""Python overhead of Haiku on a deep, narrow MLP: init, trace and un-jitted apply.

Model: `hk.nets.MLP([64] * 100)` on `x [8, 64]`, against hand-written JAX computing the same
thing (same parameter dict, same init key stream). Every trace uses a FRESH Python function,
because JAX caches traces by function identity and would otherwise hide the cost. Haiku and
raw JAX alternate inside one loop so machine noise hits both alike. Times in milliseconds
(medians over `--repeats`): wall clock, and `.cpu` = process CPU time (all threads), which
is far less sensitive to other processes competing for the CPUs.

    python benchmarks/mlp_overhead.py [--json] [--repeats 15] [--info-out info.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import _models as models
import jax
import jax.numpy as jnp

jax.config.update("jax_threefry_partitionable", True)

SIZES = [64] * 100


def _timed(fn) -> tuple[float, float]:
    """(wall ms, process CPU ms) of one call, waiting for the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    jax.block_until_ready(fn())
    return (time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3


def run(repeats: int) -> tuple[dict[str, float], dict]:
    f = models.mlp_fn(SIZES)
    x = jnp.ones([8, 64], jnp.float32)
    key = jax.random.PRNGKey(42)
    params = f.init(key, x)
    raw_params = models.raw_mlp_init(key, 64, SIZES)

    cases = {
        "mlp100.init": lambda: f.init(key, x),
        "raw.mlp100.init": lambda: models.raw_mlp_init(key, 64, SIZES),
        # A fresh lambda per call: no trace-cache hit.
        "mlp100.init_trace": lambda: jax.make_jaxpr(lambda k, x: f.init(k, x))(key, x),
        "raw.mlp100.init_trace": lambda: jax.make_jaxpr(
            lambda k: models.raw_mlp_init(k, 64, SIZES)
        )(key),
        "mlp100.trace": lambda: jax.make_jaxpr(lambda p, x: f.apply(p, None, x))(params, x),
        "raw.mlp100.trace": lambda: jax.make_jaxpr(lambda p, x: models.raw_mlp_apply(p, x))(
            params, x
        ),
        "mlp100.apply": lambda: f.apply(params, None, x),
        "raw.mlp100.apply": lambda: models.raw_mlp_apply(params, x),
    }
    times: dict[str, list[float]] = {}
    for fn in cases.values():  # warm up (op-by-op dispatch caches, imports)
        jax.block_until_ready(fn())
    for _ in range(repeats):
        for name, fn in cases.items():
            wall, cpu = _timed(fn)
            times.setdefault(name, []).append(wall)
            times.setdefault(name + ".cpu", []).append(cpu)

    init_jaxpr = jax.make_jaxpr(lambda k, x: f.init(k, x))(key, x)
    apply_jaxpr = jax.make_jaxpr(lambda p, x: f.apply(p, None, x))(params, x)
    raw_jaxpr = jax.make_jaxpr(models.raw_mlp_apply)(params, x)
    same_init = jax.tree.all(jax.tree.map(lambda a, b: bool((a == b).all()), params, raw_params))
    info = {
        "params": models.params_digest(params),
        "init_equals_raw_jax": bool(same_init),
        "init_jaxpr_eqns": len(init_jaxpr.jaxpr.eqns),
        "apply_jaxpr_eqns": len(apply_jaxpr.jaxpr.eqns),
        "raw_apply_jaxpr_eqns": len(raw_jaxpr.jaxpr.eqns),
    }
    return {k: statistics.median(v) for k, v in times.items()}, info


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--info-out", help="write params digest / jaxpr sizes here (JSON)")
    args = parser.parse_args()
    result, info = run(args.repeats)
    if args.info_out:
        with open(args.info_out, "w") as fh:
            json.dump(info, fh)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:28s} {v:9.2f} ms")
        print({k: v for k, v in info.items() if k != "params"})
