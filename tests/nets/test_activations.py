"""The nets' staged activations: same equations traced, same bits eagerly, fewer Python steps."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk

_activations = pytest.importorskip("haiku_nets._activations")


@pytest.fixture(autouse=True)
def _always_staged(monkeypatch):
    """Twins from the first staged call on (they normally wait for a repeated shape)."""
    monkeypatch.setattr(_activations, "_staged_before", lambda key, x: True)


STAGED = sorted({fn for fn in _activations._ACTIVATIONS if fn}, key=lambda f: f.__name__)


def _sample(dtype=jnp.float32) -> jax.Array:
    return jax.random.normal(jax.random.PRNGKey(0), (4, 33), dtype) * 4


@pytest.mark.parametrize("fn", STAGED, ids=lambda f: f.__name__)
def test_traced_equations_are_the_functions_own(fn):
    x = _sample()
    staged = jax.make_jaxpr(lambda x: _activations.activate(fn, x))(x)
    direct = jax.make_jaxpr(fn)(x)
    assert str(staged) == str(direct)


@pytest.mark.parametrize("fn", STAGED, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16])
def test_eager_and_gradient_values_are_bit_identical(fn, dtype):
    x = _sample(dtype)
    np.testing.assert_array_equal(
        np.asarray(_activations.activate(fn, x)).view(np.uint8), np.asarray(fn(x)).view(np.uint8)
    )
    grad_staged = jax.grad(lambda x: _activations.activate(fn, x).sum())(x)
    grad_direct = jax.grad(lambda x: fn(x).sum())(x)
    np.testing.assert_array_equal(
        np.asarray(grad_staged).view(np.uint8), np.asarray(grad_direct).view(np.uint8)
    )


def test_gelu_runs_as_jax_runs_it_when_eager():
    # JAX deliberately runs gelu op by op (a whole-function jit changed its numerics).
    assert id(jax.nn.gelu) in _activations._KNOWN
    assert id(jax.nn.gelu) not in _activations._EAGER_SAFE
    assert id(jax.nn.relu) in _activations._EAGER_SAFE


def test_other_callables_are_called_as_they_are():
    calls = []

    def custom(x):
        calls.append(type(x))
        return x * 2

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]  # the point of the test

        def __call__(self, x):
            return x - 1

    x = jnp.ones(2)
    assert _activations.activate(custom, x).tolist() == [2.0, 2.0]
    assert jax.jit(lambda x: _activations.activate(custom, x))(x).tolist() == [2.0, 2.0]
    assert len(calls) == 2
    assert _activations.activate(Unhashable(), x).tolist() == [0.0, 0.0]


def test_mlp_activation_attribute_is_what_the_user_passed():
    def forward(x):
        mlp = hk.nets.MLP([3, 2], activation=jax.nn.gelu)
        assert mlp.activation is jax.nn.gelu
        return mlp(x)

    f = hk.transform(forward)
    x = jnp.ones([1, 4])
    params = f.init(jax.random.PRNGKey(0), x)
    expected = x
    for name in ("mlp/~/linear_0", "mlp/~/linear_1"):
        expected = expected @ params[name]["w"] + params[name]["b"]
        if name.endswith("0"):
            expected = jax.nn.gelu(expected)
    np.testing.assert_allclose(f.apply(params, None, x), expected, rtol=1e-6)


def test_an_activation_that_uses_haiku_state_still_works():
    def scaled_relu(x):
        return jax.nn.relu(x) * hk.get_parameter("scale", [], init=jnp.ones)

    f = hk.transform(lambda x: hk.nets.MLP([2, 2], activation=scaled_relu)(x))
    params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    assert "mlp" in params and params["mlp"]["scale"].shape == ()
    assert jax.jit(f.apply)(params, None, jnp.ones([1, 2])).shape == (1, 2)


def test_the_twin_is_used_from_the_second_staged_call_with_a_shape(monkeypatch):
    monkeypatch.undo()  # the real warm-up rule
    _activations._SEEN_SHAPES.clear()
    seen = []
    monkeypatch.setitem(
        _activations._STAGED, id(jax.nn.relu), lambda x: seen.append(x.shape) or jax.nn.relu(x)
    )
    for _ in range(3):
        jax.make_jaxpr(lambda x: _activations.activate(jax.nn.relu, x))(jnp.ones(5))
    assert seen == [(5,), (5,)]  # not the first call
