"""Compile time of ``hk.layer_stack`` vs an unrolled Python loop, at 4 and 48 layers.

    python benchmarks/layer_stack_compile.py

Prints trace+compile seconds of ``jax.jit(apply)`` for each depth. With layer_stack the
layer is traced once inside ``lax.scan``, so compile time should stay about flat as depth
grows; the unrolled loop grows with depth. Asserts nothing.
"""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp

import haiku as hk

WIDTH = 64


def _layer(x):
    w = hk.get_parameter("w", [WIDTH, WIDTH], init=hk.initializers.TruncatedNormal(0.1))
    b = hk.get_parameter("b", [WIDTH], init=jnp.zeros)
    return jax.nn.gelu(x @ w + b) + x


def stacked(depth):
    return lambda x: hk.layer_stack(depth)(_layer)(x)


def unrolled(depth):
    def f(x):
        for i in range(depth):
            with hk.name_scope(f"layer_{i}"):
                x = _layer(x)
        return x

    return f


def compile_seconds(make, depth: int) -> float:
    f = hk.transform(make(depth))
    x = jnp.ones([8, WIDTH])
    params = f.init(jax.random.PRNGKey(0), x)
    start = time.perf_counter()
    jax.jit(f.apply).lower(params, None, x).compile()
    return time.perf_counter() - start


def main() -> None:
    print(f"{'variant':<12}{'depth':>6}{'compile s':>12}")
    for name, make in (("layer_stack", stacked), ("unrolled", unrolled)):
        for depth in (4, 48):
            print(f"{name:<12}{depth:>6}{compile_seconds(make, depth):>12.3f}")


if __name__ == "__main__":
    main()
