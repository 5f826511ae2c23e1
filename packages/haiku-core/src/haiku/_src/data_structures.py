"""Utilities for two-level ``{module_name: {name: value}}`` params/state trees.

Params and state are plain nested ``dict``s. The functions here visit entries in sorted
``(module_name, name)`` order and return new plain dicts; inputs are never modified. Modules
left without any entry are dropped from the result.

``FlatMap`` is the legacy immutable mapping that ``to_immutable_dict`` returns, kept for code
written against older Haiku versions.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Generator, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar, cast

import jax

from haiku._src import config as _config

T = TypeVar("T")
InT = TypeVar("InT")
OutT = TypeVar("OutT")
K = TypeVar("K")
V = TypeVar("V")

Structure = Mapping[str, Mapping[str, T]]


class FlatMap(Mapping[K, V]):
    """An immutable, hashable mapping registered as a JAX pytree (legacy params type).

    Leaves are visited in sorted-key order, like a ``dict``. Compares equal to a ``dict``
    with the same items. Build one with ``to_immutable_dict``.

    >>> import jax
    >>> import haiku as hk
    >>> fm = hk.data_structures.to_immutable_dict({"linear": {"w": 1.0}})
    >>> fm
    FlatMap({'linear': FlatMap({'w': 1.0})})
    >>> jax.tree.map(lambda x: x + 1, fm)
    FlatMap({'linear': FlatMap({'w': 2.0})})
    """

    __slots__ = ("_mapping",)
    _mapping: dict[K, V]

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_mapping", dict(*args, **kwargs))

    def __getitem__(self, key: K) -> V:
        return self._mapping[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._mapping)

    def __len__(self) -> int:
        return len(self._mapping)

    def __contains__(self, key: object) -> bool:
        return key in self._mapping

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(
            "FlatMap is immutable; use hk.data_structures.to_mutable_dict to "
            "get a dict you can modify."
        )

    def __hash__(self) -> int:
        return hash(frozenset(self._mapping.items()))

    def __repr__(self) -> str:
        return f"FlatMap({self._mapping!r})"

    def __reduce__(self):
        return FlatMapping, (dict(self._mapping),)

    # Copies keep the pytree structure (pickling, above, stays compatible with dm-haiku).
    def __copy__(self) -> FlatMap[K, V]:
        return FlatMap(self._mapping)

    def __deepcopy__(self, memo: dict) -> FlatMap[K, V]:
        return FlatMap({k: copy.deepcopy(v, memo) for k, v in self._mapping.items()})


def FlatMapping(mapping: Mapping[K, V]) -> Mapping[K, V]:  # noqa: N802 - the name old pickles refer to
    """Unpickles a legacy ``FlatMap`` (also the name dm-haiku pickles refer to).

    Returns a plain ``dict``, or a ``FlatMap`` when ``hk.config`` has ``restore_flatmap``.

    >>> FlatMapping({"a": 1})
    {'a': 1}
    """
    if _config.get_config().restore_flatmap:
        return FlatMap(mapping)
    return dict(mapping)


def _flatten_with_keys(fm: FlatMap):
    keys = tuple(sorted(fm._mapping))
    return tuple((jax.tree_util.DictKey(k), fm._mapping[k]) for k in keys), keys


def _flatten(fm: FlatMap):
    keys = tuple(sorted(fm._mapping))
    return tuple(fm._mapping[k] for k in keys), keys


def _unflatten(keys, values) -> FlatMap:
    return FlatMap(zip(keys, values))


jax.tree_util.register_pytree_with_keys(FlatMap, _flatten_with_keys, _unflatten, _flatten)


def to_haiku_dict(structure: Mapping[K, V]) -> MutableMapping[K, V]:
    """Copies a (nested) mapping into plain ``dict``s, the type ``init``/``apply`` return.

    >>> import haiku as hk
    >>> fm = hk.data_structures.to_immutable_dict({"linear": {"w": 1.0}})
    >>> hk.data_structures.to_haiku_dict(fm)
    {'linear': {'w': 1.0}}
    """
    # A converted nested mapping stands in for the mapping value it replaces.
    return {
        k: cast(V, to_haiku_dict(v)) if isinstance(v, Mapping) else v for k, v in structure.items()
    }


def to_immutable_dict(mapping: Mapping[K, V]) -> Mapping[K, V]:
    """Converts a (nested) mapping into the immutable, hashable ``FlatMap``.

    >>> import haiku as hk
    >>> fm = hk.data_structures.to_immutable_dict({"linear": {"w": 1.0}})
    >>> hash(fm) == hash(hk.data_structures.to_immutable_dict({"linear": {"w": 1.0}}))
    True
    """
    if isinstance(mapping, FlatMap):
        return mapping
    return FlatMap(
        {k: to_immutable_dict(v) if isinstance(v, Mapping) else v for k, v in mapping.items()}
    )


def to_mutable_dict(mapping: Mapping[K, V]) -> MutableMapping[K, V]:
    """Converts a ``FlatMap`` (at any level) back into ``dict``s.

    >>> import haiku as hk
    >>> fm = hk.data_structures.to_immutable_dict({"linear": {"w": 1.0}})
    >>> hk.data_structures.to_mutable_dict(fm)
    {'linear': {'w': 1.0}}
    """
    # A converted nested mapping stands in for the mapping value it replaces.
    return {
        k: cast(V, to_mutable_dict(v)) if isinstance(v, FlatMap) else v for k, v in mapping.items()
    }


def traverse(structure: Structure[T]) -> Generator[tuple[str, str, T], None, None]:
    """Yields ``(module_name, name, value)`` for every entry, in sorted key order.

    >>> import haiku as hk
    >>> params = {"linear_1": {"w": 1}, "linear": {"w": 2, "b": 3}}
    >>> list(hk.data_structures.traverse(params))
    [('linear', 'b', 3), ('linear', 'w', 2), ('linear_1', 'w', 1)]
    """
    return _entries(structure, "traverse")


def _is_mapping(x: Any) -> bool:
    return isinstance(x, Mapping) or (hasattr(x, "keys") and hasattr(x, "__getitem__"))


def _not_a_structure(fn: str, what: str, value: Any) -> TypeError:
    text = repr(value)
    text = text if len(text) <= 80 else text[:77] + "..."
    return TypeError(
        f"hk.data_structures.{fn} needs {what} to be a mapping, got "
        f"{type(value).__name__}: {text}. Params and state are two-level mappings "
        "{module_name: {name: value}}, as returned by init."
        + (
            " merge takes the structures as separate arguments: merge(a, b) or "
            "merge(*list_of_structures)."
            if what == "each structure"
            else ""
        )
    )


def _entries(structure: Structure[T], fn: str) -> Generator[tuple[str, str, T], None, None]:
    if not _is_mapping(structure):
        raise _not_a_structure(
            fn, "each structure" if fn == "merge" else "the structure", structure
        )
    for module_name in sorted(structure):
        bundle = structure[module_name]
        if not _is_mapping(bundle):
            raise _not_a_structure(fn, f"the entry of module {module_name!r}", bundle)
        for name in sorted(bundle):
            yield module_name, name, bundle[name]


def filter(  # shadows a builtin, as dm-haiku's public name does
    predicate: Callable[[str, str, T], bool], structure: Structure[T]
) -> Structure[T]:
    """Keeps the entries for which ``predicate(module_name, name, value)`` is true.

    >>> import haiku as hk
    >>> params = {"linear": {"w": 1, "b": 2}, "conv": {"w": 3}}
    >>> hk.data_structures.filter(lambda m, n, v: n == "w", params)
    {'conv': {'w': 3}, 'linear': {'w': 1}}
    """
    out: dict[str, dict[str, T]] = {}
    for module_name, name, value in _entries(structure, "filter"):
        if predicate(module_name, name, value):
            out.setdefault(module_name, {})[name] = value
    return out


def map(  # shadows a builtin, as dm-haiku's public name does
    fn: Callable[[str, str, InT], OutT], structure: Structure[InT]
) -> Structure[OutT]:
    """Replaces every value with ``fn(module_name, name, value)``.

    >>> import haiku as hk
    >>> params = {"linear": {"w": 1, "b": 2}}
    >>> hk.data_structures.map(lambda m, n, v: v * 10, params)
    {'linear': {'b': 20, 'w': 10}}
    """
    out: dict[str, dict[str, OutT]] = {}
    for module_name, name, value in _entries(structure, "map"):
        out.setdefault(module_name, {})[name] = fn(module_name, name, value)
    return out


def _short_type(value: Any) -> str:
    """``f32[2,3]`` for arrays (as JAX prints them), ``str(value)`` otherwise."""
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is None or dtype is None:
        return str(value)
    name = str(dtype)
    for long, short in (
        ("bfloat", "bf"),
        ("uint", "u"),
        ("int", "s"),
        ("float", "f"),
        ("complex", "c"),
    ):
        if name.startswith(long):
            name = short + name[len(long) :]
            break
    return f"{name}[{','.join(str(d) for d in shape)}]"


def merge(
    *structures: Structure[Any], check_duplicates: bool = False
) -> MutableMapping[str, MutableMapping[str, Any]]:
    """Merges structures; for duplicate entries the later structure wins.

    Args:
        *structures: The structures to merge, in increasing priority.
        check_duplicates: If true, raise when a duplicate entry differs in shape or dtype.

    Returns:
        A new plain dict.

    >>> import haiku as hk
    >>> hk.data_structures.merge({"linear": {"w": 1}}, {"linear": {"w": 5, "b": 2}})
    {'linear': {'w': 5, 'b': 2}}
    """
    out: dict[str, MutableMapping[str, Any]] = {}
    for structure in structures:
        for module_name, name, value in _entries(structure, "merge"):
            bundle = out.setdefault(module_name, {})
            if check_duplicates and name in bundle:
                old = bundle[name]
                if getattr(old, "shape", None) != getattr(value, "shape", None) or getattr(
                    old, "dtype", None
                ) != getattr(value, "dtype", None):
                    raise ValueError(
                        "Duplicate array found with different shape/dtype for "
                        f"{module_name}.{name}: {_short_type(old)} vs {_short_type(value)}."
                    )
            bundle[name] = value
    return out


def partition(
    predicate: Callable[[str, str, T], bool], structure: Structure[T]
) -> tuple[Structure[T], Structure[T]]:
    """Splits a structure into ``(entries where predicate is true, the rest)``.

    >>> import haiku as hk
    >>> params = {"linear": {"w": 1, "b": 2}}
    >>> hk.data_structures.partition(lambda m, n, v: n == "w", params)
    ({'linear': {'w': 1}}, {'linear': {'b': 2}})
    """
    true: dict[str, dict[str, T]] = {}
    false: dict[str, dict[str, T]] = {}
    for module_name, name, value in _entries(structure, "partition"):
        side = true if predicate(module_name, name, value) else false
        side.setdefault(module_name, {})[name] = value
    return true, false


class PartitionIndexError(AssertionError, ValueError):
    """``partition_n``'s ``fn`` returned an index outside ``[0, n)``.

    dm-haiku raises ``AssertionError`` here; it is also a ``ValueError`` (a bad value).
    """


def partition_n(
    fn: Callable[[str, str, T], int], structure: Structure[T], n: int
) -> tuple[Structure[T], ...]:
    """Splits a structure into ``n`` structures; ``fn(module_name, name, value)`` picks one.

    >>> import haiku as hk
    >>> params = {"a": {"w": 0}, "b": {"w": 1}, "c": {"w": 2}}
    >>> hk.data_structures.partition_n(lambda m, n, v: v, params, 3)
    ({'a': {'w': 0}}, {'b': {'w': 1}}, {'c': {'w': 2}})
    """
    parts: list[dict[str, dict[str, T]]] = [{} for _ in range(n)]
    for module_name, name, value in _entries(structure, "partition_n"):
        index = fn(module_name, name, value)
        try:
            index = operator.index(index)
        except TypeError:
            raise TypeError(
                f"partition_n: fn must return an int in [0, {n}), got {index!r} for "
                f"{module_name}/{name}."
            ) from None
        if not 0 <= index < n:
            raise PartitionIndexError(
                f"partition_n: fn returned {index} for {module_name}/{name}, but it must be "
                f"in range [0, {n}). Increase n or fix fn."
            )
        parts[index].setdefault(module_name, {})[name] = value
    return tuple(parts)


def is_subset(*, subset: Structure[Any], superset: Structure[Any]) -> bool:
    """Whether every ``(module_name, name)`` of ``subset`` is in ``superset`` (keys only).

    >>> import haiku as hk
    >>> hk.data_structures.is_subset(subset={"a": {"w": 1}}, superset={"a": {"w": 0, "b": 0}})
    True
    """
    for module_name, name, _ in _entries(subset, "is_subset"):
        if module_name not in superset or name not in superset[module_name]:
            return False
    return True


def _leaf_attr(leaf: Any, attr: str, fn: str) -> Any:
    try:
        return getattr(leaf, attr)
    except AttributeError:
        raise TypeError(
            f"{fn} needs arrays (or jax.ShapeDtypeStruct) as leaves, got a leaf of type "
            f"{type(leaf).__name__}: {leaf!r}. Convert it with jnp.asarray first."
        ) from None


def tree_size(tree: Any) -> int:
    """Total number of elements in the leaves of a pytree (e.g. the number of params).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> hk.data_structures.tree_size({"linear": {"w": jnp.ones([3, 4]), "b": jnp.ones([4])}})
    16
    """
    return sum(_leaf_attr(x, "size", "tree_size") for x in jax.tree.leaves(tree))


def tree_bytes(tree: Any) -> int:
    """Total size in bytes of the leaves of a pytree.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> hk.data_structures.tree_bytes({"linear": {"w": jnp.ones([3, 4], jnp.bfloat16)}})
    24
    """
    return sum(
        _leaf_attr(x, "size", "tree_bytes") * _leaf_attr(x, "dtype", "tree_bytes").itemsize
        for x in jax.tree.leaves(tree)
    )
