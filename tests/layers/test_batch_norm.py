"""hk.BatchNorm: dm-haiku goldens, transforms, dtypes, errors, cross-replica stats."""

import pytest

pytest.importorskip("haiku_layers")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

from golden import layers_stateful_check as util


@pytest.mark.parametrize("name", util.case_names("batch_norm"))
def test_matches_dm_haiku(name):
    util.check_case(hk, "batch_norm", name)


def _bn(**kw):
    def f(x, is_training=True, **call_kw):
        return hk.BatchNorm(True, True, 0.9, **kw)(x, is_training, **call_kw)

    return hk.transform_with_state(f)


X = jax.random.normal(jax.random.PRNGKey(0), (8, 3, 4))


def test_first_step_state_semantics():
    f = _bn()
    params, state = f.init(None, X)
    mean = X.mean((0, 1), keepdims=True)
    np.testing.assert_allclose(state["batch_norm/~/mean_ema"]["average"], mean, atol=1e-6)
    out, state = f.apply(params, state, None, X)
    ema = state["batch_norm/~/mean_ema"]
    assert int(ema["counter"]) == 1
    np.testing.assert_allclose(ema["hidden"], 0.1 * mean, atol=1e-6)
    np.testing.assert_allclose(ema["average"], mean, atol=1e-6)
    var = (X**2).mean((0, 1), keepdims=True) - mean**2
    np.testing.assert_allclose(out, (X - mean) / jnp.sqrt(var + 1e-5), atol=1e-5)


def test_jit_grad_vmap():
    f = _bn()
    params, state = f.init(None, X)
    out, _ = jax.jit(f.apply, static_argnums=(4,))(params, state, None, X, True)
    ref, _ = f.apply(params, state, None, X, True)
    np.testing.assert_allclose(out, ref, atol=1e-6)

    def loss(p, x):
        return f.apply(p, state, None, x, True)[0].sum() ** 2

    grads = jax.grad(loss)(params, X)
    assert jax.tree.map(jnp.shape, grads) == jax.tree.map(jnp.shape, params)
    assert all(bool(jnp.isfinite(g).all()) for g in jax.tree.leaves(grads))
    outs, states = jax.vmap(lambda x: f.apply(params, state, None, x, True))(jnp.stack([X, 2 * X]))
    assert outs.shape == (2,) + X.shape
    np.testing.assert_allclose(outs[0], ref, atol=1e-5)


def test_float64():
    with jax.enable_x64(True):
        x = jnp.asarray(np.asarray(X), jnp.float64)
        f = _bn()
        params, state = f.init(None, x)
        out, state = f.apply(params, state, None, x)
        assert out.dtype == jnp.float64
        assert params["batch_norm"]["scale"].dtype == jnp.float64
        assert state["batch_norm/~/var_ema"]["hidden"].dtype == jnp.float64


def test_cross_replica_under_vmap_matches_global_batch():
    # 4 "replicas" of 2 examples each == one batch of 8 (equal-size shards).
    shards = X.reshape(4, 2, 3, 4)
    f = _bn(cross_replica_axis="i")
    params, state = jax.vmap(f.init, in_axes=(None, 0), out_axes=None, axis_name="i")(None, shards)
    g = _bn()
    params_g, state_g = g.init(None, X)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6), state, state_g)
    apply = jax.vmap(f.apply, in_axes=(None, None, None, 0), out_axes=(0, None), axis_name="i")
    out, new_state = apply(params, state, None, shards)
    out_g, new_state_g = g.apply(params_g, state_g, None, X)
    np.testing.assert_allclose(out.reshape(X.shape), out_g, atol=1e-5)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6), new_state, new_state_g)
    # Without the axis name, each shard is normalised on its own.
    local, _ = jax.vmap(_bn().apply, in_axes=(None, None, None, 0))(params, state, None, shards)
    assert not np.allclose(local.reshape(X.shape), out_g, atol=1e-3)


def test_cross_replica_under_pmap_matches_global_batch():
    n = jax.device_count()
    if n < 2:
        pytest.skip("needs >= 2 devices (XLA_FLAGS=--xla_force_host_platform_device_count=8)")
    n = min(n, 4)
    shards = X.reshape(4, 2, 3, 4)[:n]
    f = _bn(cross_replica_axis="i")
    params, state = jax.pmap(f.init, in_axes=(None, 0), axis_name="i")(None, shards)
    out, new_state = jax.pmap(f.apply, in_axes=(0, 0, None, 0), axis_name="i")(
        params, state, None, shards
    )
    g = _bn()
    flat = shards.reshape((-1,) + X.shape[1:])
    params_g, state_g = g.init(None, flat)
    out_g, new_state_g = g.apply(params_g, state_g, None, flat)
    np.testing.assert_allclose(out.reshape(flat.shape), out_g, atol=1e-5)
    for a, b in zip(jax.tree.leaves(new_state), jax.tree.leaves(new_state_g)):
        np.testing.assert_allclose(a[0], b, atol=1e-6)


def test_cross_replica_index_groups_under_pmap():
    if jax.device_count() < 4:
        pytest.skip("needs >= 4 devices (XLA_FLAGS=--xla_force_host_platform_device_count=8)")
    shards = X.reshape(4, 2, 3, 4)
    f = _bn(cross_replica_axis="i", cross_replica_axis_index_groups=[[0, 1], [2, 3]])
    params, state = jax.pmap(f.init, in_axes=(None, 0), axis_name="i")(None, shards)
    out, _ = jax.pmap(f.apply, in_axes=(0, 0, None, 0), axis_name="i")(params, state, None, shards)
    g = _bn()
    for k in range(2):
        half = shards[2 * k : 2 * k + 2].reshape(4, 3, 4)
        pg, sg = g.init(None, half)
        np.testing.assert_allclose(
            out[2 * k : 2 * k + 2].reshape(half.shape), g.apply(pg, sg, None, half)[0], atol=1e-5
        )


@pytest.mark.parametrize(
    "ctor, call, match",
    [
        (
            dict(create_scale=False, create_offset=True, decay_rate=0.9, scale_init=jnp.ones),
            {},
            "scale_init",
        ),
        (
            dict(create_scale=True, create_offset=False, decay_rate=0.9, offset_init=jnp.ones),
            {},
            "offset_init",
        ),
        (
            dict(create_scale=True, create_offset=True, decay_rate=0.9),
            {"scale": jnp.ones(4)},
            "Cannot pass `scale`",
        ),
        (
            dict(
                create_scale=True,
                create_offset=True,
                decay_rate=0.9,
                cross_replica_axis_index_groups=[[0]],
            ),
            {},
            "cross_replica_axis",
        ),
        (
            dict(create_scale=True, create_offset=True, decay_rate=0.9, data_format="HWNQ"),
            {},
            "data_format",
        ),
        (dict(create_scale=True, create_offset=True, decay_rate=0.9, axis=[5]), {}, "out of range"),
    ],
)
def test_errors(ctor, call, match):
    f = hk.transform_with_state(lambda x: hk.BatchNorm(**ctor)(x, True, **call))
    with pytest.raises(ValueError, match=match):
        f.init(None, X)


def test_eval_before_any_training_step_fails_clearly():
    f = hk.transform_with_state(lambda x: hk.BatchNorm(True, True, 0.9)(x, False))
    with pytest.raises(ValueError, match="average"):
        f.init(None, X)


def test_rank0_input_is_normalised_on_its_own():
    # As dm-haiku (e.g. its hk.intercept_methods example): no axis to reduce over, so the
    # batch statistics are the value itself and the output is the offset.
    f = hk.transform_with_state(lambda x, t: hk.BatchNorm(True, True, 0.9)(x, t))
    params, state = f.init(None, jnp.asarray(2.0), True)
    assert {n: v.shape for n, v in params["batch_norm"].items()} == {"scale": (), "offset": ()}
    out, state = f.apply(params, state, None, jnp.asarray(2.0), True)
    assert out.shape == () and float(out) == 0.0
    out, _ = f.apply(params, state, None, jnp.asarray(3.0), False)
    assert out.shape == () and np.isfinite(float(out))


def test_axis_out_of_range_is_an_index_error_like_dm_haiku():
    f = hk.transform_with_state(lambda x: hk.BatchNorm(True, True, 0.9, axis=[5])(x, True))
    with pytest.raises(IndexError, match="axis 5 is out of range"):
        f.init(None, X)


@pytest.mark.parametrize("decay_rate", [-0.1, 1.5])
def test_decay_rate_outside_unit_interval(decay_rate):
    with pytest.raises(ValueError, match=r"hk\.BatchNorm: `decay_rate` must be in \[0, 1\]"):
        hk.transform_with_state(lambda x: hk.BatchNorm(True, True, decay_rate)(x, True)).init(
            None, X
        )
