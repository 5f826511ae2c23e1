"""SpectralNorm and SNParamsTree: goldens, semantics, errors."""

import pytest

pytest.importorskip("haiku_layers")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

from golden import layers_stateful_check as util


@pytest.mark.parametrize("name", util.case_names("spectral_norm"))
def test_matches_dm_haiku(name):
    util.check_case(hk, "spectral_norm", name)


W = jax.random.normal(jax.random.PRNGKey(3), (6, 4))


def test_converges_to_largest_singular_value():
    f = hk.transform_with_state(lambda w: hk.SpectralNorm(n_steps=50)(w))
    params, state = f.init(jax.random.PRNGKey(0), W)
    out, state = f.apply(params, state, None, W)
    top = np.linalg.svd(np.asarray(W), compute_uv=False)[0]
    np.testing.assert_allclose(state["spectral_norm"]["sigma"], top, rtol=1e-3)
    np.testing.assert_allclose(np.linalg.svd(np.asarray(out), compute_uv=False)[0], 1.0, rtol=1e-3)


def test_jit_grad_vmap():
    f = hk.transform_with_state(lambda w: hk.SpectralNorm()(w))
    params, state = f.init(jax.random.PRNGKey(0), W)
    ref, _ = f.apply(params, state, None, W)
    np.testing.assert_allclose(jax.jit(f.apply)(params, state, None, W)[0], ref, atol=1e-6)
    g = jax.grad(lambda w: f.apply(params, state, None, w)[0].sum())(W)
    assert g.shape == W.shape and bool(jnp.isfinite(g).all())
    outs, _ = jax.vmap(f.apply, in_axes=(None, None, None, 0))(
        params, state, None, jnp.stack([W, W])
    )
    np.testing.assert_allclose(outs[0], ref, atol=1e-5)


def test_float64():
    with jax.enable_x64(True):
        w = jnp.asarray(np.asarray(W), jnp.float64)
        f = hk.transform_with_state(lambda w: hk.SpectralNorm()(w))
        params, state = f.init(jax.random.PRNGKey(0), w)
        out, state = f.apply(params, state, None, w)
        assert out.dtype == jnp.float64 and state["spectral_norm"]["u0"].dtype == jnp.float64


@pytest.mark.parametrize(
    "fn, x, match",
    [
        (lambda w: hk.SpectralNorm()(w), jnp.ones(3), "scalar or vector"),
        (lambda w: hk.SpectralNorm()(w), jnp.ones(()), "scalar or vector"),
        (
            lambda w: hk.SpectralNorm()(w, error_on_non_matrix=True),
            jnp.ones((2, 2, 2)),
            "error_on_non_matrix",
        ),
        (lambda w: hk.SpectralNorm(n_steps=0)(w), jnp.ones((2, 2)), "n_steps"),
        (
            lambda w: hk.SNParamsTree()({"linear": {"w": w, "b": w[0]}}),
            jnp.ones((2, 2)),
            "ignore_regex",
        ),
    ],
)
def test_errors(fn, x, match):
    with pytest.raises(ValueError, match=match):
        hk.transform_with_state(fn).init(jax.random.PRNGKey(0), x)


def test_sigma_property_defaults_to_one():
    f = hk.transform_with_state(lambda: hk.SpectralNorm().sigma)
    _, state = f.init(None)
    assert list(state) == ["spectral_norm"] and list(state["spectral_norm"]) == ["sigma"]
    sigma = state["spectral_norm"]["sigma"]
    assert sigma.shape == () and sigma.dtype == jnp.float32 and float(sigma) == 1.0
