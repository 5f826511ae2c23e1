"""Behaviour of the Haiku-aware wrappers: errors, init rules, composition, plain-JAX fallback."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

RNG = jax.random.PRNGKey(0)


class Dense(hk.Module):
    def __init__(self, size, name=None):
        super().__init__(name=name)
        self.size = size

    def __call__(self, x):
        w = hk.get_parameter("w", [x.shape[-1], self.size], init=hk.initializers.RandomNormal())
        return x @ w


def test_registered_on_haiku():
    import haiku_jaxwrap

    for name in haiku_jaxwrap.__all__:
        if name != "__version__":
            assert getattr(hk, name) is getattr(haiku_jaxwrap, name)


# Errors ---------------------------------------------------------------------------------


def test_vmap_requires_split_rng():
    with pytest.raises(TypeError, match=r"split_rng=\(not hk.running_init\(\)\)"):
        hk.vmap(lambda x: x)


def test_vmap_split_rng_at_init():
    f = hk.transform(lambda x: hk.vmap(lambda x: Dense(2)(x), split_rng=True)(x))
    with pytest.raises(ValueError, match=r"mode: init.*split_rng=\(not hk.running_init\(\)\)"):
        f.init(RNG, jnp.ones([3, 2]))


def test_while_loop_refused_at_init():
    f = hk.transform(lambda x: hk.while_loop(lambda v: v < 3, lambda v: v + 1, x))
    with pytest.raises(ValueError, match=r"(?s)mode: init.*hk.running_init\(\)"):
        f.init(None, 0)
    assert f.apply({}, None, 0) == 3


def test_cond_branches_creating_different_params():
    def f(x):
        return hk.cond(x.sum() > 0, lambda x: Dense(2)(x), lambda x: x, x)

    with pytest.raises(TypeError, match=r"(?s)during init.*running_init"):
        hk.transform(f).init(RNG, jnp.ones([2]))


def test_switch_branches_creating_different_params():
    def f(x):
        return hk.switch(0, [lambda x: Dense(2)(x), lambda x: x], x)

    with pytest.raises(TypeError, match="hk.switch during init"):
        hk.transform(f).init(RNG, jnp.ones([2]))


def test_cond_same_params_in_both_branches_is_fine():
    def f(x):
        d = Dense(2)
        return hk.cond(x.sum() > 0, lambda x: d(x), lambda x: -d(x), x)

    f = hk.transform(f)
    params = f.init(RNG, jnp.ones([2]))
    assert list(params) == ["dense"]
    out = f.apply(params, None, -jnp.ones([2]))
    np.testing.assert_allclose(out, jnp.ones([2]) @ params["dense"]["w"], rtol=1e-6)


def test_scan_params_created_in_body():
    def f(xs):
        return hk.scan(lambda c, x: (c, Dense(2)(x)), 0, xs)

    with pytest.raises(AssertionError, match=r"New parameters were created.*dense_1"):
        hk.transform(f).init(RNG, jnp.ones([3, 2]))


def test_lift_reuse_needs_allow_reuse():
    inner = hk.transform(lambda x: Dense(2)(x))

    def f(x, allow):
        init = hk.lift(inner.init, allow_reuse=allow)
        init(hk.next_rng_key(), x)
        return init(hk.next_rng_key(), x)

    with pytest.raises(ValueError, match=r"'lifted/dense' already exists.*allow_reuse=True"):
        hk.transform(f).init(RNG, jnp.ones([2]), False)
    assert list(hk.transform(f).init(RNG, jnp.ones([2]), True)) == ["lifted/dense"]


def test_lift_with_state_updater_used_once():
    inner = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.zeros))

    def f():
        init, updater = hk.lift_with_state(inner.init)
        _, state = init(None)
        updater.update(state)
        updater.update(state)

    with pytest.raises(ValueError, match="already used"):
        hk.transform_with_state(f).init(None)


@pytest.mark.parametrize("lift", ["lift_with_state", "transparent_lift_with_state"])
@pytest.mark.parametrize("call_init", [True, False])
def test_lift_with_state_updater_must_be_used(lift, call_init):
    inner = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.zeros))

    def f():
        init, _ = getattr(hk, lift)(inner.init)
        if call_init:
            init(None)
        return 1

    transformed = hk.transform_with_state(f)
    with pytest.raises(ValueError, match=r"never used: call `updater.update\(state\)`"):
        transformed.init(None)
    with pytest.raises(ValueError, match="ignore_update"):
        transformed.apply({}, {}, None)
    # Nothing leaks: a correct transform runs normally afterwards.
    assert hk.transform(lambda: 2).apply({}, None) == 2


def test_layer_stack_argument_errors():
    with pytest.raises(ValueError, match="transparency_map"):
        hk.layer_stack(2, transparent=True)
    with pytest.raises(ValueError, match="num_layers"):
        hk.layer_stack(0)


# Semantics ------------------------------------------------------------------------------


def test_scan_init_runs_first_step_eagerly():
    seen = []

    def f(xs):
        d = Dense(2)

        def body(c, x):
            seen.append(isinstance(x, jax.core.Tracer))
            return c, d(x)

        return hk.scan(body, 0, xs)[1]

    f = hk.transform(f)
    params = f.init(RNG, jnp.ones([3, 2]))
    assert seen == [False, True]
    out = f.apply(params, None, jnp.ones([3, 2]))
    assert out.shape == (3, 2)


def test_scan_reverse_at_init_matches_apply():
    def f(xs):
        d = Dense(2)
        out = hk.scan(lambda c, x: (c + d(x), c), jnp.zeros([2]), xs, reverse=True)
        hk.set_state("o", out[1])
        return out

    f = hk.transform_with_state(f)
    xs = jnp.arange(6.0).reshape(3, 2)
    params, state = f.init(RNG, xs)
    (_, ys), _ = f.apply(params, {}, None, xs)
    np.testing.assert_allclose(state["~"]["o"], ys, rtol=1e-6)


def test_state_kept_by_remat_grad_and_loops():
    def counter():
        n = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
        hk.set_state("n", n + 1)

    def f(x):
        hk.remat(lambda x: (counter(), x)[1])(x)
        hk.grad(lambda x: (counter(), x**2)[1])(x)
        hk.value_and_grad(lambda x: (counter(), x**2)[1])(x)
        hk.fori_loop(0, 3, lambda i, x: (counter(), x)[1], x)
        hk.scan(lambda c, x: (counter(), (c, x))[1], 0.0, jnp.ones(2))
        if not hk.running_init():
            hk.while_loop(lambda v: v < 2, lambda v: (counter(), v + 1)[1], 0)
        hk.cond(True, lambda: counter(), lambda: None)
        hk.eval_shape(lambda x: (counter(), x)[1], x)
        return x

    f = hk.transform_with_state(f)
    _, state = f.init(None, 1.0)
    _, state = f.apply({}, state, None, 1.0)
    assert int(state["~"]["n"]) == 1 + 1 + 1 + 3 + 2 + 2 + 1
    _, state = jax.jit(f.apply)({}, state, None, 1.0)
    assert int(state["~"]["n"]) == 2 * 11


def test_vmap_broadcasts_params_and_state():
    def f(x):
        calls = hk.get_state("calls", [], jnp.int32, init=jnp.zeros)

        def g(x):
            hk.set_state("calls", hk.get_state("calls") + 1)
            return Dense(3)(x)

        out = hk.vmap(g, split_rng=False)(x)
        return out, calls

    f = hk.transform_with_state(f)
    x = jnp.ones([4, 2])
    params, state = f.init(RNG, x)
    assert params["dense"]["w"].shape == (2, 3)
    (out, _), state = f.apply(params, state, None, x)
    assert out.shape == (4, 3) and int(state["~"]["calls"]) == 1


def test_vmap_split_rng_per_lane_keys_differ():
    f = hk.transform(lambda x: hk.vmap(lambda x: hk.next_rng_key(), split_rng=True)(x))
    keys = f.apply({}, RNG, jnp.ones([3]))
    assert len({tuple(np.asarray(k)) for k in keys}) == 3


def test_eval_shape_discards_everything():
    def f(x):
        hk.set_state("s", 1.0)
        s = hk.eval_shape(lambda x: (hk.set_state("s", 2.0), hk.next_rng_key(), x)[2], x)
        return s.shape, hk.next_rng_key(), hk.get_state("s")

    f = hk.transform_with_state(f)
    (shape, key, s), _ = f.apply({}, {}, RNG, jnp.ones([2]))
    assert shape == (2,) and float(s) == 1.0
    np.testing.assert_array_equal(key, jax.random.split(RNG)[1])


def test_apply_does_not_thread_params_through_primitives():
    """During apply params are closed over: the body sees the concrete arrays."""
    seen = []

    def f(x):
        d = Dense(2)

        def body(x):
            seen.append(type(hk.get_params()["dense"]["w"]))
            return d(x)

        y = d(x)
        y = hk.remat(body)(y)
        y = hk.cond(True, body, body, y)
        y = hk.vmap(body, split_rng=False)(y[None])[0]
        return hk.scan(lambda c, x: (body(c), None), y, None, length=2)[0]

    f = hk.transform(f)
    params = f.init(RNG, jnp.ones([2]))
    seen.clear()
    f.apply(params, None, jnp.ones([2]))
    assert seen and all(not issubclass(t, jax.core.Tracer) for t in seen)


def test_lift_names_and_apply():
    inner = hk.transform(lambda x: Dense(2)(x))

    class Outer(hk.Module):
        def __call__(self, x):
            p = hk.lift(inner.init, name="inner")(hk.maybe_next_rng_key(), x)
            q = hk.transparent_lift(inner.init)(hk.maybe_next_rng_key(), x)
            return inner.apply(p, None, x) + inner.apply(q, None, x)

    f = hk.transform(lambda x: Outer()(x))
    params = f.init(RNG, jnp.ones([2]))
    assert list(params) == ["outer/inner/dense", "outer/dense"]
    out = f.apply(params, None, jnp.ones([2]))
    expected = jnp.ones([2]) @ (params["outer/inner/dense"]["w"] + params["outer/dense"]["w"])
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_lift_with_state_roundtrip():
    inner = hk.transform_with_state(
        lambda: hk.set_state("n", hk.get_state("n", [], jnp.int32, init=jnp.zeros) + 1)
    )

    def outer():
        init, updater = hk.lift_with_state(inner.init, name="inner")
        params, state = init(None)
        _, state = inner.apply(params, state, None)
        updater.update(state)

    f = hk.transform_with_state(outer)
    params, state = f.init(None)
    assert state == {"inner/~": {"n": 0}}
    _, state = f.apply(params, state, None)
    _, state = f.apply(params, state, None)
    assert int(state["inner/~"]["n"]) == 2


# Composition ----------------------------------------------------------------------------


def _layer(x):
    return jnp.tanh(Dense(x.shape[-1])(x))


def test_layer_stack_names_shapes_and_unrolled_equivalence():
    f = hk.transform(lambda x: hk.layer_stack(4)(hk.remat(_layer))(x))
    x = jnp.ones([3, 2])
    params = f.init(RNG, x)
    assert jax.tree.map(jnp.shape, params) == {"__layer_stack_no_per_layer/dense": {"w": (4, 2, 2)}}
    out = f.apply(params, None, x)
    y = x
    for w in params["__layer_stack_no_per_layer/dense"]["w"]:
        y = jnp.tanh(y @ w)
    np.testing.assert_allclose(out, y, rtol=1e-5)
    grads = jax.jit(jax.grad(lambda p: f.apply(p, None, x).sum()))(params)
    assert grads["__layer_stack_no_per_layer/dense"]["w"].shape == (4, 2, 2)


def test_layer_stack_default_names_and_numbering():
    def f(x):
        a = hk.layer_stack(2)(_layer)(x)
        b = hk.layer_stack(2)(_layer)(a)
        c, _ = hk.layer_stack(2, with_per_layer_inputs=True)(lambda x, y: (_layer(x), y))(
            b, jnp.ones([2])
        )
        return c

    params = hk.transform(f).init(RNG, jnp.ones([2]))
    assert list(params) == [
        "__layer_stack_no_per_layer/dense",
        "__layer_stack_no_per_layer_1/dense",
        "__layer_stack_with_per_layer/dense",
    ]


def test_grad_of_apply_through_every_wrapper():
    def f(x):
        d = Dense(2)
        y = hk.vmap(d, split_rng=False)(x)
        y = hk.remat(lambda y: d(y))(y)
        y = hk.scan(lambda c, r: (c + d(r), None), jnp.zeros([2]), y)[0]
        y = hk.cond(y.sum() > 0, d, lambda y: -d(y), y)
        y = hk.fori_loop(0, 2, lambda i, y: d(y), y)
        return hk.value_and_grad(lambda y: (d(y) ** 2).sum())(y)[0]

    f = hk.transform(f)
    x = jnp.ones([3, 2])
    params = f.init(RNG, x)
    g = jax.jit(jax.grad(lambda p: f.apply(p, None, x)))(params)
    assert g["dense"]["w"].shape == (2, 2)
    assert bool(jnp.all(jnp.isfinite(g["dense"]["w"])))


# Outside a transform: plain JAX ---------------------------------------------------------


def test_outside_transform_plain_jax():
    x = jnp.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(hk.vmap(lambda r: r * 2, split_rng=True)(x), x * 2)
    c, ys = hk.scan(lambda c, r: (c + r, c), jnp.zeros(2), x)
    np.testing.assert_allclose(c, x.sum(0))
    assert hk.cond(False, lambda v: v + 1, lambda v: v - 1, 1.0) == 0.0
    assert hk.switch(1, [lambda: 0, lambda: 1]) == 1
    assert hk.fori_loop(0, 3, lambda i, v: v + i, 0) == 3
    assert hk.while_loop(lambda v: v < 5, lambda v: v + 2, 0) == 6
    np.testing.assert_allclose(hk.map(lambda r: r.sum(), x), x.sum(1))
    assert hk.grad(lambda v: v**2)(3.0) == 6.0
    assert hk.value_and_grad(lambda v: v**2)(3.0) == (9.0, 6.0)
    assert hk.remat(jnp.sin)(0.0) == 0.0
    assert hk.eval_shape(lambda v: v @ v.T, x).shape == (3, 3)


def test_dynamic_unroll_import_path():
    from haiku_jaxwrap.control_flow import scan

    assert scan is hk.scan
