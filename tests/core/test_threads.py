"""Transforms running in several threads at once do not interfere."""

from __future__ import annotations

import concurrent.futures

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk


class Block(hk.Module):
    def __call__(self, x):
        for _ in range(3):
            w = hk.get_parameter(
                f"w{_}", [x.shape[-1], x.shape[-1]], init=hk.initializers.TruncatedNormal()
            )
            x = jnp.tanh(x @ w)
            hk.set_state(f"s{_}", x.mean())
        return x


def run(seed: int):
    f = hk.transform_with_state(lambda x: Block()(x) + Block()(x))
    x = jnp.ones([2, 4])
    params, state = f.init(jax.random.PRNGKey(seed), x)
    out, state = f.apply(params, state, None, x)
    return params, state, out


def test_eight_threads_match_sequential():
    expected = [run(seed) for seed in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        got = list(pool.map(run, range(8)))
    for e, g in zip(expected, got):
        jax.tree.map(np.testing.assert_array_equal, e, g)


def test_config_is_thread_local():
    def worker():
        with hk.config.context(rng_reserve_size=7):
            return hk.config.get_config().rng_reserve_size

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(worker).result() == 7
    assert hk.config.get_config().rng_reserve_size == 1
