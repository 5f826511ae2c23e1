"""MultiHeadAttention: errors, masking and transforms."""

import warnings

import pytest

pytest.importorskip("haiku_layers")
import jax
import jax.numpy as jnp
import numpy as np

from golden import layers_feedforward_cases as cases

hk = cases.haiku_under_test()


@pytest.mark.parametrize("case", cases.cases_of("attention"), ids=lambda c: c.name)
def test_matches_dm_haiku(case):
    """Param tree, init values and outputs equal dm-haiku's (tests/golden/layers_feedforward)."""
    cases.check_case(hk, case)


X = jnp.asarray(np.random.RandomState(0).normal(size=[2, 4, 6]), jnp.float32)


def variance_scaling():
    return hk.initializers.VarianceScaling(1.0)


def _mha(**kw):
    return hk.MultiHeadAttention(2, 3, w_init=variance_scaling(), **kw)


def test_w_init_is_required():
    with pytest.raises(ValueError, match="w_init"):
        hk.transform(lambda x: hk.MultiHeadAttention(2, 3)(x, x, x)).init(None, X)


def test_w_init_scale_is_deprecated_and_exclusive():
    with pytest.warns(DeprecationWarning, match="w_init_scale"):
        hk.transform(lambda x: hk.MultiHeadAttention(2, 3, w_init_scale=1.0)(x, x, x)).init(
            jax.random.PRNGKey(0), X
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(ValueError, match="not both"):
            hk.transform(
                lambda x: hk.MultiHeadAttention(2, 3, w_init_scale=1.0, w_init=variance_scaling())(
                    x, x, x
                )
            ).init(None, X)


@pytest.mark.parametrize(
    "args, match",
    [
        (lambda x: (x, x, x, jnp.ones([4, 4], bool)), "mask has rank 2"),
        (lambda x: (x, x, x[:, :3]), "same sequence length"),
    ],
)
def test_errors(args, match):
    with pytest.raises(ValueError, match=match):
        hk.transform(lambda x: _mha()(*args(x))).init(jax.random.PRNGKey(0), X)


def test_mask_hides_positions():
    f = hk.without_apply_rng(hk.transform(lambda q, kv, m: _mha()(q, kv, kv, mask=m)))
    mask = jnp.ones([2, 1, 4, 4], bool).at[..., -1].set(False)
    params = f.init(jax.random.PRNGKey(0), X, X, mask)
    changed = X.at[:, -1].set(100.0)
    np.testing.assert_allclose(
        f.apply(params, X, X, mask), f.apply(params, X, changed, mask), atol=1e-5
    )


def test_param_names_and_jit_grad_vmap():
    f = hk.without_apply_rng(hk.transform(lambda x: _mha(model_size=5)(x, x, x)))
    params = f.init(jax.random.PRNGKey(0), X)
    assert list(params) == [
        f"multi_head_attention/{n}" for n in ("query", "key", "value", "linear")
    ]
    want = f.apply(params, X)
    assert want.shape == (2, 4, 5)
    np.testing.assert_allclose(jax.jit(f.apply)(params, X), want, atol=1e-5)
    np.testing.assert_allclose(jax.vmap(f.apply, (None, 0))(params, X), want, atol=1e-5)
    g = jax.grad(lambda p: f.apply(p, X).sum())(params)
    assert jax.tree.map(jnp.shape, g) == jax.tree.map(jnp.shape, params)


@pytest.mark.parametrize(
    "kw, arg",
    [
        (dict(num_heads=0, key_size=3), "num_heads"),
        (dict(num_heads=2, key_size=0), "key_size"),
        (dict(num_heads=2, key_size=3, value_size=-1), "value_size"),
        (dict(num_heads=2.0, key_size=3), "num_heads"),
    ],
)
def test_sizes_must_be_positive_ints(kw, arg):
    with pytest.raises(TypeError, match=rf"MultiHeadAttention: `{arg}` must be a positive int"):
        hk.transform(lambda: hk.MultiHeadAttention(w_init=variance_scaling(), **kw)).init(None)


def test_query_and_key_batches_must_agree():
    q, kv = X, jnp.ones([3, 4, 6])
    with pytest.raises(ValueError, match=r"query \(2, 4, 6\), key \(3, 4, 6\).*leading \(batch\)"):
        hk.transform(lambda q, k: _mha()(q, k, k)).init(jax.random.PRNGKey(0), q, kv)


def test_key_and_value_batches_must_agree():
    with pytest.raises(ValueError, match=r"value \(3, 4, 6\) must share their leading"):
        hk.transform(lambda q, v: _mha()(q, q, v)).init(
            jax.random.PRNGKey(0), X, jnp.ones([3, 4, 6])
        )


def test_mask_that_does_not_broadcast_names_the_expected_shape():
    mask = jnp.ones([2, 1, 3, 4], bool)
    with pytest.raises(ValueError, match=r"mask of shape \(2, 1, 3, 4\).*\[\.\.\., 1 or 2, 4, 4\]"):
        hk.transform(lambda x, m: _mha()(x, x, x, m)).init(jax.random.PRNGKey(0), X, mask)
