"""Misuse of hk.nets: clear errors naming the net and the fix, and no leaked state.

`CASES` run through the misuse harness (tests/misuse.py).
"""

from __future__ import annotations

import jax.numpy as jnp
import pytest

import haiku as hk

import misuse
from misuse import (
    KEY,
    LN,
    Case,
    mlp,
    mlp_params,
    t,
    ts,
)

CASES = [
    Case(
        "MLP.reverse before the MLP was called",
        LN,
        lambda: t(lambda x: hk.nets.MLP([2]).reverse()(x)).init(KEY, jnp.ones([1, 3])),
        ValueError,
        r"mlp: cannot reverse an MLP",
        r"Call it on an input first",
    ),
    Case(
        "MLP dropout without rng",
        LN,
        lambda: t(lambda x: mlp(x, dropout_rate=0.5)).apply(mlp_params(), None, jnp.ones([1, 3])),
        ValueError,
        r"mlp: dropout_rate=0\.5 needs an rng",
        r"Pass rng=<PRNGKey>",
    ),
    Case(
        "ResNet without is_training",
        LN,
        lambda: ts(lambda x: hk.nets.ResNet18(10)(x)).init(KEY, jnp.ones([1, 8, 8, 3])),
        TypeError,
        r"ResNet.*'is_training'",
        r"missing 1 required",
    ),
    Case(
        "ResNet with three-entry blocks_per_group",
        LN,
        lambda: ts(lambda x: hk.nets.ResNet([1, 1], 10)(x, True)).init(KEY, jnp.ones([1, 8, 8, 3])),
        ValueError,
        r"`blocks_per_group`.*\[1, 1\]",
        r"must have length 4",
    ),
    Case(
        "ResNet with two channels_per_group",
        LN,
        lambda: ts(
            lambda x: hk.nets.ResNet([1, 1, 1, 1], 10, channels_per_group=(4, 4))(x, True)
        ).init(KEY, jnp.ones([1, 8, 8, 3])),
        ValueError,
        r"`channels_per_group`.*\(4, 4\)",
        r"must have length 4",
    ),
    Case(
        "MLP with a zero output size",
        LN,
        lambda: t(lambda x: hk.nets.MLP([3, 0])(x)).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"hk\.nets\.MLP: `output_sizes\[1\]` must be a positive int, got 0",
        r"output_sizes=\[64, 10\]",
    ),
    Case(
        "VectorQuantizer with the wrong input width",
        LN,
        lambda: ts(lambda x: hk.nets.VectorQuantizer(4, 8, 0.25)(x, is_training=True)).init(
            KEY, jnp.ones([2, 5])
        ),
        ValueError,
        r"vector_quantizer.*embedding_dim=4.*\(2, 5\)",
        r"last axis.*must be",
    ),
    Case(
        "VectorQuantizerEMA (state) under hk.transform",
        LN,
        lambda: t(lambda x: hk.nets.VectorQuantizerEMA(4, 8, 0.25, 0.9)(x, True)).init(
            KEY, jnp.ones([2, 4])
        ),
        ValueError,
        r"used state",
        r"use `hk\.transform_with_state`",
    ),
    Case(
        "MobileNetV1 on a rank-2 input",
        LN,
        lambda: ts(lambda x: hk.nets.MobileNetV1(num_classes=3)(x, True)).init(
            KEY, jnp.ones([2, 5])
        ),
        ValueError,
        r"mobile_net_v1/conv2_d.*\(2, 5\)",
        r"rank 3 or 4",
    ),
    Case(
        "Transformer without key_size",
        LN,
        lambda: t(lambda x: hk.nets.Transformer(num_heads=3, num_layers=1, model_size=8)(x)).init(
            KEY, jnp.ones([1, 2, 8])
        ),
        TypeError,
        r"Transformer.*'key_size'",
        r"missing 1 required",
    ),
]


@pytest.mark.parametrize("case", misuse.params(CASES))
def test_misuse(case: Case) -> None:
    misuse.check(case)
