"""Scan-over-blocks in hk.nets: jit trace+compile time of `apply` vs depth, scanned vs unrolled.

Transformer (d=64, 4 heads, `[4,32,64]` inputs) with `num_layers` = depth, and ResNet (basic
blocks, 16 channels, `[2,32,32,3]`, training mode with BatchNorm state) with
`blocks_per_group=(1, depth, 1, 1)`, each built unrolled (dm-haiku's layout) and with
`use_layer_stack=True`. Under dm-haiku 0.0.17 (which has no `hk.nets.Transformer` and no
`use_layer_stack`) the same Transformer is written with `hk.LayerNorm`,
`hk.MultiHeadAttention` and `hk.nets.MLP` (unrolled and with dm-haiku's own
`hk.layer_stack`), and the ResNet is dm-haiku's unrolled `hk.nets.ResNet`. Each measurement
builds a fresh transformed function (no JAX cache hit) and times `jit(apply).lower(...)`
plus `.compile()` in milliseconds.

    python benchmarks/scan_blocks.py [--json] [--depths 2,8,32] [--repeats 1]
    python benchmarks/scan_blocks.py --ref /path/to/dm-haiku-env/bin/python   # both, merged
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import jax
import jax.numpy as jnp

import haiku as hk

OURS = hasattr(hk.nets, "Transformer")
WIDTH, HEADS, BATCH, SEQ = 64, 4, 4, 32


def _portable_block(x):
    """The pre-LayerNorm block of hk.nets.Transformer (no mask), from dm-haiku's modules."""
    h = hk.LayerNorm(-1, True, True, name="attention_norm")(x)
    h = hk.MultiHeadAttention(
        HEADS, WIDTH // HEADS, w_init=hk.initializers.VarianceScaling(1.0), model_size=WIDTH
    )(h, h, h)
    x = x + h
    h = hk.LayerNorm(-1, True, True, name="mlp_norm")(x)
    return x + hk.nets.MLP([4 * WIDTH, WIDTH], activation=jax.nn.gelu, name="mlp")(h)


def transformer(depth: int, scanned: bool):
    def f(x):
        if OURS:
            net = hk.nets.Transformer(HEADS, depth, WIDTH // HEADS, use_layer_stack=scanned)
            return net(x, is_training=False)
        if scanned:
            return hk.layer_stack(depth, name="layers")(_portable_block)(x)
        for _ in range(depth):
            x = _portable_block(x)
        return x

    return hk.transform(f), (jnp.ones([BATCH, SEQ, WIDTH]),)


def resnet(depth: int, scanned: bool):
    def f(x):
        kwargs = {"use_layer_stack": True} if scanned else {}
        net = hk.nets.ResNet(
            (1, depth, 1, 1),
            10,
            bottleneck=False,
            channels_per_group=(16, 16, 16, 16),
            initial_conv_config={"output_channels": 16},
            **kwargs,
        )
        return net(x, is_training=True)

    return hk.transform_with_state(f), (jnp.ones([2, 32, 32, 3]),)


def compile_ms(make, depth: int, scanned: bool) -> float:
    f, args = make(depth, scanned)
    init = f.init(jax.random.PRNGKey(0), *args)
    init = init if isinstance(init, tuple) else (init,)
    apply = jax.jit(f.apply)  # a fresh function: no trace/compile cache hit
    start = time.perf_counter()
    apply.lower(*init, None, *args).compile()
    return (time.perf_counter() - start) * 1e3


def run(depths: list[int], repeats: int) -> dict[str, float]:
    impl = "ours" if OURS else "dm-haiku"
    result = {}
    for net, make, scan_ok in (
        ("transformer", transformer, True),
        ("resnet", resnet, OURS),  # dm-haiku's ResNet has no scanned form
    ):
        for depth in depths:
            for scanned in (False, True) if scan_ok else (False,):
                times = [compile_ms(make, depth, scanned) for _ in range(repeats)]
                form = "scanned" if scanned else "unrolled"
                result[f"{impl}.{net}.{form}.depth{depth}"] = statistics.median(times)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--depths", default="2,8,32")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--ref", help="python of a dm-haiku 0.0.17 env, run and merged too")
    args = parser.parse_args()
    result = run([int(d) for d in args.depths.split(",")], args.repeats)
    if args.ref:
        cmd = [
            args.ref,
            __file__,
            "--json",
            "--depths",
            args.depths,
            "--repeats",
            str(args.repeats),
        ]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        result.update(json.loads(out.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:40s} {v:10.1f} ms", file=sys.stdout)
