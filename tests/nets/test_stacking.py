"""Scan-over-blocks in hk.nets: use_layer_stack=True and the layout converters.

Unrolled (dm-haiku layout) params/state -> stack_params -> the scanned net computes the
same outputs, new state and gradients; the round trips are exact; bad trees get clear
errors. Small nets only: every case compiles in well under a second.
"""

from __future__ import annotations

import types

import pytest

pytest.importorskip("haiku_nets")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

TOL = {"atol": 1e-5, "rtol": 1e-5}
# ResNet: BatchNorm over a tiny batch amplifies float32 reordering (scan vs unrolled fusion).
RESNET_TOL = {"atol": 5e-4, "rtol": 1e-4}
ResNet = None if not hasattr(hk, "nets") else hk.nets.ResNet


def assert_trees_equal(a, b):
    """Same names, same keys and bit-identical arrays."""
    assert list(a) == list(b)
    for name in a:
        assert list(a[name]) == list(b[name]), name
        for key in a[name]:
            np.testing.assert_array_equal(a[name][key], b[name][key], err_msg=f"{name}/{key}")
            assert jnp.result_type(a[name][key]) == jnp.result_type(b[name][key])


def assert_trees_close(a, b, tol=TOL):
    assert sorted(a) == sorted(b)
    for name in a:
        for key in a[name]:
            np.testing.assert_allclose(a[name][key], b[name][key], err_msg=f"{name}/{key}", **tol)


def shapes(tree):
    return {name: {k: jnp.shape(v) for k, v in bundle.items()} for name, bundle in tree.items()}


# -- Transformer ------------------------------------------------------------------------------

L = 3


def lm(use_layer_stack):
    """A transformer inside a bigger model (embedding + read-out), custom name."""

    def f(tokens):
        x = hk.Embed(11, 8, name="embed")(tokens)
        net = hk.nets.Transformer(2, L, key_size=4, use_layer_stack=use_layer_stack, name="decoder")
        return hk.Linear(11, name="head")(net(x, is_training=False))

    return jitted(hk.transform(f))


def jitted(f, init_static=(), apply_static=()):
    """``f.init``/``f.apply`` under jit (far faster than op-by-op)."""
    return types.SimpleNamespace(
        init=jax.jit(f.init, static_argnums=init_static),
        apply=jax.jit(f.apply, static_argnums=apply_static),
    )


@pytest.fixture(scope="module")
def lm_case():
    tokens = jax.random.randint(jax.random.PRNGKey(0), [2, 5], 0, 11)
    unrolled, scanned = lm(False), lm(True)
    return unrolled, scanned, unrolled.init(jax.random.PRNGKey(1), tokens), tokens


def test_transformer_default_layout_is_unrolled(lm_case):
    _, _, params, _ = lm_case
    assert {f"decoder/block_{i}/attention_norm" for i in range(L)} <= set(params)
    assert not any("layers" in n for n in params)


def test_transformer_stacked_params_run_like_unrolled(lm_case):
    unrolled, scanned, params, tokens = lm_case
    stacked = hk.nets.Transformer.stack_params(params)
    assert shapes(stacked) == shapes(scanned.init(jax.random.PRNGKey(2), tokens))
    assert stacked["decoder/layers/block/mlp/~/linear_0"]["w"].shape == (L, 8, 32)
    assert set(stacked) - {n for n in stacked if "/layers/block/" in n} == {
        "embed",
        "head",
        "decoder/final_norm",
    }
    np.testing.assert_allclose(
        scanned.apply(stacked, None, tokens), unrolled.apply(params, None, tokens), **TOL
    )


def test_transformer_gradients_match(lm_case):
    unrolled, scanned, params, tokens = lm_case

    def loss(f):
        return lambda p: jnp.sum(f.apply(p, None, tokens) ** 2)

    g_unrolled = jax.grad(loss(unrolled))(params)
    g_scanned = jax.grad(loss(scanned))(hk.nets.Transformer.stack_params(params))
    assert_trees_close(hk.nets.Transformer.stack_params(g_unrolled), g_scanned)


def test_transformer_round_trips_are_exact(lm_case):
    _, scanned, params, tokens = lm_case
    to, back = hk.nets.Transformer.stack_params, hk.nets.Transformer.unstack_params
    assert_trees_equal(back(to(params)), params)
    native = scanned.init(jax.random.PRNGKey(3), tokens)
    restored = to(back(native))
    assert sorted(restored) == sorted(native)
    assert_trees_equal({n: restored[n] for n in native}, native)


def test_transformer_unstacked_native_params_run_unrolled(lm_case):
    unrolled, scanned, _, tokens = lm_case
    native = scanned.init(jax.random.PRNGKey(3), tokens)
    flat = hk.nets.Transformer.unstack_params(native)
    assert shapes(flat) == shapes(unrolled.init(jax.random.PRNGKey(0), tokens))
    np.testing.assert_allclose(
        unrolled.apply(flat, None, tokens), scanned.apply(native, None, tokens), **TOL
    )


# -- ResNet -----------------------------------------------------------------------------------


def resnet(use_layer_stack, resnet_v2, bottleneck):
    def f(x, is_training):
        net = hk.nets.ResNet(
            [1, 3, 2, 1],
            num_classes=5,
            resnet_v2=resnet_v2,
            bottleneck=bottleneck,
            channels_per_group=(8, 8, 16, 16),
            initial_conv_config={"output_channels": 8},
            # Non-zero logits so the outputs depend on every block.
            logits_config={"w_init": hk.initializers.RandomNormal()},
            use_layer_stack=use_layer_stack,
        )
        return net(x, is_training)

    # is_training is static: init(rng, x, is_training), apply(params, state, rng, x, is_training).
    return jitted(hk.transform_with_state(f), init_static=2, apply_static=4)


@pytest.mark.parametrize(
    "resnet_v2, bottleneck, modes",
    [(False, False, (True, False)), (True, True, (True,))],
    ids=["v1-basic", "v2-bottleneck"],
)
def test_resnet_stacked_params_and_state_run_like_unrolled(resnet_v2, bottleneck, modes):
    x = jax.random.normal(jax.random.PRNGKey(0), [2, 16, 16, 3])
    unrolled, scanned = resnet(False, resnet_v2, bottleneck), resnet(True, resnet_v2, bottleneck)
    params, state = unrolled.init(jax.random.PRNGKey(1), x, True)
    # One training step first, so the moving averages differ from block to block.
    _, state = unrolled.apply(params, state, None, x, True)
    s_params, s_state = ResNet.stack_params(params), ResNet.stack_params(state)
    native_params, native_state = scanned.init(jax.random.PRNGKey(2), x, True)
    assert shapes(s_params) == shapes(native_params)
    assert shapes(s_state) == shapes(native_state)
    conv = "res_net/~/block_group_1/stacked_blocks/block/~/conv_0"
    assert s_params[conv]["w"].shape[0] == 2  # blocks 1 and 2 of 3
    assert "res_net/~/block_group_1/~/block_0/~/conv_0" in s_params
    assert not any("block_group_0/stacked" in n or "block_group_3/stacked" in n for n in s_params)
    for is_training in modes:
        out, new_state = unrolled.apply(params, state, None, x, is_training)
        s_out, s_new_state = scanned.apply(s_params, s_state, None, x, is_training)
        np.testing.assert_allclose(s_out, out, **RESNET_TOL)
        assert_trees_close(ResNet.unstack_params(s_new_state), new_state, RESNET_TOL)
    # Round trips are exact, from either layout.
    assert_trees_equal(ResNet.unstack_params(s_params), params)
    assert_trees_equal(ResNet.unstack_params(s_state), state)
    for tree in (native_params, native_state):
        restored = ResNet.stack_params(ResNet.unstack_params(tree))
        assert sorted(restored) == sorted(tree)
        assert_trees_equal({n: restored[n] for n in tree}, tree)


def test_resnet_option_is_keyword_only_and_reaches_presets():
    def names(make):
        f = hk.transform_with_state(lambda x: make()(x, True))
        return list(jax.eval_shape(f.init, jax.random.PRNGKey(0), jnp.ones([1, 32, 32, 3]))[0])

    stacked = names(lambda: hk.nets.ResNet18(4, use_layer_stack=True))
    assert "res_net18/~/block_group_0/stacked_blocks/block/~/conv_0" in stacked
    assert not any("/~/block_1/" in n for n in stacked)
    assert "res_net18/~/block_group_0/~/block_1/~/conv_0" in names(lambda: hk.nets.ResNet18(4))
    positional = hk.transform(
        lambda: hk.nets.ResNet([1] * 4, 3, None, False, True, (8,) * 4, (True,) * 4, None, None,
                               None, (1, 2, 2, 2), True)
    )  # fmt: skip
    with pytest.raises(TypeError):
        positional.init(None)


# -- errors -----------------------------------------------------------------------------------

W = {"w": jnp.zeros([2, 2])}


@pytest.mark.parametrize(
    "convert, tree, error, match",
    [
        ("stack", {"linear": W}, ValueError, "no module of a hk.nets.Transformer"),
        ("stack", [("t/block_0/ln", W)], TypeError, "mapping of module name"),
        ("stack", {"t/layers/block/ln": W}, ValueError, "already in the stacked layout"),
        ("stack", {"t/block_0/ln": W, "t/block_2/ln": W}, ValueError, "block_1 is missing"),
        (
            "stack",
            {"t/block_0/ln": W, "t/block_1/ln": {"w": jnp.zeros([3, 2])}},
            ValueError,
            r"'t/block_1/ln/w' is float32\[3, 2\] but 't/block_0/ln/w' is float32\[2, 2\]",
        ),
        ("stack", {"t/block_0/ln": W, "t/block_1/ln": {"b": W["w"]}}, ValueError, "holds"),
        ("stack", {"t/block_0/a": W, "t/block_1/b": W}, ValueError, "no counterpart"),
        ("unstack", {"t/block_0/ln": W}, ValueError, "already in the unrolled layout"),
        (
            "unstack",
            {"t/layers/block/a": W, "t/layers/block/b": {"w": jnp.zeros([3])}},
            ValueError,
            "leading axis of 3 but 't/layers/block/a/w' has 2",
        ),
        ("unstack", {"t/layers/block/a": {"c": jnp.zeros([])}}, ValueError, "scalar"),
    ],
)
def test_transformer_converter_errors(convert, tree, error, match):
    fn = getattr(hk.nets.Transformer, f"{convert}_params")
    with pytest.raises(error, match=match):
        fn(tree)


G = "res_net/~/block_group_0"


@pytest.mark.parametrize(
    "convert, tree, match",
    [
        # Transformer params are not a ResNet (and vice versa below).
        ("stack", {"transformer/block_0/ln": W}, "no module of a hk.nets.ResNet"),
        ("stack", {f"{G}/stacked_blocks/block/~/conv_0": W}, "already in the stacked"),
        ("stack", {f"{G}/~/block_0/~/c": W, f"{G}/~/block_2/~/c": W}, "block_1 is missing"),
        ("unstack", {f"{G}/~/block_1/~/conv_0": W}, "already in the unrolled"),
    ],
)
def test_resnet_converter_errors(convert, tree, match):
    with pytest.raises(ValueError, match=match):
        getattr(ResNet, f"{convert}_params")(tree)


def test_transformer_converter_rejects_resnet_trees():
    tree = {f"{G}/~/block_0/~/conv_0": W, f"{G}/~/block_1/~/conv_0": W}
    with pytest.raises(ValueError, match="no module of a hk.nets.Transformer"):
        hk.nets.Transformer.stack_params(tree)


def test_resnet_group_of_one_block_is_unchanged():
    tree = {f"{G}/~/block_0/~/conv_0": W, "res_net/~/logits": W}
    assert_trees_equal(ResNet.stack_params(tree), tree)
    assert_trees_equal(ResNet.unstack_params(tree), tree)
