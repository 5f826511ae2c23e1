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


def test_is_staging_only_under_a_staging_trace():
    seen = {}

    def probe(tag):
        def f(x):
            seen[tag] = _jax_compat.is_staging(x)
            return x

        return f

    jax.jit(probe("jit"))(1.0)
    jax.make_jaxpr(probe("make_jaxpr"))(1.0)
    jax.grad(probe("grad"))(1.0)
    jax.vmap(probe("vmap"))(jnp.ones(2))
    jax.lax.scan(lambda c, x: (probe("scan")(c), x), 1.0, jnp.ones(2))
    assert seen == {"jit": True, "make_jaxpr": True, "grad": False, "vmap": False, "scan": True}
    assert not _jax_compat.is_staging(jnp.ones(2))
    assert not _jax_compat.is_staging(1.0)


@pytest.mark.skipif(
    jax.__version_info__ < (0, 5, 0),
    reason="older JAX traces do not know their parent: jit(grad) is not seen as staged there",
)
def test_is_staging_sees_jit_under_grad():
    seen = []
    jax.jit(jax.grad(lambda x: seen.append(_jax_compat.is_staging(x)) or x))(1.0)
    assert seen == [True]
