"""The standard layer catalogue for ``haiku``.

This distribution provides the layers that appear on ``haiku`` itself
(``hk.Linear``, ``hk.Conv2D``, ``hk.BatchNorm``, ``hk.LSTM``, ``hk.pad`` ...).
``haiku`` finds them through the ``haiku.plugins`` entry points declared in
this package's ``pyproject.toml``; each entry point names the submodule that
defines it, so using ``hk.Linear`` imports only ``haiku_layers.linear``.

The same names are available here, loaded lazily on first access:

>>> import haiku_layers
>>> haiku_layers.Linear.__name__, haiku_layers.pad.same(3)
('Linear', (1, 1))
"""

from __future__ import annotations

import importlib
from typing import Any

from haiku_layers.__about__ import __version__ as __version__

# Public name -> "module" or "module:attribute", generated from the entry-point table
# in pyproject.toml (its single source of truth).
# BEGIN GENERATED re-exports (lazy) by `hatch run dev:sync` from pyproject.toml; do not edit
_EXPORTS: dict[str, str] = {
    "Linear": "haiku_layers.linear:Linear",
    "Bias": "haiku_layers.bias:Bias",
    "Sequential": "haiku_layers.sequential:Sequential",
    "BatchApply": "haiku_layers.batch_apply:BatchApply",
    "expand_apply": "haiku_layers.batch_apply:expand_apply",
    "dropout": "haiku_layers.dropout:dropout",
    "one_hot": "haiku_layers.deprecated:one_hot",
    "multinomial": "haiku_layers.deprecated:multinomial",
    "Reshape": "haiku_layers.reshape:Reshape",
    "Flatten": "haiku_layers.reshape:Flatten",
    "ConvND": "haiku_layers.conv:ConvND",
    "Conv1D": "haiku_layers.conv:Conv1D",
    "Conv2D": "haiku_layers.conv:Conv2D",
    "Conv3D": "haiku_layers.conv:Conv3D",
    "ConvNDTranspose": "haiku_layers.conv:ConvNDTranspose",
    "Conv1DTranspose": "haiku_layers.conv:Conv1DTranspose",
    "Conv2DTranspose": "haiku_layers.conv:Conv2DTranspose",
    "Conv3DTranspose": "haiku_layers.conv:Conv3DTranspose",
    "DepthwiseConv1D": "haiku_layers.depthwise_conv:DepthwiseConv1D",
    "DepthwiseConv2D": "haiku_layers.depthwise_conv:DepthwiseConv2D",
    "DepthwiseConv3D": "haiku_layers.depthwise_conv:DepthwiseConv3D",
    "SeparableDepthwiseConv2D": "haiku_layers.depthwise_conv:SeparableDepthwiseConv2D",
    "max_pool": "haiku_layers.pool:max_pool",
    "avg_pool": "haiku_layers.pool:avg_pool",
    "MaxPool": "haiku_layers.pool:MaxPool",
    "AvgPool": "haiku_layers.pool:AvgPool",
    "BatchNorm": "haiku_layers.batch_norm:BatchNorm",
    "LayerNorm": "haiku_layers.layer_norm:LayerNorm",
    "InstanceNorm": "haiku_layers.layer_norm:InstanceNorm",
    "GroupNorm": "haiku_layers.group_norm:GroupNorm",
    "RMSNorm": "haiku_layers.rms_norm:RMSNorm",
    "ExponentialMovingAverage": "haiku_layers.moving_averages:ExponentialMovingAverage",
    "EMAParamsTree": "haiku_layers.moving_averages:EMAParamsTree",
    "SpectralNorm": "haiku_layers.spectral_norm:SpectralNorm",
    "SNParamsTree": "haiku_layers.spectral_norm:SNParamsTree",
    "Embed": "haiku_layers.embed:Embed",
    "EmbedLookupStyle": "haiku_layers.embed:EmbedLookupStyle",
    "MultiHeadAttention": "haiku_layers.attention:MultiHeadAttention",
    "RNNCore": "haiku_layers.recurrent:RNNCore",
    "LSTM": "haiku_layers.recurrent:LSTM",
    "LSTMState": "haiku_layers.recurrent:LSTMState",
    "GRU": "haiku_layers.recurrent:GRU",
    "VanillaRNN": "haiku_layers.recurrent:VanillaRNN",
    "IdentityCore": "haiku_layers.recurrent:IdentityCore",
    "ResetCore": "haiku_layers.recurrent:ResetCore",
    "DeepRNN": "haiku_layers.recurrent:DeepRNN",
    "deep_rnn_with_skip_connections": "haiku_layers.recurrent:deep_rnn_with_skip_connections",
    "static_unroll": "haiku_layers.recurrent:static_unroll",
    "dynamic_unroll": "haiku_layers.recurrent:dynamic_unroll",
    "Conv1DLSTM": "haiku_layers.conv_lstm:Conv1DLSTM",
    "Conv2DLSTM": "haiku_layers.conv_lstm:Conv2DLSTM",
    "Conv3DLSTM": "haiku_layers.conv_lstm:Conv3DLSTM",
    "get_channel_index": "haiku_layers.data_format:get_channel_index",
    "pad": "haiku_layers.pad",
}
# END GENERATED

__all__ = tuple(_EXPORTS)


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'haiku_layers' has no attribute {name!r}")
    module_name, _, attr = target.partition(":")
    value = importlib.import_module(module_name)
    if attr:
        value = getattr(value, attr)
    globals()[name] = value  # Later look-ups skip __getattr__.
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
