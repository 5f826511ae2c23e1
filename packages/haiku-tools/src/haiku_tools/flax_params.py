"""Converting between Flax's nested variable dicts and haiku's two-level params."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def flatten_flax_to_haiku(collection: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Turns a nested Flax dict into haiku's ``{'a/b': {'w': ...}}`` layout.

    Leaves of a nested dict at path ``a/b`` go to the bundle ``'a/b'`` (``'~'`` for
    leaves at the top level). Bundles appear in depth-first order of their first leaf.

    >>> from haiku.experimental.flax import flatten_flax_to_haiku
    >>> flatten_flax_to_haiku({"Dense_0": {"kernel": 1, "bias": 2}, "scale": 3})
    {'Dense_0': {'kernel': 1, 'bias': 2}, '~': {'scale': 3}}
    """
    out: dict[str, dict[str, Any]] = {}

    def visit(tree: Mapping[str, Any], path: str) -> None:
        for key, value in tree.items():
            if isinstance(value, Mapping):
                visit(value, f"{path}/{key}" if path else str(key))
            else:
                out.setdefault(path or "~", {})[key] = value

    visit(collection, "")
    return out


def unflatten_haiku_to_flax(params: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The inverse of :func:`flatten_flax_to_haiku`.

    >>> unflatten_haiku_to_flax({"a/b": {"w": 1}, "~": {"s": 2}})
    {'a': {'b': {'w': 1}}, 's': 2}
    """
    out: dict[str, Any] = {}
    for bundle, values in params.items():
        target = out
        if bundle != "~":
            for part in bundle.split("/"):
                target = target.setdefault(part, {})
        target.update(values)
    return out
