"""haiku_jaxwrap._jax_compat on the newest and the oldest supported JAX (0.4.34)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

_jax_compat = pytest.importorskip("haiku_jaxwrap._jax_compat")


def test_axis_types_follow_the_jax_version():
    has_axis_types = hasattr(jax.sharding, "AxisType")
    assert has_axis_types is _jax_compat.HAS_AXIS_TYPES


def test_make_auto_mesh_has_no_explicit_axes():
    mesh = _jax_compat.make_auto_mesh((1, 1), ("data", "model"), jax.devices()[:1])
    assert mesh.axis_names == ("data", "model")
    assert dict(mesh.shape) == {"data": 1, "model": 1}
    assert _jax_compat.explicit_axes(mesh) == frozenset()
    if _jax_compat.HAS_AXIS_TYPES:
        assert mesh.axis_types == (jax.sharding.AxisType.Auto,) * 2


def test_no_ambient_mesh_outside_any():
    assert _jax_compat.ambient_mesh() == (True, frozenset())


def test_reshard_keeps_values():
    types = {}
    if _jax_compat.HAS_AXIS_TYPES:  # reshard needs Explicit axes; before 0.5: device_put
        types = {"axis_types": (jax.sharding.AxisType.Explicit,)}
    mesh = jax.make_mesh((1,), ("data",), devices=jax.devices()[:1], **types)
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("data"))
    out = _jax_compat.reshard(jnp.arange(4.0), sharding)
    assert out.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_tree_map_with_path_passes_key_paths():
    out = _jax_compat.tree_map_with_path(
        lambda path, x, y: (jax.tree_util.keystr(path), x + y), {"a": 1, "b": 2}, {"a": 10, "b": 20}
    )
    assert out == {"a": ("['a']", 11), "b": ("['b']", 22)}
