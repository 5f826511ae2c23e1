"""Converters between the unrolled (dm-haiku) and ``hk.layer_stack`` parameter layouts.

A *layout* says how a net names its repeated blocks: unrolled, block ``i`` lives under
``<head>/block_<i>...``; stacked, the blocks ``first..n-1`` live under one name with a
leading axis of size ``n - first``. The public entry points are the static methods
``stack_params``/``unstack_params`` of :class:`hk.nets.Transformer` and
:class:`hk.nets.ResNet`, which work on params and on state (any mapping of module name to
a mapping of arrays, as ``init`` returns).

>>> import jax.numpy as jnp
>>> tree = {"net/block_0/ln": {"scale": jnp.ones(2)}, "net/block_1/ln": {"scale": jnp.zeros(2)}}
>>> stacked = stack(tree, TRANSFORMER)
>>> {k: v["scale"].shape for k, v in stacked.items()}
{'net/layers/block/ln': (2, 2)}
>>> unstack(stacked, TRANSFORMER).keys() == tree.keys()
True
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

import jax.numpy as jnp

Tree = Mapping[str, Mapping[str, Any]]


@dataclasses.dataclass(frozen=True)
class Layout:
    """How one net names its repeated blocks in both layouts.

    ``unrolled``/``stacked`` are regexes with the groups ``head`` and ``rest`` (and
    ``idx`` for ``unrolled``); ``unrolled_name``/``stacked_name`` format them back.
    Blocks with an index below ``first`` are never stacked.
    """

    net: str
    unrolled: re.Pattern[str]
    stacked: re.Pattern[str]
    unrolled_name: str
    stacked_name: str
    first: int
    marker: re.Pattern[str]  # matches a name of this net in either layout


TRANSFORMER = Layout(
    net="hk.nets.Transformer",
    # The head must not end in "~": ResNet blocks are named ".../~/block_<i>/~/...".
    unrolled=re.compile(r"^(?P<head>.*[^~/])/block_(?P<idx>\d+)/(?P<rest>.+)$"),
    stacked=re.compile(r"^(?P<head>.*[^~/])/layers/block/(?P<rest>.+)$"),
    unrolled_name="{head}/block_{idx}/{rest}",
    stacked_name="{head}/layers/block/{rest}",
    first=0,
    marker=re.compile(r"[^~]/(block_\d+|layers/block)/"),
)

RESNET = Layout(
    net="hk.nets.ResNet",
    unrolled=re.compile(r"^(?P<head>(?:.*/)?block_group_\d+)/~/block_(?P<idx>\d+)/~/(?P<rest>.+)$"),
    stacked=re.compile(r"^(?P<head>(?:.*/)?block_group_\d+)/stacked_blocks/block/~/(?P<rest>.+)$"),
    unrolled_name="{head}/~/block_{idx}/~/{rest}",
    stacked_name="{head}/stacked_blocks/block/~/{rest}",
    first=1,
    marker=re.compile(r"(^|/)block_group_\d+/"),
)


def _describe(leaf: Any) -> str:
    return f"{jnp.result_type(leaf)}{list(jnp.shape(leaf))}"


def _check_is_tree(tree: Any, layout: Layout, what: str) -> None:
    if not isinstance(tree, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Mapping) for k, v in tree.items()
    ):
        raise TypeError(
            f"{layout.net}.{what}: expected params or state as returned by `init` (a mapping "
            f"of module name to a mapping of arrays), got {type(tree).__name__}."
        )
    if not any(layout.marker.search(name) for name in tree):
        raise ValueError(
            f"{layout.net}.{what}: no module of a {layout.net} found in the "
            f"{len(tree)} module names (e.g. {sorted(tree)[:3]}). Pass the params or state "
            f"of a model that contains a {layout.net}."
        )


def stack(tree: Tree, layout: Layout) -> dict[str, dict[str, Any]]:
    """Unrolled -> stacked: ``block_<i>`` (``i >= first``) becomes one leading axis."""
    _check_is_tree(tree, layout, "stack_params")
    for name in tree:
        if layout.stacked.match(name):
            raise ValueError(
                f"{layout.net}.stack_params: module '{name}' is already in the stacked "
                "layout; pass the unrolled params (use unstack_params to go back)."
            )
    # head -> rest -> idx -> bundle, in order of first appearance.
    found: dict[str, dict[str, dict[int, Mapping[str, Any]]]] = {}
    out: dict[str, Any] = {}
    for name, bundle in tree.items():
        m = layout.unrolled.match(name)
        if m is None or int(m["idx"]) < layout.first:
            out[name] = dict(bundle)
            continue
        rests = found.setdefault(m["head"], {})
        rests.setdefault(m["rest"], {})[int(m["idx"])] = bundle
        out.setdefault(layout.stacked_name.format(head=m["head"], rest=m["rest"]), None)
    for head, rests in found.items():
        indices = sorted(set().union(*rests.values()))
        expected = list(range(layout.first, indices[-1] + 1))
        if indices != expected:
            missing = sorted(set(expected) - set(indices))
            raise ValueError(
                f"{layout.net}.stack_params: under '{head}' the blocks are not numbered "
                f"{layout.first}..{indices[-1]} without gaps: block_{missing[0]} is missing "
                f"(found {indices})."
            )
        for rest, by_idx in rests.items():
            stacked_name = layout.stacked_name.format(head=head, rest=rest)
            out[stacked_name] = _stack_bundles(layout, head, rest, by_idx, expected)
    return out


def _stack_bundles(
    layout: Layout, head: str, rest: str, by_idx: dict[int, Mapping[str, Any]], indices: list[int]
) -> dict[str, Any]:
    def name(i: int) -> str:
        return layout.unrolled_name.format(head=head, idx=i, rest=rest)

    ref = indices[0]
    for i in indices:
        if i not in by_idx:
            raise ValueError(
                f"{layout.net}.stack_params: '{name(ref)}' has no counterpart '{name(i)}': "
                "every stacked block must have the same modules."
            )
        if set(by_idx[i]) != set(by_idx[ref]):
            raise ValueError(
                f"{layout.net}.stack_params: '{name(i)}' holds {sorted(by_idx[i])} but "
                f"'{name(ref)}' holds {sorted(by_idx[ref])}: every stacked block must have "
                "the same parameters."
            )
        for key, leaf in by_idx[i].items():
            first = by_idx[ref][key]
            if jnp.shape(leaf) != jnp.shape(first) or jnp.result_type(leaf) != jnp.result_type(
                first
            ):
                raise ValueError(
                    f"{layout.net}.stack_params: '{name(i)}/{key}' is {_describe(leaf)} but "
                    f"'{name(ref)}/{key}' is {_describe(first)}: stacked blocks must have the "
                    "same shapes and dtypes."
                )
    return {key: jnp.stack([by_idx[i][key] for i in indices]) for key in by_idx[ref]}


def unstack(tree: Tree, layout: Layout) -> dict[str, dict[str, Any]]:
    """Stacked -> unrolled: slice the leading axis into ``block_<first + i>``."""
    _check_is_tree(tree, layout, "unstack_params")
    for name in tree:
        m = layout.unrolled.match(name)
        if m is not None and int(m["idx"]) >= layout.first:
            raise ValueError(
                f"{layout.net}.unstack_params: module '{name}' is already in the unrolled "
                "layout; pass the stacked params (use stack_params to go the other way)."
            )
    sizes: dict[str, tuple[int, str]] = {}  # head -> (layers, first module seen)
    stacked: dict[str, dict[str, Mapping[str, Any]]] = {}  # head -> rest -> bundle
    for name, bundle in tree.items():
        m = layout.stacked.match(name)
        if m is None:
            continue
        head = m["head"]
        stacked.setdefault(head, {})[m["rest"]] = bundle
        for key, leaf in bundle.items():
            shape = jnp.shape(leaf)
            if not shape:
                raise ValueError(
                    f"{layout.net}.unstack_params: '{name}/{key}' is a scalar; stacked "
                    "parameters have a leading axis of size num_layers."
                )
            size, seen = sizes.setdefault(head, (shape[0], f"{name}/{key}"))
            if shape[0] != size:
                raise ValueError(
                    f"{layout.net}.unstack_params: '{name}/{key}' has a leading axis of "
                    f"{shape[0]} but '{seen}' has {size}: all stacked parameters under "
                    f"'{head}' need the same number of layers."
                )
    # Block-major order, as the unrolled net creates them, where the stack was.
    out: dict[str, Any] = {}
    for name, bundle in tree.items():
        m = layout.stacked.match(name)
        if m is None:
            out[name] = dict(bundle)
            continue
        rests = stacked.pop(m["head"], None)
        if rests is None:  # this head was already emitted
            continue
        for i in range(sizes.get(m["head"], (0, ""))[0]):
            for rest, block in rests.items():
                flat = layout.unrolled_name.format(head=m["head"], idx=layout.first + i, rest=rest)
                out[flat] = {key: leaf[i] for key, leaf in block.items()}
    return out
