"""Our core reproduces dm-haiku 0.0.17 on the recorded scenarios (tests/golden/core.json)."""

from __future__ import annotations

import json

import jax
import pytest

from golden import core_scenarios, load_json

EXPECTED = load_json("core.json")


@pytest.fixture(autouse=True)
def partitionable():
    before = jax.config.jax_threefry_partitionable
    jax.config.update("jax_threefry_partitionable", True)
    yield
    jax.config.update("jax_threefry_partitionable", before)


@pytest.mark.parametrize("name", sorted(core_scenarios.SCENARIOS))
def test_matches_dm_haiku(name):
    got = json.loads(json.dumps(core_scenarios.SCENARIOS[name](), sort_keys=True))
    assert got == EXPECTED[name]
