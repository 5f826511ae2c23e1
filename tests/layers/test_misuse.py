"""Misuse of haiku-layers: clear errors naming the layer and the fix, and no leaked state.

`CASES` run through the misuse harness (tests/misuse.py); the tests after them check that
valid uses next to each check keep working.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

import haiku as hk

import misuse
from misuse import (
    KEY,
    LJ,
    W_INIT,
    Case,
    L,
    bn,
    conv_params,
    deep_rnn_with_int,
    dropout_eval_with_maybe_key,
    linear,
    linear_params,
    lstm_with_array_state,
    needs_layers,
    t,
    ts,
)

CASES = [
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
        lambda: t(linear).apply(linear_params(), None, jnp.ones([1, 4])),
        ValueError,
        r"'w' of module 'linear' has shape \(3, 2\).*\(4, 2\)",
        r"same input shapes",
    ),
    Case(
        "Linear on a scalar",
        L,
        lambda: t(linear).init(KEY, jnp.ones([])),
        ValueError,
        r"[Ll]inear.*scalar",
        r"x\[None\]",
    ),
    Case(
        "Linear on integer inputs",
        L,
        lambda: t(linear).init(KEY, jnp.ones([1, 3], int)),
        TypeError,
        r"Linear.*int32",
        r"astype",
    ),
    Case(
        "Conv2D: channel count differs at apply",
        L,
        lambda: t(lambda x: hk.Conv2D(4, 3)(x)).apply(conv_params(), None, jnp.ones([1, 5, 5, 2])),
        ValueError,
        r"module 'conv2_d' has shape \(3, 3, 1, 4\)",
        r"same input shapes",
    ),
    Case(
        "Conv2D on a rank-2 input",
        L,
        lambda: t(lambda x: hk.Conv2D(4, 3)(x)).init(KEY, jnp.ones([5, 5])),
        ValueError,
        r"conv2_d.*rank 3 or 4.*\(5, 5\)",
        r"optionally plus a batch axis",
    ),
    Case(
        "Conv2D with an unknown padding string",
        L,
        lambda: t(lambda x: hk.Conv2D(4, 3, padding="FOO")(x)).init(KEY, jnp.ones([1, 5, 5, 1])),
        ValueError,
        r"Conv2D: padding='FOO'",
        r"Use 'SAME' or 'VALID'",
    ),
    Case(
        "Conv2D with a 3-D kernel shape",
        L,
        lambda: t(lambda x: hk.Conv2D(4, (3, 3, 3))(x)).init(KEY, jnp.ones([1, 5, 5, 1])),
        TypeError,
        r"kernel_shape.*\(3, 3, 3\)",
        r"one entry per spatial dimension",
    ),
    Case(
        "Conv2DTranspose output_shape inconsistent with the input",
        L,
        lambda: t(lambda x: hk.Conv2DTranspose(4, 3, output_shape=(7,))(x)).init(
            KEY, jnp.ones([1, 5, 5, 1])
        ),
        ValueError,
        r"output_shape 7",
        r"input size of 7",
    ),
    Case(
        "Conv2DLSTM input_shape with a channel axis",
        L,
        lambda: t(lambda x: hk.Conv2DLSTM((4, 4, 1), 2, 3)(x, None)).init(KEY, jnp.ones([1])),
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
        lambda: t(lambda x: hk.InstanceNorm(True, True, data_format="XYZ")(x)).init(
            KEY, jnp.ones([2, 3, 3])
        ),
        ValueError,
        r"data_format='XYZ'",
        r"Use 'channels_last'",
    ),
    Case(
        "dropout with rate 1.0",
        L,
        lambda: t(lambda x: hk.dropout(hk.next_rng_key(), 1.0, x)).apply({}, KEY, jnp.ones(3)),
        ValueError,
        r"hk\.dropout: rate.*1\.0",
        r"Use rate=0",
    ),
    Case(
        "dropout without an rng at apply",
        L,
        lambda: hk.without_apply_rng(t(lambda x: hk.dropout(hk.next_rng_key(), 0.5, x))).apply(
            {}, jnp.ones(3)
        ),
        ValueError,
        r"non-None PRNGKey",
        r"f\.apply\(params, jax\.random\.PRNGKey",
    ),
    Case(
        "dropout given the None of maybe_next_rng_key",
        L,
        lambda: t(dropout_eval_with_maybe_key).apply({}, None, jnp.ones(3)),
        ValueError,
        r"hk\.dropout.*rng.*None",
        r"PRNGKey|rate=0",
    ),
    Case(
        "BatchNorm without is_training",
        L,
        lambda: ts(bn).init(KEY, jnp.ones([2, 3])),
        TypeError,
        r"BatchNorm.*'is_training'",
        r"missing 1 required",
    ),
    Case(
        "BatchNorm (state) under hk.transform",
        L,
        lambda: t(lambda x: hk.BatchNorm(True, True, 0.9)(x, True)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"used state.*hk\.transform\b",
        r"use `hk\.transform_with_state`",
    ),
    Case(
        "LayerNorm without create_scale/create_offset",
        L,
        lambda: t(lambda x: hk.LayerNorm(-1)(x)).init(KEY, jnp.ones([2, 3])),
        TypeError,
        r"LayerNorm.*'create_scale' and 'create_offset'",
        r"missing 2 required",
    ),
    Case(
        "LayerNorm scale_init without create_scale",
        L,
        lambda: t(lambda x: hk.LayerNorm(-1, False, True, scale_init=jnp.ones)(x)).init(
            KEY, jnp.ones([2, 3])
        ),
        ValueError,
        r"LayerNorm.*scale_init",
        r"Pass `create_scale=True`",
    ),
    Case(
        "LayerNorm axis out of range",
        L,
        lambda: t(lambda x: hk.LayerNorm(5, True, True)(x)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"LayerNorm.*axis.*5",
        r"rank 2",
    ),
    Case(
        "RMSNorm scale_init without create_scale",
        L,
        lambda: t(lambda x: hk.RMSNorm(-1, create_scale=False, scale_init=jnp.ones)(x)).init(
            KEY, jnp.ones([2, 3])
        ),
        ValueError,
        r"RMSNorm.*scale_init",
        r"Pass `create_scale=True`",
    ),
    Case(
        "GroupNorm with channels not divisible by groups",
        L,
        lambda: t(lambda x: hk.GroupNorm(4)(x)).init(KEY, jnp.ones([1, 5, 5, 6])),
        ValueError,
        r"GroupNorm.*channels=6, groups=4",
        r"Choose `groups`",
    ),
    Case(
        "SpectralNorm on a vector",
        L,
        lambda: ts(lambda x: hk.SpectralNorm()(x)).init(KEY, jnp.ones([3])),
        ValueError,
        r"SpectralNorm.*shape \(3,\)",
        r"Pass a matrix",
    ),
    Case(
        "EMAParamsTree (state) under hk.transform",
        L,
        lambda: t(lambda x: hk.EMAParamsTree(0.9)({"a": {"w": x}})).init(KEY, jnp.ones([2])),
        ValueError,
        r"used state",
        r"use `hk\.transform_with_state`",
    ),
    Case(
        "Embed with float ids",
        L,
        lambda: t(lambda x: hk.Embed(10, 4)(x)).init(KEY, jnp.ones([2])),
        ValueError,
        r"ids must have an integer dtype, got float32",
        r"astype\(jnp\.int32\)",
    ),
    Case(
        "Embed without sizes or matrix",
        L,
        lambda: t(lambda x: hk.Embed()(x)).init(KEY, jnp.ones([2], jnp.int32)),
        ValueError,
        r"hk\.Embed.*vocab_size=None",
        r"needs either embedding_matrix",
    ),
    Case(
        "Embed with an unknown lookup_style",
        L,
        lambda: t(lambda x: hk.Embed(10, 4, lookup_style="FOO")(x)).init(
            KEY, jnp.ones([2], jnp.int32)
        ),
        ValueError,
        r"lookup_style 'FOO'",
        r"use one of .*ARRAY_INDEX",
    ),
    Case(
        "MultiHeadAttention without a weight initializer",
        L,
        lambda: t(lambda q: hk.MultiHeadAttention(2, 4)(q, q, q)).init(KEY, jnp.ones([3, 8])),
        ValueError,
        r"MultiHeadAttention needs a weight initializer",
        r"pass e\.g\. w_init=",
    ),
    Case(
        "MultiHeadAttention key/value lengths differ",
        L,
        lambda: t(lambda q, k, v: hk.MultiHeadAttention(2, 4, w_init=W_INIT)(q, k, v)).init(
            KEY, jnp.ones([3, 8]), jnp.ones([5, 8]), jnp.ones([4, 8])
        ),
        ValueError,
        r"key \(5, 8\) and value \(4, 8\)",
        r"must have the same sequence length",
    ),
    Case(
        "MultiHeadAttention mask without the head axis",
        L,
        lambda: t(
            lambda q: hk.MultiHeadAttention(2, 4, w_init=W_INIT)(q, q, q, mask=jnp.ones([3, 3]))
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
        lambda: t(lambda x: hk.MaxPool(2)(x)).init(KEY, jnp.ones([4, 4])),
        TypeError,
        r"MaxPool.*'strides' and 'padding'",
        r"missing 2 required",
    ),
    Case(
        "Bias with bias_dims out of range",
        L,
        lambda: t(lambda x: hk.Bias(bias_dims=[5])(x)).init(KEY, jnp.ones([2, 4])),
        ValueError,
        r"bias_dims=\(5,\)",
        r"out of range for an input of rank 2",
    ),
    Case(
        "BatchApply inputs with different leading axes",
        L,
        lambda: t(lambda x, y: hk.BatchApply(lambda a, b: a + b)(x, y)).init(
            KEY, jnp.ones([2, 3, 4]), jnp.ones([3, 2, 4])
        ),
        ValueError,
        r"BatchApply.*\(3, 2, 4\)",
        r"must share the leading 2 axes",
    ),
    Case(
        "Reshape to an incompatible shape",
        L,
        lambda: t(lambda x: hk.Reshape((7,))(x)).init(KEY, jnp.ones([2, 3, 4])),
        ValueError,
        r"[Rr]eshape.*\(7,\)",
        r"output_shape|preserve_dims",
    ),
    Case(
        "Sequential given a non-callable layer",
        L,
        lambda: t(lambda x: hk.Sequential([3])(x)).init(KEY, jnp.ones([3])),
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
        lambda: t(lstm_with_array_state).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"LSTM.*state",
        r"LSTMState|initial_state",
    ),
    Case(
        "DeepRNN given a non-callable layer",
        L,
        lambda: t(deep_rnn_with_int).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"DeepRNN.*3",
        r"callable|RNNCore",
    ),
    Case(
        "dynamic_unroll over a scalar sequence",
        LJ,
        lambda: t(lambda x: hk.dynamic_unroll(hk.VanillaRNN(2), x, jnp.zeros([1, 2]))).init(
            KEY, jnp.ones([])
        ),
        ValueError,
        r"dynamic_unroll.*time",
        r"time_major|\[T, B",
    ),
    Case(
        "Linear with output_size 0",
        L,
        lambda: t(lambda x: hk.Linear(0)(x)).init(KEY, jnp.ones([1, 3])),
        TypeError,
        r"hk\.Linear: `output_size` must be a positive int, got 0",
        r"output_size=8",
    ),
    Case(
        "Conv2D with a fractional output_channels",
        L,
        lambda: t(lambda x: hk.Conv2D(2.5, 3)(x)).init(KEY, jnp.ones([1, 5, 5, 1])),
        TypeError,
        r"Conv2D: `output_channels` must be a positive int, got 2\.5",
        r"output_channels=16",
    ),
    Case(
        "LSTM with hidden_size 0",
        L,
        lambda: t(lambda: hk.LSTM(0)).init(KEY),
        TypeError,
        r"hk\.LSTM: `hidden_size`.*got 0",
        r"hidden_size=128",
    ),
    Case(
        "MultiHeadAttention with key_size 0",
        L,
        lambda: t(lambda: hk.MultiHeadAttention(2, 0, w_init=W_INIT)).init(KEY),
        TypeError,
        r"MultiHeadAttention: `key_size`.*got 0",
        r"key_size=64",
    ),
    Case(
        "ExponentialMovingAverage with decay 1.5",
        L,
        lambda: ts(lambda x: hk.ExponentialMovingAverage(1.5)(x)).init(KEY, jnp.ones([2])),
        ValueError,
        r"ExponentialMovingAverage: `decay`.*1\.5",
        r"decay=0\.99",
    ),
    Case(
        "BatchNorm with a negative decay_rate",
        L,
        lambda: ts(lambda x: hk.BatchNorm(True, True, -0.9)(x, True)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"BatchNorm: `decay_rate`.*-0\.9",
        r"decay_rate=0\.99",
    ),
    Case(
        "GroupNorm with groups 0",
        L,
        lambda: t(lambda x: hk.GroupNorm(0)(x)).init(KEY, jnp.ones([2, 4])),
        ZeroDivisionError,
        r"GroupNorm: `groups`.*got 0",
        r"groups=8",
    ),
    Case(
        "MultiHeadAttention query and key of different batch sizes",
        L,
        lambda: t(lambda q, k: hk.MultiHeadAttention(2, 4, w_init=W_INIT)(q, k, k)).init(
            KEY, jnp.ones([2, 5, 8]), jnp.ones([3, 5, 8])
        ),
        ValueError,
        r"query \(2, 5, 8\), key \(3, 5, 8\)",
        r"one batch shape",
    ),
    Case(
        "MultiHeadAttention mask of the wrong shape",
        L,
        lambda: t(lambda x, m: hk.MultiHeadAttention(2, 4, w_init=W_INIT)(x, x, x, m)).init(
            KEY, jnp.ones([5, 8]), jnp.ones([1, 4, 5])
        ),
        ValueError,
        r"mask of shape \(1, 4, 5\)",
        r"mask shape \[\.\.\., 1 or 2, 5, 5\]",
    ),
    Case(
        "LSTM state of the wrong batch size",
        L,
        lambda: t(lambda x: hk.LSTM(4)(x, hk.LSTM(4).initial_state(3))).init(KEY, jnp.ones([2, 3])),
        TypeError,
        r"hk\.LSTM got inputs of shape \(2, 3\) but a state.*\(3, 4\)",
        r"initial_state\(batch_size=2\)",
    ),
    Case(
        "GRU state of the wrong batch size",
        L,
        lambda: t(lambda x: hk.GRU(4)(x, jnp.zeros([3, 4]))).init(KEY, jnp.ones([2, 3])),
        TypeError,
        r"hk\.GRU got inputs of shape \(2, 3\) but a state of shape \(3, 4\)",
        r"initial_state\(batch_size=2\)",
    ),
    Case(
        "ResetCore with resets not fitting the state",
        L,
        lambda: t(
            lambda x: hk.ResetCore(hk.VanillaRNN(2))((x, jnp.zeros([3], bool)), jnp.zeros([2, 2]))
        ).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"should_reset of shape \(3,\).*\(2, 2\)",
        r"prefix of the state",
    ),
    Case(
        "Embed lookup_style unknown (dm-haiku's AttributeError)",
        L,
        lambda: t(lambda i: hk.Embed(4, 3, lookup_style="FOO")(i)).init(KEY, jnp.asarray([1])),
        AttributeError,
        r"lookup_style 'FOO'",
        r"use one of",
    ),
    Case(
        "Reshape output_shape given as an int (dm-haiku's AttributeError)",
        L,
        lambda: t(lambda x: hk.Reshape(6)(x)).init(KEY, jnp.ones([2, 6])),
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
        lambda: ts(lambda x: hk.BatchNorm(True, True, 0.9, axis=[5])(x, True)).init(
            KEY, jnp.ones([2, 3])
        ),
        IndexError,
        r"BatchNorm: axis 5",
        r"Use axes in \[-2, 1\]",
    ),
]


@pytest.mark.parametrize("case", misuse.params(CASES))
def test_misuse(case: Case) -> None:
    misuse.check(case)


# --- valid uses next to the checks ---------------------------------------------------------

_X = jnp.ones([2, 3])


@needs_layers
def test_conv_with_int_input_names_the_layer():
    with pytest.raises(TypeError, match=r"conv2_d: Conv2D got an input of dtype int32.*astype"):
        hk.transform(lambda x: hk.Conv2D(2, 3)(x)).init(KEY, jnp.ones([1, 4, 4, 1], int))


@needs_layers
def test_linear_with_int_input_and_int_friendly_init_still_works():
    params = hk.transform(lambda x: hk.Linear(2, w_init=jnp.zeros)(x)).init(
        KEY, jnp.ones([1, 3], int)
    )
    assert params["linear"]["w"].dtype == jnp.int32


@needs_layers
def test_dropout_rng_none_with_rate_zero_is_the_identity():
    x = jnp.arange(3.0)
    assert (hk.dropout(None, 0.0, x) == x).all()


@needs_layers
def test_sequential_rejects_a_single_layer_not_in_a_list():
    with pytest.raises(TypeError, match=r"hk\.Sequential needs a sequence.*\[layer\]"):
        hk.transform(lambda x: hk.Sequential(hk.Linear(2))(x)).init(KEY, _X)


@needs_layers
def test_sequential_and_deep_rnn_accept_generators():
    def f(x):
        seq = hk.Sequential(layer for layer in [hk.Linear(3), jax.nn.relu])
        core = hk.DeepRNN(c for c in [hk.GRU(2), jax.nn.relu])
        return core(seq(x), core.initial_state(2))

    out, state = hk.transform(f).apply(hk.transform(f).init(KEY, _X), None, _X)
    assert out.shape == (2, 2) and len(state) == 1


@needs_layers
def test_skip_connections_reject_non_callables_by_index():
    with pytest.raises(TypeError, match=r"deep_rnn_with_skip_connections: layers\[1\] is 'x'"):
        hk.transform(lambda: hk.deep_rnn_with_skip_connections([hk.GRU(2), "x"])).init(KEY)


@needs_layers
def test_pad_create_accepts_sequences_of_pad_functions():
    assert hk.pad.create([hk.pad.same], 3, 1, 2) == ((1, 1), (1, 1))
    assert hk.pad.create([hk.pad.same, hk.pad.causal], 3, 1, 2) == ((1, 1), (2, 0))
    with pytest.raises(TypeError, match=r"sequence of 1 or 2 of them"):
        hk.pad.create([hk.pad.same] * 3, 3, 1, 2)


@needs_layers
def test_conv_lstm_with_a_tuple_state_names_lstm_state():
    with pytest.raises(TypeError, match=r"Conv1DLSTM needs its state to be an hk\.LSTMState"):
        hk.transform(lambda x: hk.Conv1DLSTM((3,), 2, 3)(x, (1, 2))).init(KEY, jnp.ones([1, 3, 1]))


@needs_layers
def test_unroll_batch_major_rank_one_input_needs_batch_and_time():
    with pytest.raises(
        ValueError,
        match=r"static_unroll: input_sequence has shape \(4,\).*"
        r"\[B, T, \.\.\.\]",
    ):
        hk.transform(
            lambda x: hk.static_unroll(hk.VanillaRNN(2), x, jnp.zeros([1, 2]), time_major=False)
        ).init(KEY, jnp.ones([4]))
