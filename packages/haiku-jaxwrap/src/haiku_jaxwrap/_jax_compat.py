"""The one place haiku-jaxwrap touches JAX APIs that differ across supported versions.

haiku-jaxwrap supports JAX 0.4.34 up to the newest release (docs/index.md, "Supported
JAX versions"). Mesh axis types (``jax.sharding.AxisType``), the ambient abstract mesh
(``jax.sharding.get_abstract_mesh``) and ``jax.sharding.reshard`` arrived in JAX 0.5-0.6;
before them every mesh axis behaves as an ``Auto`` axis and no axis is ever manual for
``with_sharding_constraint``, which is what the fallbacks below return. Nothing here
reaches into ``jax._src``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.sharding

_AxisType = getattr(jax.sharding, "AxisType", None)
_get_abstract_mesh = getattr(jax.sharding, "get_abstract_mesh", None)

#: Whether this JAX has mesh axis types (``Auto`` / ``Explicit`` / ``Manual``).
HAS_AXIS_TYPES = _AxisType is not None


def make_auto_mesh(
    axis_shapes: Sequence[int], axis_names: Sequence[str], devices: Sequence[Any] | None
) -> jax.sharding.Mesh:
    """``jax.make_mesh`` whose axes are all ``Auto`` (the only kind before JAX 0.5).

    >>> import jax
    >>> make_auto_mesh((1,), ("data",), jax.devices()[:1]).axis_names
    ('data',)
    """
    shapes, names = tuple(axis_shapes), tuple(axis_names)
    if _AxisType is None:
        return jax.make_mesh(shapes, names, devices=devices)
    return jax.make_mesh(shapes, names, (_AxisType.Auto,) * len(names), devices=devices)


def explicit_axes(mesh: jax.sharding.Mesh) -> frozenset[str]:
    """The names of the ``Explicit`` axes of ``mesh`` (none before JAX 0.5).

    >>> import jax
    >>> explicit_axes(make_auto_mesh((1,), ("data",), jax.devices()[:1]))
    frozenset()
    """
    if _AxisType is None:
        return frozenset()
    kinds = getattr(mesh, "axis_types", ())
    return frozenset(n for n, k in zip(mesh.axis_names, kinds) if k == _AxisType.Explicit)


def ambient_mesh() -> tuple[bool, frozenset[str]]:
    """``(is_empty, manual_axes)`` of the mesh JAX is tracing under.

    Before ``jax.sharding.get_abstract_mesh`` (JAX 0.5) there is no ambient mesh: the
    result is ``(True, frozenset())``.

    >>> ambient_mesh()
    (True, frozenset())
    """
    if _get_abstract_mesh is None:
        return True, frozenset()
    abstract = _get_abstract_mesh()
    if abstract.empty:
        return True, frozenset()
    return False, frozenset(abstract.manual_axes)


def reshard(x: jax.Array, sharding: jax.sharding.NamedSharding) -> jax.Array:
    """``jax.sharding.reshard`` (only reached with ``Explicit`` axes, so JAX >= 0.5).

    >>> import jax, jax.numpy as jnp
    >>> types = {"axis_types": (jax.sharding.AxisType.Explicit,)} if HAS_AXIS_TYPES else {}
    >>> mesh = jax.make_mesh((1,), ("data",), devices=jax.devices()[:1], **types)
    >>> s = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))
    >>> reshard(jnp.ones([2]), s).shape
    (2,)
    """
    fn = getattr(jax.sharding, "reshard", None)
    if fn is None:
        return jax.device_put(x, sharding)
    return fn(x, sharding)


def tree_map_with_path(f: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """``jax.tree.map_with_path`` (``jax.tree_util.tree_map_with_path`` before 0.4.36).

    >>> tree_map_with_path(lambda path, x: len(path) + x, {"a": 1})
    {'a': 2}
    """
    fn = getattr(jax.tree, "map_with_path", None) or jax.tree_util.tree_map_with_path
    return fn(f, tree, *rest)
