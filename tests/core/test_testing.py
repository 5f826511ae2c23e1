"""hk.testing.transform_and_run (behaviour observed in dm-haiku 0.0.17)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk


def test_runs_init_then_apply_with_seed_and_seed_plus_one():
    keys = []

    @hk.testing.transform_and_run
    def f():
        keys.append((hk.running_init(), hk.next_rng_key()))
        return hk.running_init()

    assert f() is False
    (init_flag, init_key), (apply_flag, apply_key) = keys
    assert init_flag and not apply_flag
    np.testing.assert_array_equal(init_key, next(hk.PRNGSequence(42)))
    np.testing.assert_array_equal(apply_key, next(hk.PRNGSequence(43)))


def test_decorator_with_arguments():
    @hk.testing.transform_and_run(seed=0)
    def f(x, y=1):
        return x + y + hk.get_parameter("w", [], init=jnp.ones), hk.next_rng_key()

    out, key = f(jnp.ones([]), y=2)
    assert out == 4.0
    np.testing.assert_array_equal(key, next(hk.PRNGSequence(1)))


def test_run_apply_false_returns_none_after_init():
    ran = []

    @hk.testing.transform_and_run(run_apply=False)
    def f():
        ran.append(hk.running_init())
        return 1

    assert f() is None
    assert ran == [True]


def test_seed_none_passes_no_key():
    @hk.testing.transform_and_run(seed=None)
    def f():
        return hk.maybe_next_rng_key()

    assert f() is None


def test_state_is_threaded_from_init_to_apply():
    @hk.testing.transform_and_run
    def f():
        c = hk.get_state("c", [], init=jnp.zeros)
        hk.set_state("c", c + 1)
        return c

    assert f() == 0.0


def test_jax_transform_wraps_init_and_apply():
    names = []

    def jit(fn):
        names.append(fn.__name__)
        return jax.jit(fn)

    @hk.testing.transform_and_run(jax_transform=jit)
    def f(x):
        return x + hk.get_parameter("w", [], init=jnp.ones)

    assert f(jnp.ones([])) == 2.0
    assert names == ["init_fn", "apply_fn"]


def test_map_rng_is_applied_to_both_keys():
    seen = []

    def typed(key):
        seen.append(key.shape)
        return jax.random.wrap_key_data(key)

    @hk.testing.transform_and_run(map_rng=typed)
    def f():
        return jax.random.key_data(hk.next_rng_key())

    np.testing.assert_array_equal(f(), next(hk.PRNGSequence(43)))
    assert seen == [(2,), (2,)]


def test_works_on_methods_and_keeps_metadata():
    class Case:
        @hk.testing.transform_and_run
        def test_something(self, x):
            """Docstring."""
            return type(self).__name__, x

    assert Case().test_something(3) == ("Case", 3)
    assert Case.test_something.__name__ == "test_something"
    assert Case.test_something.__doc__ == "Docstring."


def test_rejects_non_callables():
    with pytest.raises(TypeError, match="decorates a function"):
        hk.testing.transform_and_run(3)


def test_public_names():
    assert hk.testing.__all__ == [
        "Case",
        "ConformanceError",
        "Skip",
        "check_case",
        "check_plugin",
        "conformance_test",
        "transform_and_run",
    ]
