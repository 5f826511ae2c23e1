"""Key streams, param trees and outputs of the wrappers against dm-haiku 0.0.17 goldens."""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import numpy as np

from golden import load_json, load_npz

GOLDEN_ARRAYS = load_npz("jaxwrap.npz")


@pytest.fixture(scope="module")
def results():
    jax.config.update("jax_threefry_partitionable", True)
    from golden import jaxwrap_cases

    arrays, names = jaxwrap_cases.run_all()
    return arrays, names, GOLDEN_ARRAYS, load_json("jaxwrap.json")


def test_same_leaves(results):
    arrays, _, golden, _ = results
    assert sorted(arrays) == sorted(golden)


def _cases(prefix):
    return sorted({k.split("/")[0] for k in GOLDEN_ARRAYS if k.startswith(prefix)})


@pytest.mark.parametrize("case", _cases("keys_"))
def test_key_stream(results, case):
    arrays, _, golden, _ = results
    for phase in ("init", "apply"):
        key = f"{case}/{phase}"
        np.testing.assert_array_equal(arrays[key], golden[key], err_msg=key)


@pytest.mark.parametrize(
    "case",
    sorted({k.split("/")[0] for k in GOLDEN_ARRAYS if not k.startswith("keys_")}),
)
def test_model(results, case):
    arrays, names, golden, golden_names = results
    assert names[case] == golden_names[case]
    for key in golden:
        if key.startswith(case + "/"):
            assert arrays[key].shape == golden[key].shape, key
            assert arrays[key].dtype == golden[key].dtype, key
            np.testing.assert_allclose(arrays[key], golden[key], rtol=1e-5, atol=1e-5, err_msg=key)


def test_module_names_after_wrappers(results):
    _, names, _, golden_names = results
    for case, expected in golden_names.items():
        if case.startswith("naming_"):
            assert names[case] == expected, case
