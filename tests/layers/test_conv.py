"""Convolutions: errors, transforms and properties beyond the goldens."""

import pytest

pytest.importorskip("haiku_layers")
import jax
import jax.numpy as jnp
import numpy as np

from golden import layers_feedforward_cases as cases

hk = cases.haiku_under_test()


@pytest.mark.parametrize("case", cases.cases_of("conv"), ids=lambda c: c.name)
def test_matches_dm_haiku(case):
    """Param tree, init values and outputs equal dm-haiku's (tests/golden/layers_feedforward)."""
    cases.check_case(hk, case)


X = jnp.ones([2, 6, 6, 4])


def _init(fn, x=X):
    return hk.transform(fn).init(jax.random.PRNGKey(0), x)


@pytest.mark.parametrize(
    "make, x, match",
    [
        (lambda: hk.Conv2D(3, 3, padding="FOO"), X, "padding='FOO'"),
        (lambda: hk.Conv2D(3, 3), jnp.ones([6, 4]), r"conv2_d: expected an input of rank 3 or 4"),
        (lambda: hk.Conv2D(3, 3, feature_group_count=3), X, "feature_group_count"),
        (lambda: hk.Conv2D(3, 3, mask=jnp.ones([3, 3, 4, 2])), X, "mask shape"),
        (lambda: hk.ConvND(0, 3, 3), X, "num_spatial_dims"),
        (lambda: hk.Conv2D(3, 3, data_format="HWCN"), X, "data_format"),
        (
            lambda: hk.Conv2DTranspose(3, 3, output_shape=(4, 4), padding=[(1, 1)]),
            X,
            "output_shape",
        ),
        (lambda: hk.Conv2DTranspose(3, 3, stride=2, output_shape=(20, 12)), X, "input size"),
        (lambda: hk.DepthwiseConv2D(2, 3), X[0], "rank 4"),
        (lambda: hk.DepthwiseConv2D(2, 3, padding="bad"), X, "padding"),
    ],
)
def test_value_errors(make, x, match):
    with pytest.raises(ValueError, match=match):
        _init(lambda v: make()(v), x)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: hk.Conv2D(3, (3, 3, 3)), "kernel_shape"),
        (lambda: hk.Conv2D(3, 3, padding=[(1, 1)] * 3), "padding"),
        (lambda: hk.Conv2DTranspose(3, 3, padding=hk.pad.causal), "padding functions"),
    ],
)
def test_type_errors(make, match):
    with pytest.raises(TypeError, match=match):
        _init(lambda v: make()(v))


def test_padding_forms_agree():
    """'SAME', hk.pad.same, one pair and per-dim pairs give the same conv."""
    rs = np.random.RandomState(0)
    x = jnp.asarray(rs.normal(size=[1, 5, 5, 2]), jnp.float32)
    outs = []
    for padding in ("SAME", hk.pad.same, (1, 1), [(1, 1), (1, 1)], [hk.pad.same] * 2):
        f = hk.transform(lambda v, p=padding: hk.Conv2D(3, 3, padding=p)(v))
        outs.append(f.apply(f.init(jax.random.PRNGKey(0), x), None, x))
    for o in outs[1:]:
        np.testing.assert_allclose(o, outs[0], atol=1e-6)


def test_transpose_inverts_strided_conv_shape():
    for out_shape in (11, 12):
        f = hk.transform(
            lambda v, o=out_shape: hk.Conv1DTranspose(2, 3, stride=2, output_shape=o)(v)
        )
        x = jnp.ones([1, 6, 3])
        assert f.apply(f.init(jax.random.PRNGKey(0), x), None, x).shape == (1, out_shape, 2)


def test_conv_jit_grad_vmap():
    f = hk.without_apply_rng(hk.transform(lambda x: hk.Conv2D(3, 3)(x)))
    x = jnp.asarray(np.random.RandomState(1).normal(size=[3, 5, 5, 2]), jnp.float32)
    params = f.init(jax.random.PRNGKey(0), x)
    want = f.apply(params, x)
    np.testing.assert_allclose(jax.jit(f.apply)(params, x), want, atol=1e-5)
    # vmap over unbatched examples (rank N+1 inputs are accepted).
    np.testing.assert_allclose(jax.vmap(f.apply, (None, 0))(params, x), want, atol=1e-5)
    g = jax.grad(lambda p: f.apply(p, x).sum())(params)
    assert g["conv2_d"]["w"].shape == (3, 3, 2, 3)
    np.testing.assert_allclose(g["conv2_d"]["b"], np.full(3, 75.0))


def test_depthwise_and_transpose_under_vmap():
    x = jnp.ones([2, 1, 4, 4, 3])
    for make in (lambda: hk.DepthwiseConv2D(2, 3), lambda: hk.Conv2DTranspose(2, 3, stride=2)):
        f = hk.without_apply_rng(hk.transform(lambda v, m=make: m()(v)))
        params = f.init(jax.random.PRNGKey(0), x[0])
        out = jax.vmap(f.apply, (None, 0))(params, x)
        np.testing.assert_allclose(out[0], f.apply(params, x[0]), atol=1e-6)


def test_params_follow_half_input_dtype():
    for dt in (jnp.bfloat16, jnp.float16):
        params = _init(lambda v: hk.SeparableDepthwiseConv2D(2, 3)(v), X.astype(dt))
        assert {p.dtype for b in params.values() for p in b.values()} == {jnp.dtype(dt)}
