"""Behaviour of hk.nets.VectorQuantizer(EMA) beyond the golden values."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_nets")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk


def _vq(x):
    return hk.nets.VectorQuantizer(3, 5, commitment_cost=0.25)(x, is_training=True)


def test_straight_through_gradient_and_nearest_codes():
    f = hk.transform(_vq)
    x = jax.random.normal(jax.random.PRNGKey(0), [4, 3])
    params = f.init(jax.random.PRNGKey(1), x)
    out = f.apply(params, None, x)
    emb = params["vector_quantizer"]["embeddings"]
    dist = jnp.sum((x[:, :, None] - emb[None]) ** 2, axis=1)
    np.testing.assert_array_equal(out["encoding_indices"], jnp.argmin(dist, axis=1))
    np.testing.assert_allclose(out["quantize"], emb.T[out["encoding_indices"]], atol=1e-6)
    c = jnp.arange(12.0).reshape(4, 3)
    grad_x = jax.grad(lambda x: jnp.sum(f.apply(params, None, x)["quantize"] * c))(x)
    np.testing.assert_allclose(grad_x, c)  # identity gradient through the quantisation


def test_dimension_mismatch_error():
    f = hk.transform(_vq)
    with pytest.raises(ValueError, match="embedding_dim=3"):
        f.init(jax.random.PRNGKey(0), jnp.ones([2, 4]))


def test_ema_decay_range_error():
    f = hk.transform_with_state(lambda x: hk.nets.VectorQuantizerEMA(3, 4, 0.1, 1.5)(x, True))
    with pytest.raises(ValueError, match="decay"):
        f.init(None, jnp.ones([1, 3]))


def test_ema_state_created_lazily_and_not_updated_in_eval():
    def f(x, is_training):
        return hk.nets.VectorQuantizerEMA(3, 4, 0.1, 0.9)(x, is_training)

    f = hk.transform_with_state(f)
    x = jnp.ones([2, 3])
    _, eval_state = f.init(jax.random.PRNGKey(0), x, False)
    assert list(eval_state) == ["vector_quantizer_ema"]
    params, state = f.init(jax.random.PRNGKey(0), x, True)
    assert params == {}
    assert list(state) == [
        "vector_quantizer_ema",
        "vector_quantizer_ema/~/ema_cluster_size",
        "vector_quantizer_ema/~/ema_dw",
    ]
    assert list(state["vector_quantizer_ema/~/ema_dw"]) == ["hidden", "average", "counter"]
    _, after = f.apply(params, state, None, x, False)
    jax.tree.map(np.testing.assert_array_equal, after, state)
    _, trained = f.apply(params, state, None, x, True)
    assert int(trained["vector_quantizer_ema/~/ema_dw"]["counter"]) == 1


def test_ema_jit_matches_eager():
    f = hk.transform_with_state(lambda x: hk.nets.VectorQuantizerEMA(2, 6, 0.3, 0.8)(x, True))
    x = jax.random.normal(jax.random.PRNGKey(0), [5, 2])
    params, state = f.init(jax.random.PRNGKey(1), x)
    eager = f.apply(params, state, None, x)
    jitted = jax.jit(f.apply)(params, state, None, x)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6), eager, jitted)
