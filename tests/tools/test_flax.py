"""hk.experimental.flax: without Flax a clear error; with Flax, dm-haiku's layouts."""

from __future__ import annotations

import importlib.util
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk
from haiku_tools import flax_interop

HAS_FLAX = importlib.util.find_spec("flax") is not None
HAS_JAXWRAP = importlib.util.find_spec("haiku_jaxwrap") is not None


def test_flatten_needs_no_flax():
    flat = hk.experimental.flax.flatten_flax_to_haiku({"a": {"b": {"w": 1, "c": {"d": 2}}, "x": 3}})
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
        "bn/Dense_0": {"bias": (2,), "kernel": (2, 2)},
    }
    assert jax.tree.map(jnp.shape, state) == {
        "bn/batch_stats/BatchNorm_0": {"mean": (2,), "var": (2,)}
    }
    out, new_state = f.apply(params, state, None, jnp.arange(6.0).reshape([3, 2]))
    assert out.shape == (3, 2)
    assert not jnp.allclose(new_state["bn/batch_stats/BatchNorm_0"]["mean"], 0.0)


@pytest.mark.skipif(not (HAS_FLAX and HAS_JAXWRAP), reason="needs flax and haiku-jaxwrap")
def test_lift_matches_dm_haiku(golden17):
    from golden import tools17_cases

    ours = json.loads(json.dumps(tools17_cases.flax_lift_values()))
    expected = golden17["flax_lift"]
    assert ours["counter"] == expected["counter"]  # state under foo/state/~
    assert ours["twice"]["params"] == expected["twice"]["params"]  # mod/~ reused
    assert ours["twice"]["state"] == expected["twice"]["state"]
    assert ours["twice"]["after"] == expected["twice"]["after"]  # both calls counted
    assert ours["two_lifts"] == expected["two_lifts"]
    assert ours["bad_rngs"] == expected["bad_rngs"] == "InvalidRngError"
    close(ours["twice"]["out"], expected["twice"]["out"])  # matmuls: with a tolerance
    for case in ("dense", "rngs"):
        assert set(ours[case]) == set(expected[case])
        for key in expected[case]:
            close(ours[case][key], expected[case][key])


def close(ours, expected):
    assert jax.tree.structure(ours) == jax.tree.structure(expected)
    for a, b in zip(jax.tree.leaves(ours), jax.tree.leaves(expected)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)
