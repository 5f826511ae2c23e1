"""Every layer: dtype matrix, rank promotion, tracer leaks, jit, and the entry-point table.

- dtype matrix: float16, bfloat16, float32 and float64 (x64 enabled) inputs trace through
  init and apply under ``jax.numpy_rank_promotion("raise")`` and give outputs of the
  input dtype (traced with ``jax.eval_shape``: no compilation).
- leaks: init and apply of every layer, traced and jitted under ``jax.checking_leaks()``,
  give concrete, finite arrays.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util

import pytest

pytest.importorskip("haiku_layers")

import jax
import jax.numpy as jnp
import numpy as np

from golden import layer_table as table

KEY = jax.random.PRNGKey(0)
DTYPES = ["float16", "bfloat16", "float32", "float64"]
IDS = [layer.name for layer in table.LAYERS]


def test_table_covers_every_layers_entry_point():
    dist = importlib.metadata.distribution("haiku-layers")
    names = {ep.name for ep in dist.entry_points if ep.group == "haiku.plugins"}
    assert len(names) == 54
    covered = set(IDS) | set(table.NOT_A_LAYER)
    assert covered == names, (names - covered, covered - names)
    assert not set(IDS) & set(table.NOT_A_LAYER)


def _trace(layer, dtype):
    f = table.transformed(layer)
    x = jax.ShapeDtypeStruct(layer.shape, jnp.dtype(dtype))
    params, state = jax.eval_shape(f.init, KEY, x)
    out, new_state = jax.eval_shape(f.apply, params, state, KEY, x)
    return params, state, out, new_state


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer", table.LAYERS, ids=IDS)
def test_dtype_matrix_under_rank_promotion_raise(layer, dtype):
    with jax.enable_x64(dtype == "float64"), jax.numpy_rank_promotion("raise"):
        params, state, out, new_state = _trace(layer, dtype)
    for leaf in jax.tree.leaves(out):
        if jnp.issubdtype(leaf.dtype, jnp.floating):
            assert leaf.dtype == jnp.dtype(dtype), (layer.name, leaf)
    assert jax.tree.structure(state) == jax.tree.structure(new_state)
    for leaf in jax.tree.leaves(params):
        assert jnp.issubdtype(leaf.dtype, jnp.floating), (layer.name, leaf)


@pytest.mark.parametrize("layer", table.LAYERS, ids=IDS)
def test_no_leaked_tracers_under_jit(layer):
    f = table.transformed(layer)
    x = jax.random.normal(jax.random.PRNGKey(1), layer.shape)

    def init_then_apply(key, x):
        params, state = f.init(key, x)
        out, new_state = f.apply(params, state, key, x)
        return params, out, new_state

    with jax.checking_leaks():
        params, state = jax.eval_shape(f.init, KEY, x)  # init and apply traced on their own
        jax.eval_shape(f.apply, params, state, KEY, x)
        params, out, new_state = jax.jit(init_then_apply)(KEY, x)
    for leaf in jax.tree.leaves((params, out, new_state)):
        assert not isinstance(leaf, jax.core.Tracer)
        if jnp.issubdtype(leaf.dtype, jnp.floating):
            assert np.isfinite(np.asarray(leaf)).all(), layer.name
