"""Issue #17 wrapper items against values and behaviour recorded from dm-haiku 0.0.17.

The scenarios live in ``tests/golden/jaxwrap_issue17_cases.py`` (regenerate the goldens
with ``/work/refvenv/bin/python tests/golden/make_jaxwrap_issue17.py``).
"""

from __future__ import annotations

import json
import pathlib
import sys

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

GOLDEN = pathlib.Path(__file__).parent.parent / "golden"


def _load_cases():
    sys.path.insert(0, str(GOLDEN))
    try:
        import jaxwrap_issue17_cases
    finally:
        sys.path.remove(str(GOLDEN))
    return jaxwrap_issue17_cases


@pytest.fixture(scope="module")
def results():
    arrays, facts = _load_cases().run_all()
    golden = dict(np.load(GOLDEN / "jaxwrap_issue17.npz"))
    golden_facts = json.loads((GOLDEN / "jaxwrap_issue17.json").read_text())
    return arrays, json.loads(json.dumps(facts)), golden, golden_facts


def _golden_groups(suffix):
    keys = (
        np.load(GOLDEN / f"jaxwrap_issue17.{suffix}").files
        if suffix == "npz"
        else json.loads((GOLDEN / "jaxwrap_issue17.json").read_text())
    )
    return sorted({k.split("/")[0] for k in keys})


def test_same_arrays_and_facts(results):
    arrays, facts, golden, golden_facts = results
    assert sorted(arrays) == sorted(golden)
    assert sorted(facts) == sorted(golden_facts)


@pytest.mark.parametrize("case", _golden_groups("npz"))
def test_values(results, case):
    arrays, _, golden, _ = results
    for key in golden:
        if key.split("/")[0] == case:
            assert arrays[key].shape == golden[key].shape, key
            assert arrays[key].dtype == golden[key].dtype, key
            if golden[key].dtype.kind in "iub":
                np.testing.assert_array_equal(arrays[key], golden[key], err_msg=key)
            else:
                np.testing.assert_allclose(
                    arrays[key], golden[key], rtol=1e-6, atol=1e-6, err_msg=key
                )


@pytest.mark.parametrize("case", [c for c in _golden_groups("json") if c != "exc_type"])
def test_facts(results, case):
    _, facts, _, golden_facts = results
    for key, expected in golden_facts.items():
        if key.split("/")[0] == case:
            assert facts[key] == expected, key


def test_exception_types_catchable_as_in_dm_haiku(results):
    # Ours may raise a subclass (with a clearer message), but an `except` clause written
    # for dm-haiku's exception type must catch it.
    _, facts, _, golden_facts = results
    for key, expected in golden_facts.items():
        if key.startswith("exc_type/"):
            assert expected, key
            assert expected[0] in facts[key], (key, expected, facts[key])


def test_vmap_split_rng_init_error_names_the_fix():
    f = hk.transform(
        lambda x: hk.vmap(
            lambda x: x * hk.get_parameter("w", [], init=hk.initializers.RandomNormal()),
            split_rng=True,
        )(x)
    )
    with pytest.raises(ValueError, match=r"split_rng=\(not hk.running_init\(\)\)"):
        f.init(jax.random.PRNGKey(0), jnp.ones(3))


def test_vmap_in_axes_none_fails_at_construction():
    def body(x):
        return x

    with pytest.raises(ValueError, match="body must have at least one non-None value"):
        hk.vmap(body, in_axes=None, split_rng=False)


def test_while_loop_cond_fun_may_read_but_not_write_state():
    def f(x):
        def cond(v):
            hk.set_state("last", v)
            return v < 10

        return hk.while_loop(cond, lambda v: v * 2, x)

    with pytest.raises(ValueError, match="cond_fun"):
        hk.transform_with_state(f).apply({}, {}, None, 1.0)


def test_lift_with_transform_with_state_init_points_to_lift_with_state():
    inner = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.zeros))
    with pytest.raises(ValueError, match="hk.lift_with_state"):
        hk.transform(lambda: hk.lift(inner.init)(None)).init(None)


def test_lift_outside_transform_fails_at_construction():
    with pytest.raises(ValueError, match="must be used as part of an `hk.transform`"):
        hk.lift(lambda: {})


def test_layer_stack_error_explanation_still_works_without_keeping_tracers():
    def f(x):
        return hk.layer_stack(2)(lambda x: x[:, :1])(x)

    with jax.checking_leaks(), pytest.raises(TypeError, match="same shapes"):
        hk.transform(f).init(None, jnp.ones([2, 3]))
