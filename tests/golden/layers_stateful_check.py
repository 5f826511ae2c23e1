"""Compares our stateful layers with the dm-haiku goldens in tests/golden/layers_stateful/.

Used by tests/layers (batch norm, norms, moving averages, spectral norm, recurrent cores)
as ``from golden import layers_stateful_check as util``.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from golden import layers_stateful_cases as cases
from golden import load_json, load_npz


@functools.cache
def load_group(group: str):
    arrays = load_npz(f"layers_stateful/{group}.npz")
    meta = load_json(f"layers_stateful/{group}.json")
    return arrays, meta


def case_names(group: str) -> list[str]:
    return [c.name for c in cases.CASES if c.group == group]


def get_case(group: str, name: str):
    (case,) = [c for c in cases.CASES if c.group == group and c.name == name]
    return case


def _tol(dtype) -> dict:
    name = jnp.dtype(dtype).name
    if name in ("bfloat16", "float16"):
        return {"rtol": 2e-2, "atol": 2e-2}
    if name.startswith("int") or name == "bool":
        return {"rtol": 0, "atol": 0}
    return {"rtol": 1e-5, "atol": 1e-5}


def assert_close(actual, expected, what: str) -> None:
    actual = jnp.asarray(actual)
    np.testing.assert_allclose(
        np.asarray(actual, np.float64),
        np.asarray(expected, np.float64),
        err_msg=what,
        **_tol(actual.dtype),
    )


def _tree(arrays, prefix: str, spec) -> dict:
    return {
        m: {n: jnp.asarray(arrays[f"{prefix}|{m}|{n}"], dtype=dt) for n, _, dt in leaves}
        for m, leaves in spec
    }


def _check_tree(ours, spec, arrays, prefix: str, what: str) -> None:
    assert cases.tree_spec(ours) == spec, f"{what}: tree differs"
    for m, leaves in spec:
        for n, _, _ in leaves:
            assert_close(ours[m][n], arrays[f"{prefix}|{m}|{n}"], f"{what} {m}/{n}")


def check_case(hk, group: str, name: str) -> None:
    """Init trees/values and every apply step must match the golden."""
    jax.config.update("jax_threefry_partitionable", True)
    arrays, meta = load_group(group)
    case, m = get_case(group, name), meta[name]
    steps = []
    for j in range(len(case.steps)):
        raw = [arrays[f"{name}|in|{j}|{i}"] for i in range(len(case.inputs))]
        steps.append(cases.to_jax(case, raw))
    f = cases.transform(hk, case)
    params, state = f.init(jax.random.PRNGKey(42), *steps[0], **case.steps[0])
    _check_tree(params, m["params"], arrays, f"{name}|param", f"{name} init params")
    _check_tree(state, m["state0"], arrays, f"{name}|state0", f"{name} init state")
    # Apply from the golden params/state so each step is checked on its own.
    params = _tree(arrays, f"{name}|param", m["params"])
    state = _tree(arrays, f"{name}|state0", m["state0"])
    for j, (inputs, kw) in enumerate(zip(steps, case.steps)):
        out, state = f.apply(params, state, None, *inputs, **kw)
        outs = jax.tree.leaves(out)
        want = m["steps"][j]
        assert [[list(o.shape), str(o.dtype)] for o in outs] == want["out"], (
            f"{name} step {j} outputs"
        )
        for i, o in enumerate(outs):
            assert_close(o, arrays[f"{name}|out|{j}|{i}"], f"{name} step {j} out {i}")
        _check_tree(state, want["state"], arrays, f"{name}|state|{j}", f"{name} step {j} state")
