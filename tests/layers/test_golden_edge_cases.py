"""Layer and net edge cases (bad sizes, decays, shapes, error types) vs dm-haiku 0.0.17.

Every case must raise the exception type dm-haiku raises, or return dm-haiku's values.
``DELIBERATE`` lists the only differences: inputs dm-haiku silently accepts although
they are meaningless (empty layers, decay rates outside [0, 1], an axis wrapped modulo
the rank, mixed batch layouts), and one dm-haiku internal crash replaced by a clear
error (listed for docs/migration.md in the issue-17 layers report).
"""

from __future__ import annotations

import json
import warnings

import jax
import numpy as np
import pytest

pytest.importorskip("haiku_layers")
pytest.importorskip("haiku_nets")

import haiku as hk

from golden import layers_issue17_cases as cases
from golden import load_json

EXPECTED = load_json("layers_issue17.json")

# case -> (the builtin exception type we raise, why dm-haiku's outcome is not kept)
_EMPTY = "dm-haiku builds empty layers for a zero size; we name the argument instead"
_DECAY = "dm-haiku accepts a decay outside [0, 1] and its averages diverge"
DELIBERATE = {
    "linear_size_zero": ("TypeError", _EMPTY),
    "conv_output_channels_zero": ("TypeError", _EMPTY),
    "mha_num_heads_zero": ("TypeError", _EMPTY),
    "mha_key_size_zero": ("TypeError", _EMPTY),
    "lstm_hidden_zero": ("TypeError", _EMPTY),
    "mlp_size_zero": ("TypeError", _EMPTY),
    "depthwise_multiplier_zero": ("TypeError", _EMPTY),
    "linear_size_bool": ("TypeError", "dm-haiku reads hk.Linear(True) as one output feature"),
    "bn_decay_rate_above_one": ("ValueError", _DECAY),
    "ema_decay_above_one": ("ValueError", _DECAY),
    "ema_decay_negative": ("ValueError", _DECAY),
    "ema_params_tree_decay_above_one": ("ValueError", _DECAY),
    "ln_axis_out_of_range": (
        "IndexError",
        "dm-haiku wraps axis=5 modulo the rank and normalises another axis",
    ),
    "batch_apply_mismatched": (
        "ValueError",
        "dm-haiku merges [2, 3] and [3, 2] leading axes as if they matched",
    ),
    "spectral_norm_n_steps_zero": (
        "ValueError",
        "dm-haiku crashes with an internal UnboundLocalError",
    ),
    "sn_params_tree_n_steps_zero": (
        "ValueError",
        "dm-haiku crashes with an internal UnboundLocalError",
    ),
}


@pytest.fixture(autouse=True)
def partitionable():
    before = jax.config.jax_threefry_partitionable
    jax.config.update("jax_threefry_partitionable", True)
    yield
    jax.config.update("jax_threefry_partitionable", before)


def _outcome(name: str) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # legacy-signature cases
        return json.loads(json.dumps(cases.outcome(hk, name)))


def test_every_case_has_a_golden():
    assert sorted(EXPECTED) == sorted(cases.CASES)
    assert set(DELIBERATE) <= set(cases.CASES)


@pytest.mark.parametrize("name", sorted(set(cases.CASES) - set(DELIBERATE)))
def test_matches_dm_haiku(name):
    got, want = _outcome(name), EXPECTED[name]
    if want[0] == "raises":
        assert got == want
        return
    assert got[0] == "ok", got
    assert len(got[1]) == len(want[1])
    for g, w in zip(got[1], want[1]):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(DELIBERATE))
def test_deliberate_difference(name):
    exc_type, _ = DELIBERATE[name]
    assert _outcome(name) == ["raises", exc_type]
