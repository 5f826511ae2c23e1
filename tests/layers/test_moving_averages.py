"""ExponentialMovingAverage and EMAParamsTree: goldens, semantics, errors."""

import pytest

pytest.importorskip("haiku_layers")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

from golden import layers_stateful_check as util


@pytest.mark.parametrize("name", util.case_names("moving_averages"))
def test_matches_dm_haiku(name):
    util.check_case(hk, "moving_averages", name)


def test_init_state_values():
    f = hk.transform_with_state(lambda x: hk.ExponentialMovingAverage(0.5)(x))
    _, state = f.init(None, 1.0)
    s = state["exponential_moving_average"]
    assert list(s) == ["counter", "hidden", "average"]
    assert (int(s["counter"]), float(s["hidden"]), float(s["average"])) == (0, 0.0, 1.0)
    assert s["counter"].dtype == jnp.int32


def test_debiased_average_of_constant_is_constant():
    f = hk.transform_with_state(lambda x: hk.ExponentialMovingAverage(0.9)(x))
    params, state = f.init(None, 3.0)
    for _ in range(3):
        out, state = f.apply(params, state, None, 3.0)
        np.testing.assert_allclose(out, 3.0, rtol=1e-6)


def test_warmup_tracks_value_then_decays():
    f = hk.transform_with_state(
        lambda x: hk.ExponentialMovingAverage(0.5, zero_debias=False, warmup_length=2)(x)
    )
    params, state = f.init(None, 0.0)
    outs = []
    for v in [4.0, 8.0, 0.0]:
        out, state = f.apply(params, state, None, v)
        outs.append(float(out))
    assert outs == [4.0, 8.0, 4.0]


def test_warmup_works_in_float16():  # dm-haiku raises a dtype error here.
    f = hk.transform_with_state(
        lambda x: hk.ExponentialMovingAverage(0.5, zero_debias=False, warmup_length=1)(x)
    )
    params, state = f.init(None, jnp.float16(2.0))
    out, state = f.apply(params, state, None, jnp.float16(2.0))
    assert out.dtype == jnp.float16 and float(out) == 2.0


def test_jit_and_vmap():
    f = hk.transform_with_state(lambda x: hk.ExponentialMovingAverage(0.9)(x))
    x = jnp.arange(6.0).reshape(2, 3)
    params, state = f.init(None, x)
    out, new = jax.jit(f.apply)(params, state, None, x)
    ref, ref_state = f.apply(params, state, None, x)
    np.testing.assert_allclose(out, ref)
    outs, _ = jax.vmap(f.apply, in_axes=(None, None, None, 0))(
        params, state, None, jnp.stack([x, x])
    )
    np.testing.assert_allclose(outs[1], ref)


def test_errors():
    with pytest.raises(ValueError, match="zero_debias=False"):
        hk.transform_with_state(
            lambda x: hk.ExponentialMovingAverage(0.9, warmup_length=3)(x)
        ).init(None, 1.0)
    with pytest.raises(ValueError, match="warmup_length"):
        hk.transform_with_state(
            lambda x: hk.ExponentialMovingAverage(0.9, zero_debias=False, warmup_length=-1)(x)
        ).init(None, 1.0)
    with pytest.raises(ValueError, match="zero_debias=False"):
        hk.transform_with_state(lambda t: hk.EMAParamsTree(0.9, warmup_length=3)(t)).init(None, {})
    with pytest.raises(TypeError, match="EMAParamsTree"):
        hk.transform_with_state(lambda t: hk.EMAParamsTree(0.9)(t)).init(None, [jnp.ones(2)])


def test_average_property_before_any_value_fails():
    f = hk.transform_with_state(lambda: hk.ExponentialMovingAverage(0.9).average)
    with pytest.raises(ValueError, match="average"):
        f.init(None)


def test_initialize_with_an_array_is_deprecated_but_works():
    def f(x):
        ema = hk.ExponentialMovingAverage(0.5)
        with pytest.warns(DeprecationWarning, match=r"initialize\(v\.shape, v\.dtype\)"):
            ema.initialize(x)
        return ema.average

    _, state = hk.transform_with_state(f).init(None, jnp.ones([3], jnp.bfloat16))
    avg = state["exponential_moving_average"]["average"]
    assert avg.shape == (3,) and avg.dtype == jnp.bfloat16 and not avg.any()


@pytest.mark.parametrize(
    "make", [lambda d: hk.ExponentialMovingAverage(d), lambda d: hk.EMAParamsTree(d)]
)
@pytest.mark.parametrize("decay", [-0.5, 1.5])
def test_decay_outside_unit_interval(make, decay):
    with pytest.raises(ValueError, match=r"`decay` must be in \[0, 1\], got"):
        hk.transform_with_state(lambda: make(decay)).init(None)


def test_traced_decay_is_not_inspected():
    f = hk.transform_with_state(lambda x, d: hk.ExponentialMovingAverage(d)(x))
    params, state = jax.jit(f.init)(None, jnp.ones([2]), jnp.asarray(0.5))
    assert state["exponential_moving_average"]["average"].shape == (2,)
