"""The jitted init kernels give bit-identical results to the eager ops they replace."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk
from haiku._src import init_kernels


def _bits(x) -> np.ndarray:
    return np.asarray(x).view(np.uint8)


@pytest.mark.parametrize("make_key", [jax.random.PRNGKey, jax.random.key])
@pytest.mark.parametrize("num", [1, 2, 5])
def test_split_rows_matches_split(make_key, num):
    key = make_key(3)
    rows = init_kernels.split_rows(key, num)
    expected = jax.random.split(key, num)
    assert len(rows) == num
    for i, row in enumerate(rows):
        assert jnp.array_equal(
            jax.random.key_data(row) if row.dtype != jnp.uint32 else row,
            jax.random.key_data(expected[i]) if expected.dtype != jnp.uint32 else expected[i],
        )


@pytest.mark.parametrize("init", [jnp.zeros, jnp.ones])
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16, jnp.int32, np.dtype("float16")])
def test_create_fills_match_jnp(init, dtype):
    out = init_kernels.create(init, (np.int64(2), 3), dtype)
    expected = init((2, 3), dtype)
    assert out.dtype == expected.dtype and out.shape == (2, 3)
    np.testing.assert_array_equal(_bits(out), _bits(expected))


def test_create_passes_other_initializers_through():
    calls = []

    def init(shape, dtype):
        calls.append((shape, dtype))
        return jnp.full(shape, 7, dtype)

    out = init_kernels.create(init, (2,), jnp.float32)
    assert calls == [((2,), jnp.float32)] and out.tolist() == [7.0, 7.0]


@pytest.mark.parametrize(
    "stddev", [1.0, 0.125, 1 / np.sqrt(3.0), np.float64(0.37), np.float32(2.5), 3, 0.0, -0.5, 1e-40]
)
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16])
def test_truncated_normal_bit_identical_to_eager_formula(stddev, dtype):
    key = jax.random.PRNGKey(11)
    init = hk.initializers.TruncatedNormal(stddev=stddev)
    out = init.sample(key, [16, 8], dtype)
    # The eager formula: Python scalars stay weakly typed, NumPy scalars are cast first.
    cast = stddev if type(stddev) in (int, float) else jax.lax.convert_element_type(stddev, dtype)
    unit = jax.random.truncated_normal(key, -2.0, 2.0, (16, 8), dtype)
    expected = cast * unit + 0.0
    assert out.dtype == dtype
    np.testing.assert_array_equal(_bits(out), _bits(expected))


def test_zero_stddev_gives_positive_zeros():
    out = hk.initializers.TruncatedNormal(stddev=0.0).sample(jax.random.PRNGKey(0), [64])
    assert not np.signbit(np.asarray(out)).any()


def test_kernels_inline_under_an_outer_trace():
    def forward(x):
        w = hk.get_parameter("w", [2, 3], init=hk.initializers.TruncatedNormal())
        return x @ w + hk.get_parameter("b", [3], init=jnp.zeros)

    f = hk.transform(forward)
    jaxpr = jax.make_jaxpr(f.init)(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    text = str(jaxpr)
    for kernel in ("split_rows", "_zeros", "_scaled_truncated_normal"):
        assert kernel not in text
