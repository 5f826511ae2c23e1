"""optimize_rng_use (same keys as dm-haiku) and fast_eval_shape."""

from __future__ import annotations

import importlib.util

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk

from golden import tools_cases

HAS_LAYERS = all(importlib.util.find_spec(m) for m in ("haiku_layers", "haiku_nets"))


def test_optimize_rng_use_matches_dm_haiku(golden):
    expected = golden["optimize_rng_use"]
    ours = tools_cases.optimize_rng_values(include_layers=HAS_LAYERS)
    assert set(ours) == ({"rng_model", "layers_rng_model"} if HAS_LAYERS else {"rng_model"})
    for name, values in ours.items():
        assert jax.tree.structure(values) == jax.tree.structure(expected[name])
        for a, b in zip(jax.tree.leaves(values), jax.tree.leaves(expected[name])):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-5)


def test_optimize_rng_use_splits_once_and_keeps_names():
    def f():
        hk.Module(name="m")
        keys = [hk.next_rng_key() for _ in range(3)]
        return hk.Module(name="m").module_name, keys

    name, keys = hk.transform(hk.experimental.optimize_rng_use(f)).apply({}, jax.random.PRNGKey(0))
    assert name == "m_1"  # the counting pass reserved no names
    expected = jax.random.split(jax.random.PRNGKey(0), 4)[1:]
    np.testing.assert_array_equal(np.stack(keys), expected)
    assert hk.transform(hk.experimental.optimize_rng_use(lambda: 1)).apply({}, None) == 1


def test_optimize_rng_use_needs_a_transform():
    with pytest.raises(ValueError, match="hk.transform"):
        hk.experimental.optimize_rng_use(lambda: 1)()


def test_fast_eval_shape():
    calls = []

    def init(shape, dtype):
        calls.append(shape)
        return jnp.ones(shape, dtype)

    def f(x):
        w = hk.get_parameter("w", [x.shape[-1], 5], init=init)
        s = hk.get_state("s", [5], jnp.int32, init=init)
        return jax.random.fold_in(hk.next_rng_key(), 3), x @ w + s

    t = hk.transform_with_state(f)
    params, state = hk.experimental.fast_eval_shape(t.init, jax.random.PRNGKey(0), jnp.ones([2, 3]))
    assert calls == []
    assert params["~"]["w"].shape == (3, 5) and state["~"]["s"].dtype == jnp.int32
    (key, out), _ = hk.experimental.fast_eval_shape(
        t.apply, params, state, jax.random.PRNGKey(0), jnp.ones([2, 3])
    )
    assert out.shape == (2, 5) and key.shape == (2,)
    assert jax.random.fold_in is not None and calls == []
