"""hk.nets.Transformer: shapes, causality, masking, layer_stack equivalence, errors."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_nets")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

B, T, D, L = 2, 6, 8, 2


def _net(**kwargs):
    def f(x, mask=None, is_training=False):
        net = hk.nets.Transformer(num_heads=2, num_layers=L, key_size=4, **kwargs)
        return net(x, mask=mask, is_training=is_training)

    return hk.transform(f)


@pytest.fixture(scope="module")
def unrolled():
    f = _net()
    x = jax.random.normal(jax.random.PRNGKey(0), [B, T, D])
    return f, f.init(jax.random.PRNGKey(1), x), x


def test_param_tree(unrolled):
    _, params, _ = unrolled
    shapes = jax.tree.map(jnp.shape, params)
    assert list(params)[:4] == [
        "transformer/block_0/attention_norm",
        "transformer/block_0/attention/query",
        "transformer/block_0/attention/key",
        "transformer/block_0/attention/value",
    ]
    assert list(params)[-1] == "transformer/final_norm"
    assert shapes["transformer/block_1/mlp/~/linear_0"] == {"b": (4 * D,), "w": (D, 4 * D)}
    assert shapes["transformer/block_1/attention/linear"] == {"b": (D,), "w": (8, D)}
    assert len(params) == 8 * L + 1


def test_output_shape_jit_and_grad(unrolled):
    f, params, x = unrolled
    out = f.apply(params, None, x)
    assert out.shape == (B, T, D)
    np.testing.assert_allclose(jax.jit(f.apply)(params, None, x), out, atol=1e-5)
    grads = jax.grad(lambda p: jnp.sum(f.apply(p, None, x) ** 2))(params)
    assert all(np.isfinite(g).all() for g in jax.tree.leaves(grads))
    unbatched = f.apply(params, None, x[0])
    np.testing.assert_allclose(unbatched, out[0], atol=1e-5)


def test_causality(unrolled):
    f, params, x = unrolled
    out = f.apply(params, None, x)
    for t in range(T - 1):
        changed = x.at[:, t + 1 :].set(jax.random.normal(jax.random.PRNGKey(t), [B, T - t - 1, D]))
        out2 = f.apply(params, None, changed)
        np.testing.assert_allclose(out2[:, : t + 1], out[:, : t + 1], atol=1e-5)
        assert not np.allclose(out2[:, t + 1 :], out[:, t + 1 :], atol=1e-3)


def test_padding_mask_hides_keys(unrolled):
    f, params, x = unrolled
    mask = jnp.ones([B, T], bool).at[:, 2].set(False)
    out = f.apply(params, None, x, mask)
    changed = x.at[:, 2].add(jnp.arange(D, dtype=x.dtype))
    out2 = f.apply(params, None, changed, mask)
    keep = [t for t in range(T) if t != 2]
    np.testing.assert_allclose(out2[:, keep], out[:, keep], atol=1e-5)
    assert not np.allclose(f.apply(params, None, changed)[:, 3:], out[:, 3:], atol=1e-3)


def test_layer_stack_matches_unrolled(unrolled):
    f, params, x = unrolled
    g = _net(use_layer_stack=True)
    stacked_init = g.init(jax.random.PRNGKey(1), x)
    prefix = "transformer/layers/block/"
    stacked = {}
    for name in stacked_init:
        if name.startswith(prefix):
            sub = name[len(prefix) :]
            layers = [params[f"transformer/block_{i}/{sub}"] for i in range(L)]
            stacked[name] = jax.tree.map(lambda *a: jnp.stack(a), *layers)
        else:
            stacked[name] = params[name]
    assert jax.tree.map(jnp.shape, stacked) == jax.tree.map(jnp.shape, stacked_init)
    np.testing.assert_allclose(
        g.apply(stacked, None, x), f.apply(params, None, x), atol=1e-5, rtol=1e-5
    )
    mask = jnp.ones([B, T], bool).at[0, -2:].set(False)
    np.testing.assert_allclose(
        g.apply(stacked, None, x, mask), f.apply(params, None, x, mask), atol=1e-5, rtol=1e-5
    )


def test_dropout_only_in_training():
    f = _net(dropout_rate=0.5)
    x = jax.random.normal(jax.random.PRNGKey(3), [B, T, D])
    params = f.init(jax.random.PRNGKey(0), x, None, True)
    det = f.apply(params, None, x)  # is_training=False: no rng needed
    np.testing.assert_allclose(det, _net().apply(params, None, x), atol=1e-6)
    a = f.apply(params, jax.random.PRNGKey(1), x, None, True)
    b = f.apply(params, jax.random.PRNGKey(2), x, None, True)
    assert not np.allclose(a, b)
    with pytest.raises(hk.extend.MissingRNGError):
        f.apply(params, None, x, None, True)


@pytest.mark.parametrize(
    "kwargs, call, match",
    [
        ({"model_size": 16}, {}, "model_size=16"),
        ({}, {"mask": jnp.ones([B, T + 1])}, "mask"),
        ({"num_layers": 0}, {}, "num_layers"),
        ({"dropout_rate": 1.0}, {}, "dropout_rate"),
    ],
)
def test_errors(kwargs, call, match):
    def f(x):
        cfg = {"num_heads": 2, "num_layers": 1, "key_size": 4, **kwargs}
        return hk.nets.Transformer(**cfg)(x, **call)

    with pytest.raises(ValueError, match=match):
        hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([B, T, D]))


def test_block_without_mask_attends_everywhere():
    f = hk.transform(lambda x: hk.nets.TransformerBlock(2, 4)(x, is_training=False))
    x = jax.random.normal(jax.random.PRNGKey(0), [1, 4, D])
    params = f.init(jax.random.PRNGKey(1), x)
    out = f.apply(params, None, x)
    # (not a constant shift: the layer norms would remove it)
    out2 = f.apply(params, None, x.at[:, -1].add(jnp.arange(D, dtype=x.dtype)))
    assert not np.allclose(out[:, 0], out2[:, 0], atol=1e-4)
