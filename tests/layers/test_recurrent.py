"""Recurrent cores and unrolls: goldens, transforms, errors."""

import pytest

pytest.importorskip("haiku_layers")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

from golden import layers_stateful_check as util


@pytest.mark.parametrize(
    "name", [n for n in util.case_names("recurrent") if not n.startswith("conv")]
)
def test_matches_dm_haiku(name):
    util.check_case(hk, "recurrent", name)


XS = jax.random.normal(jax.random.PRNGKey(0), (4, 2, 3))


def _unroll_fn(dynamic=True):
    def f(xs):
        core = hk.LSTM(5)
        unroll = hk.dynamic_unroll if dynamic else hk.static_unroll
        return unroll(core, xs, core.initial_state(xs.shape[1]))

    return hk.transform(f)


def test_static_and_dynamic_unroll_agree():
    d, s = _unroll_fn(True), _unroll_fn(False)
    params = d.init(jax.random.PRNGKey(1), XS)
    assert jax.tree.map(jnp.shape, params) == jax.tree.map(
        jnp.shape, s.init(jax.random.PRNGKey(1), XS)
    )
    out_d, st_d = d.apply(params, None, XS)
    out_s, st_s = s.apply(params, None, XS)
    np.testing.assert_allclose(out_d, out_s, atol=1e-6)
    jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, atol=1e-6), st_d, st_s)


def test_jit_grad_vmap():
    f = _unroll_fn()
    params = f.init(jax.random.PRNGKey(1), XS)
    ref, _ = f.apply(params, None, XS)
    np.testing.assert_allclose(jax.jit(f.apply)(params, None, XS)[0], ref, atol=1e-6)
    grads = jax.grad(lambda p: f.apply(p, None, XS)[0].sum())(params)
    assert all(bool(jnp.isfinite(g).all()) and bool((g != 0).any()) for g in jax.tree.leaves(grads))
    outs, _ = jax.vmap(f.apply, in_axes=(None, None, 0))(params, None, jnp.stack([XS, XS]))
    np.testing.assert_allclose(outs[1], ref, atol=1e-5)


def test_dynamic_unroll_outside_transform_uses_lax_scan():
    def core(x, state):
        state = state + x
        return 2 * state, state

    out, final = hk.dynamic_unroll(core, jnp.arange(4.0), jnp.zeros(()))
    np.testing.assert_allclose(out, [0.0, 2.0, 6.0, 12.0])
    assert float(final) == 6.0
    out, states = hk.dynamic_unroll(
        core, jnp.arange(4.0), jnp.zeros(()), reverse=True, return_all_states=True
    )
    np.testing.assert_allclose(states, [6.0, 6.0, 5.0, 3.0])


def test_initial_states():
    def f():
        lstm, gru, ident = hk.LSTM(3), hk.GRU(2), hk.IdentityCore()
        deep = hk.DeepRNN([lstm, jax.nn.relu, gru, ident])
        return lstm.initial_state(None), deep.initial_state(4), hk.ResetCore(gru).initial_state(2)

    (l0, deep, reset), _ = hk.transform_with_state(f).apply({}, {}, None)
    assert isinstance(l0, hk.LSTMState) and l0.hidden.shape == (3,)
    assert jax.tree.map(jnp.shape, deep) == (hk.LSTMState((4, 3), (4, 3)), (4, 2), ())
    assert reset.shape == (2, 2) and reset.dtype == jnp.float32


def test_module_names():
    def f(x):
        cores = [
            hk.DeepRNN([hk.IdentityCore()]),
            hk.deep_rnn_with_skip_connections([hk.IdentityCore()]),
            hk.ResetCore(hk.IdentityCore()),
            hk.VanillaRNN(2),
        ]
        return [c.module_name for c in cores]

    names, _ = hk.transform_with_state(f).apply({}, {}, None, XS)
    assert names == ["deep_rnn", "__deep_rnn", "reset_core", "vanilla_rnn"]


def test_reset_core_resets_flagged_examples():
    def f(x, reset, state):
        return hk.ResetCore(hk.GRU(2))((x, reset), state)

    f = hk.transform(f)
    x, state = jnp.ones((3, 4)), jnp.full((3, 2), 5.0)
    reset = jnp.array([True, False, True])
    params = f.init(jax.random.PRNGKey(0), x, reset, state)
    out, _ = f.apply(params, None, x, reset, state)
    gru = hk.transform(lambda x, s: hk.GRU(2)(x, s))
    fresh, _ = gru.apply({"gru": params["gru"]}, None, x, jnp.zeros((3, 2)))
    kept, _ = gru.apply({"gru": params["gru"]}, None, x, state)
    np.testing.assert_allclose(out, jnp.where(reset[:, None], fresh, kept), atol=1e-6)


def test_rnn_core_is_abstract():
    class Incomplete(hk.RNNCore):
        def __call__(self, inputs, prev_state):
            return inputs, prev_state

    with pytest.raises(TypeError, match="abstract"):
        hk.transform(lambda: Incomplete()).init(None)


@pytest.mark.parametrize(
    "fn, match",
    [
        (
            lambda: hk.LSTM(2)(jnp.ones((1, 2, 3)), hk.LSTM(2).initial_state(1)),
            "LSTM input must be rank-1",
        ),
        (lambda: hk.GRU(2)(jnp.ones((1, 2, 3)), jnp.zeros((1, 2))), "GRU input must be rank-1"),
        (lambda: hk.deep_rnn_with_skip_connections([hk.LSTM(2), jax.nn.relu]), "skip_connections"),
    ],
)
def test_errors(fn, match):
    with pytest.raises(ValueError, match=match):
        hk.transform(fn).init(jax.random.PRNGKey(0))


def test_gru_bfloat16_params_follow_input():
    f = hk.transform(lambda x: hk.GRU(3)(x, jnp.zeros((2, 3), jnp.bfloat16)))
    params = f.init(jax.random.PRNGKey(0), jnp.ones((2, 4), jnp.bfloat16))
    assert {p.dtype for p in jax.tree.leaves(params)} == {jnp.dtype(jnp.bfloat16)}


@pytest.mark.parametrize("unroll", ["static_unroll", "dynamic_unroll"])
def test_reset_core_with_unbatched_inputs(unroll):
    # Unbatched [T, D] inputs and [T] resets; the state keeps no batch axis.
    def f(xs, resets, state):
        core = hk.ResetCore(hk.VanillaRNN(2))
        if state is None:
            state = core.initial_state(None)
        return getattr(hk, unroll)(core, (xs, resets), state)

    f = hk.transform(f)
    xs, resets = jnp.ones((4, 3)), jnp.array([False, True, False, True])
    params = f.init(jax.random.PRNGKey(0), xs, resets, None)
    outs, final = f.apply(params, None, xs, resets, jnp.full([2], 7.0))
    assert outs.shape == (4, 2) and final.shape == (2,)
    # Step 1 resets to the initial (zero) state, so steps 1 and 3 see the same state
    # history as a fresh start from step 1.
    step = hk.transform(lambda x, s: hk.VanillaRNN(2)(x, s))
    fresh, _ = step.apply(params, None, xs[1], jnp.zeros([2]))
    np.testing.assert_allclose(outs[1], fresh, atol=1e-6)
    np.testing.assert_allclose(outs[3], fresh, atol=1e-6)


def test_reset_core_reset_structure_must_match_the_state():
    def f(x):
        core = hk.ResetCore(hk.LSTM(2))
        flags = (jnp.zeros([1], bool), jnp.zeros([1], bool), jnp.zeros([1], bool))
        return core((x, flags), core.initial_state(1))

    with pytest.raises(ValueError, match="should_reset must be a single array or a tree"):
        hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([1, 3]))


def test_reset_core_reset_shape_must_prefix_the_state():
    def f(x):
        core = hk.ResetCore(hk.VanillaRNN(2))
        return core((x, jnp.zeros([3], bool)), core.initial_state(2))

    with pytest.raises(ValueError, match=r"should_reset of shape \(3,\).*\(2, 2\)"):
        hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([2, 3]))


@pytest.mark.parametrize(
    "core, layer",
    [
        (lambda: hk.LSTM(4), "LSTM"),
        (lambda: hk.GRU(4), "GRU"),
        (lambda: hk.VanillaRNN(4), "VanillaRNN"),
    ],
)
def test_state_of_the_wrong_batch_size(core, layer):
    def f(x):
        c = core()
        return c(x, c.initial_state(3))

    with pytest.raises(
        TypeError,
        match=rf"hk\.{layer} got inputs of shape \(2, 3\) but a "
        r"state of shape .*\(3, 4\).*initial_state\(batch_size=2\)",
    ):
        hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([2, 3]))


@pytest.mark.parametrize("make", [hk.LSTM, hk.GRU, hk.VanillaRNN])
@pytest.mark.parametrize("size", [0, -1, 2.5])
def test_hidden_size_must_be_a_positive_int(make, size):
    with pytest.raises(TypeError, match="`hidden_size` must be a positive int"):
        hk.transform(lambda: make(size)).init(None)


def test_lstm_given_an_array_state_is_an_attribute_error_like_dm_haiku():
    with pytest.raises(AttributeError, match="hk.LSTMState"):
        hk.transform(lambda x: hk.LSTM(2)(x, jnp.zeros([1, 2]))).init(
            jax.random.PRNGKey(0), jnp.ones([1, 3])
        )
