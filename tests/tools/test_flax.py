"""hk.experimental.flax: without Flax a clear error; with Flax, dm-haiku's layouts."""

from __future__ import annotations

import importlib.util

import jax
import jax.numpy as jnp
import pytest

import haiku as hk
from haiku._src import flax_interop

HAS_FLAX = importlib.util.find_spec("flax") is not None
HAS_JAXWRAP = importlib.util.find_spec("haiku_jaxwrap") is not None


def test_flatten_needs_no_flax():
    flat = hk.experimental.flax.flatten_flax_to_haiku(
        {"a": {"b": {"w": 1, "c": {"d": 2}}, "x": 3}})
    assert flat == {"a/b": {"w": 1}, "a/b/c": {"d": 2}, "a": {"x": 3}}
    assert list(flat) == ["a/b", "a/b/c", "a"]
    assert hk.experimental.flax.flatten_flax_to_haiku({"w": 1}) == {"~": {"w": 1}}
    assert hk.experimental.flax.flatten_flax_to_haiku({}) == {}


def test_missing_flax_message(monkeypatch):
    import haiku.experimental.flax as hk_flax

    monkeypatch.setattr(flax_interop, "FLAX_AVAILABLE", False)
    for name in ("Module", "lift"):
        monkeypatch.delitem(vars(hk_flax), name, raising=False)
        with pytest.raises(ImportError, match="pip install flax"):
            getattr(hk_flax, name)


@pytest.mark.skipif(not HAS_FLAX, reason="needs flax")
def test_haiku_inside_flax():
    class Scale(hk.Module):
        def __call__(self, x):
            return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)

    mod = hk.experimental.flax.Module.create(Scale)
    variables = mod.init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    assert jax.tree.map(jnp.shape, variables) == {"params": {"scale": {"s": (2,)}}}
    assert mod.apply(variables, jnp.ones([1, 2])).shape == (1, 2)

    def counted(x):
        n = hk.get_state("n", [], init=jnp.zeros)
        hk.set_state("n", n + 1)
        return Scale()(x) + n

    mod = hk.experimental.flax.Module(hk.transform_with_state(counted))
    variables = mod.init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    assert float(variables["state"]["~"]["n"]) == 0.0  # init keeps the initial state
    _, updates = mod.apply(variables, jnp.ones([1, 2]), mutable=["state"])
    assert float(updates["state"]["~"]["n"]) == 1.0


@pytest.mark.skipif(not (HAS_FLAX and HAS_JAXWRAP), reason="needs flax and haiku-jaxwrap")
def test_flax_inside_haiku():
    import flax.linen as nn

    class Block(nn.Module):
        @nn.compact
        def __call__(self, x):
            return nn.BatchNorm(use_running_average=False)(nn.Dense(2)(x))

    f = hk.transform_with_state(lambda x: hk.experimental.flax.lift(Block(), name="bn")(x))
    params, state = f.init(jax.random.PRNGKey(1), jnp.ones([3, 2]))
    assert jax.tree.map(jnp.shape, params) == {
        "bn/BatchNorm_0": {"bias": (2,), "scale": (2,)},
        "bn/Dense_0": {"bias": (2,), "kernel": (2, 2)}}
    assert jax.tree.map(jnp.shape, state) == {"bn/batch_stats/BatchNorm_0": {"mean": (2,),
                                                                             "var": (2,)}}
    out, new_state = f.apply(params, state, None, jnp.arange(6.).reshape([3, 2]))
    assert out.shape == (3, 2)
    assert not jnp.allclose(new_state["bn/batch_stats/BatchNorm_0"]["mean"], 0.)
