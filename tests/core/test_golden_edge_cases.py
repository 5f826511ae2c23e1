"""Core edge cases (hooks, policies, naming, Deferred, rng impls, errors) vs dm-haiku 0.0.17.

Scenarios live in tests/golden/core17_scenarios.py; regenerate the JSON with
``/work/refvenv/bin/python tests/golden/make_core17.py`` (dm-haiku 0.0.17 environment).
"""

from __future__ import annotations

import json

import pytest

from golden import core17_scenarios, load_json

EXPECTED = load_json("core17.json")

# Deliberate differences from dm-haiku (to be listed in docs/migration.md):
# - copying an immutable dict keeps the FlatMap (dm-haiku's copy silently turns it into plain
#   dicts, changing the pytree structure);
# - arguments dm-haiku accepts silently and fails on later, confusingly (a non-callable hook,
#   a non-transformed argument), raise a TypeError at once;
# - where dm-haiku fails by accident inside its own code (an IndexError from an empty stack,
#   an AttributeError from calling a method of the wrong type) we raise the error type that
#   describes the mistake: ValueError outside a transform, TypeError for a wrong type.
OURS = {
    ("introspection", "copies"): [["FlatMap", True], ["FlatMap", True]],
    **{
        ("misuse_types", k): "TypeError"
        for k in (
            "custom_creator_bad",
            "custom_getter_bad",
            "custom_setter_bad",
            "intercept_bad",
            "to_module_bad",
            "without_state_bad",
            "with_empty_state_bad",
            "module_name_int",
            "state_flat",
        )
    },
    ("misuse_types", "deferred_outside"): "ValueError",
    # A module built in one init/apply call creating parameters in another: dm-haiku
    # silently creates them under the old module's name (possibly sharing them with an
    # unrelated module of the new call); we raise a ValueError naming the module.
    ("cross_transform", "module_other_transform_init"): "ValueError",
}


def _normalized(tree):
    """``tree`` through JSON, with ``jax.Array`` spelt alike in every JAX version.

    The repr of ``jax.Array`` in signatures names the module defining it, which moved
    into jaxlib after JAX 0.4 (the goldens were recorded on the newest JAX).
    """
    text = json.dumps(tree, sort_keys=True).replace("jax.jaxlib._jax.Array", "jax.Array")
    return json.loads(text)


@pytest.mark.parametrize("name", sorted(core17_scenarios.SCENARIOS))
def test_matches_dm_haiku(name):
    if name == "nested_policies":
        pytest.importorskip("jmp")
    got = _normalized(core17_scenarios.SCENARIOS[name]())
    expected = _normalized(EXPECTED[name])
    for (scenario, key), value in OURS.items():
        if scenario == name:
            expected[key] = value
    assert got == expected
