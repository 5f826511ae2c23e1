"""hk.get_state / hk.set_state (haiku/_src/state.py): creation, updates, scoping, errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk


class Counter(hk.Module):
    def __call__(self):
        count = hk.get_state("count", [], jnp.int32, init=jnp.zeros)
        hk.set_state("count", count + 1)
        return count


def test_state_is_created_at_init_and_carried_through_apply():
    f = hk.transform_with_state(lambda: Counter()())
    params, state = f.init(None)
    assert params == {}
    assert state == {"counter": {"count": 0}}
    seen = []
    for _ in range(3):
        out, state = f.apply(params, state, None)
        seen.append(int(out))
    assert seen == [0, 1, 2]
    assert int(state["counter"]["count"]) == 3


def test_init_returns_the_initial_value_not_the_updated_one():
    def f():
        hk.set_state("s", jnp.zeros([2]))
        hk.set_state("s", jnp.ones([2]))

    _, state = hk.transform_with_state(f).init(None)
    np.testing.assert_array_equal(state["~"]["s"], np.zeros([2]))


def test_apply_does_not_change_the_state_it_was_given():
    f = hk.transform_with_state(lambda: Counter()())
    params, state = f.init(None)
    before = jax.tree.map(np.asarray, state)
    f.apply(params, state, None)
    jax.tree.map(np.testing.assert_array_equal, state, before)


def test_state_is_keyed_by_module_and_the_root_is_tilde():
    def f():
        Counter()()
        Counter()()
        hk.get_state("top", [2], init=jnp.ones)

    _, state = hk.transform_with_state(f).init(None)
    assert {m: list(s) for m, s in state.items()} == {
        "counter": ["count"],
        "counter_1": ["count"],
        "~": ["top"],
    }


def test_existing_state_ignores_shape_dtype_and_init():
    def f():
        return hk.get_state("s", [3], jnp.float32, init=jnp.zeros)

    f = hk.transform_with_state(f)
    state = {"~": {"s": jnp.arange(2, dtype=jnp.int32)}}
    out, _ = f.apply({}, state, None)
    assert out.dtype == jnp.int32 and out.tolist() == [0, 1]


def test_state_under_jit_and_grad():
    def f(x):
        s = hk.get_state("s", [], init=jnp.ones)
        hk.set_state("s", s * x)
        return s * x

    f = hk.transform_with_state(f)
    params, state = f.init(None, 2.0)
    out, state = jax.jit(f.apply)(params, state, None, 3.0)
    assert float(out) == 3.0 and float(state["~"]["s"]) == 3.0
    grad = jax.grad(lambda x: f.apply(params, state, None, x)[0])(2.0)
    assert float(grad) == 3.0


def test_missing_state_without_init_says_what_is_needed():
    f = hk.transform_with_state(lambda: hk.get_state("s"))
    with pytest.raises(ValueError, match=r"'s'.*does not exist.*init="):
        f.init(None)


def test_hk_transform_of_a_stateful_function_points_at_transform_with_state():
    with pytest.raises(ValueError, match="transform_with_state"):
        hk.transform(lambda: Counter()()).init(None)


@pytest.mark.parametrize(
    "call", [lambda: hk.get_state("s", [], init=jnp.zeros), lambda: hk.set_state("s", 1)]
)
def test_state_outside_a_transform_is_an_error(call):
    with pytest.raises(ValueError, match="transform"):
        call()
