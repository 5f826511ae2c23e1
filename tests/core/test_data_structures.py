"""hk.data_structures: dm-haiku semantics (observed in 0.0.17) and round-trip properties."""

from __future__ import annotations

import pickle

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import haiku as hk
from haiku._src.data_structures import FlatMap

ds = hk.data_structures

PARAMS = {"b": {"w": 1, "a": 2}, "a": {"z": 3}, "empty": {}}


def test_traverse_is_sorted_and_skips_empty_modules():
    assert list(ds.traverse(PARAMS)) == [("a", "z", 3), ("b", "a", 2), ("b", "w", 1)]


def test_filter_map_partition_return_sorted_plain_dicts():
    out = ds.filter(lambda m, n, v: v > 1, PARAMS)
    assert type(out) is dict and out == {"a": {"z": 3}, "b": {"a": 2}}
    assert list(out) == ["a", "b"]
    assert ds.filter(lambda m, n, v: False, PARAMS) == {}
    mapped = ds.map(lambda m, n, v: f"{m}.{n}={v}", PARAMS)
    assert mapped == {"a": {"z": "a.z=3"}, "b": {"a": "b.a=2", "w": "b.w=1"}}
    assert [list(v) for v in mapped.values()] == [["z"], ["a", "w"]]
    true, false = ds.partition(lambda m, n, v: m == "b", PARAMS)
    assert true == {"b": {"a": 2, "w": 1}} and false == {"a": {"z": 3}}
    assert list(true["b"]) == ["a", "w"]


def test_inputs_are_not_modified():
    params = {"m": {"w": 1}}
    ds.map(lambda m, n, v: v + 1, params)
    ds.merge(params, {"m": {"w": 2}})
    assert params == {"m": {"w": 1}}


def test_merge_later_wins_and_keeps_first_seen_module_order():
    out = ds.merge({"z": {"b": 1, "a": 2}}, {"y": {"q": 1}, "z": {"c": 3, "a": 4}})
    assert out == {"z": {"a": 4, "b": 1, "c": 3}, "y": {"q": 1}}
    assert list(out) == ["z", "y"] and list(out["z"]) == ["a", "b", "c"]
    assert ds.merge() == {}
    assert type(ds.merge(PARAMS)) is dict


@pytest.mark.parametrize(
    "old, new",
    [
        (1, 5),
        (1, 1.0),
        ("x", "y"),
        ([1], [2, 3]),
        (jnp.ones(2), jnp.zeros(2)),
        (jax.ShapeDtypeStruct((2,), jnp.float32), jnp.ones(2)),
    ],
)
def test_merge_check_duplicates_accepts_same_shape_and_dtype(old, new):
    out = ds.merge({"m": {"n": old}}, {"m": {"n": new}}, check_duplicates=True)
    assert out["m"]["n"] is new


@pytest.mark.parametrize(
    "old, new, message",
    [
        (1, jnp.ones(2), r"1 vs f32\[2\]"),
        (1, np.int32(1), r"1 vs s32\[\]"),
        (jnp.ones(2), jnp.ones(3), r"f32\[2\] vs f32\[3\]"),
        (jnp.ones((2, 3)), jnp.ones((2, 3), jnp.bfloat16), r"f32\[2,3\] vs bf16\[2,3\]"),
        (jnp.ones(2), jnp.ones(2, jnp.uint8), r"f32\[2\] vs u8\[2\]"),
    ],
)
def test_merge_check_duplicates_rejects_different_shape_or_dtype(old, new, message):
    with pytest.raises(
        ValueError, match=f"Duplicate array found with different shape/dtype for m.n: {message}"
    ):
        ds.merge({"m": {"n": old}}, {"m": {"n": new}}, check_duplicates=True)
    # Without the check, the later one wins silently.
    assert ds.merge({"m": {"n": old}}, {"m": {"n": new}})["m"]["n"] is new


def test_partition_n():
    assert ds.partition_n(lambda m, n, v: v % 3, PARAMS, 3) == (
        {"a": {"z": 3}},
        {"b": {"w": 1}},
        {"b": {"a": 2}},
    )
    assert ds.partition_n(lambda m, n, v: True, {"a": {"b": 1}}, 2) == ({}, {"a": {"b": 1}})
    assert ds.partition_n(lambda m, n, v: 0, {}, 2) == ({}, {})
    assert ds.partition_n(lambda m, n, v: np.int64(1), {"a": {"b": 1}}, 2)[1] == {"a": {"b": 1}}


@pytest.mark.parametrize("index", [-1, 3])
def test_partition_n_index_out_of_range(index):
    with pytest.raises(ValueError, match=rf"fn returned {index} for a/b.*range \[0, 3\)"):
        ds.partition_n(lambda m, n, v: index, {"a": {"b": 1}}, 3)


def test_partition_n_non_integer_index():
    with pytest.raises(TypeError, match="fn must return an int"):
        ds.partition_n(lambda m, n, v: 1.0, {"a": {"b": 1}}, 3)


def test_is_subset_checks_keys_only():
    assert ds.is_subset(subset={"b": {"w": 9}}, superset=PARAMS)
    assert not ds.is_subset(subset={"q": {"w": 9}}, superset=PARAMS)
    assert not ds.is_subset(subset={"b": {"x": 9}}, superset=PARAMS)
    assert ds.is_subset(subset={"a": {}}, superset={})
    assert ds.is_subset(subset={}, superset={})
    with pytest.raises(TypeError):
        ds.is_subset({}, {})  # keyword-only, as in dm-haiku


def test_tree_size_and_bytes():
    tree = {"a": {"w": jnp.ones((2, 3)), "n": np.ones(4, np.int8)}}
    assert ds.tree_size(tree) == 10
    assert ds.tree_bytes(tree) == 28
    assert ds.tree_bytes([jnp.ones(3, jnp.bfloat16)]) == 6
    shape_only = [jax.ShapeDtypeStruct((2, 3), jnp.float32)]
    assert (ds.tree_size(shape_only), ds.tree_bytes(shape_only)) == (6, 24)
    assert ds.tree_size({}) == 0
    with pytest.raises(TypeError, match="tree_bytes needs arrays.*float"):
        ds.tree_bytes([1.0])


def test_to_haiku_dict_copies_every_level():
    fm = ds.to_immutable_dict({"z": {"b": {"c": 1}}})
    out = ds.to_haiku_dict(fm)
    assert type(out) is dict and type(out["z"]) is dict and type(out["z"]["b"]) is dict
    plain = {"z": {"b": 1}}
    copy = ds.to_haiku_dict(plain)
    assert copy == plain and copy["z"] is not plain["z"]
    assert ds.to_haiku_dict({"a": 1}) == {"a": 1}


def test_to_mutable_dict_converts_flatmaps_and_keeps_order():
    fm = ds.to_immutable_dict({"b": {"w": 1, "a": 2}, "a": {"z": 3}})
    out = ds.to_mutable_dict(fm)
    assert type(out) is dict and type(out["b"]) is dict
    assert list(out) == ["b", "a"] and list(out["b"]) == ["w", "a"]
    nested = ds.to_mutable_dict({"z": FlatMap({"b": FlatMap({"c": 1})})})
    assert type(nested["z"]) is dict and type(nested["z"]["b"]) is dict


def test_flatmap_is_an_immutable_hashable_mapping():
    fm = ds.to_immutable_dict({"b": {"w": 1, "a": 2}, "a": {"z": 3}})
    assert isinstance(fm["b"], FlatMap)
    assert repr(fm) == "FlatMap({'b': FlatMap({'w': 1, 'a': 2}), 'a': FlatMap({'z': 3})})"
    assert fm == {"b": {"w": 1, "a": 2}, "a": {"z": 3}}
    assert fm != {"b": {"w": 1}}
    other_order = ds.to_immutable_dict({"a": {"z": 3}, "b": {"a": 2, "w": 1}})
    assert fm == other_order and hash(fm) == hash(other_order)
    assert ds.to_immutable_dict(fm) is fm
    assert len(fm) == 2 and "a" in fm and fm.get("x") is None and list(fm) == ["b", "a"]
    with pytest.raises(TypeError):
        fm["x"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError, match="immutable"):
        fm.x = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="unhashable"):
        hash(ds.to_immutable_dict({"m": {"w": jnp.ones(2)}}))


def test_flatmap_is_a_pytree_with_sorted_leaves_and_dict_keys():
    fm = ds.to_immutable_dict({"b": {"w": 1, "a": 2}, "a": {"z": 3}})
    assert jax.tree.leaves(fm) == [3, 2, 1]
    out = jax.tree.map(lambda x: x + 1, fm)
    assert isinstance(out, FlatMap) and isinstance(out["a"], FlatMap)
    assert out == {"a": {"z": 4}, "b": {"a": 3, "w": 2}}
    paths = [jax.tree_util.keystr(p) for p, _ in jax.tree_util.tree_flatten_with_path(fm)[0]]
    assert paths == ["['a']['z']", "['b']['a']", "['b']['w']"]
    jitted = jax.jit(lambda t: jax.tree.map(lambda x: x * 2, t))(
        ds.to_immutable_dict({"m": {"w": jnp.ones(2)}})
    )
    assert isinstance(jitted, FlatMap)


def test_flatmap_pickles_as_dict_unless_restore_flatmap():
    fm = ds.to_immutable_dict({"m": {"w": 1}})
    data = pickle.dumps(fm)
    restored = pickle.loads(data)
    assert type(restored) is dict and type(restored["m"]) is dict and restored == {"m": {"w": 1}}
    with hk.config.context(restore_flatmap=True):
        restored = pickle.loads(data)
    assert isinstance(restored, FlatMap) and isinstance(restored["m"], FlatMap)


def test_unpickles_dm_haiku_flatmap_pickles():
    # pickle.dumps(hk.data_structures.to_immutable_dict({'m': {'w': 1}})) made by dm-haiku.
    data = (
        b"\x80\x04\x95H\x00\x00\x00\x00\x00\x00\x00\x8c\x1ahaiku._src.data_structures\x94"
        b"\x8c\x0bFlatMapping\x94\x93\x94}\x94\x8c\x01m\x94h\x02}\x94\x8c\x01w\x94K\x01s"
        b"\x85\x94R\x94s\x85\x94R\x94."
    )
    assert pickle.loads(data) == {"m": {"w": 1}}


def test_public_names_match_dm_haiku():
    assert sorted(ds.__all__) == sorted(
        [
            "to_haiku_dict",
            "to_immutable_dict",
            "to_mutable_dict",
            "filter",
            "map",
            "merge",
            "partition",
            "partition_n",
            "is_subset",
            "traverse",
            "tree_size",
            "tree_bytes",
        ]
    )


# --- properties -------------------------------------------------------------------------

names = st.text(alphabet="abcxyz_~/", min_size=1, max_size=4)
structures = st.dictionaries(
    names, st.dictionaries(names, st.integers(-5, 5), max_size=4), max_size=4
)
predicates = st.sampled_from(
    [
        lambda m, n, v: v > 0,
        lambda m, n, v: n.startswith("a"),
        lambda m, n, v: len(m) % 2 == 0,
        lambda m, n, v: True,
        lambda m, n, v: False,
    ]
)


def _canonical(structure):
    """The structure without empty modules (what every function returns)."""
    return {m: dict(b) for m, b in structure.items() if b}


@settings(max_examples=60, deadline=None)
@given(structures, predicates)
def test_partition_then_merge_round_trips(structure, predicate):
    true, false = ds.partition(predicate, structure)
    assert true == ds.filter(predicate, structure)
    assert false == ds.filter(lambda *a: not predicate(*a), structure)
    assert ds.merge(true, false, check_duplicates=True) == _canonical(structure)
    assert ds.is_subset(subset=true, superset=structure)
    assert ds.is_subset(subset=false, superset=structure)


@settings(max_examples=60, deadline=None)
@given(structures, st.integers(1, 4))
def test_partition_n_then_merge_round_trips(structure, n):
    parts = ds.partition_n(lambda m, name, v: abs(v) % n, structure, n)
    assert len(parts) == n
    assert ds.merge(*parts, check_duplicates=True) == _canonical(structure)
    assert sum(ds.tree_size(jax.tree.map(np.asarray, p)) for p in parts) == len(
        list(ds.traverse(structure))
    )


@settings(max_examples=60, deadline=None)
@given(structures)
def test_map_identity_and_traverse(structure):
    assert ds.map(lambda m, n, v: v, structure) == _canonical(structure)
    triples = list(ds.traverse(structure))
    assert triples == sorted(triples, key=lambda t: (t[0], t[1]))
    assert list(ds.traverse(ds.map(lambda m, n, v: (m, n), structure))) == [
        (m, n, (m, n)) for m, n, _ in triples
    ]


@settings(max_examples=60, deadline=None)
@given(structures)
def test_immutable_round_trip(structure):
    fm = ds.to_immutable_dict(structure)
    assert fm == structure
    assert ds.to_mutable_dict(fm) == structure
    assert ds.to_haiku_dict(fm) == structure
    assert list(ds.to_mutable_dict(fm)) == list(structure)
    assert hash(fm) == hash(ds.to_immutable_dict(dict(reversed(list(structure.items())))))
    assert jax.tree.leaves(fm) == [v for _, _, v in ds.traverse(structure)]


def test_copies_of_immutable_dicts_keep_their_structure():
    import copy

    fm = ds.to_immutable_dict({"a": {"w": jnp.ones([2])}})
    for copied in (copy.copy(fm), copy.deepcopy(fm)):
        assert copied is not fm  # a new object, as dm-haiku's copies
        assert jax.tree.structure(copied) == jax.tree.structure(fm)
        assert type(copied["a"]) is type(fm["a"])


def test_partition_n_index_out_of_range_is_an_assertion_and_value_error():
    params = {"a": {"w": 1}}
    for exc in (AssertionError, ValueError):
        with pytest.raises(exc, match=r"range \[0, 2\)"):
            ds.partition_n(lambda m, n, v: 2, params, 2)
