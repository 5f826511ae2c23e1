"""A catalogue of mistakes real users make, across core and the first-party plugins.

Each case asserts the exception type, that the message names what is wrong AND says how
to fix it, and that a normal transform afterwards gives the same result as before (no
leaked frames, naming counters, interceptors, config or mixed-precision policies).
Core-only misuses already covered by tests/core/test_misuse.py are not repeated here.

Cases whose message is unclear today are ``xfail(strict=True)``: when the message is
fixed the case XPASSes and the marker must be removed.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import haiku as hk
from haiku import extend

KEY = jax.random.PRNGKey(0)
_W = hk.initializers.VarianceScaling(1.0)
HAS_LAYERS = importlib.util.find_spec("haiku_layers") is not None


@dataclasses.dataclass(frozen=True)
class Case:
    """One misuse: what to run, what it must raise and what the message must say."""

    name: str
    needs: tuple[str, ...]
    fn: Callable[[], Any]
    exc: type[BaseException]
    names: str  # regex: the message names the wrong thing (layer / argument / module)
    fix: str  # regex: the message says how to fix it
    unclear: str = ""  # non-empty: known-unclear message (xfail strict) and why


L, N, J = ("haiku_layers",), ("haiku_nets",), ("haiku_jaxwrap",)
LJ, LN, LNJ = (
    ("haiku_layers", "haiku_jaxwrap"),
    ("haiku_layers", "haiku_nets"),
    ("haiku_layers", "haiku_nets", "haiku_jaxwrap"),
)


def _t(f: Callable[..., Any]) -> hk.Transformed:
    return hk.transform(f)


def _ts(f: Callable[..., Any]) -> hk.TransformedWithState:
    return hk.transform_with_state(f)


def _linear(x: jax.Array) -> jax.Array:
    return hk.Linear(2)(x)


def _linear_params() -> hk.Params:
    return _t(_linear).init(KEY, jnp.ones([1, 3]))


def _mlp(x: jax.Array, **kw: Any) -> jax.Array:
    return hk.nets.MLP([2])(x, **kw)


def _mlp_params() -> hk.Params:
    return _t(_mlp).init(KEY, jnp.ones([1, 3]))


def _conv_params() -> hk.Params:
    return _t(lambda x: hk.Conv2D(4, 3)(x)).init(KEY, jnp.ones([1, 5, 5, 1]))


def _dropout_eval_with_maybe_key(x: jax.Array) -> jax.Array:
    return hk.dropout(hk.maybe_next_rng_key(), 0.5, x)


def _bn(x: jax.Array) -> jax.Array:
    return hk.BatchNorm(True, True, 0.9)(x)  # forgot is_training


def _raw_scan(x: jax.Array) -> Any:
    return jax.lax.scan(lambda c, y: (c, hk.Linear(2)(y)), 0, x)


def _checked(f: Callable[..., Any]) -> Callable[[], Any]:
    def run() -> Any:
        with hk.config.context(check_jax_usage=True):
            return _t(f).init(KEY, jnp.ones([2, 3]))

    return run


def _raw_vmap_rng(x: jax.Array) -> Any:
    return jax.vmap(lambda y: hk.dropout(hk.next_rng_key(), 0.5, y))(x)


def _raw_scan_params_are_arrays() -> None:
    params = _t(_raw_scan).init(KEY, jnp.ones([2, 3]))
    jax.block_until_ready(params)  # a leaked tracer must not come out of init silently


def _lstm_with_array_state(x: jax.Array) -> Any:
    return hk.LSTM(4)(x, jnp.zeros([1, 4]))


def _deep_rnn_with_int(x: jax.Array) -> Any:
    core = hk.DeepRNN([hk.LSTM(2), 3])
    return core(x, core.initial_state(1))


CASES = [
    # --- core: transform boundary and argument order --------------------------------------
    Case(
        "apply with params of another model",
        LN,
        lambda: _t(_mlp).apply(_linear_params(), None, jnp.ones([1, 3])),
        ValueError,
        r"parameter 'w' for module 'mlp/~/linear_0'",
        r"params returned by init",
    ),
    Case(
        "apply(rng, params, x) argument order",
        L,
        lambda: _t(_linear).apply(KEY, _linear_params(), jnp.ones([1, 3])),
        TypeError,
        r"params must be the mapping",
        r"apply\(params, rng, \*inputs\)",
    ),
    Case(
        "init(x, rng) argument order",
        L,
        lambda: _t(_linear).init(jnp.ones([1, 3]), KEY),
        ValueError,
        r"PRNG key.*shape \(1, 3\)",
        r"init\(rng, \*inputs\)",
    ),
    Case(
        "init output passed as the rng of init",
        L,
        lambda: _t(_linear).init(_linear_params(), jnp.ones([1, 3])),
        ValueError,
        r"init needs a PRNG key.*got dict",
        r"jax\.random\.PRNGKey\(42\)",
    ),
    Case(
        "transform_with_state apply without the state argument",
        L,
        lambda: _ts(_linear).apply(_linear_params(), None, jnp.ones([1, 3])),
        ValueError,
        r"apply needs a PRNG key.*shape \(1, 3\)",
        r"apply\(params, rng",
    ),
    Case(
        "(params, state) tuple of init passed as params",
        L,
        lambda: _ts(_linear).apply(
            _ts(_linear).init(KEY, jnp.ones([1, 3])), {}, None, jnp.ones([1, 3])
        ),
        TypeError,
        r"params must be the mapping.*got tuple",
        r"apply\(params, rng",
    ),
    Case(
        "param created twice with different shapes",
        (),
        lambda: _t(
            lambda: (
                hk.get_parameter("w", [2], init=jnp.zeros),
                hk.get_parameter("w", [3], init=jnp.zeros),
            )
        ).init(KEY),
        ValueError,
        r"'w' of module '~' has shape \(2,\).*\(3,\)",
        r"same model",
    ),
    Case(
        "hk.get_state outside a transform",
        (),
        lambda: hk.get_state("s"),
        ValueError,
        r"hk\.get_state",
        r"Wrap the function.*hk\.transform",
    ),
    Case(
        "hk.running_init outside a transform",
        (),
        hk.running_init,
        ValueError,
        r"hk\.running_init",
        r"Wrap the function.*hk\.transform",
    ),
    Case(
        "hk.name_scope entered outside a transform",
        (),
        lambda: hk.name_scope("a").__enter__(),
        ValueError,
        r"hk\.name_scope",
        r"Wrap the function.*hk\.transform",
    ),
    Case(
        "PRNGSequence seeded with a string",
        (),
        lambda: hk.PRNGSequence("seed"),
        ValueError,
        r"PRNGSequence.*got str",
        r"jax\.random\.PRNGKey\(42\)",
    ),
    Case(
        "to_module on a non-callable",
        (),
        lambda: hk.to_module(3),
        TypeError,
        r"hk\.to_module.*got 3",
        r"needs a callable",
    ),
    Case(
        "multi_transform function not returning a pair",
        (),
        lambda: hk.multi_transform(lambda: 3).init(KEY),
        TypeError,
        r"multi_transform.*got int",
        r"must return a pair",
    ),
    Case(
        "mixed-precision policy for a non-Module class",
        (),
        lambda: hk.mixed_precision.set_policy(int, None),
        TypeError,
        r"int is not an hk\.Module",
        r"Pass a Module class",
    ),
    Case(
        "next_rng_keys with a negative count",
        (),
        lambda: _t(lambda: hk.next_rng_keys(-1)).apply({}, KEY),
        ValueError,
        r"next_rng_keys.*-1",
        r"num >= 0",
    ),
    Case(
        "unknown config option",
        (),
        lambda: hk.config.set(foo=1),
        TypeError,
        r"'foo'",
        r"check_jax_usage.*rng_reserve_size",
    ),
    Case(
        "data_structures.merge given a list",
        (),
        lambda: hk.data_structures.merge([1]),
        TypeError,
        r"merge.*list",
        r"mapping",
    ),
    # --- layers --------------------------------------------------------------------------
    Case(
        "Linear built outside a transform",
        L,
        lambda: hk.Linear(3),
        ValueError,
        r"Linear\(\.\.\.\) was constructed outside",
        r"inside the function",
    ),
    Case(
        "Linear: input width differs between init and apply",
        L,
        lambda: _t(_linear).apply(_linear_params(), None, jnp.ones([1, 4])),
        ValueError,
        r"'w' of module 'linear' has shape \(3, 2\).*\(4, 2\)",
        r"same input shapes",
    ),
    Case(
        "Linear on a scalar",
        L,
        lambda: _t(_linear).init(KEY, jnp.ones([])),
        ValueError,
        r"[Ll]inear.*scalar",
        r"x\[None\]",
    ),
    Case(
        "Linear on integer inputs",
        L,
        lambda: _t(_linear).init(KEY, jnp.ones([1, 3], int)),
        TypeError,
        r"Linear.*int32",
        r"astype",
    ),
    Case(
        "Conv2D: channel count differs at apply",
        L,
        lambda: _t(lambda x: hk.Conv2D(4, 3)(x)).apply(
            _conv_params(), None, jnp.ones([1, 5, 5, 2])
        ),
        ValueError,
        r"module 'conv2_d' has shape \(3, 3, 1, 4\)",
        r"same input shapes",
    ),
    Case(
        "Conv2D on a rank-2 input",
        L,
        lambda: _t(lambda x: hk.Conv2D(4, 3)(x)).init(KEY, jnp.ones([5, 5])),
        ValueError,
        r"conv2_d.*rank 3 or 4.*\(5, 5\)",
        r"optionally plus a batch axis",
    ),
    Case(
        "Conv2D with an unknown padding string",
        L,
        lambda: _t(lambda x: hk.Conv2D(4, 3, padding="FOO")(x)).init(KEY, jnp.ones([1, 5, 5, 1])),
        ValueError,
        r"Conv2D: padding='FOO'",
        r"Use 'SAME' or 'VALID'",
    ),
    Case(
        "Conv2D with a 3-D kernel shape",
        L,
        lambda: _t(lambda x: hk.Conv2D(4, (3, 3, 3))(x)).init(KEY, jnp.ones([1, 5, 5, 1])),
        TypeError,
        r"kernel_shape.*\(3, 3, 3\)",
        r"one entry per spatial dimension",
    ),
    Case(
        "Conv2DTranspose output_shape inconsistent with the input",
        L,
        lambda: _t(lambda x: hk.Conv2DTranspose(4, 3, output_shape=(7,))(x)).init(
            KEY, jnp.ones([1, 5, 5, 1])
        ),
        ValueError,
        r"output_shape 7",
        r"input size of 7",
    ),
    Case(
        "Conv2DLSTM input_shape with a channel axis",
        L,
        lambda: _t(lambda x: hk.Conv2DLSTM((4, 4, 1), 2, 3)(x, None)).init(KEY, jnp.ones([1])),
        ValueError,
        r"Conv2DLSTM: `input_shape`.*\(4, 4, 1\)",
        r"no batch or channel axis",
    ),
    Case(
        "get_channel_index with an unknown format",
        L,
        lambda: hk.get_channel_index("XYZ"),
        ValueError,
        r"data_format='XYZ'",
        r"Use 'channels_last'",
    ),
    Case(
        "InstanceNorm with an unknown data_format",
        L,
        lambda: _t(lambda x: hk.InstanceNorm(True, True, data_format="XYZ")(x)).init(
            KEY, jnp.ones([2, 3, 3])
        ),
        ValueError,
        r"data_format='XYZ'",
        r"Use 'channels_last'",
    ),
    Case(
        "dropout with rate 1.0",
        L,
        lambda: _t(lambda x: hk.dropout(hk.next_rng_key(), 1.0, x)).apply({}, KEY, jnp.ones(3)),
        ValueError,
        r"hk\.dropout: rate.*1\.0",
        r"Use rate=0",
    ),
    Case(
        "dropout without an rng at apply",
        L,
        lambda: hk.without_apply_rng(_t(lambda x: hk.dropout(hk.next_rng_key(), 0.5, x))).apply(
            {}, jnp.ones(3)
        ),
        ValueError,
        r"non-None PRNGKey",
        r"f\.apply\(params, jax\.random\.PRNGKey",
    ),
    Case(
        "dropout given the None of maybe_next_rng_key",
        L,
        lambda: _t(_dropout_eval_with_maybe_key).apply({}, None, jnp.ones(3)),
        ValueError,
        r"hk\.dropout.*rng.*None",
        r"PRNGKey|rate=0",
    ),
    Case(
        "BatchNorm without is_training",
        L,
        lambda: _ts(_bn).init(KEY, jnp.ones([2, 3])),
        TypeError,
        r"BatchNorm.*'is_training'",
        r"missing 1 required",
    ),
    Case(
        "BatchNorm (state) under hk.transform",
        L,
        lambda: _t(lambda x: hk.BatchNorm(True, True, 0.9)(x, True)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"used state.*hk\.transform\b",
        r"use `hk\.transform_with_state`",
    ),
    Case(
        "LayerNorm without create_scale/create_offset",
        L,
        lambda: _t(lambda x: hk.LayerNorm(-1)(x)).init(KEY, jnp.ones([2, 3])),
        TypeError,
        r"LayerNorm.*'create_scale' and 'create_offset'",
        r"missing 2 required",
    ),
    Case(
        "LayerNorm scale_init without create_scale",
        L,
        lambda: _t(lambda x: hk.LayerNorm(-1, False, True, scale_init=jnp.ones)(x)).init(
            KEY, jnp.ones([2, 3])
        ),
        ValueError,
        r"LayerNorm.*scale_init",
        r"Pass `create_scale=True`",
    ),
    Case(
        "LayerNorm axis out of range",
        L,
        lambda: _t(lambda x: hk.LayerNorm(5, True, True)(x)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"LayerNorm.*axis.*5",
        r"rank 2",
    ),
    Case(
        "RMSNorm scale_init without create_scale",
        L,
        lambda: _t(lambda x: hk.RMSNorm(-1, create_scale=False, scale_init=jnp.ones)(x)).init(
            KEY, jnp.ones([2, 3])
        ),
        ValueError,
        r"RMSNorm.*scale_init",
        r"Pass `create_scale=True`",
    ),
    Case(
        "GroupNorm with channels not divisible by groups",
        L,
        lambda: _t(lambda x: hk.GroupNorm(4)(x)).init(KEY, jnp.ones([1, 5, 5, 6])),
        ValueError,
        r"GroupNorm.*channels=6, groups=4",
        r"Choose `groups`",
    ),
    Case(
        "SpectralNorm on a vector",
        L,
        lambda: _ts(lambda x: hk.SpectralNorm()(x)).init(KEY, jnp.ones([3])),
        ValueError,
        r"SpectralNorm.*shape \(3,\)",
        r"Pass a matrix",
    ),
    Case(
        "EMAParamsTree (state) under hk.transform",
        L,
        lambda: _t(lambda x: hk.EMAParamsTree(0.9)({"a": {"w": x}})).init(KEY, jnp.ones([2])),
        ValueError,
        r"used state",
        r"use `hk\.transform_with_state`",
    ),
    Case(
        "Embed with float ids",
        L,
        lambda: _t(lambda x: hk.Embed(10, 4)(x)).init(KEY, jnp.ones([2])),
        ValueError,
        r"ids must have an integer dtype, got float32",
        r"astype\(jnp\.int32\)",
    ),
    Case(
        "Embed without sizes or matrix",
        L,
        lambda: _t(lambda x: hk.Embed()(x)).init(KEY, jnp.ones([2], jnp.int32)),
        ValueError,
        r"hk\.Embed.*vocab_size=None",
        r"needs either embedding_matrix",
    ),
    Case(
        "Embed with an unknown lookup_style",
        L,
        lambda: _t(lambda x: hk.Embed(10, 4, lookup_style="FOO")(x)).init(
            KEY, jnp.ones([2], jnp.int32)
        ),
        ValueError,
        r"lookup_style 'FOO'",
        r"use one of .*ARRAY_INDEX",
    ),
    Case(
        "MultiHeadAttention without a weight initializer",
        L,
        lambda: _t(lambda q: hk.MultiHeadAttention(2, 4)(q, q, q)).init(KEY, jnp.ones([3, 8])),
        ValueError,
        r"MultiHeadAttention needs a weight initializer",
        r"pass e\.g\. w_init=",
    ),
    Case(
        "MultiHeadAttention key/value lengths differ",
        L,
        lambda: _t(lambda q, k, v: hk.MultiHeadAttention(2, 4, w_init=_W)(q, k, v)).init(
            KEY, jnp.ones([3, 8]), jnp.ones([5, 8]), jnp.ones([4, 8])
        ),
        ValueError,
        r"key \(5, 8\) and value \(4, 8\)",
        r"must have the same sequence length",
    ),
    Case(
        "MultiHeadAttention mask without the head axis",
        L,
        lambda: _t(
            lambda q: hk.MultiHeadAttention(2, 4, w_init=_W)(q, q, q, mask=jnp.ones([3, 3]))
        ).init(KEY, jnp.ones([3, 8])),
        ValueError,
        r"mask has rank 2",
        r"add size-1 axes",
    ),
    Case(
        "max_pool window longer than the input rank",
        L,
        lambda: hk.max_pool(jnp.ones([4, 4]), (2, 2, 2), 1, "VALID"),
        ValueError,
        r"hk\.max_pool: window_shape=\(2, 2, 2\)",
        r"more entries than",
    ),
    Case(
        "avg_pool with lower-case or unknown padding",
        L,
        lambda: hk.avg_pool(jnp.ones([4, 4]), 2, 1, "BAD"),
        ValueError,
        r"hk\.avg_pool: padding='BAD'",
        r"use 'SAME' or 'VALID'",
    ),
    Case(
        "MaxPool module without strides/padding",
        L,
        lambda: _t(lambda x: hk.MaxPool(2)(x)).init(KEY, jnp.ones([4, 4])),
        TypeError,
        r"MaxPool.*'strides' and 'padding'",
        r"missing 2 required",
    ),
    Case(
        "Bias with bias_dims out of range",
        L,
        lambda: _t(lambda x: hk.Bias(bias_dims=[5])(x)).init(KEY, jnp.ones([2, 4])),
        ValueError,
        r"bias_dims=\(5,\)",
        r"out of range for an input of rank 2",
    ),
    Case(
        "BatchApply inputs with different leading axes",
        L,
        lambda: _t(lambda x, y: hk.BatchApply(lambda a, b: a + b)(x, y)).init(
            KEY, jnp.ones([2, 3, 4]), jnp.ones([3, 2, 4])
        ),
        ValueError,
        r"BatchApply.*\(3, 2, 4\)",
        r"must share the leading 2 axes",
    ),
    Case(
        "Reshape to an incompatible shape",
        L,
        lambda: _t(lambda x: hk.Reshape((7,))(x)).init(KEY, jnp.ones([2, 3, 4])),
        ValueError,
        r"[Rr]eshape.*\(7,\)",
        r"output_shape|preserve_dims",
    ),
    Case(
        "Sequential given a non-callable layer",
        L,
        lambda: _t(lambda x: hk.Sequential([3])(x)).init(KEY, jnp.ones([3])),
        TypeError,
        r"Sequential.*3",
        r"callable",
    ),
    Case(
        "pad.create with an unknown padding",
        L,
        lambda: hk.pad.create("foo", 3, 1, 1),
        TypeError,
        r"padding.*'foo'",
        r"hk\.pad\.(same|valid)",
    ),
    Case(
        "LSTM given a plain array as its state",
        L,
        lambda: _t(_lstm_with_array_state).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"LSTM.*state",
        r"LSTMState|initial_state",
    ),
    Case(
        "DeepRNN given a non-callable layer",
        L,
        lambda: _t(_deep_rnn_with_int).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"DeepRNN.*3",
        r"callable|RNNCore",
    ),
    Case(
        "dynamic_unroll over a scalar sequence",
        LJ,
        lambda: _t(lambda x: hk.dynamic_unroll(hk.VanillaRNN(2), x, jnp.zeros([1, 2]))).init(
            KEY, jnp.ones([])
        ),
        ValueError,
        r"dynamic_unroll.*time",
        r"time_major|\[T, B",
    ),
    # --- issue #17: hyper-parameters, shapes of states/masks, dm-haiku's error types -------
    Case(
        "Linear with output_size 0",
        L,
        lambda: _t(lambda x: hk.Linear(0)(x)).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"hk\.Linear: `output_size` must be a positive int, got 0",
        r"output_size=8",
    ),
    Case(
        "Conv2D with a fractional output_channels",
        L,
        lambda: _t(lambda x: hk.Conv2D(2.5, 3)(x)).init(KEY, jnp.ones([1, 5, 5, 1])),
        TypeError,
        r"Conv2D: `output_channels` must be a positive int, got 2\.5",
        r"output_channels=16",
    ),
    Case(
        "LSTM with hidden_size 0",
        L,
        lambda: _t(lambda: hk.LSTM(0)).init(KEY),
        TypeError,
        r"hk\.LSTM: `hidden_size`.*got 0",
        r"hidden_size=128",
    ),
    Case(
        "MultiHeadAttention with key_size 0",
        L,
        lambda: _t(lambda: hk.MultiHeadAttention(2, 0, w_init=_W)).init(KEY),
        TypeError,
        r"MultiHeadAttention: `key_size`.*got 0",
        r"key_size=64",
    ),
    Case(
        "ExponentialMovingAverage with decay 1.5",
        L,
        lambda: _ts(lambda x: hk.ExponentialMovingAverage(1.5)(x)).init(KEY, jnp.ones([2])),
        ValueError,
        r"ExponentialMovingAverage: `decay`.*1\.5",
        r"decay=0\.99",
    ),
    Case(
        "BatchNorm with a negative decay_rate",
        L,
        lambda: _ts(lambda x: hk.BatchNorm(True, True, -0.9)(x, True)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"BatchNorm: `decay_rate`.*-0\.9",
        r"decay_rate=0\.99",
    ),
    Case(
        "GroupNorm with groups 0",
        L,
        lambda: _t(lambda x: hk.GroupNorm(0)(x)).init(KEY, jnp.ones([2, 4])),
        ZeroDivisionError,
        r"GroupNorm: `groups`.*got 0",
        r"groups=8",
    ),
    Case(
        "MultiHeadAttention query and key of different batch sizes",
        L,
        lambda: _t(lambda q, k: hk.MultiHeadAttention(2, 4, w_init=_W)(q, k, k)).init(
            KEY, jnp.ones([2, 5, 8]), jnp.ones([3, 5, 8])
        ),
        ValueError,
        r"query \(2, 5, 8\), key \(3, 5, 8\)",
        r"one batch shape",
    ),
    Case(
        "MultiHeadAttention mask of the wrong shape",
        L,
        lambda: _t(lambda x, m: hk.MultiHeadAttention(2, 4, w_init=_W)(x, x, x, m)).init(
            KEY, jnp.ones([5, 8]), jnp.ones([1, 4, 5])
        ),
        ValueError,
        r"mask of shape \(1, 4, 5\)",
        r"mask shape \[\.\.\., 1 or 2, 5, 5\]",
    ),
    Case(
        "LSTM state of the wrong batch size",
        L,
        lambda: _t(lambda x: hk.LSTM(4)(x, hk.LSTM(4).initial_state(3))).init(
            KEY, jnp.ones([2, 3])
        ),
        TypeError,
        r"hk\.LSTM got inputs of shape \(2, 3\) but a state.*\(3, 4\)",
        r"initial_state\(batch_size=2\)",
    ),
    Case(
        "GRU state of the wrong batch size",
        L,
        lambda: _t(lambda x: hk.GRU(4)(x, jnp.zeros([3, 4]))).init(KEY, jnp.ones([2, 3])),
        TypeError,
        r"hk\.GRU got inputs of shape \(2, 3\) but a state of shape \(3, 4\)",
        r"initial_state\(batch_size=2\)",
    ),
    Case(
        "ResetCore with resets not fitting the state",
        L,
        lambda: _t(
            lambda x: hk.ResetCore(hk.VanillaRNN(2))((x, jnp.zeros([3], bool)), jnp.zeros([2, 2]))
        ).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"should_reset of shape \(3,\).*\(2, 2\)",
        r"prefix of the state",
    ),
    Case(
        "Embed lookup_style unknown (dm-haiku's AttributeError)",
        L,
        lambda: _t(lambda i: hk.Embed(4, 3, lookup_style="FOO")(i)).init(KEY, jnp.asarray([1])),
        AttributeError,
        r"lookup_style 'FOO'",
        r"use one of",
    ),
    Case(
        "Reshape output_shape given as an int (dm-haiku's AttributeError)",
        L,
        lambda: _t(lambda x: hk.Reshape(6)(x)).init(KEY, jnp.ones([2, 6])),
        AttributeError,
        r"Reshape: output_shape.*got 6",
        r"output_shape=\(-1,\)",
    ),
    Case(
        "max_pool window longer than the input (dm-haiku's AssertionError)",
        L,
        lambda: hk.max_pool(jnp.ones([2, 3]), (2, 2, 2), 1, "VALID"),
        AssertionError,
        r"window_shape=\(2, 2, 2\)",
        r"more entries than",
    ),
    Case(
        "BatchNorm axis out of range (dm-haiku's IndexError)",
        L,
        lambda: _ts(lambda x: hk.BatchNorm(True, True, 0.9, axis=[5])(x, True)).init(
            KEY, jnp.ones([2, 3])
        ),
        IndexError,
        r"BatchNorm: axis 5",
        r"Use axes in \[-2, 1\]",
    ),
    # --- nets ----------------------------------------------------------------------------
    Case(
        "MLP.reverse before the MLP was called",
        LN,
        lambda: _t(lambda x: hk.nets.MLP([2]).reverse()(x)).init(KEY, jnp.ones([1, 3])),
        ValueError,
        r"mlp: cannot reverse an MLP",
        r"Call it on an input first",
    ),
    Case(
        "MLP dropout without rng",
        LN,
        lambda: _t(lambda x: _mlp(x, dropout_rate=0.5)).apply(
            _mlp_params(), None, jnp.ones([1, 3])
        ),
        ValueError,
        r"mlp: dropout_rate=0\.5 needs an rng",
        r"Pass rng=<PRNGKey>",
    ),
    Case(
        "ResNet without is_training",
        LN,
        lambda: _ts(lambda x: hk.nets.ResNet18(10)(x)).init(KEY, jnp.ones([1, 8, 8, 3])),
        TypeError,
        r"ResNet.*'is_training'",
        r"missing 1 required",
    ),
    Case(
        "ResNet with three-entry blocks_per_group",
        LN,
        lambda: _ts(lambda x: hk.nets.ResNet([1, 1], 10)(x, True)).init(
            KEY, jnp.ones([1, 8, 8, 3])
        ),
        ValueError,
        r"`blocks_per_group`.*\[1, 1\]",
        r"must have length 4",
    ),
    Case(
        "ResNet with two channels_per_group",
        LN,
        lambda: _ts(
            lambda x: hk.nets.ResNet([1, 1, 1, 1], 10, channels_per_group=(4, 4))(x, True)
        ).init(KEY, jnp.ones([1, 8, 8, 3])),
        ValueError,
        r"`channels_per_group`.*\(4, 4\)",
        r"must have length 4",
    ),
    Case(
        "MLP with a zero output size",
        LN,
        lambda: _t(lambda x: hk.nets.MLP([3, 0])(x)).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"hk\.nets\.MLP: `output_sizes\[1\]` must be a positive int, got 0",
        r"output_sizes=\[64, 10\]",
    ),
    Case(
        "VectorQuantizer with the wrong input width",
        LN,
        lambda: _ts(lambda x: hk.nets.VectorQuantizer(4, 8, 0.25)(x, is_training=True)).init(
            KEY, jnp.ones([2, 5])
        ),
        ValueError,
        r"vector_quantizer.*embedding_dim=4.*\(2, 5\)",
        r"last axis.*must be",
    ),
    Case(
        "VectorQuantizerEMA (state) under hk.transform",
        LN,
        lambda: _t(lambda x: hk.nets.VectorQuantizerEMA(4, 8, 0.25, 0.9)(x, True)).init(
            KEY, jnp.ones([2, 4])
        ),
        ValueError,
        r"used state",
        r"use `hk\.transform_with_state`",
    ),
    Case(
        "MobileNetV1 on a rank-2 input",
        LN,
        lambda: _ts(lambda x: hk.nets.MobileNetV1(num_classes=3)(x, True)).init(
            KEY, jnp.ones([2, 5])
        ),
        ValueError,
        r"mobile_net_v1/conv2_d.*\(2, 5\)",
        r"rank 3 or 4",
    ),
    Case(
        "Transformer without key_size",
        LN,
        lambda: _t(lambda x: hk.nets.Transformer(num_heads=3, num_layers=1, model_size=8)(x)).init(
            KEY, jnp.ones([1, 2, 8])
        ),
        TypeError,
        r"Transformer.*'key_size'",
        r"missing 1 required",
    ),
    # --- jaxwrap -------------------------------------------------------------------------
    Case(
        "hk.vmap without split_rng",
        J,
        lambda: hk.vmap(lambda x: x),
        TypeError,
        r"hk\.vmap requires the `split_rng`",
        r"split_rng=\(not hk\.running_init",
    ),
    Case(
        "hk.vmap(split_rng=True) creating params at init",
        LJ,
        lambda: _t(lambda x: hk.vmap(_linear, split_rng=True)(x)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"split_rng=True\) is not supported during init",
        r"Pass `split_rng=\(not hk\.running_init\(\)\)`",
    ),
    Case(
        "raw jax.lax.scan over a module (check_jax_usage)",
        L,
        _checked(_raw_scan),
        ValueError,
        r"inside jax\.jit or a jax\.lax control-flow",
        r"`hk\.scan`",
    ),
    Case(
        "raw jax.vmap using rng (check_jax_usage)",
        L,
        _checked(_raw_vmap_rng),
        ValueError,
        r"inside jax\.vmap",
        r"`hk\.vmap\(fn, split_rng=\.\.\.\)`",
    ),
    Case(
        "raw jax.lax.scan over a module (default config)",
        L,
        _raw_scan_params_are_arrays,
        ValueError,
        r"jax\.lax\.scan|tracer",
        r"hk\.scan",
    ),
    Case(
        "hk.while_loop creating parameters at init",
        LJ,
        lambda: _t(
            lambda x: hk.while_loop(
                lambda c: c[0] < 2, lambda c: (c[0] + 1, hk.Linear(3)(c[1])), (0, x)
            )
        ).init(KEY, jnp.ones([3])),
        ValueError,
        r"hk\.while_loop cannot run during init",
        r"Call the body unconditionally",
    ),
    Case(
        "hk.fori_loop creating new modules each iteration",
        LJ,
        lambda: _t(lambda x: hk.fori_loop(0, 2, lambda i, y: hk.Linear(3)(y), x)).init(
            KEY, jnp.ones([3])
        ),
        TypeError,
        r"inside the body of hk\.fori_loop.*linear_1",
        r"build modules outside the body",
    ),
    Case(
        "hk.cond branches creating different params",
        LJ,
        lambda: _t(lambda x: hk.cond(x[0] > 0, _linear, lambda y: y[:2], x)).init(
            KEY, jnp.ones([3])
        ),
        TypeError,
        r"hk\.cond during init",
        r"unconditionally at init",
    ),
    Case(
        "hk.switch with no branches",
        J,
        lambda: _t(lambda x: hk.switch(0, [], x)).init(KEY, jnp.ones([3])),
        ValueError,
        r"hk\.switch.*branch",
        r"at least one",
    ),
    Case(
        "hk.grad of a non-scalar function",
        LJ,
        lambda: _t(lambda x: hk.grad(lambda y: hk.Linear(3)(y))(x)).init(KEY, jnp.ones([3])),
        TypeError,
        r"scalar-output",
        r"Output had shape: \(3,\)",
    ),
    Case(
        "hk.lift given a Transformed instead of its init",
        J,
        lambda: _t(lambda x: hk.lift(_t(lambda y: y))(KEY, x)).init(KEY, jnp.ones([3])),
        TypeError,
        r"hk\.lift needs a callable init function, got Transformed",
        r"init",
    ),
    Case(
        "hk.lift outside a transform",
        J,
        lambda: hk.lift(_t(lambda y: y).init),
        ValueError,
        r"`hk\.lift`",
        r"inside the function you pass to hk\.transform",
    ),
    Case(
        "hk.layer_stack with zero layers",
        J,
        lambda: hk.layer_stack(0),
        ValueError,
        r"num_layers >= 1",
        r"got 0",
    ),
    Case(
        "hk.layer_stack body returning a string",
        LJ,
        lambda: _t(lambda x: hk.layer_stack(2)(lambda y: (hk.Linear(3)(y), "s"))(x)).init(
            KEY, jnp.ones([3])
        ),
        TypeError,
        r"layer_stack.*str",
        r"arrays",
    ),
    Case(
        "hk.layer_stack layer changing its input shape",
        LJ,
        lambda: _t(lambda x: hk.layer_stack(2)(lambda y: hk.Linear(4)(y))(x)).init(
            KEY, jnp.ones([3])
        ),
        TypeError,
        r"layer_stack.*float32\[3\].*float32\[4\]",
        r"same shape",
    ),
    Case(
        "hk.remat of a non-callable",
        J,
        lambda: hk.remat(3),
        TypeError,
        r"hk\.remat.*3",
        r"callable",
    ),
]


# Everything the message of a misuse may include is checked against a fresh run of a model
# that exercises params, state, rng and naming.
def _reference_model(x: jax.Array) -> jax.Array:
    class Block(hk.Module):
        def __call__(self, x: jax.Array) -> jax.Array:
            w = hk.get_parameter("w", [x.shape[-1], 3], init=hk.initializers.RandomNormal())
            count = hk.get_state("count", [], init=jnp.zeros)
            hk.set_state("count", count + 1)
            return x @ w + jax.random.normal(hk.next_rng_key(), [3])

    y = Block()(x)
    with hk.name_scope("scope"):
        y = Block()(y)
    if HAS_LAYERS:
        y = hk.Linear(2)(y)
    return y


def _reference_run() -> tuple[list[str], Any]:
    f = hk.transform_with_state(_reference_model)
    params, state = f.init(KEY, jnp.ones([1, 2]))
    out, state = f.apply(params, state, KEY, jnp.ones([1, 2]))
    names = [f"{m}/{n}" for m, n, _ in hk.data_structures.traverse(params)]
    names += [f"{m}/{n}" for m, n, _ in hk.data_structures.traverse(state)]
    return names, jax.tree.map(np.asarray, (params, state, out))


BASELINE = _reference_run()
BASELINE_CONFIG = repr(hk.config.get_config())


def assert_clean() -> None:
    assert not extend.inside_transform()
    assert repr(hk.config.get_config()) == BASELINE_CONFIG
    names, values = _reference_run()
    assert names == BASELINE[0]
    jax.tree.map(np.testing.assert_array_equal, values, BASELINE[1])
    if HAS_LAYERS:
        assert hk.mixed_precision.get_policy(hk.Linear) is None


def _param(case: Case) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.unclear)] if case.unclear else []
    return pytest.param(case, id=case.name, marks=marks)


def test_catalogue_size() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_misuse(case: Case) -> None:
    for package in case.needs:
        pytest.importorskip(package)
    with pytest.raises(case.exc) as info:
        case.fn()
    message = str(info.value)
    assert re.search(case.names, message, re.S), f"message does not name the problem: {message}"
    assert re.search(case.fix, message, re.S), f"message does not say the fix: {message}"
    assert_clean()
