"""Misuse of the Haiku-aware JAX wrappers: clear errors naming the wrapper and the fix.

`CASES` run through the misuse harness (tests/misuse.py); the tests after them check that
valid uses next to each check keep working.
"""

from __future__ import annotations

import jax.numpy as jnp
import pytest

import haiku as hk

import misuse
from misuse import (
    KEY,
    LJ,
    Case,
    J,
    L,
    checked,
    linear,
    needs_jaxwrap,
    needs_layers,
    raw_scan,
    raw_scan_params_are_arrays,
    raw_vmap_rng,
    t,
)

CASES = [
    Case(
        "hk.vmap without split_rng",
        J,
        lambda: hk.vmap(lambda x: x),
        TypeError,
        r"hk\.vmap requires the `split_rng`",
        r"split_rng=\(not hk\.running_init",
    ),
    Case(
        "hk.vmap(split_rng=True) creating params at init",
        LJ,
        lambda: t(lambda x: hk.vmap(linear, split_rng=True)(x)).init(KEY, jnp.ones([2, 3])),
        ValueError,
        r"split_rng=True\) is not supported during init",
        r"Pass `split_rng=\(not hk\.running_init\(\)\)`",
    ),
    Case(
        "raw jax.lax.scan over a module (check_jax_usage)",
        L,
        checked(raw_scan),
        ValueError,
        r"inside jax\.jit or a jax\.lax control-flow",
        r"`hk\.scan`",
    ),
    Case(
        "raw jax.vmap using rng (check_jax_usage)",
        L,
        checked(raw_vmap_rng),
        ValueError,
        r"inside jax\.vmap",
        r"`hk\.vmap\(fn, split_rng=\.\.\.\)`",
    ),
    Case(
        "raw jax.lax.scan over a module (default config)",
        L,
        raw_scan_params_are_arrays,
        ValueError,
        r"jax\.lax\.scan|tracer",
        r"hk\.scan",
    ),
    Case(
        "hk.while_loop creating parameters at init",
        LJ,
        lambda: t(
            lambda x: hk.while_loop(
                lambda c: c[0] < 2, lambda c: (c[0] + 1, hk.Linear(3)(c[1])), (0, x)
            )
        ).init(KEY, jnp.ones([3])),
        ValueError,
        r"hk\.while_loop cannot run during init",
        r"Call the body unconditionally",
    ),
    Case(
        "hk.fori_loop creating new modules each iteration",
        LJ,
        lambda: t(lambda x: hk.fori_loop(0, 2, lambda i, y: hk.Linear(3)(y), x)).init(
            KEY, jnp.ones([3])
        ),
        TypeError,
        r"inside the body of hk\.fori_loop.*linear_1",
        r"build modules outside the body",
    ),
    Case(
        "hk.cond branches creating different params",
        LJ,
        lambda: t(lambda x: hk.cond(x[0] > 0, linear, lambda y: y[:2], x)).init(KEY, jnp.ones([3])),
        TypeError,
        r"hk\.cond during init",
        r"unconditionally at init",
    ),
    Case(
        "hk.switch with no branches",
        J,
        lambda: t(lambda x: hk.switch(0, [], x)).init(KEY, jnp.ones([3])),
        ValueError,
        r"hk\.switch.*branch",
        r"at least one",
    ),
    Case(
        "hk.grad of a non-scalar function",
        LJ,
        lambda: t(lambda x: hk.grad(lambda y: hk.Linear(3)(y))(x)).init(KEY, jnp.ones([3])),
        TypeError,
        r"scalar-output",
        r"Output had shape: \(3,\)",
    ),
    Case(
        "hk.lift given a Transformed instead of its init",
        J,
        lambda: t(lambda x: hk.lift(t(lambda y: y))(KEY, x)).init(KEY, jnp.ones([3])),
        TypeError,
        r"hk\.lift needs a callable init function, got Transformed",
        r"init",
    ),
    Case(
        "hk.lift outside a transform",
        J,
        lambda: hk.lift(t(lambda y: y).init),
        ValueError,
        r"`hk\.lift`",
        r"inside the function you pass to hk\.transform",
    ),
    Case(
        "hk.layer_stack with zero layers",
        J,
        lambda: hk.layer_stack(0),
        ValueError,
        r"num_layers >= 1",
        r"got 0",
    ),
    Case(
        "hk.layer_stack body returning a string",
        LJ,
        lambda: t(lambda x: hk.layer_stack(2)(lambda y: (hk.Linear(3)(y), "s"))(x)).init(
            KEY, jnp.ones([3])
        ),
        TypeError,
        r"layer_stack.*str",
        r"arrays",
    ),
    Case(
        "hk.layer_stack layer changing its input shape",
        LJ,
        lambda: t(lambda x: hk.layer_stack(2)(lambda y: hk.Linear(4)(y))(x)).init(
            KEY, jnp.ones([3])
        ),
        TypeError,
        r"layer_stack.*float32\[3\].*float32\[4\]",
        r"same shape",
    ),
    Case(
        "hk.remat of a non-callable",
        J,
        lambda: hk.remat(3),
        TypeError,
        r"hk\.remat.*3",
        r"callable",
    ),
]


@pytest.mark.parametrize("case", misuse.params(CASES))
def test_misuse(case: Case) -> None:
    misuse.check(case)


# --- valid uses next to the checks ---------------------------------------------------------


@needs_jaxwrap
def test_switch_with_no_branches_outside_a_transform():
    with pytest.raises(ValueError, match=r"hk\.switch needs at least one branch"):
        hk.switch(0, [], 1.0)


@needs_jaxwrap
@needs_layers
def test_layer_stack_per_layer_layer_must_return_a_pair():
    f = hk.transform(
        lambda x: hk.layer_stack(2, with_per_layer_inputs=True)(lambda y: hk.Linear(3)(y))(x)
    )
    with pytest.raises(
        TypeError,
        match=r"with_per_layer_inputs=True: the layer must return a "
        r"pair.*float32\[3\]",
    ):
        f.init(KEY, jnp.ones([3]))


@needs_jaxwrap
@needs_layers
# dm-haiku raises TypeError when a stacked layer changes its carry (issue #17 item 19).
def test_layer_stack_dtype_change_names_both_types():
    f = hk.transform(
        lambda x, y: hk.layer_stack(2)(lambda a, b: (hk.Linear(3)(a), b.astype(jnp.int32)))(x, y)
    )
    with pytest.raises(TypeError, match=r"\[1\] is float32\[3\] and it returned int32\[3\]"):
        f.init(KEY, jnp.ones([3]), jnp.ones([3]))


@needs_jaxwrap
def test_layer_stack_carry_error_at_apply():
    # The layer keeps width 3 only: fine at init, but apply gets a wider input.
    g = hk.transform(lambda x: hk.layer_stack(2)(lambda y: y[..., :3])(x))
    params = g.init(KEY, jnp.ones([3]))
    with pytest.raises(TypeError, match=r"layer_stack\(2\).*float32\[4\].*float32\[3\]"):
        g.apply(params, None, jnp.ones([4]))


@needs_jaxwrap
def test_remat_of_a_callable_object_is_fine():
    class Double:
        def __call__(self, x):
            return 2 * x

    assert hk.transform(lambda x: hk.remat(Double())(x)).apply({}, None, 1.0) == 2.0
