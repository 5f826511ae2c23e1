"""The plugin's CI: the haiku conformance check over every name it registers.

Run from the plugin's root with ``pytest tests`` once the plugin is installed
(``pip install -e .``); haiku's own ``hatch test`` runs it in the ``all`` env.
"""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_contrib_example")

import jax

import haiku as hk

X = jax.random.normal(jax.random.PRNGKey(0), [2, 3])

CASES = {
    "ResidualBlock": hk.testing.Case(lambda x: hk.ResidualBlock(hidden_size=4)(x), X),
}

test_conformance = hk.testing.conformance_test("haiku-contrib-example", CASES)
