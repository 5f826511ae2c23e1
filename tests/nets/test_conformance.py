"""haiku-nets passes the plugin conformance check (``hk.testing``), one test per network.

haiku-nets registers one name, ``nets`` (a submodule); the check then requires a case for
every ``hk.Module`` class it exports, keyed ``"nets.<Class>"``. Sizes are tiny.
"""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_nets")

import jax

import haiku as hk

Case, Skip = hk.testing.Case, hk.testing.Skip


def _x(*shape: int) -> jax.Array:
    return jax.random.normal(jax.random.PRNGKey(1), shape)


_TINY_RESNET = dict(blocks_per_group=(1, 1, 1, 1), num_classes=3, channels_per_group=(4, 4, 8, 8))
_PRESET = "a fixed-width preset of nets.ResNet (same code, more blocks), run via ResNet18"

CASES: dict[str, hk.testing.Case | hk.testing.Skip] = {
    "nets": Skip("a submodule; its Module classes have cases of their own"),
    "nets.MLP": Case(lambda x: hk.nets.MLP([4, 3])(x), _x(2, 5)),
    "nets.MobileNetV1": Case(
        lambda x: hk.nets.MobileNetV1(strides=(1, 2), channels=(4, 8), num_classes=3)(
            x, is_training=True
        ),
        _x(1, 8, 8, 3),
    ),
    "nets.ResNet": Case(
        lambda x: hk.nets.ResNet(**_TINY_RESNET, bottleneck=True, resnet_v2=True)(
            x, is_training=True
        ),
        _x(1, 16, 16, 3),
    ),
    "nets.ResNet18": Case(lambda x: hk.nets.ResNet18(3)(x, is_training=True), _x(1, 8, 8, 3)),
    "nets.ResNet34": Skip(_PRESET),
    "nets.ResNet50": Skip(_PRESET),
    "nets.ResNet101": Skip(_PRESET),
    "nets.ResNet152": Skip(_PRESET),
    "nets.ResNet200": Skip(_PRESET),
    "nets.Transformer": Case(
        lambda x: hk.nets.Transformer(num_heads=2, num_layers=2, key_size=2)(x, is_training=True),
        _x(3, 4),
    ),
    "nets.TransformerBlock": Case(
        lambda x: hk.nets.TransformerBlock(num_heads=2, key_size=2, dropout_rate=0.1)(x), _x(3, 4)
    ),
    "nets.VectorQuantizer": Case(
        lambda x: hk.nets.VectorQuantizer(4, 5, 0.25)(x, is_training=True), _x(2, 4)
    ),
    "nets.VectorQuantizerEMA": Case(
        lambda x: hk.nets.VectorQuantizerEMA(4, 5, 0.25, 0.9)(x, is_training=True), _x(2, 4)
    ),
}

test_conformance = hk.testing.conformance_test("haiku-nets", CASES)
