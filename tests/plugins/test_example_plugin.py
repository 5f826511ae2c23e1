"""The real third-party plugin in examples/plugin-example (the ``all`` matrix env)."""

from __future__ import annotations

import doctest

import pytest

example = pytest.importorskip("haiku_contrib_example")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from haiku_contrib_example import residual  # noqa: E402

import haiku as hk  # noqa: E402
from haiku import plugins  # noqa: E402


def test_registered_on_haiku():
    assert "ResidualBlock" in dir(hk)
    assert hk.ResidualBlock is residual.ResidualBlock
    from haiku import ResidualBlock

    assert ResidualBlock is residual.ResidualBlock
    (row,) = [r for r in plugins.describe() if r.distribution == "haiku-contrib-example"]
    assert (row.version, row.names, row.status) == ("0.1.0", ("ResidualBlock",), "ok")


def test_param_tree():
    f = hk.transform(lambda x: hk.ResidualBlock(hidden_size=5)(x))
    params = f.init(jax.random.PRNGKey(0), jnp.zeros([2, 3]))
    shapes = {m: {n: p.shape for n, p in ps.items()} for m, ps in params.items()}
    assert list(shapes.items()) == [
        ("residual_block/expand", {"w": (3, 5), "b": (5,)}),
        ("residual_block/project", {"w": (5, 3), "b": (3,)}),
        ("residual_block", {"gate": ()}),
    ]


def test_trains_inside_transform():
    def model(x):
        x = hk.Linear(8)(x)
        x = hk.ResidualBlock(hidden_size=16)(x)
        return hk.Linear(1)(x)

    f = hk.without_apply_rng(hk.transform(model))
    x = jnp.linspace(-2.0, 2.0, 32).reshape(32, 1)
    y = jnp.sin(2.0 * x)
    params = f.init(jax.random.PRNGKey(42), x)

    def loss(p):
        return jnp.mean((f.apply(p, x) - y) ** 2)

    @jax.jit
    def step(p):
        value, grads = jax.value_and_grad(loss)(p)
        return jax.tree.map(lambda a, g: a - 0.1 * g, p, grads), value

    first = loss(params)
    for _ in range(100):
        params, _ = step(params)
    assert float(loss(params)) < 0.5 * float(first)
    assert float(params["residual_block"]["gate"]) != 0.0  # the gate learned


def test_bad_hidden_size_is_named():
    with pytest.raises(ValueError, match="ResidualBlock: hidden_size must be a positive int"):
        hk.transform(lambda x: hk.ResidualBlock(0)(x)).init(None, jnp.ones([1, 2]))


def test_doctests():
    for module in (example, residual):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0 and result.attempted > 0
