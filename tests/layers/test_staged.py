"""haiku_layers._staged: cached kernels give the op-by-op equations, values and gradients."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk

_staged = pytest.importorskip("haiku_layers._staged")


@pytest.fixture(autouse=True)
def _always_staged(monkeypatch):
    """Kernels from the first staged call on (they normally wait for a repeated shape)."""
    monkeypatch.setattr(_staged, "seen_before", lambda key: True)


def _op_by_op_dense(x, w, b, precision=None):
    out = jnp.dot(x, w, precision=precision)
    if b is None:
        return out
    b = jnp.broadcast_to(b, out.shape)
    return out + b


CASES = {
    "f32": (jnp.float32, jnp.float32, None),
    "bf16 params, f32 input": (jnp.float32, jnp.bfloat16, None),
    "highest precision": (jnp.float32, jnp.float32, jax.lax.Precision.HIGHEST),
}


def _args(x_dtype, p_dtype, shape=(3, 5, 4)):
    keys = jax.random.split(jax.random.PRNGKey(1), 3)
    x = jax.random.normal(keys[0], shape, x_dtype)
    w = jax.random.normal(keys[1], (shape[-1], 6), p_dtype)
    b = jax.random.normal(keys[2], (6,), p_dtype)
    return x, w, b


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
@pytest.mark.parametrize("with_bias", [True, False])
def test_staged_dense_has_the_op_by_op_equations(case, with_bias):
    x_dtype, p_dtype, precision = CASES[case]
    x, w, b = _args(x_dtype, p_dtype)
    b = b if with_bias else None
    staged = jax.make_jaxpr(lambda x, w, b: _staged.dense(x, w, b, precision))(x, w, b)
    direct = jax.make_jaxpr(lambda x, w, b: _op_by_op_dense(x, w, b, precision))(x, w, b)
    assert str(staged) == str(direct)
    grad_staged = jax.make_jaxpr(
        jax.grad(lambda x, w, b: _staged.dense(x, w, b, precision).sum(), argnums=(0, 1))
    )(x, w, b)
    grad_direct = jax.make_jaxpr(
        jax.grad(lambda x, w, b: _op_by_op_dense(x, w, b, precision).sum(), argnums=(0, 1))
    )(x, w, b)
    assert str(grad_staged) == str(grad_direct)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_values_match_op_by_op_bit_for_bit(case):
    x_dtype, p_dtype, precision = CASES[case]
    x, w, b = _args(x_dtype, p_dtype)

    def bits(a):
        return np.asarray(a).view(np.uint8)

    expected = _op_by_op_dense(x, w, b, precision)
    np.testing.assert_array_equal(bits(_staged.dense(x, w, b, precision)), bits(expected))
    # Eager grad evaluates op by op; it must not switch to the fused kernel.
    loss = lambda fn: lambda w: fn(x, w, b, precision).sum()  # noqa: E731
    np.testing.assert_array_equal(
        bits(jax.grad(loss(_staged.dense))(w)), bits(jax.grad(loss(_op_by_op_dense))(w))
    )
    jitted = jax.jit(lambda x, w, b: _staged.dense(x, w, b, precision))(x, w, b)
    reference = jax.jit(lambda x, w, b: _op_by_op_dense(x, w, b, precision))(x, w, b)
    np.testing.assert_array_equal(bits(jitted), bits(reference))


def test_add_bias_equations_and_rank_promotion():
    out, b = jnp.zeros([2, 3, 4]), jnp.arange(4.0)
    staged = jax.make_jaxpr(_staged.add_bias)(out, b)
    assert [e.primitive.name for e in staged.eqns] == ["broadcast_in_dim", "add"]
    # A traced bias on a concrete output is staged too (jit over params only).
    closed = jax.make_jaxpr(lambda b: _staged.add_bias(out, b))(b)
    assert [e.primitive.name for e in closed.eqns] == ["broadcast_in_dim", "add"]
    with jax.numpy_rank_promotion("raise"):
        assert _staged.add_bias(out, b).shape == (2, 3, 4)
        assert jax.jit(_staged.add_bias)(out, b).shape == (2, 3, 4)
    mixed = _staged.add_bias(jnp.zeros([2, 4], jnp.bfloat16), b)
    assert mixed.dtype == jnp.float32  # jnp promotion, as out + b


def test_linear_apply_jaxpr_is_a_flat_op_sequence_under_vmap_and_scan():
    f = hk.without_apply_rng(hk.transform(lambda x: hk.Linear(3)(x)))
    x = jnp.ones([2, 4])
    params = f.init(jax.random.PRNGKey(0), x)
    ref = lambda p, x: _op_by_op_dense(x, p["linear"]["w"], p["linear"]["b"])  # noqa: E731
    for transform in (jax.vmap, lambda fn: jax.vmap(jax.grad(lambda p, x: fn(p, x).sum()))):
        ours = jax.make_jaxpr(transform(f.apply))(
            jax.tree.map(lambda a: a[None].repeat(2, 0), params), x[None].repeat(2, 0)
        )
        theirs = jax.make_jaxpr(transform(ref))(
            jax.tree.map(lambda a: a[None].repeat(2, 0), params), x[None].repeat(2, 0)
        )
        assert [e.primitive.name for e in ours.eqns] == [e.primitive.name for e in theirs.eqns]

    def scanned(p, xs):
        return jax.lax.scan(lambda c, x: (c, f.apply(p, x)), 0.0, xs)[1]

    out = jax.jit(scanned)(params, x[None].repeat(5, 0))
    np.testing.assert_array_equal(out[0], f.apply(params, x))


def _stablehlo(fn, *args) -> str:
    """StableHLO text without source locations (they name the kernel files)."""
    text = jax.jit(fn).lower(*args).as_text()
    return "\n".join(line.split(" loc(")[0] for line in text.splitlines() if "#loc" not in line[:5])


def _layer_cases():
    mask = jnp.tril(jnp.ones([1, 1, 5, 5], bool))

    def attention(x, mask=None):
        init = hk.initializers.VarianceScaling(1.0)
        return hk.MultiHeadAttention(2, 3, w_init=init)(x, x, x, mask=mask)

    return {
        "linear": (lambda x: hk.Linear(6)(x), (3, 5, 4)),
        "conv2d": (lambda x: hk.Conv2D(3, 3)(x), (2, 6, 6, 4)),
        "layer_norm": (lambda x: hk.LayerNorm(-1, True, True)(x), (3, 5, 4)),
        "layer_norm_fast_slice": (
            lambda x: hk.LayerNorm(slice(1, None), True, False, use_fast_variance=True)(x),
            (3, 5, 4),
        ),
        "batch_norm_train": (
            lambda x: hk.BatchNorm(True, True, 0.9)(x, is_training=True),
            (2, 6, 6, 4),
        ),
        "batch_norm_eval_no_scale": (
            lambda x: hk.BatchNorm(False, False, 0.9)(x, is_training=hk.running_init()),
            (2, 6, 6, 4),
        ),
        "attention_masked": (
            lambda x: attention(x, mask),
            (2, 5, 4),
        ),
        "attention": (attention, (2, 5, 4)),
    }


@pytest.mark.parametrize("name", list(_layer_cases()))
def test_staged_layers_compile_to_the_op_by_op_program(name, monkeypatch):
    forward, shape = _layer_cases()[name]
    f = hk.transform_with_state(forward)
    x = jax.random.normal(jax.random.PRNGKey(0), shape)
    params, state = f.init(jax.random.PRNGKey(1), x)

    def apply(p, s, x):
        return f.apply(p, s, None, x)[0]

    def loss(p, s, x):
        return apply(p, s, x).sum()

    staged = [_stablehlo(apply, params, state, x), _stablehlo(jax.grad(loss), params, state, x)]
    staged_out = jax.jit(apply)(params, state, x)
    monkeypatch.setattr(_staged, "is_staging", lambda _: False)
    op_by_op = [_stablehlo(apply, params, state, x), _stablehlo(jax.grad(loss), params, state, x)]
    assert staged == op_by_op
    np.testing.assert_array_equal(staged_out, jax.jit(apply)(params, state, x))


def test_a_kernel_is_built_and_used_from_the_second_call_with_a_shape(monkeypatch):
    monkeypatch.undo()  # the real warm-up rule
    kernel = _staged.Kernel(lambda x, k: x * k, static_argnums=1)
    calls = []
    monkeypatch.setattr(kernel, "fn", lambda x, k: calls.append(x.shape) or x * k)
    jax.make_jaxpr(lambda x: kernel(x, 2.0))(jnp.ones(3))
    assert kernel._jitted is None and calls == [(3,)]  # op by op
    jax.make_jaxpr(lambda x: kernel(x, 2.0))(jnp.ones(3))
    assert kernel._jitted is not None  # traced into the kernel's cache
    jax.make_jaxpr(lambda x: kernel(x, 2.0))(jnp.ones(3))
    assert calls == [(3,), (3,)]  # the third call pasted the cached trace
    jax.make_jaxpr(lambda x: kernel(x, 2.0))(jnp.ones(4))  # a new shape: op by op again
    assert calls == [(3,), (3,), (4,)]
