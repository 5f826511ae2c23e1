"""Layer/net edge cases of issue #17: what each call raises (exception type) or returns.

Every case is a function of ``hk`` (dm-haiku 0.0.17 in ``make_layers_issue17.py``, ours in
``tests/layers/test_golden_edge_cases.py``) using only names both share. ``outcome`` turns a
case into a JSON-able record: ``["raises", <builtin exception type>]`` or
``["ok", <output leaves as nested lists>]``. The test compares the two records; a few cases
where dm-haiku silently accepts nonsense and we raise instead are listed in the test.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

KEY = jax.random.PRNGKey(0)


def _run(hk, f: Callable[..., Any], *xs: Any) -> Any:
    """init + apply of ``f`` under transform_with_state; returns the apply output."""
    t = hk.transform_with_state(f)
    params, state = t.init(KEY, *xs)
    return t.apply(params, state, KEY, *xs)[0]


def _x(*shape: int, dtype: Any = jnp.float32) -> jax.Array:
    return jnp.arange(int(np.prod(shape)), dtype=jnp.float32).reshape(shape).astype(dtype) / 7


# --- item 14: BatchNorm rank-0 and the other norm input checks -------------------------


def bn_rank0(hk):
    return _run(hk, lambda x: hk.BatchNorm(True, True, 0.9)(x, is_training=True), jnp.asarray(2.0))


def bn_rank0_eval(hk):
    return _run(
        hk, lambda x: hk.BatchNorm(False, False, 0.9)(x, is_training=False), jnp.asarray(2.0)
    )


def bn_rank1(hk):
    return _run(hk, lambda x: hk.BatchNorm(True, True, 0.9)(x, is_training=True), _x(3))


def bn_axis_out_of_range(hk):
    return _run(hk, lambda x: hk.BatchNorm(True, True, 0.9, axis=[5])(x, True), _x(2, 3))


def bn_groups_without_axis(hk):
    return _run(
        hk,
        lambda x: hk.BatchNorm(True, True, 0.9, cross_replica_axis_index_groups=[[0]])(x, True),
        _x(2, 3),
    )


def bn_scale_init_without_scale(hk):
    return _run(
        hk, lambda x: hk.BatchNorm(False, True, 0.9, scale_init=jnp.ones)(x, True), _x(2, 3)
    )


def bn_call_scale_with_create_scale(hk):
    return _run(hk, lambda x: hk.BatchNorm(True, True, 0.9)(x, True, scale=jnp.ones([3])), _x(2, 3))


def bn_decay_rate_above_one(hk):
    return _run(hk, lambda x: hk.BatchNorm(True, True, 1.5)(x, True), _x(2, 3))


def ln_rank0(hk):
    return _run(hk, lambda x: hk.LayerNorm(-1, True, True)(x), jnp.asarray(2.0))


def ln_axis_out_of_range(hk):
    return _run(hk, lambda x: hk.LayerNorm(5, True, True)(x), _x(2, 3))


def ln_axis_string(hk):
    return _run(hk, lambda x: hk.LayerNorm("a", True, True)(x), _x(2, 3))


def ln_scale_init_without_scale(hk):
    return _run(hk, lambda x: hk.LayerNorm(-1, False, True, scale_init=jnp.ones)(x), _x(2, 3))


def rms_axis_out_of_range(hk):
    return _run(hk, lambda x: hk.RMSNorm(5)(x), _x(2, 3))


def rms_rank1(hk):
    return _run(hk, lambda x: hk.RMSNorm(-1)(x), _x(3))


def gn_rank0(hk):
    return _run(hk, lambda x: hk.GroupNorm(1)(x), jnp.asarray(2.0))


def gn_rank1(hk):
    return _run(hk, lambda x: hk.GroupNorm(1)(x), _x(4))


def gn_not_divisible(hk):
    return _run(hk, lambda x: hk.GroupNorm(4)(x), _x(2, 6))


def gn_bad_format(hk):
    return _run(hk, lambda x: hk.GroupNorm(1, data_format="XYZ")(x), _x(2, 4))


def gn_groups_zero(hk):
    return _run(hk, lambda x: hk.GroupNorm(0)(x), _x(2, 4))


def gn_groups_negative(hk):
    return _run(hk, lambda x: hk.GroupNorm(-1)(x), _x(2, 4))


def depthwise_multiplier_zero(hk):
    return _run(hk, lambda x: hk.DepthwiseConv2D(0, 3)(x), _x(1, 5, 5, 2))


def linear_size_bool(hk):
    return _run(hk, lambda x: hk.Linear(True)(x), _x(1, 3))


def embed_vocab_negative(hk):
    return _run(hk, lambda i: hk.Embed(-5, 2)(i), jnp.asarray([0]))


def gru_hidden_float(hk):
    def f(x):
        return hk.GRU(2.5)(x, jnp.zeros([2, 2]))

    return _run(hk, f, _x(2, 3))


def mha_num_heads_float(hk):
    return _run(hk, lambda x: hk.MultiHeadAttention(2.0, 4, w_init=jnp.ones)(x, x, x), _x(5, 8))


def instance_norm_bad_format(hk):
    return _run(hk, lambda x: hk.InstanceNorm(True, True, data_format="XYZ")(x), _x(2, 4, 3))


# --- item 15 -----------------------------------------------------------------------------


def embed_numpy_matrix_jit(hk):
    matrix = np.arange(12, dtype=np.float32).reshape(4, 3)
    f = hk.transform(lambda ids: hk.Embed(embedding_matrix=matrix)(ids))
    params = jax.jit(f.init)(KEY, jnp.asarray([1, 3]))
    return jax.jit(f.apply)(params, None, jnp.asarray([1, 3]))


def embed_numpy_matrix_gather_jit(hk):
    matrix = np.arange(12, dtype=np.float32).reshape(4, 3)
    f = hk.transform(lambda ids: hk.Embed(embedding_matrix=matrix, lookup_style="ONE_HOT")(ids))
    params = jax.jit(f.init)(KEY, jnp.asarray([1, 3]))
    return jax.jit(f.apply)(params, None, jnp.asarray([1, 3]))


def _embed_numpy_params_closed_over(hk, style: str):
    f = hk.transform(lambda ids: hk.Embed(4, 3, lookup_style=style)(ids))
    params = jax.tree.map(np.asarray, f.init(KEY, jnp.asarray([1, 3])))
    return jax.jit(lambda ids: f.apply(params, None, ids))(jnp.asarray([1, 3]))


def embed_numpy_params_jit_array_index(hk):
    return _embed_numpy_params_closed_over(hk, "ARRAY_INDEX")


def embed_numpy_params_jit_one_hot(hk):
    return _embed_numpy_params_closed_over(hk, "ONE_HOT")


def _reset_core_unroll(hk, unroll_name: str, batched: bool):
    def f(xs, resets):
        core = hk.ResetCore(hk.VanillaRNN(2))
        state = core.initial_state(2 if batched else None)
        unroll = getattr(hk, unroll_name)
        return unroll(core, (xs, resets), state)

    t = 4
    xs = _x(t, 2, 3) if batched else _x(t, 3)
    resets = (
        jnp.asarray([[0, 1], [1, 0], [0, 0], [1, 1]], bool)
        if batched
        else jnp.asarray([0, 1, 0, 1], bool)
    )
    return _run(hk, f, xs, resets)


def reset_core_static_unbatched(hk):
    return _reset_core_unroll(hk, "static_unroll", False)


def reset_core_dynamic_unbatched(hk):
    return _reset_core_unroll(hk, "dynamic_unroll", False)


def reset_core_static_batched(hk):
    return _reset_core_unroll(hk, "static_unroll", True)


def reset_core_dynamic_batched(hk):
    return _reset_core_unroll(hk, "dynamic_unroll", True)


def reset_core_bad_reset_structure(hk):
    def f(x):
        core = hk.ResetCore(hk.LSTM(2))
        state = core.initial_state(1)
        return core((x, (jnp.zeros([1], bool), jnp.zeros([1], bool))), state)

    return _run(hk, f, _x(1, 3))


def reset_core_reset_rank_too_high(hk):
    def f(x):
        core = hk.ResetCore(hk.VanillaRNN(2))
        return core((x, jnp.zeros([1, 2], bool)), core.initial_state(1))

    return _run(hk, f, _x(1, 3))


def ema_initialize_legacy_array(hk):
    def f(x):
        ema = hk.ExponentialMovingAverage(0.5)
        ema.initialize(x)
        return ema(x + 1.0), ema.average

    return _run(hk, f, _x(3))


def ema_initialize_shape_dtype(hk):
    def f(x):
        ema = hk.ExponentialMovingAverage(0.5)
        ema.initialize(x.shape, x.dtype)
        return ema(x + 1.0)

    return _run(hk, f, _x(3))


# --- item 19: exception types ------------------------------------------------------------


def embed_unknown_lookup_style(hk):
    return _run(hk, lambda i: hk.Embed(4, 3, lookup_style="FOO")(i), jnp.asarray([1]))


def embed_lookup_style_lowercase(hk):
    return _run(hk, lambda i: hk.Embed(4, 3, lookup_style="one_hot")(i), jnp.asarray([1]))


def embed_float_ids(hk):
    return _run(hk, lambda i: hk.Embed(4, 3)(i), jnp.asarray([1.0]))


def embed_no_sizes(hk):
    return _run(hk, lambda i: hk.Embed()(i), jnp.asarray([1]))


def embed_matrix_and_sizes_disagree(hk):
    return _run(
        hk, lambda i: hk.Embed(5, 3, embedding_matrix=np.zeros([4, 3]))(i), jnp.asarray([1])
    )


def embed_matrix_rank1(hk):
    return _run(hk, lambda i: hk.Embed(embedding_matrix=np.zeros([4]))(i), jnp.asarray([1]))


def reshape_output_shape_int(hk):
    return _run(hk, lambda x: hk.Reshape(6)(x), _x(2, 2, 3))


def reshape_output_shape_none(hk):
    return _run(hk, lambda x: hk.Reshape(None)(x), _x(2, 2, 3))


def reshape_incompatible(hk):
    return _run(hk, lambda x: hk.Reshape((7,))(x), _x(2, 2, 3))


def reshape_two_minus_one(hk):
    return _run(hk, lambda x: hk.Reshape((-1, -1))(x), _x(2, 2, 3))


def reshape_preserve_dims_zero(hk):
    return _run(hk, lambda x: hk.Reshape((-1,), preserve_dims=0)(x), _x(2, 2, 3))


def reshape_preserve_dims_negative(hk):
    return _run(hk, lambda x: hk.Reshape((6,), preserve_dims=-2)(x), _x(2, 2, 3))


def reshape_preserve_dims_too_large(hk):
    return _run(hk, lambda x: hk.Reshape((1,), preserve_dims=5)(x), _x(2, 2, 3))


def flatten_preserve_dims_zero(hk):
    return _run(hk, lambda x: hk.Flatten(preserve_dims=0)(x), _x(2, 2, 3))


def channel_index_tbd(hk):
    return hk.get_channel_index("TBD")


def channel_index_xyz(hk):
    return hk.get_channel_index("XYZ")


def channel_index_lower(hk):
    return hk.get_channel_index("nhwc")


def linear_scalar(hk):
    return _run(hk, lambda x: hk.Linear(2)(x), jnp.asarray(1.0))


def linear_int_input(hk):
    return _run(hk, lambda x: hk.Linear(2)(x), jnp.ones([1, 3], jnp.int32))


def linear_rank1(hk):
    return _run(hk, lambda x: hk.Linear(2)(x), _x(3))


def linear_size_zero(hk):
    return _run(hk, lambda x: hk.Linear(0)(x), _x(1, 3))


def linear_size_negative(hk):
    return _run(hk, lambda x: hk.Linear(-2)(x), _x(1, 3))


def linear_size_float(hk):
    return _run(hk, lambda x: hk.Linear(2.5)(x), _x(1, 3))


def bias_dims_out_of_range(hk):
    return _run(hk, lambda x: hk.Bias(bias_dims=[5])(x), _x(2, 3))


def bias_dims_batch_axis(hk):
    return _run(hk, lambda x: hk.Bias(bias_dims=[0])(x), _x(2, 3))


def bias_rank1(hk):
    return _run(hk, lambda x: hk.Bias()(x), _x(3))


def bias_output_size_mismatch(hk):
    return _run(hk, lambda x: hk.Bias(output_size=(4,))(x), _x(2, 3))


def conv_rank2(hk):
    return _run(hk, lambda x: hk.Conv2D(4, 3)(x), _x(5, 5))


def conv_bad_padding(hk):
    return _run(hk, lambda x: hk.Conv2D(4, 3, padding="FOO")(x), _x(1, 5, 5, 1))


def conv_lowercase_padding(hk):
    return _run(hk, lambda x: hk.Conv2D(4, 3, padding="same")(x), _x(1, 5, 5, 1))


def conv_kernel_rank3(hk):
    return _run(hk, lambda x: hk.Conv2D(4, (3, 3, 3))(x), _x(1, 5, 5, 1))


def conv_groups_not_dividing(hk):
    return _run(hk, lambda x: hk.Conv2D(4, 3, feature_group_count=2)(x), _x(1, 5, 5, 3))


def conv_mask_wrong_shape(hk):
    return _run(hk, lambda x: hk.Conv2D(4, 3, mask=jnp.ones([2, 2, 1, 4]))(x), _x(1, 5, 5, 1))


def conv_nd_zero_dims(hk):
    return _run(hk, lambda x: hk.ConvND(0, 4, 3)(x), _x(1, 5))


def conv_int_input(hk):
    return _run(hk, lambda x: hk.Conv2D(4, 3)(x), jnp.ones([1, 5, 5, 1], jnp.int32))


def conv_output_channels_zero(hk):
    return _run(hk, lambda x: hk.Conv2D(0, 3)(x), _x(1, 5, 5, 1))


def conv_transpose_bad_output_shape(hk):
    return _run(hk, lambda x: hk.Conv2DTranspose(4, 3, stride=2, output_shape=7)(x), _x(1, 5, 5, 1))


def conv_transpose_padfn(hk):
    return _run(hk, lambda x: hk.Conv1DTranspose(4, 3, padding=hk.pad.same)(x), _x(1, 5, 1))


def conv_lstm_bad_input_shape(hk):
    def f(x):
        core = hk.Conv2DLSTM((4, 4, 1), 2, 3)
        return core(x, core.initial_state(1))

    return _run(hk, f, _x(1, 4, 4, 1))


def depthwise_rank2(hk):
    return _run(hk, lambda x: hk.DepthwiseConv2D(1, 3)(x), _x(5, 5))


def depthwise_bad_padding(hk):
    return _run(hk, lambda x: hk.DepthwiseConv2D(1, 3, padding="FOO")(x), _x(1, 5, 5, 2))


def separable_bad_padding(hk):
    return _run(hk, lambda x: hk.SeparableDepthwiseConv2D(1, 3, padding="FOO")(x), _x(1, 5, 5, 2))


def dropout_rate_one(hk):
    return _run(hk, lambda x: hk.dropout(hk.next_rng_key(), 1.0, x), _x(2, 3))


def dropout_rate_negative(hk):
    return _run(hk, lambda x: hk.dropout(hk.next_rng_key(), -0.5, x), _x(2, 3))


def dropout_rate_above_one(hk):
    return _run(hk, lambda x: hk.dropout(hk.next_rng_key(), 1.5, x), _x(2, 3))


def dropout_rng_none(hk):
    return _run(hk, lambda x: hk.dropout(None, 0.5, x), _x(2, 3))


def max_pool_window_too_long(hk):
    return hk.max_pool(_x(2, 3), (2, 2, 2), 1, "VALID")


def max_pool_bad_padding(hk):
    return hk.max_pool(_x(1, 4, 4, 1), 2, 2, "BAD")


def avg_pool_lowercase_padding(hk):
    return hk.avg_pool(_x(1, 4, 4, 1), 2, 2, "same")


def max_pool_channel_axis_out_of_range(hk):
    return hk.max_pool(_x(1, 4, 4, 1), 2, 2, "VALID", channel_axis=7)


def max_pool_strides_too_long(hk):
    return hk.max_pool(_x(2, 3), 1, (1, 1, 1), "VALID")


def pad_create_unknown(hk):
    return hk.pad.create("foo", 3, 1, 1)


def pad_create_wrong_count(hk):
    return hk.pad.create((hk.pad.same, hk.pad.same, hk.pad.same), 3, 1, 2)


def sequential_non_callable(hk):
    return _run(hk, lambda x: hk.Sequential([jax.nn.relu, 3])(x), _x(2, 3))


def sequential_single_callable(hk):
    return _run(hk, lambda x: hk.Sequential(jax.nn.relu)(x), _x(2, 3))


def mha_no_w_init(hk):
    return _run(hk, lambda x: hk.MultiHeadAttention(2, 4)(x, x, x), _x(5, 8))


def mha_key_value_lengths(hk):
    return _run(
        hk,
        lambda q, k, v: hk.MultiHeadAttention(2, 4, w_init=jnp.ones)(q, k, v),
        _x(5, 8),
        _x(5, 8),
        _x(4, 8),
    )


def mha_mask_rank2(hk):
    return _run(
        hk,
        lambda x, m: hk.MultiHeadAttention(2, 4, w_init=jnp.ones)(x, x, x, m),
        _x(5, 8),
        jnp.ones([5, 5]),
    )


def mha_mask_wrong_shape(hk):
    return _run(
        hk,
        lambda x, m: hk.MultiHeadAttention(2, 4, w_init=jnp.ones)(x, x, x, m),
        _x(5, 8),
        jnp.ones([1, 4, 5]),
    )


def mha_query_key_batch(hk):
    return _run(
        hk,
        lambda q, k: hk.MultiHeadAttention(2, 4, w_init=jnp.ones)(q, k, k),
        _x(2, 5, 8),
        _x(3, 5, 8),
    )


def mha_key_value_batch(hk):
    return _run(
        hk,
        lambda q, k, v: hk.MultiHeadAttention(2, 4, w_init=jnp.ones)(q, k, v),
        _x(2, 5, 8),
        _x(2, 5, 8),
        _x(3, 5, 8),
    )


def mha_num_heads_zero(hk):
    return _run(hk, lambda x: hk.MultiHeadAttention(0, 4, w_init=jnp.ones)(x, x, x), _x(5, 8))


def mha_key_size_zero(hk):
    return _run(hk, lambda x: hk.MultiHeadAttention(2, 0, w_init=jnp.ones)(x, x, x), _x(5, 8))


def mha_value_size_negative(hk):
    return _run(
        hk, lambda x: hk.MultiHeadAttention(2, 4, w_init=jnp.ones, value_size=-1)(x, x, x), _x(5, 8)
    )


def lstm_array_state(hk):
    return _run(hk, lambda x: hk.LSTM(4)(x, jnp.zeros([1, 4])), _x(1, 3))


def lstm_state_wrong_batch(hk):
    def f(x):
        core = hk.LSTM(4)
        return core(x, core.initial_state(3))

    return _run(hk, f, _x(2, 3))


def lstm_state_wrong_width(hk):
    def f(x):
        core = hk.LSTM(4)
        return core(x, hk.LSTMState(jnp.zeros([2, 5]), jnp.zeros([2, 5])))

    return _run(hk, f, _x(2, 3))


def gru_state_wrong_batch(hk):
    def f(x):
        core = hk.GRU(4)
        return core(x, core.initial_state(3))

    return _run(hk, f, _x(2, 3))


def vanilla_state_wrong_batch(hk):
    def f(x):
        core = hk.VanillaRNN(4)
        return core(x, core.initial_state(3))

    return _run(hk, f, _x(2, 3))


def lstm_input_rank3(hk):
    def f(x):
        core = hk.LSTM(4)
        return core(x, core.initial_state(2))

    return _run(hk, f, _x(2, 2, 3))


def lstm_hidden_zero(hk):
    def f(x):
        core = hk.LSTM(0)
        return core(x, core.initial_state(2))

    return _run(hk, f, _x(2, 3))


def gru_hidden_negative(hk):
    def f(x):
        core = hk.GRU(-1)
        return core(x, core.initial_state(2))

    return _run(hk, f, _x(2, 3))


def deep_rnn_non_callable(hk):
    def f(x):
        core = hk.DeepRNN([hk.LSTM(2), 3])
        return core(x, core.initial_state(1))

    return _run(hk, f, _x(1, 3))


def deep_rnn_skip_non_core(hk):
    def f(x):
        core = hk.deep_rnn_with_skip_connections([hk.LSTM(2), jax.nn.relu])
        return core(x, core.initial_state(1))

    return _run(hk, f, _x(1, 3))


def dynamic_unroll_scalar(hk):
    def f(x):
        core = hk.VanillaRNN(2)
        return hk.dynamic_unroll(core, x, core.initial_state(None))

    return _run(hk, f, jnp.asarray(1.0))


def static_unroll_scalar(hk):
    def f(x):
        core = hk.VanillaRNN(2)
        return hk.static_unroll(core, x, core.initial_state(None))

    return _run(hk, f, jnp.asarray(1.0))


def ema_decay_above_one(hk):
    return _run(hk, lambda x: hk.ExponentialMovingAverage(1.5)(x), _x(3))


def ema_decay_negative(hk):
    return _run(hk, lambda x: hk.ExponentialMovingAverage(-0.5)(x), _x(3))


def ema_warmup_negative(hk):
    return _run(hk, lambda x: hk.ExponentialMovingAverage(0.5, warmup_length=-1)(x), _x(3))


def ema_warmup_and_debias(hk):
    return _run(
        hk, lambda x: hk.ExponentialMovingAverage(0.5, warmup_length=2, zero_debias=True)(x), _x(3)
    )


def ema_params_tree_decay_above_one(hk):
    return _run(hk, lambda x: hk.EMAParamsTree(1.5)({"m": {"w": x}}), _x(3))


def ema_params_tree_flat(hk):
    return _run(hk, lambda x: hk.EMAParamsTree(0.5)({"w": x}), _x(3))


def spectral_norm_vector(hk):
    return _run(hk, lambda x: hk.SpectralNorm()(x), _x(3))


def spectral_norm_rank3(hk):
    return _run(hk, lambda x: hk.SpectralNorm()(x), _x(2, 2, 3))


def spectral_norm_n_steps_zero(hk):
    return _run(hk, lambda x: hk.SpectralNorm(n_steps=0)(x), _x(2, 3))


def sn_params_tree_n_steps_zero(hk):
    return _run(hk, lambda x: hk.SNParamsTree(n_steps=0)({"m": {"w": x}}), _x(2, 3))


def batch_apply_num_dims_zero(hk):
    return _run(hk, lambda x: hk.BatchApply(jnp.sum, num_dims=0)(x), _x(2, 3))


def batch_apply_mismatched(hk):
    return _run(
        hk,
        lambda x, y: hk.BatchApply(lambda a, b: a + b.sum(-1, keepdims=True))(x, y),
        _x(2, 3, 4),
        _x(3, 2, 4),
    )


def batch_apply_no_array(hk):
    return _run(hk, lambda x: hk.BatchApply(lambda a: a)(3.0), _x(2, 3))


def expand_apply_bad_axis(hk):
    return _run(hk, lambda x: hk.expand_apply(lambda a: a, axis=1)(x), _x(2, 3))


# --- nets ----------------------------------------------------------------------------------


def mlp_size_zero(hk):
    return _run(hk, lambda x: hk.nets.MLP([3, 0])(x), _x(1, 3))


def mlp_size_negative(hk):
    return _run(hk, lambda x: hk.nets.MLP([-3])(x), _x(1, 3))


def mlp_b_init_without_bias(hk):
    return _run(hk, lambda x: hk.nets.MLP([3], with_bias=False, b_init=jnp.ones)(x), _x(1, 3))


def mlp_dropout_without_rng(hk):
    return _run(hk, lambda x: hk.nets.MLP([3])(x, dropout_rate=0.5), _x(1, 3))


def mlp_rng_without_dropout(hk):
    return _run(hk, lambda x: hk.nets.MLP([3])(x, rng=hk.next_rng_key()), _x(1, 3))


def mlp_reverse_before_call(hk):
    return _run(hk, lambda x: hk.nets.MLP([3]).reverse()(x), _x(1, 3))


def resnet_blocks_len3(hk):
    return _run(hk, lambda x: hk.nets.ResNet([1, 1, 1], 10)(x, is_training=True), _x(1, 8, 8, 3))


def resnet_channels_len2(hk):
    return _run(
        hk,
        lambda x: hk.nets.ResNet([1, 1, 1, 1], 10, channels_per_group=(4, 4))(x, is_training=True),
        _x(1, 8, 8, 3),
    )


def vq_wrong_width(hk):
    return _run(hk, lambda x: hk.nets.VectorQuantizer(4, 3, 0.25)(x, is_training=True), _x(2, 5))


def vq_ema_decay_above_one(hk):
    return _run(
        hk, lambda x: hk.nets.VectorQuantizerEMA(4, 3, 0.25, 1.5)(x, is_training=True), _x(2, 4)
    )


def vq_num_embeddings_zero(hk):
    return _run(hk, lambda x: hk.nets.VectorQuantizer(4, 0, 0.25)(x, is_training=True), _x(2, 4))


def mobilenet_rank2(hk):
    return _run(hk, lambda x: hk.nets.MobileNetV1(num_classes=3)(x, is_training=True), _x(2, 5))


def mobilenet_strides_channels(hk):
    return _run(
        hk,
        lambda x: hk.nets.MobileNetV1(strides=(1, 2), channels=(4,), num_classes=3)(
            x, is_training=True
        ),
        _x(1, 8, 8, 3),
    )


CASES: dict[str, Callable[[Any], Any]] = {
    name: fn
    for name, fn in globals().items()
    if callable(fn)
    and not name.startswith("_")
    and getattr(fn, "__module__", None) == __name__
    and name not in ("outcome", "run_all")
}


def _builtin_type(exc: BaseException) -> str:
    for cls in type(exc).__mro__:
        if getattr(builtins, cls.__name__, None) is cls:
            return cls.__name__
    return type(exc).__name__


def outcome(hk, name: str) -> list:
    """``["raises", type]`` or ``["ok", leaves]`` for one case."""
    try:
        out = CASES[name](hk)
    except Exception as e:  # recording what is raised is the point
        return ["raises", _builtin_type(e)]
    leaves = jax.tree.leaves(out)
    return [
        "ok",
        [
            np.asarray(x, np.float64).tolist()
            if np.ndim(x)
            else float(x)
            if not isinstance(x, (bool, np.bool_))
            else bool(x)
            for x in leaves
        ],
    ]


def run_all(hk) -> dict:
    return {name: outcome(hk, name) for name in CASES}
