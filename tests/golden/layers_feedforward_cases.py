"""Feed-forward layer configurations (linear, conv, depthwise, pool, embed,
attention, dtypes) shared by the golden generator and the layer tests.

Each case is ``Case(group, name, fn, inputs)``: ``fn(hk, *inputs)`` is run
under ``hk.transform`` with dm-haiku (``make_layers_feedforward.py``) and with our
implementation (``tests/layers``). ``inputs`` are ``(shape, dtype, kind)``
specs; ``kind`` is ``"normal"``, ``"int<N>"`` (ids in ``[0, N)``) or
``"bool"``. This file only uses names both implementations share.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

F32 = "float32"


@dataclasses.dataclass(frozen=True)
class Case:
    group: str
    name: str
    fn: Callable[..., Any]
    inputs: tuple[tuple[tuple[int, ...], str, str], ...]
    x64: bool = False


def make_inputs(case: Case, seed: int) -> list[np.ndarray]:
    """Deterministic float32/int/bool numpy inputs (cast later to the dtype)."""
    rs = np.random.RandomState(seed)
    out = []
    for shape, dtype, kind in case.inputs:
        if kind == "normal":
            x = rs.normal(size=shape).astype(np.float64 if dtype == "float64" else np.float32)
        elif kind.startswith("int"):
            x = rs.randint(0, int(kind[3:]), size=shape).astype(np.int32)
        elif kind == "bool":
            x = rs.uniform(size=shape) > 0.3
        else:
            raise ValueError(kind)
        out.append(x)
    return out


def _vs(hk):
    return hk.initializers.VarianceScaling(1.0)


def _conv_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("conv", name, fn, tuple(ins)))

    x1 = ((2, 9, 3), F32, "normal")
    x1cf = ((2, 3, 9), F32, "normal")
    x2 = ((2, 7, 6, 4), F32, "normal")
    x2cf = ((2, 4, 7, 6), F32, "normal")
    x3 = ((1, 5, 4, 4, 2), F32, "normal")
    x3cf = ((1, 2, 5, 4, 4), F32, "normal")
    a("conv1d_same", lambda hk, x: hk.Conv1D(5, 3)(x), x1)
    a("conv1d_valid_s2", lambda hk, x: hk.Conv1D(5, 4, stride=2, padding="valid")(x), x1)
    a("conv1d_ncw", lambda hk, x: hk.Conv1D(5, 3, data_format="NCW")(x), x1cf)
    a("conv1d_causal", lambda hk, x: hk.Conv1D(4, 3, rate=2, padding=hk.pad.causal)(x), x1)
    a("conv1d_pairs", lambda hk, x: hk.Conv1D(4, 3, padding=[(2, 1)])(x), x1)
    a("conv1d_unbatched", lambda hk, x: hk.Conv1D(4, 3)(x[0]), x1)
    a("conv2d_same", lambda hk, x: hk.Conv2D(3, 3)(x), x2)
    a(
        "conv2d_valid_stride",
        lambda hk, x: hk.Conv2D(3, (3, 2), stride=(2, 1), padding="VALID")(x),
        x2,
    )
    a("conv2d_nchw", lambda hk, x: hk.Conv2D(3, 3, stride=2, data_format="NCHW")(x), x2cf)
    a(
        "conv2d_channels_first",
        lambda hk, x: hk.ConvND(2, 3, 2, data_format="channels_first")(x),
        x2cf,
    )
    a("conv2d_groups", lambda hk, x: hk.Conv2D(6, 3, rate=(2, 1), feature_group_count=2)(x), x2)
    a(
        "conv2d_mask",
        lambda hk, x: hk.Conv2D(
            3,
            3,
            mask=np.tril(np.ones((3, 3), np.float32))[:, :, None, None]
            * np.ones((1, 1, 4, 3), np.float32),
        )(x),
        x2,
    )
    a(
        "conv2d_pairs_per_dim",
        lambda hk, x: hk.Conv2D(
            3, 3, padding=[(1, 0), (0, 2)], b_init=hk.initializers.RandomNormal()
        )(x),
        x2,
    )
    a(
        "conv2d_padfns",
        lambda hk, x: hk.Conv2D(3, 3, rate=(1, 2), padding=[hk.pad.causal, hk.pad.full])(x),
        x2,
    )
    a("conv2d_unbatched_nchw", lambda hk, x: hk.Conv2D(3, 3, data_format="NCHW")(x[0]), x2cf)
    a(
        "conv2d_nobias_winit",
        lambda hk, x: hk.Conv2D(3, 3, with_bias=False, w_init=hk.initializers.RandomUniform())(x),
        x2,
    )
    a(
        "conv2d_two_named",
        lambda hk, x: (
            hk.Conv2D(3, 1, name="c")(hk.Conv2D(4, 1)(x))
            + hk.Conv2D(3, 2, padding=hk.pad.reverse_causal)(x)
        ),
        x2,
    )
    a("conv3d_same", lambda hk, x: hk.Conv3D(3, 2)(x), x3)
    a(
        "conv3d_ncdhw_valid",
        lambda hk, x: hk.Conv3D(3, (2, 3, 1), padding="VALID", data_format="NCDHW")(x),
        x3cf,
    )
    a("conv1dT_s2", lambda hk, x: hk.Conv1DTranspose(4, 3, stride=2)(x), x1)
    a("conv1dT_ncw", lambda hk, x: hk.Conv1DTranspose(4, 3, stride=2, data_format="NCW")(x), x1cf)
    a("conv2dT_same", lambda hk, x: hk.Conv2DTranspose(3, 3, stride=2)(x), x2)
    a(
        "conv2dT_outshape_same",
        lambda hk, x: hk.Conv2DTranspose(3, 3, stride=2, output_shape=(13, 12))(x),
        x2,
    )
    a(
        "conv2dT_outshape_valid",
        lambda hk, x: hk.Conv2DTranspose(3, 4, stride=2, output_shape=(16, 14), padding="VALID")(x),
        x2,
    )
    a(
        "conv2dT_nchw",
        lambda hk, x: hk.Conv2DTranspose(3, (2, 3), stride=(2, 1), data_format="NCHW")(x),
        x2cf,
    )
    a(
        "conv2dT_pairs",
        lambda hk, x: hk.Conv2DTranspose(3, 3, stride=2, padding=[(1, 1), (2, 0)])(x),
        x2,
    )
    a("conv2dT_unbatched", lambda hk, x: hk.Conv2DTranspose(3, 3, stride=2)(x[0]), x2)
    a(
        "conv2dT_mask_nobias",
        lambda hk, x: hk.Conv2DTranspose(
            3,
            2,
            mask=np.concatenate(
                [np.zeros((1, 2, 3, 4), np.float32), np.ones((1, 2, 3, 4), np.float32)]
            ),
            with_bias=False,
        )(x),
        x2,
    )
    a("convNDT_1d", lambda hk, x: hk.ConvNDTranspose(1, 2, 3, stride=3, output_shape=[27])(x), x1)
    a("conv3dT", lambda hk, x: hk.Conv3DTranspose(2, 2, stride=2)(x), x3)
    return c


def _depthwise_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("depthwise", name, fn, tuple(ins)))

    x1 = ((2, 9, 3), F32, "normal")
    x2 = ((2, 7, 6, 4), F32, "normal")
    x2cf = ((2, 4, 7, 6), F32, "normal")
    x3 = ((1, 5, 4, 4, 2), F32, "normal")
    a("dw1d", lambda hk, x: hk.DepthwiseConv1D(2, 3)(x), x1)
    a("dw2d", lambda hk, x: hk.DepthwiseConv2D(2, 3)(x), x2)
    a("dw2d_rate", lambda hk, x: hk.DepthwiseConv2D(3, (3, 2), rate=2, stride=(1, 2))(x), x2)
    a("dw2d_nchw", lambda hk, x: hk.DepthwiseConv2D(2, 3, data_format="NCHW")(x), x2cf)
    a("dw2d_pairs", lambda hk, x: hk.DepthwiseConv2D(1, 3, padding=[(1, 1), (0, 2)])(x), x2)
    a("dw2d_nobias", lambda hk, x: hk.DepthwiseConv2D(2, 2, with_bias=False)(x), x2)
    a("dw3d", lambda hk, x: hk.DepthwiseConv3D(2, 2)(x), x3)
    a("sep2d", lambda hk, x: hk.SeparableDepthwiseConv2D(2, (3, 5))(x), x2)
    a(
        "sep2d_s21_valid",
        lambda hk, x: hk.SeparableDepthwiseConv2D(1, (3, 2), stride=(2, 1), padding="VALID")(x),
        x2,
    )
    a(
        "sep2d_nchw_nobias",
        lambda hk, x: hk.SeparableDepthwiseConv2D(2, 3, with_bias=False, data_format="NCHW")(x),
        x2cf,
    )
    return c


def _pool_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("pool", name, fn, tuple(ins)))

    x = ((2, 7, 6, 3), F32, "normal")
    xcf = ((2, 3, 7, 6), F32, "normal")
    for kind in ("max", "avg"):
        for pad in ("SAME", "VALID"):
            a(
                f"{kind}_{pad}_full",
                lambda hk, x, k=kind, p=pad: getattr(hk, f"{k}_pool")(
                    x, (1, 3, 3, 1), (1, 2, 2, 1), p
                ),
                x,
            )
            a(
                f"{kind}_{pad}_int",
                lambda hk, x, k=kind, p=pad: getattr(hk, f"{k}_pool")(x, 3, 2, p),
                x,
            )
            a(
                f"{kind}_{pad}_short",
                lambda hk, x, k=kind, p=pad: getattr(hk, f"{k}_pool")(x, (2, 3, 1), (2, 1, 1), p),
                x,
            )
            a(
                f"{kind}_{pad}_nchw",
                lambda hk, x, k=kind, p=pad: getattr(hk, f"{k}_pool")(x, 2, 2, p, channel_axis=1),
                xcf,
            )
            a(
                f"{kind}_{pad}_nochannel",
                lambda hk, x, k=kind, p=pad: getattr(hk, f"{k}_pool")(
                    x, 2, 1, p, channel_axis=None
                ),
                x,
            )
            a(
                f"{kind}_{pad}_over_channels",
                lambda hk, x, k=kind, p=pad: getattr(hk, f"{k}_pool")(x, (3, 1, 2), (2, 1, 2), p),
                x,
            )
    a("MaxPool_module", lambda hk, x: hk.MaxPool((2, 2, 1), (2, 2, 1), "SAME")(x), x)
    a("AvgPool_module", lambda hk, x: hk.AvgPool((3, 3, 1), 1, "SAME")(x), x)
    return c


def _linear_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("linear", name, fn, tuple(ins)))

    a("linear", lambda hk, x: hk.Linear(3)(x), ((2, 4), F32, "normal"))
    a(
        "linear_rank3_nobias",
        lambda hk, x: hk.Linear(5, with_bias=False)(x),
        ((2, 3, 4), F32, "normal"),
    )
    a("linear_rank1", lambda hk, x: hk.Linear(3)(x), ((4,), F32, "normal"))
    a(
        "linear_inits",
        lambda hk, x: hk.Linear(
            3, w_init=hk.initializers.RandomNormal(0.5), b_init=hk.initializers.RandomUniform()
        )(x),
        ((2, 4), F32, "normal"),
    )
    a(
        "linear_names",
        lambda hk, x: (
            hk.Linear(2, name="linear_1")(hk.Linear(3)(x))
            + hk.Linear(2)(x)
            + hk.Linear(2, name="out")(x)
        ),
        ((2, 4), F32, "normal"),
    )
    a(
        "linear_reuse",
        lambda hk, x: (lambda layer: layer(layer(x)))(hk.Linear(4)),
        ((2, 4), F32, "normal"),
    )
    a("bias", lambda hk, x: hk.Bias()(x), ((2, 3, 4), F32, "normal"))
    a("bias_last", lambda hk, x: hk.Bias(bias_dims=[-1])(x), ((2, 3, 4), F32, "normal"))
    a(
        "bias_mid",
        lambda hk, x: hk.Bias(bias_dims=[1])(x) + hk.Bias(bias_dims=[])(x),
        ((2, 3, 4), F32, "normal"),
    )
    a(
        "bias_mult_init",
        lambda hk, x: hk.Bias(output_size=(3, 4), b_init=hk.initializers.RandomNormal())(
            x, multiplier=2.0
        ),
        ((2, 3, 4), F32, "normal"),
    )
    a(
        "sequential",
        lambda hk, x: hk.Sequential([hk.Linear(3), jax.nn.relu, hk.Linear(2)])(x),
        ((2, 4), F32, "normal"),
    )
    a("batch_apply", lambda hk, x: hk.BatchApply(hk.Linear(3))(x), ((2, 3, 4), F32, "normal"))
    a(
        "batch_apply_tree",
        lambda hk, x, y: hk.BatchApply(
            lambda a, b: {"s": hk.Linear(2)(a) * b, "t": a.sum(-1)}, num_dims=2
        )(x, b=y),
        ((2, 3, 4), F32, "normal"),
        ((2, 3, 1), F32, "normal"),
    )
    a("expand_apply", lambda hk, x: hk.expand_apply(hk.Linear(3))(x), ((4,), F32, "normal"))
    a("dropout", lambda hk, x: hk.dropout(hk.next_rng_key(), 0.3, x), ((4, 5), F32, "normal"))
    a(
        "dropout_bcast",
        lambda hk, x: hk.dropout(hk.next_rng_key(), 0.5, x, broadcast_dims=(0,)),
        ((4, 5), F32, "normal"),
    )
    a("one_hot", lambda hk, x: hk.one_hot(x, 6), ((2, 3), "int32", "int6"))
    a(
        "multinomial",
        lambda hk, x: hk.multinomial(hk.next_rng_key(), x, 4),
        ((2, 3, 5), F32, "normal"),
    )
    a("reshape", lambda hk, x: hk.Reshape((4, -1))(x), ((2, 3, 4, 2), F32, "normal"))
    a(
        "reshape_neg",
        lambda hk, x: hk.Reshape((-1,), preserve_dims=-2)(x),
        ((2, 3, 4, 2), F32, "normal"),
    )
    a(
        "reshape_neg_big",
        lambda hk, x: hk.Reshape((4, -1), preserve_dims=-5)(x),
        ((2, 3, 4, 2), F32, "normal"),
    )
    a("flatten", lambda hk, x: hk.Flatten()(x), ((2, 3, 4), F32, "normal"))
    a("flatten_2", lambda hk, x: hk.Flatten(preserve_dims=2)(x), ((2, 3, 4, 5), F32, "normal"))
    return c


def _embed_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("embed", name, fn, tuple(ins)))

    ids = ((2, 3), "int32", "int7")
    a("embed", lambda hk, i: hk.Embed(7, 4)(i), ids)
    a("embed_one_hot", lambda hk, i: hk.Embed(7, 4, lookup_style="ONE_HOT")(i), ids)
    a(
        "embed_enum_style",
        lambda hk, i: hk.Embed(7, 4, lookup_style=hk.EmbedLookupStyle.ONE_HOT)(i),
        ids,
    )
    a("embed_call_style", lambda hk, i: hk.Embed(7, 4)(i, lookup_style="one_hot"), ids)
    a(
        "embed_matrix",
        lambda hk, i: hk.Embed(embedding_matrix=np.arange(21, dtype=np.float32).reshape(7, 3))(i),
        ids,
    )
    a(
        "embed_winit_name",
        lambda hk, i: (
            hk.Embed(7, 2, w_init=hk.initializers.RandomUniform(), name="tok")(i)
            + hk.Embed(7, 2)(i)
        ),
        ids,
    )
    a("embed_1d", lambda hk, i: hk.Embed(7, 4)(i[0]), ids)
    return c


def _attention_cases() -> list[Case]:
    c = []

    def a(name, fn, *ins):
        return c.append(Case("attention", name, fn, tuple(ins)))

    x = ((3, 5), F32, "normal")
    bx = ((2, 3, 5), F32, "normal")
    a("mha_self", lambda hk, x: hk.MultiHeadAttention(2, 4, w_init=_vs(hk))(x, x, x), x)
    a("mha_batched", lambda hk, x: hk.MultiHeadAttention(2, 3, w_init=_vs(hk))(x, x, x), bx)
    a(
        "mha_cross",
        lambda hk, q, kv: hk.MultiHeadAttention(3, 2, w_init=_vs(hk), value_size=5, model_size=7)(
            q, kv, kv
        ),
        bx,
        ((2, 4, 6), F32, "normal"),
    )
    a(
        "mha_mask",
        lambda hk, x, m: hk.MultiHeadAttention(2, 4, w_init=_vs(hk))(x, x, x, mask=m),
        bx,
        ((2, 1, 3, 3), "bool", "bool"),
    )
    a(
        "mha_nobias_binit",
        lambda hk, x: hk.MultiHeadAttention(
            2, 4, w_init=hk.initializers.RandomNormal(0.3), with_bias=False
        )(x, x, x),
        x,
    )
    a(
        "mha_binit",
        lambda hk, x: hk.MultiHeadAttention(
            1, 4, w_init=_vs(hk), b_init=hk.initializers.RandomNormal()
        )(x, x, x),
        x,
    )
    a(
        "mha_scale_deprecated",
        lambda hk, x: hk.MultiHeadAttention(2, 2, w_init_scale=2.0)(x, x, x),
        x,
    )
    a(
        "mha_named_two",
        lambda hk, x: (
            hk.MultiHeadAttention(1, 2, w_init=_vs(hk), name="attn")(x, x, x)
            + hk.MultiHeadAttention(1, 2, w_init=_vs(hk))(x, x, x)
        ),
        x,
    )
    return c


def _dtype_cases() -> list[Case]:
    """Half and double precision inputs for the layers whose params follow them."""
    c = []
    for dt in ("bfloat16", "float16", "float64"):

        def a(name, fn, *ins):
            return c.append(Case("dtypes", f"{name}_{dt}", fn, tuple(ins), dt == "float64"))  # noqa: B023

        x2 = ((2, 4), dt, "normal")
        x4 = ((2, 6, 5, 3), dt, "normal")
        a("linear", lambda hk, x: hk.Linear(3)(x), x2)
        a("conv2d", lambda hk, x: hk.Conv2D(2, 3, stride=2)(x), x4)
        a("conv2dT", lambda hk, x: hk.Conv2DTranspose(2, 3, stride=2)(x), x4)
        a("dw2d", lambda hk, x: hk.DepthwiseConv2D(2, 3)(x), x4)
        a("avg_pool", lambda hk, x: hk.avg_pool(x, (3, 3, 1), (2, 2, 1), "SAME"), x4)
        if dt == "bfloat16":
            a("bias", lambda hk, x: hk.Bias()(x), x2)
            a("max_pool", lambda hk, x: hk.max_pool(x, (3, 3, 1), (2, 2, 1), "SAME"), x4)
            a("dropout", lambda hk, x: hk.dropout(hk.next_rng_key(), 0.5, x), x2)
            a("embed", lambda hk, i: hk.Embed(5, 3)(i), ((2, 3), "int32", "int5"))
        a(
            "mha",
            lambda hk, x: hk.MultiHeadAttention(2, 2, w_init=_vs(hk))(x, x, x),
            ((3, 4), dt, "normal"),
        )
    return c


def to_jax(case: Case, arrays: list[np.ndarray]) -> list[jax.Array]:
    """Casts the stored inputs to the dtypes the case asks for."""
    import jax.numpy as jnp

    return [jnp.asarray(x, dtype=dt) for x, (_, dt, _) in zip(arrays, case.inputs)]


def run_case(hk, case: Case, inputs: list[jax.Array], apply: bool = True):
    """Returns ``(init params, apply output or None, warning categories)``.

    Init runs op by op (as users usually call it) with ``PRNGKey(INIT_SEED)``;
    the output comes from applying those params with ``PRNGKey(APPLY_SEED)``.
    """
    import warnings

    f = hk.transform(lambda *xs: case.fn(hk, *xs))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        params = f.init(jax.random.PRNGKey(INIT_SEED), *inputs)
        out = f.apply(params, jax.random.PRNGKey(APPLY_SEED), *inputs) if apply else None
    cats = sorted(
        {w.category.__name__ for w in caught if issubclass(w.category, DeprecationWarning)}
    )
    return params, out, cats


def tree_spec(params) -> list:
    """``[[module, [[name, shape, dtype], ...]], ...]`` in insertion order."""
    return [
        [m, [[n, list(v.shape), str(v.dtype)] for n, v in b.items()]] for m, b in params.items()
    ]


CASES: list[Case] = (
    _linear_cases()
    + _conv_cases()
    + _depthwise_cases()
    + _pool_cases()
    + _embed_cases()
    + _attention_cases()
    + _dtype_cases()
)
GROUPS = sorted({case.group for case in CASES})
INIT_SEED = 42
APPLY_SEED = 7


# --- Loading and checking (used by tests/layers) ---------------------------

GOLDEN_DIR = os.path.join(os.path.dirname(__file__), "layers_feedforward")


def load_group(group: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Returns ``(meta, arrays)`` of one golden group."""
    import json

    with open(os.path.join(GOLDEN_DIR, f"{group}.json")) as f:
        meta = json.load(f)
    with np.load(os.path.join(GOLDEN_DIR, f"{group}.npz")) as data:
        arrays = dict(data)
    return meta, arrays


def golden_params(name: str, meta: dict, arrays: dict) -> dict:
    """The recorded init params, cast back to their recorded dtypes."""
    import jax.numpy as jnp

    return {
        m: {n: jnp.asarray(arrays[f"{name}|param|{m}|{n}"], dtype=dt) for n, _, dt in bundle}
        for m, bundle in meta[name]["tree"]
    }


_TOL = {"float32": 1e-5, "float64": 1e-10, "float16": 2e-3, "bfloat16": 2e-2}


def check_case(hk, case: Case) -> None:
    """Asserts our ``hk`` matches the golden record of ``case``."""
    meta, arrays = load_group(case.group)
    rec = meta[case.name]
    raw = [arrays[f"{case.name}|in|{i}"] for i in range(len(case.inputs))]
    with jax.enable_x64() if case.x64 else _Null():
        inputs = to_jax(case, raw)
        params, _, warns = run_case(hk, case, inputs, apply=False)
        # Same tree: module order, param names/order, shapes and dtypes.
        assert tree_spec(params) == rec["tree"], (tree_spec(params), rec["tree"])
        assert warns == rec["warnings"]
        # Bit-identical init values (same RNG consumption).
        for m, bundle in params.items():
            for n, v in bundle.items():
                want = arrays[f"{case.name}|param|{m}|{n}"]
                got = np.asarray(v).astype(want.dtype)
                if str(v.dtype) == "float16" and not np.array_equal(got, want):
                    # XLA's CPU float16 arithmetic depends on the processor (goldens: AMD
                    # EPYC; on an Intel Xeon with AVX512-FP16 a few elements differ by <2 eps of
                    # the largest |w|, dm-haiku 0.0.17 too): there, a few-ulp comparison.
                    eps = float(np.finfo(np.float16).eps)
                    scale = float(np.max(np.abs(want), initial=0.0))
                    np.testing.assert_allclose(
                        got, want, rtol=8 * eps, atol=8 * eps * scale, err_msg=f"{m}/{n} init"
                    )
                    continue
                assert np.array_equal(got, want), f"{m}/{n} init differs"
        # Same outputs from the golden params.
        f = hk.transform(lambda *xs: case.fn(hk, *xs))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            # Op by op: init already compiled every primitive, so this is cheap.
            out = f.apply(
                golden_params(case.name, meta, arrays), jax.random.PRNGKey(APPLY_SEED), *inputs
            )
        outs = jax.tree.leaves(out)
        assert [[list(o.shape), str(o.dtype)] for o in outs] == rec["out"]
        for i, o in enumerate(outs):
            want = arrays[f"{case.name}|out|{i}"]
            tol = _TOL.get(str(o.dtype), 0)
            np.testing.assert_allclose(
                np.asarray(o).astype(want.dtype),
                want,
                rtol=tol,
                atol=tol,
                err_msg=f"{case.name} output {i}",
            )


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def cases_of(*groups: str) -> list[Case]:
    return [c for c in CASES if c.group in groups]


def haiku_under_test():
    """``haiku`` as the tests should see it.

    With ``HAIKU_LAYERS_DEV_REF=1`` (development before core existed), this is
    dm-haiku with every haiku-layers name replaced by ours.
    """
    jax.config.update("jax_threefry_partitionable", True)
    import haiku

    if not os.environ.get("HAIKU_LAYERS_DEV_REF"):
        return haiku
    import types

    import haiku_layers

    proxy = types.SimpleNamespace(
        **{n: getattr(haiku, n) for n in dir(haiku) if not n.startswith("__")}
    )
    for n in haiku_layers.__all__:
        with contextlib.suppress(ImportError, AttributeError):
            setattr(proxy, n, getattr(haiku_layers, n))
    return proxy
