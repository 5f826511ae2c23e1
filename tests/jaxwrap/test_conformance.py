"""haiku-jaxwrap passes the plugin conformance check (``hk.testing``), one test per name.

Every transform is exercised inside ``hk.transform`` around a small core-only module, so
the cases need no other plugin.
"""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import jax.numpy as jnp

import haiku as hk

Case, Skip = hk.testing.Case, hk.testing.Skip


class Dense(hk.Module):
    """``x @ w`` with a learned ``w`` (haiku-core only)."""

    def __init__(self, size: int, name: str | None = None):
        super().__init__(name=name)
        self.size = size

    def __call__(self, x: jax.Array) -> jax.Array:
        w = hk.get_parameter("w", [x.shape[-1], self.size], init=hk.initializers.RandomNormal())
        return x @ w


X = jax.random.normal(jax.random.PRNGKey(1), [2, 4])


def _dense(x: jax.Array) -> jax.Array:
    return Dense(4)(x)


def _eval_shape(x):
    d = Dense(3)
    y = d(x)
    return y + jnp.zeros(hk.eval_shape(d, x).shape)


def _lift(lift):
    def forward(x):
        inner = hk.transform(_dense)
        params = lift(inner.init)(hk.next_rng_key(), x)
        return inner.apply(params, None, x)

    return forward


def _lift_with_state(lift):
    def forward(x):
        inner = hk.transform_with_state(_dense)
        init, updater = lift(inner.init)
        params, state = init(hk.next_rng_key(), x)
        out, state = inner.apply(params, state, None, x)
        updater.update(state)
        return out

    return forward


def _while(y):
    def body(c):
        return c[0] + 1, 2 * c[1]

    if hk.running_init():  # hk.while_loop cannot create parameters: run the body once
        return body((0, y))[1]
    return hk.while_loop(lambda c: c[0] < 3, body, (0, y))[1]


def _sharded(x):
    """Annotates the params and the output (no mesh here, so placement is a no-op)."""
    with hk.sharding.logical_axes({"dense/w": ("embed", "mlp")}):
        y = _dense(x)
    return hk.sharding.constrain(y, ("batch", "mlp"))


def _then(fn):
    """Runs `fn` on the output of a Dense layer (params created outside the transform)."""
    return lambda x: fn(_dense(x))


CASES: dict[str, hk.testing.Case | hk.testing.Skip] = {
    "vmap": Case(lambda x: hk.vmap(_dense, split_rng=False)(x), X),
    "cond": Case(_then(lambda y: hk.cond(y.sum() > 0, lambda a: 2 * a, lambda a: a, y)), X),
    "switch": Case(_then(lambda y: hk.switch(jnp.argmax(y[0]) % 2, [jnp.sin, jnp.cos], y)), X),
    "while_loop": Case(_then(_while), X),
    "fori_loop": Case(_then(lambda y: hk.fori_loop(0, 3, lambda i, v: v + i, y)), X),
    "scan": Case(_then(lambda y: hk.scan(lambda c, r: (c + r, c), y[0], y)), X),
    "map": Case(_then(lambda y: hk.map(lambda r: 2 * r, y)), X),
    "grad": Case(lambda x: hk.grad(lambda v: _dense(v).sum())(x), X),
    "value_and_grad": Case(lambda x: hk.value_and_grad(lambda v: _dense(v).sum())(x), X),
    "remat": Case(lambda x: hk.remat(_dense)(x), X),
    "eval_shape": Case(_eval_shape, X),
    "lift": Case(_lift(hk.lift), X),
    "transparent_lift": Case(_lift(hk.transparent_lift), X),
    "lift_with_state": Case(_lift_with_state(hk.lift_with_state), X),
    "transparent_lift_with_state": Case(_lift_with_state(hk.transparent_lift_with_state), X),
    "layer_stack": Case(lambda x: hk.layer_stack(2)(_dense)(x), X),
    "ensemble": Case(lambda x: hk.ensemble(_dense, 2)(x), X),
    "sharding": Case(_sharded, X),
    "experimental.tie_parameters": Skip(
        "wraps a transformed function (not used inside one); tests/jaxwrap/test_tying.py"
    ),
    "experimental.apply_submodule": Skip(
        "wraps a transformed function (not used inside one); tests/jaxwrap/test_submodule.py"
    ),
    "LiftWithStateUpdater": Skip("returned by lift_with_state; run through its case"),
    "LayerStackTransparencyMapping": Skip("an interface for layer_stack's transparent mode"),
}

test_conformance = hk.testing.conformance_test("haiku-jaxwrap", CASES)
