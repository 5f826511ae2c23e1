"""Our core reproduces dm-haiku 0.0.17 on the recorded scenarios (tests/golden/core.json)."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import sys

import jax
import pytest

GOLDEN = pathlib.Path(__file__).parents[1] / "golden"


def _scenarios():
    spec = importlib.util.spec_from_file_location("core_scenarios", GOLDEN / "core_scenarios.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


SCENARIOS = _scenarios()
EXPECTED = json.loads((GOLDEN / "core.json").read_text())


@pytest.fixture(autouse=True)
def partitionable():
    before = jax.config.jax_threefry_partitionable
    jax.config.update("jax_threefry_partitionable", True)
    yield
    jax.config.update("jax_threefry_partitionable", before)


@pytest.mark.parametrize("name", sorted(SCENARIOS.SCENARIOS))
def test_matches_dm_haiku(name):
    got = json.loads(json.dumps(SCENARIOS.SCENARIOS[name](), sort_keys=True))
    assert got == EXPECTED[name]
