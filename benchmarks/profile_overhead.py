"""Where the time of each `mlp_overhead` workload goes: a profile, and the floor under Haiku.

For `hk.nets.MLP([64] * 100)` on `[8, 64]` (the model of `mlp_overhead.py`), two views:

1. cProfile of 20 calls per workload, own time summed by where the code lives: Haiku's core,
   Haiku's layers/nets, JAX's staging of equations (`partial_eval`), JAX's jit cache and
   dispatch (`pjit`, `api_util`), `jax.random`, `custom_jvp`, `inspect` (signature binding),
   other JAX, builtins. Eager dispatch of a jitted call runs in C++ and is counted in the
   calling Python function, so eager profiles attribute dispatch to the layer that calls it.
2. CPU-time A/B (interleaved): ours, hand-written raw JAX, and raw JAX calling the same
   staged kernels Haiku uses (`haiku_layers._staged.dense`, `haiku_nets._activations`). The
   last is the floor for Haiku's programming model on these ops; ours minus it is the cost of
   modules, the method wrapper, name scopes and `get_parameter`.

Our packages only (it imports their private kernels); not part of `suite.py`.

    python benchmarks/profile_overhead.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import statistics
import time

import _models as models
import jax
import jax.numpy as jnp

from haiku_layers._staged import dense
from haiku_nets._activations import relu

jax.config.update("jax_threefry_partitionable", True)

SIZES = [64] * 100
NAMES = models.mlp_layer_names(len(SIZES))


def raw_with_kernels(params, x):
    """`models.raw_mlp_apply` through the kernels Haiku's Linear and MLP use."""
    for i, name in enumerate(NAMES):
        x = dense(x, params[name]["w"], params[name]["b"], None)
        if i < len(NAMES) - 1:
            x = relu(x)
    return x


def workloads() -> dict:
    f = models.mlp_fn(SIZES)
    x = jnp.ones([8, 64], jnp.float32)
    key = jax.random.PRNGKey(42)
    params = f.init(key, x)
    # A fresh lambda per trace: no trace-cache hit.
    return {
        "trace": lambda: jax.make_jaxpr(lambda p, x: f.apply(p, None, x))(params, x),
        "raw.trace": lambda: jax.make_jaxpr(lambda p, x: models.raw_mlp_apply(p, x))(params, x),
        "floor.trace": lambda: jax.make_jaxpr(lambda p, x: raw_with_kernels(p, x))(params, x),
        "init_trace": lambda: jax.make_jaxpr(lambda k, x: f.init(k, x))(key, x),
        "raw.init_trace": lambda: jax.make_jaxpr(lambda k: models.raw_mlp_init(k, 64, SIZES))(key),
        "apply": lambda: jax.block_until_ready(f.apply(params, None, x)),
        "raw.apply": lambda: jax.block_until_ready(models.raw_mlp_apply(params, x)),
        "floor.apply": lambda: jax.block_until_ready(raw_with_kernels(params, x)),
        "init": lambda: jax.block_until_ready(f.init(key, x)),
        "raw.init": lambda: jax.block_until_ready(models.raw_mlp_init(key, 64, SIZES)),
    }


def _category(filename: str, function: str) -> str:
    if "haiku-core" in filename or "/haiku/" in filename:
        return "haiku core"
    if "haiku_layers" in filename or "haiku_nets" in filename or "haiku-" in filename:
        return "haiku layers/nets"
    if "_models.py" in filename or "profile_overhead" in filename:
        return "model code"
    if "interpreters/partial_eval" in filename:
        return "jax staging"
    if "/jax/_src/pjit" in filename or "api_util" in filename:
        return "jax jit cache/dispatch"
    if "/jax/_src/random" in filename or "prng" in filename:
        return "jax.random"
    if "custom_derivatives" in filename:
        return "jax custom_jvp"
    if "inspect.py" in filename:
        return "inspect"
    if "/jax/" in filename:
        return "jax other"
    return "builtins" if filename == "~" else "other python"


def profile(fn, calls: int = 20) -> tuple[float, list[tuple[str, float]]]:
    """(ms per call under the profiler, [(category, share)] largest first)."""
    for _ in range(3):
        fn()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        fn()
    profiler.disable()
    shares: collections.Counter[str] = collections.Counter()
    for (filename, _, function), row in pstats.Stats(profiler).stats.items():  # type: ignore[attr-defined]
        shares[_category(filename, function)] += row[2]  # own time
    total = sum(shares.values())
    return total / calls * 1e3, [(k, v / total) for k, v in shares.most_common()]


def ab(cases: dict, repeats: int) -> dict[str, float]:
    """Median process CPU ms per workload, all workloads interleaved in each repeat."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for fn in cases.values():
        fn()
    for _ in range(repeats):
        for name, fn in cases.items():
            start = time.process_time()
            fn()
            times[name].append((time.process_time() - start) * 1e3)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    cases = workloads()
    print(f"device: {jax.devices()[0].platform}")
    print("| workload | ms/call (profiled) | own time by place (>= 2%) |")
    print("|---|---:|---|")
    for name, fn in cases.items():
        ms, shares = profile(fn)
        text = ", ".join(f"{k} {v:.0%}" for k, v in shares if v >= 0.02)
        print(f"| {name} | {ms:.1f} | {text} |")
    medians = ab(cases, args.repeats)
    print(
        "\n| workload | ours [ms CPU] | raw JAX | raw JAX + our kernels (floor) | ours / raw "
        "| ours / floor |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("trace", "init_trace", "apply", "init"):
        ours, raw = medians[name], medians["raw." + name]
        floor = medians.get("floor." + name)
        floor_text = "-" if floor is None else f"{floor:.2f}"
        ratio = "-" if floor is None else f"{ours / floor:.2f}"
        print(f"| {name} | {ours:.2f} | {raw:.2f} | {floor_text} | {ours / raw:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
