"""Stateful and normalising layer configurations shared by the recorder and the tests.

Each ``Case(group, name, fn, inputs, steps)`` is run as
``hk.transform_with_state(lambda *xs, **kw: fn(hk, *xs, **kw))``: ``init`` with
``PRNGKey(42)`` and the first step's inputs/kwargs, then one ``apply`` per entry
of ``steps`` (each step gets fresh inputs). ``inputs`` are ``(shape, dtype, kind)``
specs with ``kind`` ``"normal"``, ``"int<N>"`` or ``"bool"``. Only names both
dm-haiku and our implementation share are used, through the ``hk`` argument.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

F32, BF16, F16 = "float32", "bfloat16", "float16"
TRAIN, EVAL, LOCAL = (
    {"is_training": True},
    {"is_training": False},
    {"is_training": False, "test_local_stats": True},
)


@dataclasses.dataclass(frozen=True)
class Case:
    group: str
    name: str
    fn: Callable[..., Any]
    inputs: tuple[tuple[tuple[int, ...], str, str], ...]
    steps: tuple[dict[str, Any], ...] = ({}, {})


def make_inputs(case: Case, seed: int) -> list[np.ndarray]:
    """Deterministic numpy inputs (floats stored as float32, cast by ``to_jax``)."""
    rs = np.random.RandomState(seed)
    out = []
    for shape, _, kind in case.inputs:
        if kind == "normal":
            out.append(rs.normal(size=shape).astype(np.float32))
        elif kind.startswith("int"):
            out.append(rs.randint(0, int(kind[3:]), size=shape).astype(np.int32))
        elif kind == "bool":
            out.append(rs.uniform(size=shape) > 0.5)
        else:
            raise ValueError(kind)
    return out


def to_jax(case: Case, raw: list[np.ndarray]) -> list[jax.Array]:
    return [jnp.asarray(x, dtype=spec[1]) for x, spec in zip(raw, case.inputs)]


def transform(hk, case: Case):
    return hk.transform_with_state(lambda *xs, **kw: case.fn(hk, *xs, **kw))


def tree_spec(tree) -> list:
    """``[[module, [[name, shape, dtype], ...]], ...]`` in insertion order."""
    return [
        [m, [[n, list(np.shape(v)), str(jnp.asarray(v).dtype)] for n, v in b.items()]]
        for m, b in tree.items()
    ]


# --------------------------------------------------------------------------- cases
def _bn_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins, steps=(TRAIN, TRAIN, EVAL, LOCAL)):
        return c.append(Case("batch_norm", name, fn, tuple(ins), steps))

    x4 = ((4, 3, 3, 5), F32, "normal")
    a("nhwc", lambda hk, x, **kw: hk.BatchNorm(True, True, 0.9)(x, **kw), x4)
    a(
        "nchw_eps",
        lambda hk, x, **kw: hk.BatchNorm(True, False, 0.5, eps=1e-3, data_format="NCHW")(x, **kw),
        ((4, 5, 3, 3), F32, "normal"),
    )
    a("axis01", lambda hk, x, **kw: hk.BatchNorm(False, True, 0.99, axis=[0, 1])(x, **kw), x4)
    a(
        "rank2_bf16",
        lambda hk, x, **kw: hk.BatchNorm(True, True, 0.9)(x, **kw),
        ((6, 4), BF16, "normal"),
    )
    a(
        "rank2_f16",
        lambda hk, x, **kw: hk.BatchNorm(True, True, 0.9)(x, **kw),
        ((6, 4), F16, "normal"),
    )
    a(
        "passed_scale",
        lambda hk, x, s, **kw: hk.BatchNorm(False, False, 0.9)(x, scale=s, offset=s * 0.5, **kw),
        ((5, 3), F32, "normal"),
        ((3,), F32, "normal"),
    )
    a(
        "custom_init",
        lambda hk, x, **kw: hk.BatchNorm(
            True,
            True,
            0.9,
            scale_init=hk.initializers.RandomNormal(),
            offset_init=hk.initializers.Constant(0.5),
        )(x, **kw),
        ((5, 2, 3), F32, "normal"),
    )
    return c


def _norm_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("norms", name, fn, tuple(ins)))

    x4 = ((2, 3, 4, 6), F32, "normal")

    def ri(hk):
        return hk.initializers.RandomNormal()

    a("ln_last", lambda hk, x: hk.LayerNorm(-1, True, True)(x), x4)
    a(
        "ln_slice_param_slice",
        lambda hk, x: hk.LayerNorm(slice(1, None), True, True, param_axis=slice(1, None))(x),
        x4,
    )
    a("ln_axis1_fast", lambda hk, x: hk.LayerNorm(1, True, False, use_fast_variance=True)(x), x4)
    a(
        "ln_param_axis1",
        lambda hk, x: hk.LayerNorm((2, 3), True, True, param_axis=1, eps=1e-2)(x),
        x4,
    )
    a(
        "ln_rng_init",
        lambda hk, x: hk.LayerNorm(-1, True, True, scale_init=ri(hk), offset_init=ri(hk))(x),
        ((3, 5), F32, "normal"),
    )
    a(
        "ln_passed",
        lambda hk, x, s: hk.LayerNorm(-1, False, False)(x, scale=s, offset=-s),
        ((3, 5), F32, "normal"),
        ((5,), F32, "normal"),
    )
    a("ln_bf16", lambda hk, x: hk.LayerNorm(-1, True, True)(x), ((3, 5), BF16, "normal"))
    a("ln_f16", lambda hk, x: hk.LayerNorm(-1, True, True)(x), ((3, 5), F16, "normal"))
    a("in_nhwc", lambda hk, x: hk.InstanceNorm(True, True)(x), x4)
    a("in_nchw", lambda hk, x: hk.InstanceNorm(True, True, data_format="NCHW")(x), x4)
    a("gn_default", lambda hk, x: hk.GroupNorm(2)(x), x4)
    a(
        "gn_nchw",
        lambda hk, x: hk.GroupNorm(3, data_format="NCHW", eps=1e-3)(x),
        ((2, 6, 3, 4), F32, "normal"),
    )
    a("gn_axis_last", lambda hk, x: hk.GroupNorm(3, axis=-1)(x), x4)
    a("gn_axis_1_3", lambda hk, x: hk.GroupNorm(2, axis=(1, 3), scale_init=ri(hk))(x), x4)
    a("gn_rank2_bf16", lambda hk, x: hk.GroupNorm(2)(x), ((3, 6), BF16, "normal"))
    a(
        "gn_passed",
        lambda hk, x, s: hk.GroupNorm(3, create_scale=False, create_offset=False)(
            x, scale=s, offset=s
        ),
        x4,
        ((6,), F32, "normal"),
    )
    a("rms_last", lambda hk, x: hk.RMSNorm(-1)(x), x4)
    a("rms_param_axis", lambda hk, x: hk.RMSNorm((1, 2), param_axis=1, eps=1e-3)(x), x4)
    a("rms_slice_noscale", lambda hk, x: hk.RMSNorm(slice(1, None), create_scale=False)(x), x4)
    a("rms_rng_init", lambda hk, x: hk.RMSNorm(-1, scale_init=ri(hk))(x), ((3, 5), F32, "normal"))
    a("rms_bf16", lambda hk, x: hk.RMSNorm(-1)(x), ((3, 5), BF16, "normal"))
    return c


def _ema_init_then_call(hk, x):
    ema = hk.ExponentialMovingAverage(0.8, zero_debias=False)
    ema.initialize(x.shape, x.dtype)
    return ema.average, ema(x)


def _ema_tree(hk, x, y):
    tree = {"mlp/~/linear_0": {"w": x, "b": y}, "conv2_d": {"w": 2 * x}}
    return hk.EMAParamsTree(0.7, ignore_regex=".*linear_0/b$")(tree)


def _ema_no_update(hk, x, update_stats=True):
    return hk.ExponentialMovingAverage(0.9)(x, update_stats=update_stats)


def _ema_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins, steps=({}, {}, {})):
        return c.append(Case("moving_averages", name, fn, tuple(ins), steps))

    a("debias", lambda hk, x: hk.ExponentialMovingAverage(0.9)(x), ((3, 4), F32, "normal"))
    a(
        "warmup",
        lambda hk, x: hk.ExponentialMovingAverage(0.5, zero_debias=False, warmup_length=2)(x),
        ((4,), F32, "normal"),
        steps=({}, {}, {}, {}),
    )
    a(
        "plain_bf16",
        lambda hk, x: hk.ExponentialMovingAverage(0.9, zero_debias=False)(x),
        ((4,), BF16, "normal"),
    )
    a("debias_f16", lambda hk, x: hk.ExponentialMovingAverage(0.99)(x), ((4,), F16, "normal"))
    a("int_values", lambda hk, x: hk.ExponentialMovingAverage(0.9)(x), ((4,), "int32", "int10"))
    a("initialize", _ema_init_then_call, ((2, 3), F32, "normal"))
    a("no_update", _ema_no_update, ((3,), F32, "normal"), steps=({}, {"update_stats": False}, {}))
    a("params_tree", _ema_tree, ((3, 2), F32, "normal"), ((2,), F32, "normal"))
    return c


def _sn_tree(hk, w, b):
    tree = {"mlp/~/linear_0": {"w": w, "b": b}, "conv": {"w": w.reshape(3, 2, 2)}}
    return hk.SNParamsTree(ignore_regex=".*b$")(tree)


def _sn_props(hk, w):
    sn = hk.SpectralNorm()
    out = sn(w)
    return out, sn.u0, sn.sigma


def _sn_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins, steps=({}, {}, {})):
        return c.append(Case("spectral_norm", name, fn, tuple(ins), steps))

    a("matrix", lambda hk, w: hk.SpectralNorm()(w), ((5, 4), F32, "normal"))
    a(
        "rank3_steps3",
        lambda hk, w: hk.SpectralNorm(eps=1e-2, n_steps=3)(w),
        ((2, 3, 4), F32, "normal"),
    )
    a("bf16", lambda hk, w: hk.SpectralNorm()(w), ((4, 3), BF16, "normal"))
    a(
        "no_update",
        lambda hk, w, **kw: hk.SpectralNorm()(w, **kw),
        ((3, 3), F32, "normal"),
        steps=({}, {"update_stats": False}, {}),
    )
    a("props", _sn_props, ((3, 4), F32, "normal"))
    a("params_tree", _sn_tree, ((6, 2), F32, "normal"), ((2,), F32, "normal"))
    return c


def _unroll(core_fn, batch=3, time_major=True, dynamic=True, **kw):
    def fn(hk, xs):
        core = core_fn(hk)
        b = xs.shape[1] if time_major else xs.shape[0]
        unroll = hk.dynamic_unroll if dynamic else hk.static_unroll
        return unroll(core, xs, core.initial_state(b), time_major=time_major, **kw)

    del batch
    return fn


def _reset_core(hk, xs, reset):
    core = hk.ResetCore(hk.LSTM(3))

    def step(inputs, state):
        return core(inputs, state)

    return hk.dynamic_unroll(step, (xs, reset), core.initial_state(xs.shape[1]))


def _gru_one_step(hk, x, h):
    core = hk.GRU(
        3, w_i_init=hk.initializers.RandomUniform(-0.5, 0.5), b_init=hk.initializers.RandomNormal()
    )
    return core(x, h)


def _rnn_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("recurrent", name, fn, tuple(ins), ({},)))

    seq = ((4, 2, 5), F32, "normal")
    a("lstm", _unroll(lambda hk: hk.LSTM(3)), seq)
    a("lstm_static_bm", _unroll(lambda hk: hk.LSTM(3), time_major=False, dynamic=False), seq)
    a("gru", _unroll(lambda hk: hk.GRU(4)), seq)
    a("gru_bf16", _unroll(lambda hk: hk.GRU(4)), ((3, 2, 5), BF16, "normal"))
    a("gru_custom_init", _gru_one_step, ((2, 5), F32, "normal"), ((2, 3), F32, "normal"))
    a("vanilla", _unroll(lambda hk: hk.VanillaRNN(4)), seq)
    a(
        "vanilla_single_bias_rev",
        _unroll(lambda hk: hk.VanillaRNN(4, double_bias=False), reverse=True),
        seq,
    )
    a(
        "deep_all_states_bm",
        _unroll(
            lambda hk: hk.DeepRNN([hk.LSTM(4), jax.nn.relu, hk.GRU(3), hk.IdentityCore()]),
            time_major=False,
            return_all_states=True,
        ),
        seq,
    )
    a(
        "skip",
        _unroll(lambda hk: hk.deep_rnn_with_skip_connections([hk.LSTM(2), hk.VanillaRNN(3)])),
        seq,
    )
    a("reset", _reset_core, seq, ((4, 2), "bool", "bool"))
    a("conv1d_lstm", _unroll(lambda hk: hk.Conv1DLSTM((6,), 2, 3)), ((3, 2, 6, 2), F32, "normal"))
    a(
        "conv2d_lstm",
        _unroll(lambda hk: hk.Conv2DLSTM((4, 4), 2, (3, 1))),
        ((2, 2, 4, 4, 3), F32, "normal"),
    )
    a(
        "conv3d_lstm",
        _unroll(lambda hk: hk.Conv3DLSTM((2, 3, 3), 2, 2)),
        ((2, 1, 2, 3, 3, 1), F32, "normal"),
    )
    return c


CASES: list[Case] = _bn_cases() + _norm_cases() + _ema_cases() + _sn_cases() + _rnn_cases()
GROUPS = ("batch_norm", "norms", "moving_averages", "spectral_norm", "recurrent")


def run_case(hk, case: Case, step_inputs: list[list[jax.Array]]):
    """Returns ``(params, init_state, [(out_leaves, state), ...])``."""
    f = transform(hk, case)
    params, state = f.init(jax.random.PRNGKey(42), *step_inputs[0], **case.steps[0])
    init_state = state
    results = []
    for inputs, kw in zip(step_inputs, case.steps):
        out, state = f.apply(params, state, None, *inputs, **kw)
        results.append((jax.tree.leaves(out), state))
    return params, init_state, results
