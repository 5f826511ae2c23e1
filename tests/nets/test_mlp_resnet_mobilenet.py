"""Behaviour of hk.nets.MLP, ResNet* and MobileNetV1 beyond the golden values."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_nets")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk
import haiku_nets

DM_HAIKU_NETS = {
    "MLP",
    "MobileNetV1",
    "ResNet",
    "ResNet18",
    "ResNet34",
    "ResNet50",
    "ResNet101",
    "ResNet152",
    "ResNet200",
    "VectorQuantizer",
    "VectorQuantizerEMA",
}


def test_public_names():
    assert set(haiku_nets.__all__) >= DM_HAIKU_NETS
    assert set(haiku_nets.__all__) == DM_HAIKU_NETS | {"Transformer", "TransformerBlock"}
    for name in haiku_nets.__all__:
        assert getattr(hk.nets, name) is getattr(haiku_nets, name)


def test_mlp_names_and_attributes():
    def f(x):
        mlp = hk.nets.MLP([3, 4], name="m")
        assert [layer.name for layer in mlp.layers] == ["linear_0", "linear_1"]
        assert mlp.output_size == 4
        assert hk.nets.MLP([]).output_size is None
        return mlp(x)

    params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
    assert list(params) == ["m/~/linear_0", "m/~/linear_1"]


def test_mlp_jit_and_grad():
    f = hk.without_apply_rng(hk.transform(lambda x: hk.nets.MLP([5, 2])(x)))
    x = jnp.ones([3, 4])
    params = f.init(jax.random.PRNGKey(1), x)
    np.testing.assert_allclose(jax.jit(f.apply)(params, x), f.apply(params, x), atol=1e-6)
    grads = jax.grad(lambda p: jnp.sum(f.apply(p, x) ** 2))(params)
    assert jax.tree.map(jnp.shape, grads) == jax.tree.map(jnp.shape, params)


def test_mlp_dropout_uses_the_explicit_rng_only():
    def f(x, rng):
        return hk.nets.MLP([16, 16], activate_final=True)(x, dropout_rate=0.5, rng=rng)

    f = hk.transform(f)
    x = jnp.ones([2, 8])
    params = f.init(jax.random.PRNGKey(0), x, jax.random.PRNGKey(1))
    a = f.apply(params, None, x, jax.random.PRNGKey(1))
    b = f.apply(params, jax.random.PRNGKey(5), x, jax.random.PRNGKey(1))
    c = f.apply(params, None, x, jax.random.PRNGKey(2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"dropout_rate": 0.1}, "rng"),
        ({"rng": jax.random.PRNGKey(0)}, "dropout_rate"),
    ],
)
def test_mlp_dropout_argument_errors(kwargs, match):
    f = hk.transform(lambda x: hk.nets.MLP([3])(x, **kwargs))
    with pytest.raises(ValueError, match=match):
        f.init(None, jnp.ones([1, 2]))


def test_mlp_b_init_without_bias_is_an_error():
    f = hk.transform(lambda x: hk.nets.MLP([3], with_bias=False, b_init=jnp.zeros)(x))
    with pytest.raises(ValueError, match="with_bias"):
        f.init(None, jnp.ones([1, 2]))


def test_mlp_reverse_before_call_is_an_error():
    f = hk.transform(lambda x: hk.nets.MLP([3]).reverse())
    with pytest.raises(ValueError, match="called"):
        f.init(None, jnp.ones([1, 2]))


def test_mlp_reverse_names_and_sizes():
    def f(x):
        mlp = hk.nets.MLP([3, 4], activation=jnp.tanh, activate_final=True)
        y = mlp(x)
        rev = mlp.reverse()
        assert rev.name == "mlp_reversed" and rev.activate_final
        assert rev.activation is jnp.tanh
        assert mlp.reverse(activate_final=False, name="back").activate_final is False
        return rev(y)

    f = hk.transform(f)
    params = f.init(jax.random.PRNGKey(0), jnp.ones([2, 5]))
    assert jax.tree.map(jnp.shape, params)["mlp/~reverse/mlp_reversed/~/linear_1"] == {
        "b": (5,),
        "w": (3, 5),
    }


@pytest.mark.parametrize(
    "arg", ["blocks_per_group", "channels_per_group", "use_projection", "strides"]
)
def test_resnet_length_errors_name_the_argument(arg):
    kwargs = {"blocks_per_group": (1, 1, 1, 1), "num_classes": 2, arg: (1, 2, 1)}
    f = hk.transform_with_state(lambda x: hk.nets.ResNet(**kwargs)(x, True))
    with pytest.raises(ValueError, match=arg):
        f.init(None, jnp.ones([1, 8, 8, 3]))


def test_resnet_class_attributes_and_presets():
    assert hk.nets.ResNet.BlockV1.__name__ == "BlockV1"
    assert hk.nets.ResNet.BlockGroup is not None and hk.nets.ResNet.BlockV2 is not None
    assert hk.nets.ResNet.CONFIGS[50]["blocks_per_group"] == (3, 4, 6, 3)

    def f():
        nets = [
            cls(3)
            for cls in (
                hk.nets.ResNet18,
                hk.nets.ResNet34,
                hk.nets.ResNet50,
                hk.nets.ResNet101,
                hk.nets.ResNet152,
                hk.nets.ResNet200,
            )
        ]
        return [(n.module_name, [len(g.blocks) for g in n.block_groups]) for n in nets]

    got = hk.transform(f).apply({}, None)
    assert got == [
        (f"res_net{d}", list(hk.nets.ResNet.CONFIGS[d]["blocks_per_group"]))
        for d in (18, 34, 50, 101, 152, 200)
    ]
    for cls in (hk.nets.ResNet18, hk.nets.ResNet200):
        assert issubclass(cls, hk.nets.ResNet)


def test_mobilenet_length_mismatch_error():
    f = hk.transform_with_state(
        lambda x: hk.nets.MobileNetV1(strides=(1, 2), channels=(4,))(x, True)
    )
    with pytest.raises(ValueError, match="strides"):
        f.init(None, jnp.ones([1, 8, 8, 3]))


def test_mobilenet_jit_matches_eager():
    f = hk.transform_with_state(
        lambda x, t: hk.nets.MobileNetV1(strides=(2,), channels=(8,), num_classes=3)(x, t)
    )
    x = jax.random.normal(jax.random.PRNGKey(0), [2, 9, 9, 3])
    params, state = f.init(jax.random.PRNGKey(1), x, True)
    eager, _ = f.apply(params, state, None, x, False)
    jitted, _ = jax.jit(f.apply, static_argnums=4)(params, state, None, x, False)
    np.testing.assert_allclose(eager, jitted, atol=1e-5)
