"""hk.experimental.tabulate / eval_summary against dm-haiku 0.0.17 (tests/golden/tools)."""

from __future__ import annotations

import importlib.util
import sys

import jax
import jax.numpy as jnp
import pytest
import tools_cases  # tests/golden, put on sys.path by conftest.py

import haiku as hk
from haiku_tools.summarise import format_bytes, short_dtype

HAS_LAYERS = all(importlib.util.find_spec(m) for m in ("haiku_layers", "haiku_nets"))
_SKIP = pytest.mark.skipif(not HAS_LAYERS, reason="needs haiku-layers and haiku-nets")
CASES = [
    pytest.param(n, marks=[_SKIP]) if n.startswith("layers_") else n for n in tools_cases.MODELS
]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("table", list(tools_cases.TABLES))
def test_tabulate_matches_dm_haiku(golden, name, table):
    pytest.importorskip("tabulate")
    model, _ = tools_cases.MODELS[name]
    out = hk.experimental.tabulate(model, **tools_cases.TABLES[table])(*tools_cases.inputs(name))
    assert out == golden[name][f"table/{table}"]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("wrapper", list(tools_cases.WRAPPERS))
def test_eval_summary_matches_dm_haiku(golden, name, wrapper):
    key = f"summary/{wrapper}"
    if key not in golden[name]:
        pytest.skip("not recorded")
    model, _ = tools_cases.MODELS[name]
    rows = tools_cases.summary_rows(
        hk.experimental.eval_summary(tools_cases.WRAPPERS[wrapper](model))(
            *tools_cases.inputs(name)
        )
    )
    expected = [dict(r, stack=[tuple(s) for s in r["stack"]]) for r in golden[name][key]]
    assert rows == expected


def test_eval_summary_without_apply_rng_model_drawing_keys():
    f = hk.without_apply_rng(hk.transform_with_state(tools_cases.noisy_model))
    rows = hk.experimental.eval_summary(f)(jnp.ones([2, 4]))
    assert [(r.module_details.method_name, repr(r.output_spec)) for r in rows] == [
        ("empty", "()"),
        ("__call__", "f32[2,4]"),
        ("k", "f32[2,4]"),
    ]


def test_accepts_shape_dtype_structs_and_python_values():
    def f(x, training):
        return tools_cases.Big()(x) if training else x

    rows = hk.experimental.eval_summary(f)(jax.ShapeDtypeStruct([3], jnp.int32), True)
    assert [repr(r.args_spec) for r in rows] == ["(s32[3],)"]
    assert hk.experimental.eval_summary(f)(jnp.ones([3]), training=False) == []


def test_no_rows_message():
    pytest.importorskip("tabulate")
    assert hk.experimental.tabulate(lambda x: x)(jnp.ones([2])) == "No modules matching filters."


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"columns": ["bogus"]}, r"Invalid column\(s\) \['bogus'\]"),
        ({"filters": ["bogus"]}, r"Invalid filter\(s\) \['bogus'\]"),
        ({"columns": "module"}, "sequence of names"),
    ],
)
def test_bad_columns_and_filters(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        hk.experimental.tabulate(lambda x: x, **kwargs)


def test_not_a_function():
    with pytest.raises(TypeError, match="eval_summary needs a function"):
        hk.experimental.eval_summary(3)


def test_tabulate_without_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "tabulate", None)
    table = hk.experimental.tabulate(tools_cases.big_model)
    with pytest.raises(ImportError, match="pip install tabulate"):
        table(jnp.ones([2]))


def test_array_spec():
    spec = hk.experimental.ArraySpec((2, 3), jnp.dtype("bfloat16"))
    assert repr(spec) == "bf16[2,3]" and spec.size == 6 and spec.nbytes == 12
    assert spec == hk.experimental.ArraySpec((2, 3), jnp.dtype("bfloat16"))
    assert hash(spec) == hash(hk.experimental.ArraySpec((2, 3), jnp.dtype("bfloat16")))
    with pytest.raises(AttributeError):
        spec.shape = (1,)


@pytest.mark.parametrize(
    "dtype, short",
    [
        ("float16", "f16"),
        ("float64", "f64"),
        ("int16", "s16"),
        ("uint8", "u8"),
        ("bool", "bool"),
        ("complex64", "c64"),
        (jnp.bfloat16, "bf16"),
    ],
)
def test_short_dtype(dtype, short):
    assert short_dtype(dtype) == short


@pytest.mark.parametrize(
    "n, text",
    [
        (4, "4.00 B"),
        (996, "996.00 B"),
        (1000, "1.00 KB"),
        (999_999_996, "1000.00 MB"),
        (1.2e9, "1.20 GB"),
        (1e15, "1000.00 TB"),
    ],
)
def test_format_bytes(n, text):
    assert format_bytes(n) == text


@pytest.mark.skipif(not HAS_LAYERS, reason="needs haiku-layers and haiku-nets")
@pytest.mark.parametrize("step", ["jit", "grad", "value_and_grad_jit", "pmap", "non_array"])
def test_wrapped_steps_match_dm_haiku(golden17, step):
    # A jitted / pmapped / grad-wrapped train step is summarised in one pass with jit
    # disabled; a function returning a non-array is fine (#17 item 20).
    import tools17_cases

    ours = tools17_cases.tabulate_values()[step]
    expected = golden17["tabulate"][step]
    assert ours["table"] == expected["table"]
    assert ours["rows"] == expected["rows"]


def test_jitted_step_is_traced_on_every_summary():
    # jit's trace cache must not hide the module calls of a second summary.
    f = hk.transform(lambda x: Scale()(x))
    x = jnp.ones([2, 3])
    step = jax.jit(lambda params, x: f.apply(params, None, x))
    params = f.init(None, x)
    step(params, x)  # compiled and cached
    for _ in range(2):
        rows = hk.experimental.eval_summary(step)(params, x)
        assert [r.module_details.module.module_name for r in rows] == ["scale"]


class Scale(hk.Module):
    def __call__(self, x):
        return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)


def test_a_module_counts_the_params_of_modules_it_calls():
    """dm-haiku 0.0.17 prints 126,000 / 504.00 KB in both rows (checked in its venv)."""

    class ManyParams(hk.Module):
        def __call__(self):
            hk.get_parameter("w", [10, 20, 30], init=jnp.zeros)
            hk.get_parameter("b", [40, 50, 60], init=jnp.zeros)
            return 1

    class CallsOther(hk.Module):
        def __init__(self, other, name=None):
            super().__init__(name=name)
            self.other = other

        def __call__(self):
            return self.other()

    rows = hk.experimental.eval_summary(lambda: CallsOther(ManyParams())())()
    assert [r.module_details.module.module_name for r in rows] == ["calls_other", "many_params"]
    sizes = [sum(s.size for s in r.module_details.params.values()) for r in rows]
    assert sizes == [126_000, 126_000]


@pytest.mark.parametrize(
    "entry",
    [
        lambda f: f.init,
        lambda f: f.apply,
        lambda f: jax.jit(f.init),
        lambda f: hk.without_apply_rng(f).apply,
    ],
    ids=["init", "apply", "jit_init", "without_apply_rng_apply"],
)
def test_transformed_entry_points_summarise_like_the_transform(entry):
    # dm-haiku follows `_original_fn` from f.init / f.apply (also through jax.jit's
    # `__wrapped__`) and summarises the user function behind them.
    f = hk.transform_with_state(tools_cases.big_model)
    expected = tools_cases.summary_rows(hk.experimental.eval_summary(f)(jnp.ones([2])))
    rows = tools_cases.summary_rows(hk.experimental.eval_summary(entry(f))(jnp.ones([2])))
    assert rows == expected and rows
