"""hk.experimental.check_jax_usage: raw JAX transforms over haiku code raise JaxUsageError."""

from __future__ import annotations

import importlib.util
import threading

import jax
import jax.numpy as jnp
import pytest

import haiku as hk

HAS_JAXWRAP = importlib.util.find_spec("haiku_jaxwrap") is not None
x = jnp.ones([2, 3])


@pytest.fixture
def checked():
    previous = hk.experimental.check_jax_usage(True)
    yield
    hk.experimental.check_jax_usage(previous)


def param(y):
    return y * hk.get_parameter("w", [], init=jnp.ones)


def state(y):
    return y + hk.get_state("s", [], init=jnp.zeros)


def set_state(y):
    hk.set_state("s", y.sum())
    return y


def rng(y):
    return y + jax.random.uniform(hk.next_rng_key(), y.shape)


RAW = {
    "jax.vmap": lambda fn: lambda y: jax.vmap(fn)(y),
    "jax.jit": lambda fn: lambda y: jax.jit(fn)(y),
    "jax.lax.scan": lambda fn: lambda y: jax.lax.scan(lambda c, r: (c, fn(r)), 0.0, y)[1],
    "jax.grad": lambda fn: lambda y: jax.grad(lambda z: fn(z).sum())(y),
}
SUGGESTED = {
    "jax.vmap": "hk.vmap",
    "jax.jit": "hk.scan",
    "jax.lax.scan": "hk.scan",
    "jax.grad": "hk.grad",
}
API = {
    "hk.get_parameter": param,
    "hk.get_state": state,
    "hk.set_state": set_state,
    "hk.next_rng_key": rng,
}


def _run(fn):
    f = hk.transform_with_state(fn)
    params, st = f.init(jax.random.PRNGKey(0), x)
    return f.apply(params, st, jax.random.PRNGKey(1), x)


@pytest.mark.parametrize("transform", list(RAW))
@pytest.mark.parametrize("api", list(API))
def test_raw_transform_raises(checked, transform, api):
    with pytest.raises(hk.experimental.JaxUsageError) as info:
        _run(RAW[transform](API[api]))
    message = str(info.value)
    assert message.startswith(f"{api} was called inside")
    assert SUGGESTED[transform] in message


def test_error_suggests_jitting_init_apply(checked):
    with pytest.raises(hk.experimental.JaxUsageError, match=r"jax\.jit\(f\.apply\)"):
        _run(RAW["jax.jit"](param))


def test_disabled_by_default():
    assert hk.config.get_config().check_jax_usage is False
    _run(RAW["jax.vmap"](rng))  # Leaks no tracer, so it runs (wrongly) without the check.


def test_pure_code_and_transform_boundary_are_fine(checked):
    _run(lambda y: jax.vmap(lambda z: z * 2)(param(y)))
    f = hk.transform(param)
    params = jax.jit(f.init)(jax.random.PRNGKey(0), x)
    out = jax.vmap(f.apply, (None, None, 0))(params, None, jnp.ones([4, 2, 3]))
    assert out.shape == (4, 2, 3)
    jax.grad(lambda p: f.apply(p, None, x).sum())(params)


def test_switch_returns_previous_and_is_thread_local():
    seen = []

    def worker():
        seen.append(hk.experimental.check_jax_usage(True))
        seen.append(hk.config.get_config().check_jax_usage)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [False, True]
    assert hk.config.get_config().check_jax_usage is False
    assert hk.experimental.check_jax_usage(True) is False
    assert hk.experimental.check_jax_usage(False) is True


def test_config_context_enables_it():
    with hk.config.context(check_jax_usage=True):
        with pytest.raises(hk.experimental.JaxUsageError):
            _run(RAW["jax.vmap"](param))
    _run(lambda y: y)


@pytest.mark.skipif(not HAS_JAXWRAP, reason="needs haiku-jaxwrap")
def test_haiku_wrappers_pass(checked):
    pytest.importorskip("haiku_layers")

    def model(y):
        lin = hk.Linear(3)
        y = hk.vmap(lambda r: lin(r), split_rng=False)(y)
        y = hk.scan(lambda c, r: (lin(c), c), y[0], y)[1]
        y = hk.remat(lambda r: lin(r))(y)
        y = hk.cond(True, lin, lin, y)
        y = y + hk.grad(lambda r: lin(r).sum())(y)
        y = hk.layer_stack(2)(lambda r: hk.Linear(3)(r))(y)
        return rng(set_state(state(y)))

    out, _ = _run(model)
    assert out.shape == (2, 3)
    jax.jit(lambda: _run(model))()


@pytest.mark.parametrize(
    "name",
    [
        "vmap_param",
        "jit_state",
        "vmap_rng",
        "vmap_set_state",
        "plain",
        "in_module",
        "disable_inside",
    ],
)
def test_switching_inside_a_transform_matches_dm_haiku(golden17, name):
    # check_jax_usage(True/False) takes effect at once, also inside a transform (#17 item 21).
    from golden import tools17_cases

    assert tools17_cases.jax_usage_values()[name] == golden17["jax_usage"][name]


def test_enabling_inside_a_transform_leaves_no_hooks_behind():
    from haiku._src.hooks import HOOKS

    def hooks():
        return [list(HOOKS.param_getters), list(HOOKS.state_getters), list(HOOKS.state_setters)]

    def raises(y):
        hk.experimental.check_jax_usage(True)
        return jax.vmap(param)(y)

    def returns(y):
        hk.experimental.check_jax_usage(True)
        return param(y)

    before = hooks()
    previous = hk.experimental.check_jax_usage(False)
    try:
        with pytest.raises(hk.experimental.JaxUsageError, match="hk.get_parameter"):
            hk.transform(raises).init(None, x)
        assert hooks() == before  # removed although the transform raised
        hk.experimental.check_jax_usage(False)
        hk.transform(returns).init(None, x)
        assert hooks() == before
    finally:
        hk.experimental.check_jax_usage(previous)
