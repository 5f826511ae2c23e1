"""Misuse of core APIs gives clear errors and leaves no global state behind."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk
from haiku import extend


def reference_params():
    f = hk.transform(
        lambda x: x @ hk.get_parameter("w", [x.shape[-1], 2], init=hk.initializers.RandomNormal())
    )
    return f.init(jax.random.PRNGKey(0), jnp.ones([1, 3]))


def assert_clean():
    assert not extend.inside_transform()
    np.testing.assert_array_equal(reference_params()["~"]["w"], BASELINE["~"]["w"])


BASELINE = reference_params()


class Boom(hk.Module):
    def __call__(self):
        with hk.name_scope("inner"):
            with hk.custom_getter(lambda n, v, c: n(v)):
                raise RuntimeError("boom")


MISUSES = [
    (
        "get_parameter outside transform",
        lambda: hk.get_parameter("w", [], init=jnp.zeros),
        ValueError,
        "must be used as part of an `hk.transform`",
    ),
    (
        "module outside transform",
        lambda: hk.Module(),
        ValueError,
        "must be initialized inside an `hk.transform`",
    ),
    ("next_rng_key outside transform", hk.next_rng_key, ValueError, "hk.transform"),
    (
        "missing rng",
        lambda: hk.transform(hk.next_rng_key).apply({}, None),
        ValueError,
        "non-None PRNGKey",
    ),
    (
        "state under transform",
        lambda: hk.transform(lambda: hk.set_state("s", 1)).init(None),
        ValueError,
        "transform_with_state",
    ),
    (
        "missing param at apply",
        lambda: hk.transform(lambda: hk.get_parameter("w", [2], init=jnp.zeros)).apply({}, None),
        ValueError,
        "Unable to retrieve parameter 'w' for module '~'",
    ),
    (
        "wrong shape at apply",
        lambda: hk.transform(lambda: hk.get_parameter("w", [2], init=jnp.zeros)).apply(
            {"~": {"w": jnp.zeros([3])}}, None
        ),
        ValueError,
        r"shape \(3,\).*shape \(2,\)",
    ),
    (
        "no init for new param",
        lambda: hk.transform(lambda: hk.get_parameter("w", [2])).init(None),
        ValueError,
        "initializer is needed",
    ),
    (
        "no init for new state",
        lambda: hk.transform_with_state(lambda: hk.get_state("s", [2])).init(None),
        ValueError,
        "initializer",
    ),
    (
        "bad module name",
        lambda: hk.transform(lambda: hk.Module(name="1abc")).init(None),
        ValueError,
        "not a valid module name",
    ),
    (
        "slash in module name",
        lambda: hk.transform(lambda: hk.Module(name="a/b")).init(None),
        ValueError,
        "hk.name_scope",
    ),
    (
        "duplicate explicit number",
        lambda: hk.transform(lambda: (hk.Module(name="m_1"), hk.Module(name="m_1"))).init(None),
        ValueError,
        "not unique",
    ),
    (
        "batched key",
        lambda: hk.transform(lambda: 1).init(jnp.zeros([4, 2], jnp.uint32)),
        ValueError,
        "shape",
    ),
    ("string key", lambda: hk.transform(lambda: 1).init("seed"), ValueError, "PRNG key"),
    (
        "params not a mapping",
        lambda: hk.transform(lambda: 1).apply([1], None),
        TypeError,
        "params must be the mapping",
    ),
    (
        "flat params",
        lambda: hk.transform(lambda: 1).apply({"a/w": jnp.ones([])}, None),
        TypeError,
        "two-level",
    ),
    ("jitted function", lambda: hk.transform(jax.jit(lambda x: x)), ValueError, "already jax.jit"),
    (
        "apply_rng argument",
        lambda: hk.transform(lambda: 1, apply_rng=True),
        ValueError,
        "without_apply_rng",
    ),
    ("name_scope reuse", lambda: hk.transform(_reuse_scope).init(None), ValueError, "not reusable"),
    ("name_scope leading slash", lambda: hk.name_scope("/abs"), ValueError, "must not start"),
    (
        "super ctor not called",
        lambda: hk.transform(lambda: _NoSuper()).init(None),
        ValueError,
        "super",
    ),
    (
        "exception inside module",
        lambda: hk.transform(lambda: Boom()()).init(None),
        RuntimeError,
        "boom",
    ),
    (
        "module method after transform",
        lambda: _leaked_module()(),
        ValueError,
        "outside of an `hk.transform`",
    ),
    (
        "reserve negative",
        lambda: hk.transform(lambda: hk.reserve_rng_keys(-1)).apply({}, jax.random.PRNGKey(0)),
        ValueError,
        "num >= 0",
    ),
    (
        "rng_reserve_size zero",
        lambda: hk.config.set(rng_reserve_size=0),
        ValueError,
        "positive integer",
    ),
    ("transform non callable", lambda: hk.transform(3), TypeError, "callable"),
]


def _reuse_scope():
    scope = hk.name_scope("x")
    with scope:
        pass
    with scope:
        pass


class _NoSuper(hk.Module):
    def __init__(self):
        pass


class _Callable(hk.Module):
    def __call__(self):
        return 1


def _leaked_module():
    box = []
    hk.transform(lambda: box.append(_Callable())).init(None)
    return box[0]


@pytest.mark.parametrize("name,fn,exc,match", MISUSES, ids=[m[0] for m in MISUSES])
def test_misuse_is_reported_and_leaves_no_state(name, fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()
    assert_clean()
    from haiku._src.hooks import HOOKS

    assert not any(
        [HOOKS.param_getters, HOOKS.param_creators, HOOKS.interceptors, HOOKS.state_setters]
    )
    assert hk.config.get_config().rng_reserve_size == 1
