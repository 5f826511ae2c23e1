"""Generates golden initializer outputs from dm-haiku 0.0.17 (run ONLY in the reference venv).

    hatch run bench-ref:python tests/golden/make_initializers.py

For every case, dm-haiku's initializer is used twice through ``hk.get_parameter`` inside one
``hk.transform(...).init(PRNGKey(SEED))`` call, so the goldens pin both the values and the key
consumption (the second parameter must use the second key). Arrays are stored as raw bytes so
that bfloat16/complex values compare bit-exactly. Writes ``initializers.npz`` and
``initializers.json`` next to this file.
"""

from __future__ import annotations

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

SEED = 7
HERE = pathlib.Path(__file__).parent

FLOATS = ["float32", "bfloat16", "float16"]


def _cases():
    """Yields ``(init_name, kwargs, shape, dtype, x64)``; kwargs are JSON-encodable.

    Shapes are mostly [3, 4] to keep the number of XLA compilations (test time) low.
    """
    s = [3, 4]
    yield "Constant", {"constant": 3}, s, "float32", False
    yield "Constant", {"constant": 0.1}, s, "bfloat16", False
    yield "Constant", {"constant": {"array": [1.0, 2.0, 3.0, 4.0]}}, s, "float32", False
    yield "Constant", {"constant": 2.5}, s, "int32", False
    yield "Constant", {"constant": {"complex": [1.0, -2.0]}}, s, "complex64", False
    for dtype in FLOATS:
        yield "RandomNormal", {}, s, dtype, False
        yield "RandomNormal", {"stddev": 0.3, "mean": 1.5}, s, dtype, False
        yield "TruncatedNormal", {}, s, dtype, False
        yield (
            "TruncatedNormal",
            {"stddev": 0.3, "mean": -0.5, "lower": -1.0, "upper": 1.5},
            s,
            dtype,
            False,
        )
        yield "RandomUniform", {}, s, dtype, False
        yield "RandomUniform", {"minval": -2.0, "maxval": 3.0}, s, dtype, False
        yield "UniformScaling", {"scale": 2.0}, s, dtype, False
        yield "Identity", {"gain": 0.7}, s, dtype, False
        if dtype == "float32":  # dm-haiku's QR fails for 16-bit floats on CPU.
            yield "Orthogonal", {"scale": 1.3}, s, dtype, False
        for mode in ["fan_in", "fan_out", "fan_avg"]:
            for dist in ["truncated_normal", "normal", "uniform"]:
                yield (
                    "VarianceScaling",
                    {"scale": 2.0, "mode": mode, "distribution": dist},
                    s,
                    dtype,
                    False,
                )
    yield "TruncatedNormal", {"stddev": 0.5, "mean": {"complex": [0.1, 0.2]}}, s, "complex64", False
    yield "TruncatedNormal", {}, s, "complex64", False
    # Fans of other ranks.
    for shape in [[], [5], [2, 3, 4, 5]]:
        for dist in ["truncated_normal", "uniform"]:
            yield (
                "VarianceScaling",
                {"mode": "fan_avg", "distribution": dist},
                shape,
                "float32",
                False,
            )
    yield "VarianceScaling", {"fan_in_axes": [0, 1]}, [2, 3, 4, 5], "float32", False
    yield (
        "VarianceScaling",
        {"fan_in_axes": [-1], "mode": "fan_avg"},
        [2, 3, 4, 5],
        "float32",
        False,
    )
    yield "VarianceScaling", {"scale": 0.0}, s, "float32", False
    yield "UniformScaling", {}, [2, 3, 4, 5], "float32", False
    for shape, axis in [
        ([4, 3], -1),
        ([4, 4], 0),
        ([2, 3, 4, 5], -1),
        ([2, 3, 4, 5], 0),
        ([2, 3, 4, 5], 1),
        ([2, 3, 4, 5], -2),
    ]:
        yield "Orthogonal", {"scale": 1.3, "axis": axis}, shape, "float32", False
    yield "Identity", {}, [2, 3, 4, 5], "float32", False
    yield "Identity", {"gain": 2.0}, s, "int32", False
    # Double precision needs x64.
    for name, kwargs in [
        ("RandomNormal", {"stddev": 0.3, "mean": 1.5}),
        ("TruncatedNormal", {"stddev": 0.3}),
        ("RandomUniform", {"minval": -2.0, "maxval": 3.0}),
        ("VarianceScaling", {}),
        ("VarianceScaling", {"distribution": "uniform", "mode": "fan_avg"}),
        ("UniformScaling", {}),
        ("Orthogonal", {}),
        ("Identity", {"gain": 0.1}),
    ]:
        yield name, kwargs, s, "float64", True
    yield "TruncatedNormal", {"mean": {"complex": [0.5, -0.5]}}, s, "complex128", True


def _decode(value):
    if isinstance(value, dict) and "array" in value:
        return np.asarray(value["array"], dtype=np.float32)
    if isinstance(value, dict) and "complex" in value:
        return complex(*value["complex"])
    return value


def _init_params(name, kwargs, shape, dtype):
    init = getattr(hk.initializers, name)(**{k: _decode(v) for k, v in kwargs.items()})

    def f():
        hk.get_parameter("first", shape, jnp.dtype(dtype), init)
        hk.get_parameter("second", shape, jnp.dtype(dtype), init)

    params = hk.transform(f).init(jax.random.PRNGKey(SEED))
    return params["~"]["first"], params["~"]["second"]


def _raw(x) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x)).reshape(-1).view(np.uint8)


def main() -> None:
    jax.config.update("jax_threefry_partitionable", True)
    meta, arrays = [], {}
    for i, (name, kwargs, shape, dtype, x64) in enumerate(_cases()):
        with jax.enable_x64(x64):
            first, second = _init_params(name, kwargs, shape, dtype)
        assert str(first.dtype) == dtype and list(first.shape) == shape, (name, first.dtype)
        arrays[f"c{i}_first"] = _raw(first)
        arrays[f"c{i}_second"] = _raw(second)
        meta.append({"init": name, "kwargs": kwargs, "shape": shape, "dtype": dtype, "x64": x64})
    np.savez_compressed(HERE / "initializers.npz", **arrays)
    (HERE / "initializers.json").write_text(
        json.dumps({"seed": SEED, "cases": meta}, indent=1) + "\n"
    )
    print(f"wrote {len(meta)} cases")


if __name__ == "__main__":
    main()
