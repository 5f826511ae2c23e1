"""Training runs with real-codebase idioms match dm-haiku 0.0.17 step by step.

Cases (stacked params sliced by getters, bf16 creators/getters, nested mixed precision
policies with f32 BatchNorm) live in tests/golden/real_models_core_cases.py; the reference
arrays in tests/golden/real_models_core.npz were recorded with
``/work/refvenv/bin/python tests/golden/make_real_models_core.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("haiku_layers")
pytest.importorskip("optax")

from golden import load_npz, real_models_core_cases

EXPECTED = load_npz("real_models_core.npz")


@pytest.mark.parametrize("case", sorted(real_models_core_cases.CASES))
def test_training_matches_dm_haiku(case):
    if case == "nested_policies":
        pytest.importorskip("jmp")
    got = real_models_core_cases.CASES[case]()
    expected = {k.split("|", 1)[1]: EXPECTED[k] for k in EXPECTED if k.startswith(case + "|")}
    assert sorted(got) == sorted(expected)
    for key, value in expected.items():
        if key.startswith("dtype:"):
            assert str(got[key]) == str(value), key
        else:
            # Same XLA kernels on both sides; the tolerance only absorbs CPU differences
            # (FMA contraction) between machines, far below one bf16 rounding step.
            np.testing.assert_allclose(got[key], value, rtol=1e-5, atol=1e-6, err_msg=key)
