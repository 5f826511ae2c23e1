"""haiku_nets._jax_compat on the newest and the oldest supported JAX (0.4.34)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

_jax_compat = pytest.importorskip("haiku_nets._jax_compat")


def test_is_staging_only_under_a_staging_trace():
    seen = []
    jax.jit(lambda x: seen.append(_jax_compat.is_staging(x)) or x)(1.0)
    jax.grad(lambda x: seen.append(_jax_compat.is_staging(x)) or x)(1.0)
    jax.vmap(lambda x: seen.append(_jax_compat.is_staging(x)) or x)(jnp.ones(2))
    assert seen == [True, False, False]
    assert not _jax_compat.is_staging(jnp.ones(2))
