"""haiku-layers passes the plugin conformance check (``hk.testing``), one test per name.

The sample constructions are ``tests/golden/layer_table.py`` (one small model per
haiku-layers name); names that are not runnable layers are skipped with its reasons.
"""

from __future__ import annotations

import pytest

pytest.importorskip("haiku_layers")

import jax

import haiku as hk

from golden import layer_table as table


def _input(shape: tuple[int, ...]) -> jax.Array:
    return jax.random.normal(jax.random.PRNGKey(1), shape)


CASES: dict[str, hk.testing.Case | hk.testing.Skip] = {
    layer.name: hk.testing.Case(layer.fn, _input(layer.shape)) for layer in table.LAYERS
}
CASES.update({name: hk.testing.Skip(reason) for name, reason in table.NOT_A_LAYER.items()})

test_conformance = hk.testing.conformance_test("haiku-layers", CASES)
