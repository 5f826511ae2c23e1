"""haiku_layers._jax_compat on the newest and the oldest supported JAX (0.4.34)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

_jax_compat = pytest.importorskip("haiku_layers._jax_compat")


def test_is_tracer_inside_and_outside_transforms():
    seen = []
    jax.jit(lambda x: seen.append(_jax_compat.is_tracer(x)) or x)(1.0)
    jax.grad(lambda x: seen.append(_jax_compat.is_tracer(x)) or x)(1.0)
    assert seen == [True, True]
    assert not _jax_compat.is_tracer(jnp.ones(2))
    assert not _jax_compat.is_tracer(1.0)
