"""Leaf-by-leaf walks over a params/state tree (private, for EMAParamsTree and SNParamsTree)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import jax

from haiku_layers._errors import AttributeTypeError


def check_two_level(tree: Any, layer: str) -> None:
    """Raises unless ``tree`` is a ``{module_name: {param_name: array}}`` mapping."""
    if not isinstance(tree, Mapping) or not all(isinstance(v, Mapping) for v in tree.values()):
        raise AttributeTypeError(
            f"{layer} expects a Haiku params/state tree: a mapping "
            "{module_name: {param_name: array}}, such as the `params` returned by "
            f"`init`. Got {type(tree).__name__}."
        )


def map_leaves(
    tree: Mapping[str, Mapping[str, jax.Array]],
    layer: str,
    ignore: re.Pattern[str] | None,
    fn: Callable[[str, jax.Array], jax.Array],
) -> dict[str, dict[str, jax.Array]]:
    """``tree`` with each leaf replaced by ``fn(path, leaf)``, where ``path`` is
    ``"module_name/param_name"``; leaves whose path ``ignore`` matches (``re.match``) are
    kept as they are.

    >>> map_leaves({"m": {"w": 1, "b": 2}}, "Layer", re.compile(".*b$"), lambda p, v: p)
    {'m': {'w': 'm/w', 'b': 2}}
    """
    check_two_level(tree, layer)
    out = {}
    for module_name, leaves in tree.items():
        new = {}
        for key, value in leaves.items():
            path = f"{module_name}/{key}"
            new[key] = value if ignore is not None and ignore.match(path) else fn(path, value)
        out[module_name] = new
    return out
