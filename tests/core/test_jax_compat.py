"""haiku._src.jax_compat, the one place haiku-core touches version-dependent JAX.

Runs on the newest JAX (plugins=core/all legs) and on the oldest supported one (jax=min
leg, JAX 0.4.34): each function is checked against what it must report in both tracing
models (stackless JAX >= 0.4.36, the trace stack before it).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from haiku._src import jax_compat


def _version() -> tuple[int, ...]:
    return tuple(int(p) for p in jax.__version__.split(".")[:3])


def test_tracing_model_matches_the_jax_version():
    assert jax_compat.is_stackless() == (_version() >= (0, 4, 36))


def test_trace_state_differs_inside_jit_and_vmap_and_is_equal_outside():
    outside = jax_compat.trace_state()
    assert jax_compat.trace_state() == outside
    seen = []
    jax.jit(lambda x: seen.append(jax_compat.trace_state() == outside) or x)(1.0)
    jax.vmap(lambda x: seen.append(jax_compat.trace_state() == outside) or x)(jnp.ones(2))
    assert seen == [False, False]


def test_under_vmap_and_under_jit():
    seen = {}

    def probe(tag):
        def f(x):
            seen[tag] = (jax_compat.under_vmap(), jax_compat.under_jit())
            return x

        return f

    probe("eager")(1.0)
    jax.vmap(probe("vmap"))(jnp.ones(2))
    jax.jit(probe("jit"))(1.0)
    jax.lax.scan(lambda c, x: (probe("scan")(c), x), 0.0, jnp.ones(2))
    assert seen == {
        "eager": (False, False),
        "vmap": (True, False),
        "jit": (False, True),
        "scan": (False, True),
    }


def test_finished_trace_test_tells_leaked_from_live_tracers():
    leaked = []
    jax.jit(lambda x: leaked.append(x) or x)(jnp.ones(1))
    jax.vmap(lambda x: leaked.append(x) or x)(jnp.ones(2))
    finished = jax_compat.finished_trace_test()
    assert finished is not None
    assert [finished(t) for t in leaked] == [True, True]
    live = []
    jax.jit(lambda x: live.append(jax_compat.finished_trace_test()(x)) or x)(1.0)
    assert live == [False]
    assert not isinstance(jnp.ones(1), jax_compat.Tracer)
    assert all(isinstance(t, jax_compat.Tracer) for t in leaked)
