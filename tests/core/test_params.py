"""hk.get_parameter with custom creators and getters (issue #17 items 1, 16, 19, 22)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

import haiku as hk


def _slice_first(next_getter, value, context):
    del context
    return next_getter(value[0])


def _stack_two(next_creator, shape, dtype, init, context):
    del context
    return next_creator((2, *shape), dtype, lambda s, d: jnp.stack([init(s[1:], d)] * 2))


def test_getter_may_slice_a_stacked_parameter():
    def f():
        with hk.custom_creator(_stack_two), hk.custom_getter(_slice_first):
            return hk.get_parameter("w", [3], init=jnp.ones)

    t = hk.transform(f)
    params = t.init(None)
    assert params["~"]["w"].shape == (2, 3)
    assert t.apply(params, None).shape == (3,)


def test_getter_returning_wrong_shape_names_parameter_and_shapes():
    def f():
        with hk.custom_getter(_slice_first):
            return hk.get_parameter("w", [3], init=jnp.ones)

    with pytest.raises(
        ValueError, match=r"'w' of module '~' has shape \(\), .* shape \(3,\).*getter"
    ):
        hk.transform(f).init(None)


def test_getter_returning_none_is_reported():
    def f():
        with hk.custom_getter(lambda n, v, c: None):
            return hk.get_parameter("w", [3], init=jnp.ones)

    with pytest.raises(ValueError, match="returned None"):
        hk.transform(f).init(None)


def test_initializer_of_wrong_shape_is_reported():
    f = hk.transform(lambda: hk.get_parameter("w", [3], init=lambda s, d: jnp.ones([4], d)))
    with pytest.raises(ValueError, match=r"shape \(4,\).*shape \(3,\)"):
        f.init(None)


def test_do_not_store_is_recreated_at_apply():
    calls = []

    def creator(next_creator, shape, dtype, init, context):
        calls.append(hk.running_init())
        return hk.DO_NOT_STORE

    def getter(next_getter, value, context):
        return next_getter(jnp.zeros(context.original_shape))

    def f():
        with hk.custom_creator(creator), hk.custom_getter(getter):
            return hk.get_parameter("w", [2])  # No init needed: the creator never calls it.

    t = hk.transform(f)
    params = t.init(None)
    assert params == {}
    assert t.apply(params, None).shape == (2,)
    assert calls == [True, False]


def test_creator_returning_a_value_at_apply_is_still_missing():
    def f():
        with hk.custom_creator(lambda nc, s, d, i, c: nc(s, d, i)):
            return hk.get_parameter("w", [2], init=jnp.zeros)

    with pytest.raises(ValueError, match="Unable to retrieve parameter 'w'"):
        hk.transform(f).apply({}, None)


@pytest.mark.parametrize(
    "hook",
    [
        lambda: hk.custom_creator(lambda nc, s, d, i, c: nc(s, d, i)),
        lambda: hk.custom_getter(lambda ng, v, c: ng(v)),
        lambda: hk.custom_setter(lambda ns, v, c: ns(v)),
    ],
)
def test_hooks_outside_a_transform_raise(hook):
    with pytest.raises(ValueError, match="hk.transform"):
        with hook():
            pass


class Dense(hk.Module):
    def __call__(self, x):
        return x @ hk.get_parameter("w", [x.shape[-1], 2], init=jnp.ones)


def test_module_from_another_transform_cannot_create_params():
    kept = []

    def build(x):
        kept.append(Dense())
        return kept[0](x)

    x = jnp.ones([1, 3])
    params = hk.transform(build).init(None, x)
    reuse = hk.transform(lambda x: kept[0](x))
    with pytest.raises(ValueError, match="Dense 'dense' was constructed in another"):
        reuse.init(None, x)
    # With the params it needs, calling it works, as in dm-haiku.
    assert reuse.apply(params, None, x).shape == (1, 2)


def test_module_from_outer_frame_works_in_temporary_frames():
    from haiku import extend

    def f(x):
        mod = Dense()
        with extend.temporary_internal_state(extend.internal_state()) as frame:
            out = mod(x)
            new = extend.frame_internal_state(frame)
        extend.update_internal_state(new)
        return out

    params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([1, 3]))
    assert params["dense"]["w"].shape == (3, 2)
