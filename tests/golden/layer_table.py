"""One small, runnable model per haiku-layers name (layer matrix and conformance tests).

Every entry-point name of haiku-layers is either in `LAYERS` or in `NOT_A_LAYER` with the
reason it cannot be run as a model on a float input (a test keeps the two in sync with
the installed entry points).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

import haiku as hk

W_INIT = hk.initializers.VarianceScaling(1.0)


@dataclasses.dataclass(frozen=True)
class Layer:
    """A layer name, a function of one float input using it, and that input's shape."""

    name: str
    fn: Callable[[jax.Array], Any]
    shape: tuple[int, ...]
    rng: bool = False  # needs a key at apply


def _cast_state(state: Any, x: jax.Array) -> Any:
    return jax.tree.map(lambda s: s.astype(x.dtype), state)


def _core_step(make: Callable[[], Any]) -> Callable[[jax.Array], Any]:
    def fn(x: jax.Array) -> Any:
        core = make()
        return core(x, _cast_state(core.initial_state(x.shape[0]), x))

    return fn


def _unroll(unroll: Callable[..., Any]) -> Callable[[jax.Array], Any]:
    def fn(x: jax.Array) -> Any:  # x: [T, B, F]
        core = hk.LSTM(3)
        return unroll(core, x, _cast_state(core.initial_state(x.shape[1]), x))

    return fn


def _reset_core(x: jax.Array) -> Any:
    core = hk.ResetCore(hk.GRU(3))
    should_reset = jnp.array([True, False])
    return core((x, should_reset), _cast_state(core.initial_state(2), x))


LAYERS: list[Layer] = [
    Layer("Linear", lambda x: hk.Linear(3)(x), (2, 4)),
    Layer("Bias", lambda x: hk.Bias()(x), (2, 4)),
    Layer("Sequential", lambda x: hk.Sequential([hk.Linear(3), jax.nn.relu])(x), (2, 4)),
    Layer("BatchApply", lambda x: hk.BatchApply(hk.Linear(3))(x), (2, 2, 4)),
    Layer("expand_apply", lambda x: hk.expand_apply(hk.Linear(3))(x), (4,)),
    Layer("dropout", lambda x: hk.dropout(hk.next_rng_key(), 0.5, x), (2, 4), rng=True),
    Layer("Reshape", lambda x: hk.Reshape((2, 2))(x), (2, 4)),
    Layer("Flatten", lambda x: hk.Flatten()(x), (2, 2, 2)),
    Layer("ConvND", lambda x: hk.ConvND(2, 3, 3)(x), (1, 5, 5, 2)),
    Layer("Conv1D", lambda x: hk.Conv1D(3, 3)(x), (1, 5, 2)),
    Layer("Conv2D", lambda x: hk.Conv2D(3, 3, stride=2)(x), (1, 5, 5, 2)),
    Layer("Conv3D", lambda x: hk.Conv3D(3, 2)(x), (1, 3, 3, 3, 2)),
    Layer("ConvNDTranspose", lambda x: hk.ConvNDTranspose(2, 3, 3)(x), (1, 4, 4, 2)),
    Layer("Conv1DTranspose", lambda x: hk.Conv1DTranspose(3, 3, stride=2)(x), (1, 4, 2)),
    Layer("Conv2DTranspose", lambda x: hk.Conv2DTranspose(3, 3)(x), (1, 4, 4, 2)),
    Layer("Conv3DTranspose", lambda x: hk.Conv3DTranspose(3, 2)(x), (1, 3, 3, 3, 2)),
    Layer("DepthwiseConv1D", lambda x: hk.DepthwiseConv1D(2, 3)(x), (1, 5, 2)),
    Layer("DepthwiseConv2D", lambda x: hk.DepthwiseConv2D(1, 3)(x), (1, 5, 5, 2)),
    Layer("DepthwiseConv3D", lambda x: hk.DepthwiseConv3D(1, 2)(x), (1, 3, 3, 3, 2)),
    Layer("SeparableDepthwiseConv2D", lambda x: hk.SeparableDepthwiseConv2D(3, 3)(x), (1, 5, 5, 2)),
    Layer("max_pool", lambda x: hk.max_pool(x, (1, 2, 2, 1), 1, "VALID"), (1, 4, 4, 2)),
    Layer("avg_pool", lambda x: hk.avg_pool(x, (1, 2, 2, 1), (1, 2, 2, 1), "SAME"), (1, 5, 5, 2)),
    Layer("MaxPool", lambda x: hk.MaxPool((1, 2, 2, 1), (1, 2, 2, 1), "SAME")(x), (1, 5, 5, 2)),
    Layer("AvgPool", lambda x: hk.AvgPool((1, 2, 2, 1), 1, "VALID")(x), (1, 4, 4, 2)),
    Layer("BatchNorm", lambda x: hk.BatchNorm(True, True, 0.9)(x, is_training=True), (4, 3)),
    Layer("LayerNorm", lambda x: hk.LayerNorm(-1, True, True)(x), (2, 4)),
    Layer("InstanceNorm", lambda x: hk.InstanceNorm(True, True)(x), (1, 3, 3, 2)),
    Layer("GroupNorm", lambda x: hk.GroupNorm(2)(x), (1, 3, 3, 4)),
    Layer("RMSNorm", lambda x: hk.RMSNorm(-1)(x), (2, 4)),
    Layer("ExponentialMovingAverage", lambda x: hk.ExponentialMovingAverage(0.9)(x), (2, 4)),
    Layer("EMAParamsTree", lambda x: hk.EMAParamsTree(0.9)({"m": {"w": x}}), (2, 4)),
    Layer("SpectralNorm", lambda x: hk.SpectralNorm()(x), (3, 3)),
    Layer("SNParamsTree", lambda x: hk.SNParamsTree()({"m": {"w": x}}), (3, 3)),
    Layer("Embed", lambda m: hk.Embed(embedding_matrix=m)(jnp.array([0, 3, 1])), (10, 4)),
    Layer(
        "MultiHeadAttention", lambda x: hk.MultiHeadAttention(2, 4, w_init=W_INIT)(x, x, x), (3, 8)
    ),
    Layer("LSTM", _core_step(lambda: hk.LSTM(3)), (2, 4)),
    Layer("GRU", _core_step(lambda: hk.GRU(3)), (2, 4)),
    Layer("VanillaRNN", _core_step(lambda: hk.VanillaRNN(3)), (2, 4)),
    Layer("IdentityCore", _core_step(hk.IdentityCore), (2, 4)),
    Layer("ResetCore", _reset_core, (2, 4)),
    Layer("DeepRNN", _core_step(lambda: hk.DeepRNN([hk.LSTM(3), jax.nn.relu, hk.GRU(2)])), (2, 4)),
    Layer(
        "deep_rnn_with_skip_connections",
        _core_step(lambda: hk.deep_rnn_with_skip_connections([hk.LSTM(3), hk.GRU(2)])),
        (2, 4),
    ),
    Layer("static_unroll", _unroll(hk.static_unroll), (3, 2, 4)),
    Layer("dynamic_unroll", _unroll(hk.dynamic_unroll), (3, 2, 4)),
    Layer("Conv1DLSTM", _core_step(lambda: hk.Conv1DLSTM((5,), 2, 3)), (1, 5, 2)),
    Layer("Conv2DLSTM", _core_step(lambda: hk.Conv2DLSTM((4, 4), 2, 3)), (1, 4, 4, 2)),
    Layer("Conv3DLSTM", _core_step(lambda: hk.Conv3DLSTM((3, 3, 3), 2, 2)), (1, 3, 3, 3, 2)),
]

NOT_A_LAYER: dict[str, str] = {
    "one_hot": "deprecated function of integer ids",
    "multinomial": "deprecated sampler with integer outputs",
    "EmbedLookupStyle": "an enum (used through Embed)",
    "RNNCore": "abstract base class (used through LSTM, GRU, ...)",
    "LSTMState": "a NamedTuple (used through LSTM)",
    "get_channel_index": "a function of a data-format string",
    "pad": "a module of padding functions (property tests in test_properties.py)",
}


def transformed(layer: Layer) -> hk.TransformedWithState:
    return hk.transform_with_state(layer.fn)
