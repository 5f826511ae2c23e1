"""Embed: errors, dtypes and transforms."""

import pytest

pytest.importorskip("haiku_layers")
import jax
import jax.numpy as jnp
import numpy as np

from golden import layers_feedforward_cases as cases

hk = cases.haiku_under_test()


@pytest.mark.parametrize("case", cases.cases_of("embed"), ids=lambda c: c.name)
def test_matches_dm_haiku(case):
    """Param tree, init values and outputs equal dm-haiku's (tests/golden/layers_feedforward)."""
    cases.check_case(hk, case)


IDS = jnp.array([[0, 3, 4]])


def _init(fn, x=IDS):
    return hk.transform(fn).init(jax.random.PRNGKey(0), x)


@pytest.mark.parametrize(
    "make, ids, match",
    [
        (lambda: hk.Embed(5, 2), IDS.astype(jnp.float32), "integer dtype"),
        (lambda: hk.Embed(vocab_size=5), IDS, "embed_dim"),
        (lambda: hk.Embed(4, embedding_matrix=jnp.ones([5, 2])), IDS, "vocab_size=4"),
        (lambda: hk.Embed(embed_dim=3, embedding_matrix=jnp.ones([5, 2])), IDS, "embed_dim=3"),
        (lambda: hk.Embed(5, 2, lookup_style="GATHER"), IDS, "lookup_style"),
    ],
)
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


@pytest.mark.parametrize("style", ["ARRAY_INDEX", "ONE_HOT"])
def test_numpy_params_closed_over_in_jit(style):
    f = hk.transform(lambda i: hk.Embed(5, 2, lookup_style=style)(i))
    params = jax.tree.map(np.asarray, _init(lambda i: hk.Embed(5, 2, lookup_style=style)(i)))
    out = jax.jit(lambda i: f.apply(params, None, i))(IDS)
    np.testing.assert_array_equal(out, params["embed"]["embeddings"][np.asarray(IDS)])


def test_numpy_embedding_matrix_under_jit():
    matrix = np.arange(10, dtype=np.float32).reshape(5, 2)
    f = hk.transform(lambda i: hk.Embed(embedding_matrix=matrix)(i))
    params = jax.jit(f.init)(jax.random.PRNGKey(0), IDS)
    np.testing.assert_array_equal(jax.jit(f.apply)(params, None, IDS), matrix[np.asarray(IDS)])


def test_unknown_lookup_style_is_an_attribute_error_like_dm_haiku():
    with pytest.raises(AttributeError, match="lookup_style 'FOO'"):
        _init(lambda i: hk.Embed(5, 2, lookup_style="FOO")(i))


@pytest.mark.parametrize(
    "kw, arg",
    [
        (dict(vocab_size=-5, embed_dim=2), "vocab_size"),
        (dict(vocab_size=5, embed_dim=-2), "embed_dim"),
    ],
)
def test_sizes_must_be_positive(kw, arg):
    with pytest.raises(TypeError, match=f"`{arg}` must be a positive int"):
        _init(lambda i: hk.Embed(**kw)(i))
