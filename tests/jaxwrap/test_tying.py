"""hk.experimental.tie_parameters on a tied language-model read-out (hk.Embed + hk.Linear)."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

VOCAB, DIM = 11, 6
TIES = {"readout/w": ("embed/embeddings", jnp.transpose)}
TOKENS = jnp.array([[1, 2, 3, 4], [5, 6, 7, 8]])
KEY = jax.random.PRNGKey(0)


def lm(tokens):
    """A small LM: embedding, a residual MLP block, a layer norm and a bias-free read-out."""
    h = hk.Embed(VOCAB, DIM, name="embed")(tokens)
    h = h + hk.nets.MLP([2 * DIM, DIM], name="block")(h)
    h = hk.LayerNorm(-1, True, True, name="norm")(h)
    return hk.Linear(VOCAB, with_bias=False, name="readout")(h)


def loss_fn(apply):
    def loss(params, tokens):
        logits = apply(params, None, tokens[:, :-1])
        labels = jax.nn.one_hot(tokens[:, 1:], VOCAB)
        return -jnp.mean(jnp.sum(labels * jax.nn.log_softmax(logits), -1))

    return loss


def untied_params(tied):
    """The untied model's params holding the tied values."""
    return {**tied, "readout": {"w": tied["embed"]["embeddings"].T}}


def test_one_copy_in_params():
    f = hk.experimental.tie_parameters(hk.transform(lm), TIES)
    params = f.init(KEY, TOKENS)
    assert "readout" not in params
    plain = hk.transform(lm).init(KEY, TOKENS)
    # Every other parameter is the untied model's, value for value.
    assert set(plain) - set(params) == {"readout"}
    for name, bundle in params.items():
        for n, v in bundle.items():
            np.testing.assert_array_equal(v, plain[name][n])


def test_apply_equals_untied_model_with_the_shared_value():
    f = hk.experimental.tie_parameters(hk.transform(lm), TIES)
    params = f.init(KEY, TOKENS)
    logits = f.apply(params, None, TOKENS)
    expected = hk.transform(lm).apply(untied_params(params), None, TOKENS)
    np.testing.assert_allclose(logits, expected, rtol=1e-6)
    # The read-out really uses the embeddings: changing them changes the logits' scale.
    scaled = {**params, "embed": {"embeddings": 2 * params["embed"]["embeddings"]}}
    h = hk.transform(lm).apply(untied_params(scaled), None, TOKENS)
    np.testing.assert_allclose(f.apply(scaled, None, TOKENS), h, rtol=1e-6)


def test_gradients_flow_into_the_one_parameter():
    f = hk.experimental.tie_parameters(hk.transform(lm), TIES)
    params = f.init(KEY, TOKENS)
    grads = jax.grad(loss_fn(f.apply))(params, TOKENS)
    assert jax.tree.structure(grads) == jax.tree.structure(params)
    untied = jax.grad(loss_fn(hk.transform(lm).apply))(untied_params(params), TOKENS)
    # Both uses contribute: the lookup's gradient plus the read-out's, transposed back.
    expected = untied["embed"]["embeddings"] + untied["readout"]["w"].T
    np.testing.assert_allclose(grads["embed"]["embeddings"], expected, rtol=1e-5, atol=1e-7)
    assert np.abs(untied["readout"]["w"]).sum() > 0


def test_training_keeps_one_copy_and_lowers_the_loss():
    f = hk.experimental.tie_parameters(hk.transform(lm), TIES)
    params = f.init(KEY, TOKENS)
    loss = loss_fn(f.apply)

    @jax.jit
    def step(params):
        value, grads = jax.value_and_grad(loss)(params, TOKENS)
        return jax.tree.map(lambda p, g: p - 0.5 * g, params, grads), value

    first = None
    for _ in range(20):
        params, value = step(params)
        first = value if first is None else first
    assert "readout" not in params
    assert loss(params, TOKENS) < first


def test_same_shape_tie_without_fn_and_with_state():
    def f(x):
        a = hk.Linear(5, name="a")(x)
        counter = hk.get_state("n", [], jnp.int32, init=jnp.zeros)
        hk.set_state("n", counter + 1)
        return hk.Linear(5, name="b")(a)

    tied = hk.experimental.tie_parameters(
        hk.without_apply_rng(hk.transform_with_state(f)), {"b/w": "a/w", "b/b": "a/b"}
    )
    x = jnp.ones([2, 5])
    params, state = tied.init(KEY, x)
    assert sorted(params) == ["a"]
    out, state = tied.apply(params, state, x)
    a = x @ params["a"]["w"] + params["a"]["b"]
    np.testing.assert_allclose(out, a @ params["a"]["w"] + params["a"]["b"], rtol=1e-6)
    assert int(state["~"]["n"]) == 1


def test_errors():
    f = hk.transform(lm)
    with pytest.raises(ValueError, match="source parameter 'embed/table' is not created"):
        hk.experimental.tie_parameters(f, {"readout/w": "embed/table"}).init(KEY, TOKENS)
    with pytest.raises(ValueError, match=r"'readout/W' is not created.*'embed/embeddings'"):
        hk.experimental.tie_parameters(f, {"readout/W": "embed/embeddings"}).init(KEY, TOKENS)
    with pytest.raises(ValueError, match=r"float32\[6, 11\] but its source.*float32\[11, 6\]"):
        hk.experimental.tie_parameters(f, {"readout/w": "embed/embeddings"}).init(KEY, TOKENS)
    with pytest.raises(ValueError, match="'<module name>/<parameter name>'"):
        hk.experimental.tie_parameters(f, {"w": "embed/embeddings"})
    with pytest.raises(ValueError, match="tied to itself"):
        hk.experimental.tie_parameters(f, {"embed/embeddings": "embed/embeddings"})
    with pytest.raises(ValueError, match="also sources of other ties"):
        hk.experimental.tie_parameters(f, {"a/w": "b/w", "b/w": "c/w"})
    with pytest.raises(TypeError, match="source path or a pair"):
        hk.experimental.tie_parameters(f, {"readout/w": ("embed/embeddings", 3)})
    with pytest.raises(TypeError, match="non-empty mapping"):
        hk.experimental.tie_parameters(f, {})
    with pytest.raises(TypeError, match="result of hk.transform"):
        hk.experimental.tie_parameters(lm, TIES)
    tied = hk.experimental.tie_parameters(f, TIES)
    plain = f.init(KEY, TOKENS)
    with pytest.raises(ValueError, match="hold 'readout/w', which is tied"):
        tied.apply(plain, None, TOKENS)
