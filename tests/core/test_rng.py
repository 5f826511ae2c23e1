"""Randomness (haiku/_src/rng.py): hk.PRNGSequence and the keys drawn inside a transform.

The key streams are dm-haiku 0.0.17's (a model gives the same random numbers under both);
the error messages are ours (dm-haiku raises the same types with terser messages).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk

KEY = jax.random.PRNGKey(42)


def _same(a, b) -> bool:
    return bool(np.array_equal(jax.random.key_data(a), jax.random.key_data(b)))


def _raw(key):
    return key if key.dtype == jnp.uint32 else jax.random.key_data(key)


def test_sequence_splits_its_key_once_per_draw():
    seq = hk.PRNGSequence(KEY)
    key, expected = KEY, []
    for _ in range(3):
        key, sub = jax.random.split(key)
        expected.append(sub)
    for want in expected:
        np.testing.assert_array_equal(next(seq), want)


@pytest.mark.parametrize("seed", [42, np.int32(42), KEY, jax.random.wrap_key_data(KEY)])
def test_sequence_accepts_an_int_a_raw_key_or_a_typed_key(seed):
    np.testing.assert_array_equal(_raw(next(hk.PRNGSequence(seed))), jax.random.split(KEY)[1])


def test_reserve_then_draw_uses_the_reserved_keys_in_order():
    seq = hk.PRNGSequence(KEY)
    seq.reserve(2)
    _, *subkeys = jax.random.split(KEY, 3)
    np.testing.assert_array_equal(next(seq), subkeys[0])
    np.testing.assert_array_equal(next(seq), subkeys[1])


def test_take_returns_that_many_keys():
    keys = hk.PRNGSequence(0).take(3)
    assert len(keys) == 3
    assert len({tuple(np.asarray(k).tolist()) for k in keys}) == 3


@pytest.mark.parametrize(
    "bad, message",
    [
        ("seed", "needs a PRNG key or an int seed"),
        (jnp.zeros([3], jnp.uint32), r"shape \(3,\)"),
        (jax.random.split(jax.random.key(0), 2), "a batch of keys"),
    ],
)
def test_sequence_rejects_what_is_not_a_key(bad, message):
    with pytest.raises(ValueError, match=message):
        hk.PRNGSequence(bad)


def test_keys_in_a_transform_are_the_sequence_of_the_given_key():
    def f():
        return hk.next_rng_key(), hk.next_rng_key()

    k1, k2 = hk.transform(f).apply({}, KEY)
    seq = hk.PRNGSequence(KEY)
    np.testing.assert_array_equal(k1, next(seq))
    np.testing.assert_array_equal(k2, next(seq))


def test_next_rng_keys_draws_a_stack_of_distinct_keys():
    keys = hk.transform(lambda: hk.next_rng_keys(3)).apply({}, KEY)
    assert keys.shape == (3, 2) and keys.dtype == jnp.uint32
    assert len({tuple(k.tolist()) for k in np.asarray(keys)}) == 3


def test_same_key_same_numbers_other_key_other_numbers():
    f = hk.transform(lambda: jax.random.normal(hk.next_rng_key(), [4]))
    a, b = f.apply({}, KEY), f.apply({}, KEY)
    c = f.apply({}, jax.random.PRNGKey(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_maybe_next_rng_key_is_none_without_a_key():
    f = hk.transform(hk.maybe_next_rng_key)
    assert f.apply({}, None) is None
    np.testing.assert_array_equal(f.apply({}, KEY), next(hk.PRNGSequence(KEY)))


def test_with_rng_draws_from_the_given_key_inside_the_block():
    other = jax.random.PRNGKey(7)

    def f():
        with hk.with_rng(other):
            inside = hk.next_rng_key()
        return inside, hk.next_rng_key()

    inside, after = hk.transform(f).apply({}, KEY)
    np.testing.assert_array_equal(inside, next(hk.PRNGSequence(other)))
    np.testing.assert_array_equal(after, next(hk.PRNGSequence(KEY)))


def test_next_rng_key_without_a_key_says_to_pass_one():
    with pytest.raises(ValueError, match="rng"):
        hk.transform(hk.next_rng_key).apply({}, None)


def test_next_rng_key_outside_a_transform_is_an_error():
    with pytest.raises(ValueError, match="transform"):
        hk.next_rng_key()
