"""Network configurations shared by ``make_nets.py`` (dm-haiku) and ``tests/nets``.

Each :class:`Case` builds a network with ``fn(hk, *inputs)`` under
``hk.transform_with_state`` and is run the same way on both sides (see :func:`run`).
``fn`` only touches ``hk.nets`` names that dm-haiku 0.0.17 and haiku-nets share.

Kinds of case:

* ``full``: init (seed 42), then apply with perturbed params: training step(s),
  an evaluation step and gradients of a scalar summary of the outputs. Init params
  and state are stored, so the apply checks do not depend on our init.
* ``big``: as ``full`` but init values are only stored as SHA-256 digests (bit-exact
  init check); the apply uses our own init (checked by the digests).
* ``tree``: names, shapes, dtypes and order only, via ``jax.eval_shape``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

SEED = 42


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[..., Any]
    inputs: tuple[tuple[int, ...], ...]
    kind: str = "full"  # full | big | tree
    bn: bool = False  # takes is_training as last positional argument
    vmap_axis: str | None = None  # apply under jax.vmap(axis_name=...) over inputs
    train_steps: int = 1
    grad: bool = True  # also record gradients w.r.t. params and inputs


def _mlp_reverse(hk, x):
    enc = hk.nets.MLP([4, 2], name="enc")
    code = enc(x)
    return enc.reverse()(code), enc.reverse(activate_final=True, name="dec")(code)


def _mlp_dropout(hk, x):
    mlp = hk.nets.MLP([8, 8, 3], activate_final=True)
    return mlp(x, dropout_rate=0.3, rng=jax.random.PRNGKey(3)), mlp(x)


def _resnet_small(blocks=(1, 1, 1, 1), both: bool = False, **kw):
    def fn(hk, x, is_training):
        net = hk.nets.ResNet(
            blocks,
            5,
            channels_per_group=(16, 16, 32, 32),
            initial_conv_config={"output_channels": 8},
            strides=(1, 2, 2, 1),
            **kw,
        )
        out = net(x, is_training)
        return (out, net(x, is_training, test_local_stats=True)) if both else out

    return fn


CASES: list[Case] = [
    Case("mlp_default", lambda hk, x: hk.nets.MLP([4, 5, 3])(x), ((2, 6),)),
    Case(
        "mlp_nobias_tanh_final",
        lambda hk, x: hk.nets.MLP(
            [4, 3], with_bias=False, activation=jax.nn.tanh, activate_final=True
        )(x),
        ((2, 6),),
    ),
    Case(
        "mlp_inits",
        lambda hk, x: hk.nets.MLP(
            [3, 3],
            w_init=hk.initializers.RandomUniform(-1, 1),
            b_init=hk.initializers.RandomNormal(),
            name="custom",
        )(x),
        ((3, 2),),
    ),
    Case("mlp_dropout", _mlp_dropout, ((4, 6),)),
    Case("mlp_reverse", _mlp_reverse, ((3, 6),)),
    Case("mlp_two", lambda hk, x: hk.nets.MLP([3])(x) + hk.nets.MLP([3])(x), ((2, 4),)),
    Case(
        "resnet18_v1",
        lambda hk, x, t: hk.nets.ResNet18(10)(x, t),
        ((2, 32, 32, 3),),
        kind="big",
        bn=True,
        grad=False,
    ),
    Case(
        "resnet_basic_v2",
        lambda hk, x, t: hk.nets.ResNet(
            [1, 1, 1, 1],
            4,
            resnet_v2=True,
            bottleneck=False,
            channels_per_group=(8, 8, 16, 16),
            use_projection=(False, True, True, True),
            initial_conv_config={"output_channels": 8},
            bn_config={"decay_rate": 0.8},
        )(x, t),
        ((2, 24, 24, 3),),
        bn=True,
        train_steps=2,
        grad=False,
    ),
    Case("resnet_bottleneck_v1", _resnet_small(), ((2, 32, 32, 3),), bn=True, grad=False),
    Case(
        "resnet_bottleneck_v2",
        _resnet_small(
            blocks=(1, 2, 1, 1),
            both=True,
            resnet_v2=True,
            logits_config={"name": "head"},
            name="rn",
        ),
        ((2, 32, 32, 3),),
        bn=True,
        grad=False,
    ),
    Case(
        "resnet50_tree",
        lambda hk, x, t: hk.nets.ResNet50(7)(x, t),
        ((1, 32, 32, 3),),
        kind="tree",
        bn=True,
    ),
    Case(
        "resnet34_v2_tree",
        lambda hk, x, t: hk.nets.ResNet34(7, resnet_v2=True)(x, t),
        ((1, 32, 32, 3),),
        kind="tree",
        bn=True,
    ),
    Case(
        "resnet101_tree",
        lambda hk, x, t: hk.nets.ResNet101(3)(x, t),
        ((1, 32, 32, 3),),
        kind="tree",
        bn=True,
    ),
    Case(
        "mobilenet_small",
        lambda hk, x, t: hk.nets.MobileNetV1(
            strides=(1, 2, 2), channels=(8, 16, 16), num_classes=5
        )(x, t),
        ((2, 17, 17, 3),),
        bn=True,
        train_steps=2,
        grad=False,
    ),
    Case(
        "mobilenet_nobn",
        lambda hk, x, t: hk.nets.MobileNetV1(
            strides=(2, 1), channels=(8, 12), num_classes=3, use_bn=False
        )(x, t),
        ((2, 16, 16, 3),),
        bn=True,
    ),
    Case(
        "mobilenet_tree",
        lambda hk, x, t: hk.nets.MobileNetV1()(x, t),
        ((1, 64, 64, 3),),
        kind="tree",
        bn=True,
    ),
    Case("vq", lambda hk, x, t: hk.nets.VectorQuantizer(4, 8, 0.25)(x, t), ((2, 5, 4),), bn=True),
    Case(
        "vq_ema",
        lambda hk, x, t: hk.nets.VectorQuantizerEMA(4, 8, 0.25, 0.9)(x, t),
        ((2, 5, 4),),
        bn=True,
        train_steps=3,
    ),
    Case(
        "vq_ema_cross_replica",
        lambda hk, x, t: hk.nets.VectorQuantizerEMA(3, 6, 0.5, 0.7, cross_replica_axis="i")(x, t),
        ((2, 4, 3),),
        bn=True,
        vmap_axis="i",
        train_steps=2,
    ),
    Case(
        "vq_cross_replica",
        lambda hk, x, t: hk.nets.VectorQuantizer(3, 6, 0.5, cross_replica_axis="i")(x, t),
        ((2, 4, 3),),
        bn=True,
        vmap_axis="i",
    ),
]


def make_inputs(case: Case) -> list[np.ndarray]:
    rs = np.random.RandomState(sum(map(ord, case.name)))
    return [rs.normal(size=shape).astype(np.float32) for shape in case.inputs]


def tree_spec(tree: dict) -> list[list[Any]]:
    """``[module, name, shape, dtype]`` for every leaf, in insertion order."""
    return [[m, n, list(v.shape), str(v.dtype)] for m, b in tree.items() for n, v in b.items()]


def digests(tree: dict) -> list[str]:
    return [
        hashlib.sha256(np.ascontiguousarray(np.asarray(v)).tobytes()).hexdigest()
        for b in tree.values()
        for v in b.values()
    ]


def flat(prefix: str, tree: Any) -> dict[str, np.ndarray]:
    """``{prefix|<path>: array}`` for every leaf of ``tree``."""
    out = {}
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        out[f"{prefix}|{jax.tree_util.keystr(path)}"] = np.asarray(leaf)
    return out


def perturb(params: dict) -> dict:
    """Adds deterministic noise to every float param (so zero-initialised logits matter)."""
    out = {}
    for i, (m, n) in enumerate(sorted((m, n) for m, b in params.items() for n in b)):
        v = params[m][n]
        noise = 0.1 * jax.random.normal(
            jax.random.fold_in(jax.random.PRNGKey(123), i), v.shape, v.dtype
        )
        out.setdefault(m, {})[n] = v + noise
    return {m: {n: out[m][n] for n in params[m]} for m in params}


def _summary(out: Any) -> jax.Array:
    """A scalar that depends on every float output element."""
    total = 0.0
    for leaf in jax.tree.leaves(out):
        if jnp.issubdtype(leaf.dtype, jnp.floating):
            weights = jnp.cos(jnp.arange(leaf.size, dtype=leaf.dtype)).reshape(leaf.shape)
            total = total + jnp.sum(leaf * weights)
    return total


def transform(hk, case: Case):
    return hk.transform_with_state(lambda *a: case.fn(hk, *a))


def init(hk, case: Case, inputs: list[jax.Array]):
    f = transform(hk, case)
    args = (*inputs, True) if case.bn else tuple(inputs)
    key = jax.random.PRNGKey(SEED)
    extra = args[len(inputs) :]
    if case.kind == "tree":
        return jax.eval_shape(lambda k, *xs: f.init(k, *xs, *extra), key, *inputs)
    if case.vmap_axis is not None:
        # One replica is enough to create the params/state (pmean needs the axis).
        return jax.vmap(lambda *a: f.init(key, *a, True), axis_name=case.vmap_axis)(
            *[a[:1] for a in inputs]
        )
    if case.kind == "big":
        return jax.jit(lambda k, *xs: f.init(k, *xs, *extra))(key, *inputs)
    return f.init(key, *args)


def unbatch_init(case: Case, params: dict, state: dict):
    """Drops the size-1 replica axis that ``init`` adds for vmapped cases."""
    if case.vmap_axis is None:
        return params, state
    return jax.tree.map(lambda a: a[0], (params, state))


def run(hk, case: Case, params: dict, state: dict, inputs: list[jax.Array]) -> dict[str, Any]:
    """Training step(s), an evaluation step and gradients; returns named pytrees."""
    f = transform(hk, case)
    params = perturb(params)

    def apply(p, s, *a):
        if case.vmap_axis is None:
            return f.apply(p, s, None, *a)
        n = len(a) - 1
        return jax.vmap(
            lambda *b: f.apply(p, s, None, *b), axis_name=case.vmap_axis, in_axes=(0,) * n + (None,)
        )(*a)

    if case.vmap_axis is not None:
        # pmean makes the replicas' state updates identical: keep replica 0's.
        apply_state = apply

        def apply(p, s, *a):
            out, new = apply_state(p, s, *a)
            return out, jax.tree.map(lambda x: x[0], new)

    results: dict[str, Any] = {}
    train_args = (*inputs, True) if case.bn else tuple(inputs)
    # Small nets run eagerly (cheaper than compiling once); the big one is jitted.
    apply_jit = apply
    if case.kind == "big":
        apply_jit = jax.jit(apply, static_argnums=(len(train_args) + 1,))
    s = state
    for step in range(case.train_steps):
        out, s = apply_jit(params, s, *train_args)
        results[f"train{step}"] = out
        results[f"state{step}"] = s
    if case.bn and case.kind != "big":
        results["eval"] = apply_jit(params, s, *inputs, False)[0]
    if not case.grad:
        return results

    def loss(p, xs):
        return _summary(apply(p, state, *xs, *train_args[len(inputs) :])[0])

    gp, gx = jax.grad(loss, argnums=(0, 1))(params, list(inputs))
    results["grad_params"] = gp
    results["grad_inputs"] = gx
    return results
