"""Embed: errors, dtypes and transforms."""

import pathlib
import sys

import pytest

pytest.importorskip("haiku_layers")
sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / "golden"))
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import layers_a_cases as cases  # noqa: E402
import numpy as np  # noqa: E402

hk = cases.haiku_under_test()
IDS = jnp.array([[0, 3, 4]])


def _init(fn, x=IDS):
    return hk.transform(fn).init(jax.random.PRNGKey(0), x)


@pytest.mark.parametrize("make, ids, match", [
    (lambda: hk.Embed(5, 2), IDS.astype(jnp.float32), "integer dtype"),
    (lambda: hk.Embed(vocab_size=5), IDS, "embed_dim"),
    (lambda: hk.Embed(4, embedding_matrix=jnp.ones([5, 2])), IDS, "vocab_size=4"),
    (lambda: hk.Embed(embed_dim=3, embedding_matrix=jnp.ones([5, 2])), IDS, "embed_dim=3"),
    (lambda: hk.Embed(5, 2, lookup_style="GATHER"), IDS, "lookup_style"),
])
def test_errors(make, ids, match):
    with pytest.raises(ValueError, match=match):
        _init(lambda i: make()(i), ids)


def test_embeddings_are_float32_and_lookups_agree():
    f = hk.transform(lambda i, s: hk.Embed(6, 3)(i, lookup_style=s))
    params = f.init(jax.random.PRNGKey(0), IDS, "ARRAY_INDEX")
    assert params["embed"]["embeddings"].dtype == jnp.float32
    a = f.apply(params, None, IDS, "ARRAY_INDEX")
    b = f.apply(params, None, IDS, hk.EmbedLookupStyle.ONE_HOT)
    np.testing.assert_allclose(a, b, atol=1e-6)
    np.testing.assert_array_equal(a[0, 1], params["embed"]["embeddings"][3])


def test_accepts_python_ids_and_jit_vmap_grad():
    f = hk.without_apply_rng(hk.transform(lambda i: hk.Embed(6, 3)(i)))
    params = f.init(jax.random.PRNGKey(0), [1, 2])
    want = f.apply(params, IDS)
    np.testing.assert_array_equal(jax.jit(f.apply)(params, IDS), want)
    np.testing.assert_array_equal(jax.vmap(f.apply, (None, 0))(params, IDS), want)
    g = jax.grad(lambda p: f.apply(p, IDS).sum())(params)["embed"]["embeddings"]
    np.testing.assert_array_equal(g.sum(-1), [3, 0, 0, 3, 3, 0])
