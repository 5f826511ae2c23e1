"""Typing stub for ``haiku``: core names plus the first-party plugin names.

At run time the plugin names resolve lazily through entry points (see
``haiku.plugins``); this stub lets type checkers and IDEs see them as if they were
defined here. It deliberately has no ``__getattr__``, so typos stay errors. When a
plugin distribution is not installed its names degrade to ``Any``. Kept in sync by
tests/plugins/test_stub.py.
"""

# haiku-core
from haiku import config as config
from haiku import data_structures as data_structures
from haiku import initializers as initializers
from haiku import mixed_precision as mixed_precision
from haiku import testing as testing
from haiku._src.deferred import Deferred as Deferred
from haiku._src.module import MethodContext as MethodContext
from haiku._src.module import Module as Module
from haiku._src.module import ModuleProtocol as ModuleProtocol
from haiku._src.module import SupportsCall as SupportsCall
from haiku._src.module import current_name as current_name
from haiku._src.module import force_name as force_name
from haiku._src.module import intercept_methods as intercept_methods
from haiku._src.module import name_like as name_like
from haiku._src.module import name_scope as name_scope
from haiku._src.module import transparent as transparent
from haiku._src.multi_transform import MultiTransformed as MultiTransformed
from haiku._src.multi_transform import MultiTransformedWithState as MultiTransformedWithState
from haiku._src.multi_transform import multi_transform as multi_transform
from haiku._src.multi_transform import multi_transform_with_state as multi_transform_with_state
from haiku._src.multi_transform import without_apply_rng as without_apply_rng
from haiku._src.params import GetterContext as GetterContext
from haiku._src.params import custom_creator as custom_creator
from haiku._src.params import custom_getter as custom_getter
from haiku._src.params import get_parameter as get_parameter
from haiku._src.params import get_params as get_params
from haiku._src.rng import PRNGSequence as PRNGSequence
from haiku._src.rng import maybe_get_rng_sequence_state as maybe_get_rng_sequence_state
from haiku._src.rng import maybe_next_rng_key as maybe_next_rng_key
from haiku._src.rng import next_rng_key as next_rng_key
from haiku._src.rng import next_rng_keys as next_rng_keys
from haiku._src.rng import replace_rng_sequence_state as replace_rng_sequence_state
from haiku._src.rng import reserve_rng_keys as reserve_rng_keys
from haiku._src.rng import with_rng as with_rng
from haiku._src.sentinels import DO_NOT_STORE as DO_NOT_STORE
from haiku._src.state import SetterContext as SetterContext
from haiku._src.state import custom_setter as custom_setter
from haiku._src.state import get_current_state as get_current_state
from haiku._src.state import get_initial_state as get_initial_state
from haiku._src.state import get_state as get_state
from haiku._src.state import set_state as set_state
from haiku._src.to_module import to_module as to_module
from haiku._src.transform import Transformed as Transformed
from haiku._src.transform import TransformedWithState as TransformedWithState
from haiku._src.transform import running_init as running_init
from haiku._src.transform import transform as transform
from haiku._src.transform import transform_with_state as transform_with_state
from haiku._src.transform import with_empty_state as with_empty_state
from haiku._src.transform import without_state as without_state
from haiku._src.typing import MutableParams as MutableParams
from haiku._src.typing import MutableState as MutableState
from haiku._src.typing import Params as Params
from haiku._src.typing import State as State
from haiku._version import __version__ as __version__
from haiku import experimental as experimental
from haiku import sharding as sharding
from haiku._src.dot import to_dot as to_dot

# haiku-layers (pip install "haiku-core[layers]")
from haiku_layers.linear import Linear as Linear
from haiku_layers.bias import Bias as Bias
from haiku_layers.sequential import Sequential as Sequential
from haiku_layers.batch_apply import BatchApply as BatchApply
from haiku_layers.batch_apply import expand_apply as expand_apply
from haiku_layers.dropout import dropout as dropout
from haiku_layers.deprecated import one_hot as one_hot
from haiku_layers.deprecated import multinomial as multinomial
from haiku_layers.reshape import Reshape as Reshape
from haiku_layers.reshape import Flatten as Flatten
from haiku_layers.conv import ConvND as ConvND
from haiku_layers.conv import Conv1D as Conv1D
from haiku_layers.conv import Conv2D as Conv2D
from haiku_layers.conv import Conv3D as Conv3D
from haiku_layers.conv import ConvNDTranspose as ConvNDTranspose
from haiku_layers.conv import Conv1DTranspose as Conv1DTranspose
from haiku_layers.conv import Conv2DTranspose as Conv2DTranspose
from haiku_layers.conv import Conv3DTranspose as Conv3DTranspose
from haiku_layers.depthwise_conv import DepthwiseConv1D as DepthwiseConv1D
from haiku_layers.depthwise_conv import DepthwiseConv2D as DepthwiseConv2D
from haiku_layers.depthwise_conv import DepthwiseConv3D as DepthwiseConv3D
from haiku_layers.depthwise_conv import SeparableDepthwiseConv2D as SeparableDepthwiseConv2D
from haiku_layers.pool import max_pool as max_pool
from haiku_layers.pool import avg_pool as avg_pool
from haiku_layers.pool import MaxPool as MaxPool
from haiku_layers.pool import AvgPool as AvgPool
from haiku_layers.batch_norm import BatchNorm as BatchNorm
from haiku_layers.layer_norm import LayerNorm as LayerNorm
from haiku_layers.layer_norm import InstanceNorm as InstanceNorm
from haiku_layers.group_norm import GroupNorm as GroupNorm
from haiku_layers.rms_norm import RMSNorm as RMSNorm
from haiku_layers.moving_averages import ExponentialMovingAverage as ExponentialMovingAverage
from haiku_layers.moving_averages import EMAParamsTree as EMAParamsTree
from haiku_layers.spectral_norm import SpectralNorm as SpectralNorm
from haiku_layers.spectral_norm import SNParamsTree as SNParamsTree
from haiku_layers.embed import Embed as Embed
from haiku_layers.embed import EmbedLookupStyle as EmbedLookupStyle
from haiku_layers.attention import MultiHeadAttention as MultiHeadAttention
from haiku_layers.recurrent import RNNCore as RNNCore
from haiku_layers.recurrent import LSTM as LSTM
from haiku_layers.recurrent import LSTMState as LSTMState
from haiku_layers.recurrent import GRU as GRU
from haiku_layers.recurrent import VanillaRNN as VanillaRNN
from haiku_layers.recurrent import IdentityCore as IdentityCore
from haiku_layers.recurrent import ResetCore as ResetCore
from haiku_layers.recurrent import DeepRNN as DeepRNN
from haiku_layers.recurrent import deep_rnn_with_skip_connections as deep_rnn_with_skip_connections
from haiku_layers.recurrent import static_unroll as static_unroll
from haiku_layers.recurrent import dynamic_unroll as dynamic_unroll
from haiku_layers.conv_lstm import Conv1DLSTM as Conv1DLSTM
from haiku_layers.conv_lstm import Conv2DLSTM as Conv2DLSTM
from haiku_layers.conv_lstm import Conv3DLSTM as Conv3DLSTM
from haiku_layers.data_format import get_channel_index as get_channel_index
from haiku_layers import pad as pad

# haiku-nets (pip install "haiku-core[nets]")
import haiku_nets as nets

# haiku-jaxwrap (pip install "haiku-core[jaxwrap]")
from haiku_jaxwrap.batching import vmap as vmap
from haiku_jaxwrap.control_flow import cond as cond
from haiku_jaxwrap.control_flow import switch as switch
from haiku_jaxwrap.control_flow import while_loop as while_loop
from haiku_jaxwrap.control_flow import fori_loop as fori_loop
from haiku_jaxwrap.control_flow import scan as scan
from haiku_jaxwrap.control_flow import map as map
from haiku_jaxwrap.autodiff import grad as grad
from haiku_jaxwrap.autodiff import value_and_grad as value_and_grad
from haiku_jaxwrap.remat import remat as remat
from haiku_jaxwrap.eval_shape import eval_shape as eval_shape
from haiku_jaxwrap.lift import lift as lift
from haiku_jaxwrap.lift import lift_with_state as lift_with_state
from haiku_jaxwrap.lift import LiftWithStateUpdater as LiftWithStateUpdater
from haiku_jaxwrap.lift import transparent_lift as transparent_lift
from haiku_jaxwrap.lift import transparent_lift_with_state as transparent_lift_with_state
from haiku_jaxwrap.layer_stack import layer_stack as layer_stack
from haiku_jaxwrap.layer_stack import LayerStackTransparencyMapping as LayerStackTransparencyMapping

__all__ = [
    "avg_pool",
    "AvgPool",
    "BatchApply",
    "BatchNorm",
    "Bias",
    "cond",
    "config",
    "Conv1D",
    "Conv1DLSTM",
    "Conv1DTranspose",
    "Conv2D",
    "Conv2DLSTM",
    "Conv2DTranspose",
    "Conv3D",
    "Conv3DLSTM",
    "Conv3DTranspose",
    "ConvND",
    "ConvNDTranspose",
    "current_name",
    "custom_creator",
    "custom_getter",
    "custom_setter",
    "data_structures",
    "deep_rnn_with_skip_connections",
    "DeepRNN",
    "Deferred",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "DepthwiseConv3D",
    "DO_NOT_STORE",
    "dropout",
    "dynamic_unroll",
    "EMAParamsTree",
    "Embed",
    "EmbedLookupStyle",
    "eval_shape",
    "expand_apply",
    "experimental",
    "ExponentialMovingAverage",
    "Flatten",
    "force_name",
    "fori_loop",
    "get_channel_index",
    "get_current_state",
    "get_initial_state",
    "get_parameter",
    "get_params",
    "get_state",
    "GetterContext",
    "grad",
    "GroupNorm",
    "GRU",
    "IdentityCore",
    "initializers",
    "InstanceNorm",
    "intercept_methods",
    "layer_stack",
    "LayerNorm",
    "LayerStackTransparencyMapping",
    "lift",
    "lift_with_state",
    "LiftWithStateUpdater",
    "Linear",
    "LSTM",
    "LSTMState",
    "map",
    "max_pool",
    "MaxPool",
    "maybe_get_rng_sequence_state",
    "maybe_next_rng_key",
    "MethodContext",
    "mixed_precision",
    "Module",
    "ModuleProtocol",
    "multi_transform",
    "multi_transform_with_state",
    "MultiHeadAttention",
    "multinomial",
    "MultiTransformed",
    "MultiTransformedWithState",
    "MutableParams",
    "MutableState",
    "name_like",
    "name_scope",
    "nets",
    "next_rng_key",
    "next_rng_keys",
    "one_hot",
    "pad",
    "Params",
    "PRNGSequence",
    "remat",
    "replace_rng_sequence_state",
    "reserve_rng_keys",
    "ResetCore",
    "Reshape",
    "RMSNorm",
    "RNNCore",
    "running_init",
    "scan",
    "SeparableDepthwiseConv2D",
    "Sequential",
    "set_state",
    "SetterContext",
    "sharding",
    "SNParamsTree",
    "SpectralNorm",
    "State",
    "static_unroll",
    "SupportsCall",
    "switch",
    "testing",
    "to_dot",
    "to_module",
    "transform",
    "transform_with_state",
    "Transformed",
    "TransformedWithState",
    "transparent",
    "transparent_lift",
    "transparent_lift_with_state",
    "value_and_grad",
    "VanillaRNN",
    "vmap",
    "while_loop",
    "with_empty_state",
    "with_rng",
    "without_apply_rng",
    "without_state",
]
