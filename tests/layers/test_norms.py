"""LayerNorm, InstanceNorm, GroupNorm, RMSNorm: goldens, transforms, dtypes, errors."""

import pytest

pytest.importorskip("haiku_layers")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

from golden import layers_stateful_check as util


@pytest.mark.parametrize("name", util.case_names("norms"))
def test_matches_dm_haiku(name):
    util.check_case(hk, "norms", name)


X = jax.random.normal(jax.random.PRNGKey(0), (2, 3, 4, 6))
LAYERS = {
    "layer_norm": lambda: hk.LayerNorm(-1, True, True),
    "instance_norm": lambda: hk.InstanceNorm(True, True),
    "group_norm": lambda: hk.GroupNorm(3),
    "rms_norm": lambda: hk.RMSNorm(-1),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_jit_grad_vmap(layer):
    f = hk.without_apply_rng(hk.transform(lambda x: LAYERS[layer]()(x)))
    params = f.init(None, X)
    ref = f.apply(params, X)
    np.testing.assert_allclose(jax.jit(f.apply)(params, X), ref, atol=1e-6)
    grads = jax.grad(lambda p, x: (f.apply(p, x) ** 3).sum())(params, X)
    assert jax.tree.map(jnp.shape, grads) == jax.tree.map(jnp.shape, params)
    assert all(bool(jnp.isfinite(g).all()) for g in jax.tree.leaves(grads))
    if layer != "group_norm":  # GroupNorm fixes the input rank at the first call.
        batched = jax.vmap(f.apply, in_axes=(None, 0))(params, X[:, None])
        np.testing.assert_allclose(batched[:, 0], ref, atol=1e-5)


@pytest.mark.parametrize("layer", sorted(LAYERS))
@pytest.mark.parametrize("dtype", ["bfloat16", "float16", "float64"])
def test_dtypes(layer, dtype):
    with jax.enable_x64(dtype == "float64"):
        x = jnp.asarray(np.asarray(X), dtype)
        f = hk.without_apply_rng(hk.transform(lambda x: LAYERS[layer]()(x)))
        params = f.init(None, x)
        out = f.apply(params, x)
        assert out.dtype == x.dtype
        assert all(p.dtype == x.dtype for p in jax.tree.leaves(params))
        ref = f.apply(jax.tree.map(lambda p: p.astype(jnp.float32), params), x.astype(jnp.float32))
        np.testing.assert_allclose(np.asarray(out, np.float32), ref, atol=0.1)


def test_layer_norm_under_rank_promotion_raise():
    f = hk.without_apply_rng(hk.transform(lambda x: hk.LayerNorm(-1, True, True)(x)))
    params = f.init(None, X)
    ref = f.apply(params, X)
    with jax.numpy_rank_promotion("raise"):
        np.testing.assert_allclose(f.apply(params, X), ref, atol=0)


def test_layer_norm_two_pass_vs_fast_variance():
    x = X + 1000.0  # Large mean: the fast variance loses precision, two-pass does not.
    two = hk.without_apply_rng(hk.transform(lambda x: hk.LayerNorm(-1, False, False)(x)))
    fast = hk.without_apply_rng(
        hk.transform(lambda x: hk.LayerNorm(-1, False, False, use_fast_variance=True)(x))
    )
    expected = (X - X.mean(-1, keepdims=True)) / jnp.sqrt(X.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(two.apply({}, x), expected, atol=1e-3)
    assert two.apply({}, x).shape == fast.apply({}, x).shape


def _init(fn, x=X):
    return hk.transform(fn).init(None, x)


@pytest.mark.parametrize(
    "fn, match",
    [
        (lambda x: hk.GroupNorm(4)(x), "divisible by the number of groups"),
        (lambda x: hk.GroupNorm(0)(x), "groups"),
        (lambda x: hk.GroupNorm(2, axis="a")(x), "axis"),
        (lambda x: hk.GroupNorm(2, create_scale=False, scale_init=jnp.ones)(x), "scale_init"),
        (lambda x: hk.GroupNorm(2)(x, scale=jnp.ones(6)), "Cannot pass `scale`"),
        (lambda x: hk.LayerNorm(1.5, True, True)(x), "LayerNorm.*axis"),
        (lambda x: hk.LayerNorm(-1, True, False, offset_init=jnp.ones)(x), "offset_init"),
        (lambda x: hk.LayerNorm(-1, False, True)(x, offset=1.0), "Cannot pass `offset`"),
        (lambda x: hk.LayerNorm(-1, True, True, param_axis=7)(x), "out of range"),
        (lambda x: hk.InstanceNorm(True, True, data_format="XYZ")(x), "data_format"),
        (lambda x: hk.RMSNorm(None)(x), "RMSNorm.*axis"),
        (lambda x: hk.RMSNorm(-1, create_scale=False, scale_init=jnp.ones)(x), "scale_init"),
    ],
)
def test_errors(fn, match):
    with pytest.raises(ValueError, match=match):
        _init(fn)


def test_group_norm_rank_is_fixed_by_first_call():
    def fn(x):
        gn = hk.GroupNorm(2)
        gn(x)
        return gn(x[0])

    with pytest.raises(ValueError, match="rank of the inputs cannot change"):
        _init(fn)


def test_group_norm_matches_manual_formula():
    f = hk.without_apply_rng(hk.transform(lambda x: hk.GroupNorm(2)(x)))
    out = f.apply(f.init(None, X), X)
    g = X.reshape(2, 3, 4, 2, 3)
    mean = g.mean((1, 2, 4), keepdims=True)
    var = g.var((1, 2, 4), keepdims=True)
    np.testing.assert_allclose(out, ((g - mean) / jnp.sqrt(var + 1e-5)).reshape(X.shape), atol=1e-5)


def test_rms_norm_formula():
    f = hk.without_apply_rng(hk.transform(lambda x: hk.RMSNorm(-1)(x)))
    out = f.apply(f.init(None, X), X)
    np.testing.assert_allclose(out, X / jnp.sqrt((X**2).mean(-1, keepdims=True) + 1e-5), atol=1e-5)
