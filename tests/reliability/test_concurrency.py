"""Transforms of real layer models in 8 threads at once give the single-thread results."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("haiku_layers")
pytest.importorskip("haiku_nets")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

THREADS = 8


def _convnet(x):
    x = hk.Conv2D(4, 3)(x)
    x = hk.BatchNorm(True, True, 0.9)(x, is_training=True)
    x = hk.max_pool(jax.nn.relu(x), (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    return hk.nets.MLP([8, 3])(hk.Flatten()(x), dropout_rate=0.5, rng=hk.next_rng_key())


def _rnn(x):
    core = hk.DeepRNN([hk.LSTM(4), hk.GRU(3)])
    outs, _ = hk.dynamic_unroll(core, x, core.initial_state(x.shape[1]))
    return hk.MultiHeadAttention(2, 2, w_init=hk.initializers.VarianceScaling(1.0))(
        outs, outs, outs
    )


def _stacked(x):
    with hk.name_scope("encoder"):
        x = hk.layer_stack(3)(lambda y: jax.nn.gelu(hk.Linear(4)(y)))(x)
    return hk.LayerNorm(-1, True, True)(x)


MODELS = [(_convnet, (2, 6, 6, 1)), (_rnn, (3, 2, 4)), (_stacked, (2, 4))]


def _run(model, shape, seed):
    f = hk.transform_with_state(model)
    key = jax.random.PRNGKey(seed)
    x = jax.random.normal(key, shape)
    params, state = f.init(key, x)
    out, state = f.apply(params, state, key, x)
    names = [(m, n) for m, n, _ in hk.data_structures.traverse(params)]
    return names, jax.tree.map(np.asarray, (params, state, out))


def test_eight_threads_match_one_thread():
    jobs = [(*MODELS[i % len(MODELS)], i) for i in range(THREADS)]
    expected = {(m, s): _run(m, shape, s) for m, shape, s in jobs}
    barrier = threading.Barrier(THREADS)

    def job(args):
        model, shape, seed = args
        barrier.wait(timeout=60)  # all threads trace at the same time
        return (model, seed), _run(model, shape, seed)

    with ThreadPoolExecutor(THREADS) as pool:
        results = dict(pool.map(job, jobs))
    for key, (names, values) in expected.items():
        got_names, got_values = results[key]
        assert got_names == names, key
        jax.tree.map(np.testing.assert_array_equal, got_values, values)


def test_threads_see_their_own_config():
    """Per-thread config does not leak across threads."""
    barrier = threading.Barrier(2)
    seen = {}

    def worker(reserve):
        with hk.config.context(rng_reserve_size=reserve):
            barrier.wait(timeout=30)
            f = hk.transform(lambda: hk.next_rng_key())
            key = f.apply({}, jax.random.PRNGKey(0))
            barrier.wait(timeout=30)
            seen[reserve] = (hk.config.get_config().rng_reserve_size, np.asarray(key))

    threads = [threading.Thread(target=worker, args=(r,)) for r in (1, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen[1][0] == 1 and seen[4][0] == 4
    np.testing.assert_array_equal(seen[1][1], seen[4][1])  # same stream, any reserve size
    assert hk.config.get_config().rng_reserve_size == 1
    assert jnp.asarray(seen[1][1]).shape == (2,)
