""" "Real model" training runs with haiku-jaxwrap idioms, compared with dm-haiku 0.0.17.

Recycling loops (hk.scan / hk.fori_loop over a block using hk.remat and hk.dropout) and a
pmapped training step with BatchNorm state (cross-replica) over 8 simulated CPU devices,
after several optax steps. Scenarios: ``tests/golden/real_models_jaxwrap_cases.py``;
goldens: ``make_real_models_jaxwrap.py``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_jaxwrap")
pytest.importorskip("haiku_layers")
pytest.importorskip("optax")

import jax
import numpy as np


@pytest.fixture(scope="module")
def results():
    from golden import load_npz, real_models_jaxwrap_cases

    return real_models_jaxwrap_cases.run_all(), load_npz("real_models_jaxwrap.npz")


def _check(results, model):
    ours, golden = results
    keys = [k for k in golden if k.split("/")[0] == model]
    assert keys
    for key in keys:
        assert key in ours, key
        assert ours[key].shape == golden[key].shape, key
        assert ours[key].dtype == golden[key].dtype, key
        # Several jitted optimiser steps: allow float rounding of reordered reductions.
        np.testing.assert_allclose(ours[key], golden[key], rtol=2e-5, atol=2e-6, err_msg=key)
    assert sorted(k for k in ours if k.split("/")[0] == model) == sorted(keys)


def test_recycling_scan_with_remat_and_dropout(results):
    _check(results, "recycle_scan")


def test_recycling_fori_loop_with_remat_and_dropout(results):
    _check(results, "recycle_fori")


@pytest.mark.skipif(
    jax.device_count() < 8,
    reason="needs 8 devices: XLA_FLAGS=--xla_force_host_platform_device_count=8",
)
def test_pmapped_training_step_with_batchnorm_state(results):
    _check(results, "pmap_bn")
    assert bool(results[0]["pmap_bn/replicas_equal"])
