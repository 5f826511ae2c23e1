"""Pooling: deprecation warnings, errors and transforms."""

import warnings

import pytest

pytest.importorskip("haiku_layers")
import jax
import jax.numpy as jnp
import numpy as np

from golden import layers_feedforward_cases as cases

hk = cases.haiku_under_test()


@pytest.mark.parametrize("case", cases.cases_of("pool"), ids=lambda c: c.name)
def test_matches_dm_haiku(case):
    """Param tree, init values and outputs equal dm-haiku's (tests/golden/layers_feedforward)."""
    cases.check_case(hk, case)


X = jnp.asarray(np.random.RandomState(0).normal(size=[2, 5, 5, 3]), jnp.float32)


@pytest.mark.parametrize("pool", ["max_pool", "avg_pool"])
def test_int_sizes_warn(pool):
    with pytest.warns(DeprecationWarning, match="vmap"):
        getattr(hk, pool)(X, 2, (1, 2, 2, 1), "SAME")
    with pytest.warns(DeprecationWarning):
        getattr(hk, pool)(X, (2, 2, 1), 2, "SAME")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(hk, pool)(X, (2, 2, 1), 1, "SAME")  # int 1 is safe: no warning


@pytest.mark.parametrize("pool", ["max_pool", "avg_pool"])
def test_errors(pool):
    fn = getattr(hk, pool)
    with pytest.raises(ValueError, match="padding='same'"):
        fn(X, (2, 2, 1), (2, 2, 1), "same")
    with pytest.raises(ValueError, match="channel_axis=7"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            fn(X, 2, 2, "SAME", channel_axis=7)
    with pytest.raises(ValueError, match="window_shape"):
        fn(X, (1, 1, 2, 2, 1), (1, 1, 1, 1, 1), "SAME")


def test_avg_pool_same_divides_by_valid_count():
    out = hk.avg_pool(jnp.ones([1, 3, 3, 1]), (1, 3, 3, 1), (1, 1, 1, 1), "SAME")
    np.testing.assert_allclose(out, np.ones([1, 3, 3, 1]), atol=1e-6)


def test_pools_jit_vmap_grad():
    for pool in (hk.max_pool, hk.avg_pool):

        def f(x, p=pool):
            return p(x, (2, 2, 1), (2, 2, 1), "SAME")

        want = f(X)
        np.testing.assert_allclose(jax.jit(f)(X), want, atol=1e-6)
        np.testing.assert_allclose(jax.vmap(f)(X[:, None])[:, 0], want, atol=1e-6)
        g = jax.grad(lambda x: f(x).sum())(X)
        assert g.shape == X.shape


def test_module_forms():
    f = hk.transform(
        lambda x: (hk.MaxPool((3, 3, 1), 1, "VALID")(x), hk.AvgPool((3, 3, 1), 1, "VALID")(x))
    )
    mx, av = f.apply({}, None, X)
    np.testing.assert_allclose(mx, hk.max_pool(X, (3, 3, 1), 1, "VALID"))
    np.testing.assert_allclose(av, hk.avg_pool(X, (3, 3, 1), 1, "VALID"), atol=1e-6)
