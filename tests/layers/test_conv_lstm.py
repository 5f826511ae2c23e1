"""Conv1DLSTM, Conv2DLSTM, Conv3DLSTM: goldens and errors."""

import pytest

pytest.importorskip("haiku_layers")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

from golden import layers_stateful_check as util


@pytest.mark.parametrize("name", [n for n in util.case_names("recurrent") if n.startswith("conv")])
def test_matches_dm_haiku(name):
    util.check_case(hk, "recurrent", name)


def test_param_tree_and_state_shapes():
    def f(x):
        core = hk.Conv2DLSTM((5, 5), 3, 3)
        return core(x, core.initial_state(2))

    f = hk.transform(f)
    x = jnp.ones((2, 5, 5, 2))
    params = f.init(jax.random.PRNGKey(0), x)
    assert jax.tree.map(jnp.shape, params) == {
        "conv2_dlstm/input_to_hidden": {"w": (3, 3, 2, 12), "b": (12,)},
        "conv2_dlstm/hidden_to_hidden": {"w": (3, 3, 3, 12), "b": (12,)},
    }
    out, state = f.apply(params, None, x)
    assert out.shape == (2, 5, 5, 3) and isinstance(state, hk.LSTMState)
    np.testing.assert_allclose(out, state.hidden)


def test_jit_and_grad():
    def f(x):
        core = hk.Conv1DLSTM((6,), 2, 3)
        return hk.dynamic_unroll(core, x, core.initial_state(1))[0]

    f = hk.transform(f)
    xs = jax.random.normal(jax.random.PRNGKey(0), (3, 1, 6, 2))
    params = f.init(jax.random.PRNGKey(1), xs)
    np.testing.assert_allclose(
        jax.jit(f.apply)(params, None, xs), f.apply(params, None, xs), atol=1e-6
    )
    grads = jax.grad(lambda p: f.apply(p, None, xs).sum())(params)
    assert all(bool(jnp.isfinite(g).all()) for g in jax.tree.leaves(grads))


def test_input_shape_rank_mismatch_is_reported():
    with pytest.raises(ValueError, match="Conv2DLSTM.*input_shape"):
        hk.transform(lambda: hk.Conv2DLSTM((5,), 3, 3)).init(None)
