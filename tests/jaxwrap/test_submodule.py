"""hk.experimental.apply_submodule: one module or method of a model, run with full params."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

KEY = jax.random.PRNGKey(0)
X = jnp.linspace(-1.0, 1.0, 12).reshape(2, 6)


class AutoEncoder(hk.Module):
    """Submodules built in __init__; the decoder's layers are built in its __call__."""

    def __init__(self, name=None):
        super().__init__(name=name)
        self.encoder = hk.nets.MLP([5, 3], name="encoder")
        self.decoder = Decoder(name="decoder")

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def __call__(self, x):
        return self.decode(jnp.tanh(self.encode(x)))


class Decoder(hk.Module):
    def __call__(self, z):
        h = jax.nn.relu(hk.Linear(5)(z))
        return hk.Linear(6)(h)


class Double(hk.Module):
    def __call__(self, x):
        return 2 * x

    def twice(self, x):
        return self(self(x))


def model(x):
    return AutoEncoder(name="ae")(x)


def intermediates(f, params, x):
    """(inputs, output) of every module method call of the full model, by module name."""
    seen = {}

    def record(next_f, args, kwargs, context):
        out = next_f(*args, **kwargs)
        if context.method_name != "__init__":
            seen.setdefault((context.module.module_name, context.method_name), (args, out))
        return out

    def g(x):
        with hk.intercept_methods(record):
            return model(x)

    hk.transform(g).apply(params, None, x)
    return seen


@pytest.fixture(scope="module")
def setup():
    f = hk.transform(model)
    params = f.init(KEY, X)
    return f, params, intermediates(f, params, X)


def test_submodule_call_equals_the_full_models_intermediate(setup):
    f, params, seen = setup
    for name in ["ae/~/decoder", "ae/~/encoder", "ae/~/encoder/~/linear_1"]:
        (args, out) = seen[(name, "__call__")]
        run = hk.experimental.apply_submodule(f, name)
        np.testing.assert_allclose(run(params, None, *args), out, rtol=1e-6)


def test_method_of_the_top_module(setup):
    f, params, seen = setup
    (z,), expected = seen[("ae", "decode")]
    decode = hk.experimental.apply_submodule(f, "ae", method="decode")
    np.testing.assert_allclose(decode(params, None, z), expected, rtol=1e-6)
    encode = jax.jit(hk.experimental.apply_submodule(f, "ae", method="encode"))
    np.testing.assert_allclose(encode(params, None, X), seen[("ae", "encode")][1], rtol=1e-6)
    # Composing the parts gives the full model.
    full = f.apply(params, None, X)
    np.testing.assert_allclose(decode(params, None, jnp.tanh(encode(params, None, X))), full)


def test_new_inputs_and_no_new_parameters(setup):
    f, params, _ = setup
    decode = hk.experimental.apply_submodule(f, "ae/~/decoder")
    z = jnp.ones([7, 3])
    p = params["ae/~/decoder/linear"]
    q = params["ae/~/decoder/linear_1"]
    expected = jax.nn.relu(z @ p["w"] + p["b"]) @ q["w"] + q["b"]
    np.testing.assert_allclose(decode(params, None, z), expected, rtol=1e-6)
    # Missing params are an error (apply never creates parameters).
    partial = {k: v for k, v in params.items() if k != "ae/~/decoder/linear_1"}
    with pytest.raises(ValueError):
        decode(partial, None, z)


def test_module_built_after_the_inputs_are_used_needs_model_args():
    def f(x):
        x = x * 2.0
        return hk.Linear(3, name="head")(x)

    f = hk.without_apply_rng(hk.transform(f))
    params = f.init(KEY, X)
    with pytest.raises(ValueError, match="before module 'head' was constructed.*model_args"):
        hk.experimental.apply_submodule(f, "head")(params, X)
    head = hk.experimental.apply_submodule(f, "head", model_args=(X,))
    h = jnp.ones([4, 6])
    expected = h @ params["head"]["w"] + params["head"]["b"]
    np.testing.assert_allclose(head(params, h), expected, rtol=1e-6)


def test_with_state():
    def f(x, is_training):
        bn = hk.BatchNorm(True, True, 0.9, name="bn")
        return hk.Linear(2, name="out")(bn(x, is_training))

    f = hk.transform_with_state(f)
    params, state = f.init(KEY, X, True)
    bn = hk.experimental.apply_submodule(f, "bn")
    out, new_state = bn(params, state, None, X, True)
    np.testing.assert_allclose(out.mean(0), np.zeros(6), atol=1e-5)
    assert int(new_state["bn/~/mean_ema"]["counter"]) == 1
    full_out, full_state = f.apply(params, state, None, X, True)
    for k in new_state:
        for n in new_state[k]:
            np.testing.assert_allclose(new_state[k][n], full_state[k][n], rtol=1e-6)


def test_errors(setup):
    f, params, _ = setup
    with pytest.raises(ValueError, match=r"unknown module 'ae/decoder'.*'ae/~/decoder/linear'"):
        hk.experimental.apply_submodule(f, "ae/decoder")(params, None, X)
    # Without parameters to look at, the model's modules are listed after running it.
    free = hk.transform(lambda x: Double()(x))
    with pytest.raises(ValueError, match=r"no module named 'half'. Its modules are: \['double'\]"):
        hk.experimental.apply_submodule(free, "half", model_args=(X,))({}, None, X)
    double = hk.experimental.apply_submodule(free, "double", method="twice")
    np.testing.assert_allclose(double({}, None, X), 4 * X)
    with pytest.raises(AttributeError, match="'ae' \\(AutoEncoder\\) has no method 'sample'"):
        hk.experimental.apply_submodule(f, "ae", method="sample")(params, None, X)
    with pytest.raises(TypeError, match="result of hk.transform"):
        hk.experimental.apply_submodule(model, "ae")
    with pytest.raises(TypeError, match="module_name must be"):
        hk.experimental.apply_submodule(f, "")
    with pytest.raises(TypeError, match="leading arguments of f.apply"):
        hk.experimental.apply_submodule(f, "ae")(params)
