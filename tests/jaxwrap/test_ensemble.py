"""hk.ensemble: stacked members equal N separate transforms with the documented keys."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

N = 3
X = jnp.linspace(-1.0, 1.0, 10).reshape(2, 5)
INIT_KEY = jax.random.PRNGKey(0)
APPLY_KEY = jax.random.PRNGKey(1)


def member(x, is_training=True):
    h = hk.Linear(4)(x)
    h = hk.BatchNorm(True, True, 0.9)(h, is_training)
    h = jax.nn.relu(h)
    h = hk.dropout(hk.next_rng_key(), 0.25, h) if is_training else h
    return hk.Linear(2)(h)


def model(x, is_training=True):
    return hk.ensemble(member, N)(x, is_training)


def outer_keys(key):
    """The two keys an ensemble call draws from the outer key sequence: (init, apply).

    They are the first two keys ``hk.next_rng_key()`` returns in a transform given ``key``.
    """
    draw = hk.transform(lambda: (hk.next_rng_key(), hk.next_rng_key()))
    return draw.apply({}, key)


def member_tree(tree, i, name="ensemble"):
    prefix = name + "/"
    return {k[len(prefix) :]: {n: v[i] for n, v in b.items()} for k, b in tree.items()}


def assert_trees_close(a, b, rtol=1e-5, atol=1e-6):
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol)


def test_param_and_state_layout():
    f = hk.transform_with_state(model)
    params, state = f.init(INIT_KEY, X)
    assert jax.tree.map(jnp.shape, params) == {
        "ensemble/linear": {"w": (N, 5, 4), "b": (N, 4)},
        "ensemble/batch_norm": {"scale": (N, 1, 4), "offset": (N, 1, 4)},
        "ensemble/linear_1": {"w": (N, 4, 2), "b": (N, 2)},
    }
    assert sorted(state) == ["ensemble/batch_norm/~/mean_ema", "ensemble/batch_norm/~/var_ema"]
    assert all(v.shape[0] == N for v in jax.tree.leaves(state))


def test_init_equals_separate_transforms_with_split_keys():
    f = hk.transform_with_state(model)
    params, state = f.init(INIT_KEY, X)
    single = hk.transform_with_state(member)
    k_init, _ = outer_keys(INIT_KEY)
    for i, key in enumerate(jax.random.split(k_init, N)):
        p_i, s_i = single.init(key, X)
        assert_trees_close(member_tree(params, i), p_i)
        assert_trees_close(member_tree(state, i), s_i)
    w = params["ensemble/linear"]["w"]
    assert not np.allclose(w[0], w[1])  # the members really differ


def test_apply_equals_separate_transforms_with_split_keys():
    f = hk.transform_with_state(model)
    params, state = f.init(INIT_KEY, X)
    out, new_state = f.apply(params, state, APPLY_KEY, X)
    assert out.shape == (N, 2, 2)
    single = hk.transform_with_state(member)
    _, k_apply = outer_keys(APPLY_KEY)
    for i, key in enumerate(jax.random.split(k_apply, N)):
        out_i, state_i = single.apply(member_tree(params, i), member_tree(state, i), key, X)
        np.testing.assert_allclose(out[i], out_i, rtol=1e-5, atol=1e-6)
        assert_trees_close(member_tree(new_state, i), state_i)


def test_state_is_updated_and_used_in_eval():
    f = hk.transform_with_state(model)
    params, state = f.init(INIT_KEY, X)
    _, state1 = f.apply(params, state, APPLY_KEY, X)
    counter = state1["ensemble/batch_norm/~/mean_ema"]["counter"]
    np.testing.assert_array_equal(counter, np.ones(N))
    out_eval, state2 = f.apply(params, state1, None, X, False)
    assert_trees_close(state2, state1)  # not training: statistics unchanged
    single = hk.transform_with_state(member)
    out_0, _ = single.apply(member_tree(params, 0), member_tree(state1, 0), None, X, False)
    np.testing.assert_allclose(out_eval[0], out_0, rtol=1e-5, atol=1e-6)


def test_split_rng_false_gives_identical_members():
    f = hk.transform(lambda x: hk.ensemble(lambda x: hk.Linear(3)(x), N, split_rng=False)(x))
    params = f.init(INIT_KEY, X)
    w = params["ensemble/linear"]["w"]
    k_init, _ = outer_keys(INIT_KEY)
    expected = hk.transform(lambda x: hk.Linear(3)(x)).init(k_init, X)["linear"]["w"]
    for i in range(N):
        np.testing.assert_allclose(w[i], expected)


def test_split_rng_pair_controls_init_and_apply_separately():
    def drop(x):
        h = hk.Linear(8)(x)
        return hk.dropout(hk.next_rng_key(), 0.5, jnp.ones_like(h))

    f = hk.transform(lambda x: hk.ensemble(drop, N, split_rng=(True, False))(x))
    params = f.init(INIT_KEY, X)
    w = params["ensemble/linear"]["w"]
    assert not np.allclose(w[0], w[1])  # init keys split
    masks = f.apply(params, APPLY_KEY, X)
    for i in range(1, N):  # apply key shared: the same dropout mask for every member
        np.testing.assert_array_equal(masks[i], masks[0])
    _, k_apply = outer_keys(APPLY_KEY)
    expected = hk.transform(drop).apply(member_tree(params, 0), k_apply, X)
    np.testing.assert_array_equal(masks[0], expected)


def test_in_axes_maps_inputs_per_member():
    xs = jnp.stack([X * (i + 1) for i in range(N)])
    fn = lambda x, scale: hk.Linear(3)(x) * scale  # noqa: E731
    f = hk.transform(lambda xs, s: hk.ensemble(fn, N, in_axes=(0, None))(xs, s))
    params = f.init(INIT_KEY, xs, 2.0)
    out = f.apply(params, None, xs, 2.0)
    single = hk.transform(fn)
    for i in range(N):
        np.testing.assert_allclose(
            out[i], single.apply(member_tree(params, i), None, xs[i], 2.0), rtol=1e-5
        )


def test_jit_and_grad():
    f = hk.transform_with_state(model)
    params, state = f.init(INIT_KEY, X)

    def loss(params, state):
        out, _ = f.apply(params, state, APPLY_KEY, X)
        return jnp.sum(out**2)

    g = jax.jit(jax.grad(loss))(params, state)
    assert jax.tree.structure(g) == jax.tree.structure(params)
    single = hk.transform_with_state(member)
    _, k_apply = outer_keys(APPLY_KEY)
    key_1 = jax.random.split(k_apply, N)[1]

    def loss_1(p):
        return jnp.sum(single.apply(p, member_tree(state, 1), key_1, X)[0] ** 2)

    # jit vs eager, batched vs single: float32 reassociation in BatchNorm's gradient.
    expected = jax.grad(loss_1)(member_tree(params, 1))
    assert_trees_close(member_tree(g, 1), expected, rtol=1e-2, atol=1e-4)
    jitted, _ = jax.jit(f.apply, static_argnums=4)(params, state, APPLY_KEY, X, True)
    eager, _ = f.apply(params, state, APPLY_KEY, X, True)
    np.testing.assert_allclose(jitted, eager, rtol=1e-5, atol=1e-6)


def test_two_ensembles_are_numbered_and_named():
    def f(x):
        a = hk.ensemble(lambda x: hk.Linear(2)(x), 2)(x)
        b = hk.ensemble(lambda x: hk.Linear(2)(x), 4)(x)
        c = hk.ensemble(lambda x: hk.Linear(2)(x), 2, name="heads")(x)
        return a, b, c

    params = hk.transform(f).init(INIT_KEY, X)
    assert {k: v["w"].shape[0] for k, v in params.items()} == {
        "ensemble/linear": 2,
        "ensemble_1/linear": 4,
        "heads/linear": 2,
    }


def test_without_rng():
    f = hk.transform(lambda x: hk.ensemble(lambda x: hk.Linear(2, w_init=jnp.ones)(x), N)(x))
    params = f.init(None, X)
    out = f.apply(params, None, X)
    np.testing.assert_allclose(out, jnp.broadcast_to(X.sum(-1, keepdims=True), (N, 2, 2)))


@pytest.mark.parametrize("bad", [0, -1, 2.0, True, "3", None])
def test_bad_num_members(bad):
    with pytest.raises(ValueError, match="num_members >= 1"):
        hk.ensemble(member, bad)


@pytest.mark.parametrize("bad", [None, 1, (True,), (True, 1), "yes"])
def test_bad_split_rng(bad):
    with pytest.raises(TypeError, match="split_rng must be a bool"):
        hk.ensemble(member, 2, split_rng=bad)


def test_bad_in_axes():
    with pytest.raises(TypeError, match="in_axes must be None"):
        hk.ensemble(member, 2, in_axes=0)
    f = hk.transform(lambda x: hk.ensemble(lambda x: x, 2, in_axes=(0, 0))(x))
    with pytest.raises(ValueError, match="in_axes has 2 entries"):
        f.init(None, X)
    f = hk.transform(lambda x: hk.ensemble(lambda x: x, 3, in_axes=(0,))(x))
    with pytest.raises(ValueError, match="must have size num_members=3"):
        f.init(None, X)


def test_not_callable_and_outside_transform():
    with pytest.raises(TypeError, match="needs a callable"):
        hk.ensemble(3, 2)
    with pytest.raises(ValueError, match="inside hk.transform"):
        hk.ensemble(member, 2)(X)


def test_inside_a_module_params_go_under_its_name():
    class Heads(hk.Module):
        def __call__(self, x):
            return hk.ensemble(lambda x: hk.Linear(2)(x), N)(x)

    f = hk.transform(lambda x: Heads()(x) + Heads()(x))
    params = f.init(INIT_KEY, X)
    assert sorted(params) == ["heads/ensemble/linear", "heads_1/ensemble/linear"]
    assert f.apply(params, None, X).shape == (N, 2, 2)


def test_state_needs_transform_with_state():
    f = hk.transform(lambda x: hk.ensemble(lambda x: hk.BatchNorm(True, True, 0.9)(x, True), 2)(x))
    with pytest.raises(ValueError, match="transform_with_state"):
        f.init(None, X)
