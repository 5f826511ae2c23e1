"""Property-based tests: module naming, hk.data_structures and the hk.pad functions."""

from __future__ import annotations

import re

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import haiku as hk
from haiku import extend

ds = hk.data_structures
SETTINGS = settings(max_examples=40, deadline=None)
KEY = jax.random.PRNGKey(0)
NAME = re.compile(r"^(?P<base>[a-z_]+?)(?:_(?P<n>\d+))?$")


class Alpha(hk.Module):
    def __call__(self, make):
        return make()  # a submodule created in a method is nested under this module


class BetaBlock(Alpha):
    pass


# An action creates a module: implicitly named (a class), or with an explicit name,
# optionally nested inside the module created by the previous action.
actions = st.lists(
    st.tuples(st.sampled_from(["Alpha", "BetaBlock", "x", "y"]), st.booleans()),
    min_size=1,
    max_size=8,
)


def _build(plan):
    names = []
    parent = None
    for what, nest in plan:
        cls = {"Alpha": Alpha, "BetaBlock": BetaBlock}.get(what)
        make = (lambda cls=cls: cls()) if cls else (lambda what=what: Alpha(name=what))
        module = parent(make) if nest and parent is not None else make()
        names.append(module.module_name)
        parent = module
    return names


@SETTINGS
@given(actions)
def test_module_names_are_unique_deterministic_and_numbered(plan):
    f = hk.transform(lambda: _build(plan))
    first = f.apply({}, None)
    assert first == f.apply({}, None) == hk.transform(lambda: _build(plan)).apply({}, None)
    assert len(set(first)) == len(first), first
    for name in first:
        for part in name.split("/"):
            assert NAME.match(part), name
        parent = name.rpartition("/")[0]
        assert not parent or parent in first  # nested only under modules created before


@SETTINGS
@given(st.lists(st.sampled_from([Alpha, BetaBlock]), min_size=1, max_size=8))
def test_implicit_names_count_per_class(classes):
    names = hk.transform(lambda: [cls().module_name for cls in classes]).apply({}, None)
    seen = {}
    for cls, name in zip(classes, names):
        base = {"Alpha": "alpha", "BetaBlock": "beta_block"}[cls.__name__]
        assert extend.camel_to_snake(cls.__name__) == base
        k = seen.get(cls, 0)
        assert name == (base if k == 0 else f"{base}_{k}")
        seen[cls] = k + 1


@SETTINGS
@given(st.lists(st.sampled_from(["m", "m_1", "m_2", "n"]), min_size=1, max_size=6))
def test_explicit_names_never_collide(requested):
    def f():
        return [hk.Module(name=n).module_name for n in requested]

    try:
        names = hk.transform(f).apply({}, None)
    except ValueError as e:  # an explicit number that is already taken
        assert "not unique" in str(e)
        return
    assert len(set(names)) == len(names)
    assert [n for n in names if n in requested][:1] == [requested[0]]


names_st = st.text(alphabet="abz_~/", min_size=1, max_size=3)
arrays = st.integers(1, 3).map(lambda n: np.ones([n], np.float32))
structures = st.dictionaries(names_st, st.dictionaries(names_st, arrays, max_size=3), max_size=3)


@SETTINGS
@given(structures, structures, structures)
def test_merge_is_associative_and_sizes_add_up(a, b, c):
    left = ds.merge(ds.merge(a, b), c)
    right = ds.merge(a, ds.merge(b, c))
    assert jax.tree.structure(left) == jax.tree.structure(right)
    true, false = ds.partition(lambda m, n, v: v.size > 1, left)
    assert ds.tree_size(true) + ds.tree_size(false) == ds.tree_size(left)
    assert ds.tree_bytes(left) == 4 * ds.tree_size(left)


@SETTINGS
@given(structures)
def test_params_of_a_transform_round_trip_through_data_structures(structure):
    # Whatever the user puts in a structure, map/traverse/merge keep it a plain dict tree.
    mapped = ds.map(lambda m, n, v: v * 2, structure)
    assert all(type(v) is dict for v in mapped.values())
    assert ds.merge(mapped, structure, check_duplicates=True).keys() == mapped.keys()
    assert ds.to_haiku_dict(mapped) == mapped


kernel = st.integers(1, 7)
rate = st.integers(1, 3)


@pytest.fixture(scope="module")
def pad():
    pytest.importorskip("haiku_layers")
    return hk.pad


@SETTINGS
@given(k=kernel, r=rate)
def test_pad_functions_follow_the_effective_kernel(pad, k, r):
    eff = (k - 1) * r + 1
    assert pad.valid(eff) == (0, 0)
    assert pad.full(eff) == (eff - 1, eff - 1)
    assert pad.causal(eff) == (eff - 1, 0)
    assert pad.reverse_causal(eff) == (0, eff - 1)
    lo, hi = pad.same(eff)
    assert lo + hi == eff - 1 and hi - lo in (0, 1)
    for n in (1, 2, 3):
        assert pad.create(pad.same, k, r, n) == ((lo, hi),) * n
        assert pad.create([pad.causal] * n, [k] * n, [r] * n, n) == ((eff - 1, 0),) * n


@SETTINGS
@given(lo=st.integers(0, 5), hi=st.integers(0, 5), n=st.integers(1, 3))
def test_pad_create_from_tuple_broadcasts_a_pair(pad, lo, hi, n):
    assert pad.create_from_tuple((lo, hi), n) == ((lo, hi),) * n
    assert pad.create_from_tuple([(lo, hi)] * n, n) == ((lo, hi),) * n


@settings(max_examples=25, deadline=None)
@given(size=st.integers(1, 9), k=kernel, stride=st.integers(1, 3))
def test_same_padding_gives_ceil_output_size(pad, size, k, stride):
    # A strided conv padded with hk.pad.same (string or function) gives ceil(size / stride).
    for padding in ("SAME", pad.same):
        f = hk.transform(lambda x: hk.Conv1D(1, k, stride=stride, padding=padding)(x))  # noqa: B023
        x = jax.ShapeDtypeStruct((1, size, 1), np.float32)
        out = jax.eval_shape(lambda x: f.apply(f.init(KEY, x), None, x), x)  # noqa: B023
        assert out.shape == (1, -(-size // stride), 1)
