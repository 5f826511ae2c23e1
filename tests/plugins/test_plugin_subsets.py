"""haiku-core with only some first-party plugins: each plugin works with just what it needs.

The matrix envs test core alone and everything together. Here, in the ``all`` env, each
meaningful subset (a plugin plus its own dependencies) runs in a fresh interpreter with
every other plugin disabled (``HAIKU_DISABLE_PLUGINS``): every name the enabled plugins
register resolves, a small model using them runs, and a name of each disabled plugin
raises ``MissingPluginError`` naming it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from haiku import plugins

FIRST_PARTY = ("haiku-jaxwrap", "haiku-layers", "haiku-nets", "haiku-tools")
pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(d.replace("-", "_")) is None for d in FIRST_PARTY),
    reason="needs every first-party plugin installed (the `all` matrix env)",
)

# A plugin and the first-party plugins it depends on.
SUBSETS = {
    "haiku-jaxwrap": ("haiku-jaxwrap",),
    "haiku-layers": ("haiku-jaxwrap", "haiku-layers"),
    "haiku-nets": ("haiku-jaxwrap", "haiku-layers", "haiku-nets"),
    "haiku-tools": ("haiku-jaxwrap", "haiku-tools"),
}

# What each plugin's smoke model does; every line must only use core and that plugin.
USES = {
    "haiku-jaxwrap": """
def body(x):
    w = hk.get_parameter("w", [x.shape[-1]], init=jnp.ones)
    return hk.sharding.constrain(x * w, ("batch", "embed"))
f = hk.transform(lambda x: hk.layer_stack(2)(body)(hk.vmap(body, split_rng=False)(x)))
params = f.init(KEY, X)
out["haiku-jaxwrap"] = [sorted(params), list(f.apply(params, None, X).shape)]
""",
    "haiku-layers": """
def unroll(x):
    core = hk.LSTM(3)
    return hk.dynamic_unroll(core, hk.Linear(3)(x)[:, None], core.initial_state(2),
                             time_major=False)[0]
f = hk.transform(unroll)
params = f.init(KEY, X)
out["haiku-layers"] = [sorted(params), list(f.apply(params, None, X).shape)]
""",
    "haiku-nets": """
f = hk.transform(lambda x: hk.nets.MLP([4, 2])(x))
params = f.init(KEY, X)
out["haiku-nets"] = [sorted(params), list(f.apply(params, None, X).shape)]
""",
    "haiku-tools": """
class Scale(hk.Module):
    def __call__(self, x):
        return x * hk.get_parameter("w", [x.shape[-1]], init=jnp.ones)
def core_only(x):
    return Scale()(x)
rows = hk.experimental.eval_summary(core_only)(X)
out["haiku-tools"] = [[r.module_details.module.module_name for r in rows],
                      "digraph" in hk.to_dot(hk.transform(core_only).init)(KEY, X)]
""",
}

EXPECTED = {
    "haiku-jaxwrap": [["__layer_stack_no_per_layer/~", "~"], [2, 3]],
    "haiku-layers": [["linear", "lstm/linear"], [2, 1, 3]],
    "haiku-nets": [["mlp/~/linear_0", "mlp/~/linear_1"], [2, 2]],
    "haiku-tools": [["scale"], True],
}

SCRIPT = """
import json, sys
import jax, jax.numpy as jnp
import haiku as hk
from haiku import plugins
from haiku._src import conformance

enabled, disabled = json.loads(sys.argv[1]), json.loads(sys.argv[2])
KEY, X = jax.random.PRNGKey(0), jnp.ones([2, 3])
out = {"resolved": {}, "missing": {}}
for dist in enabled:
    names = conformance.registered_names(dist)
    for name in names:
        conformance._resolve(name)
    out["resolved"][dist] = len(names)
for dist in disabled:
    name = conformance.registered_names(dist)[0]
    try:
        conformance._resolve(name)
        out["missing"][dist] = "resolved"
    except plugins.MissingPluginError as e:
        out["missing"][dist] = str(e)
"""


def _script(enabled: tuple[str, ...]) -> str:
    return SCRIPT + "".join(USES[d] for d in enabled) + "\nprint(json.dumps(out))\n"


def _start(enabled: tuple[str, ...]) -> subprocess.Popen:
    all_dists = [r.distribution for r in plugins.describe()]
    disabled = [d for d in all_dists if d not in enabled]
    env = {**os.environ, plugins.DISABLE_ENV: ",".join(disabled)}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            _script(enabled),
            json.dumps(enabled),
            json.dumps([d for d in FIRST_PARTY if d not in enabled]),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_each_plugin_works_with_only_its_dependencies():
    processes = {plugin: _start(enabled) for plugin, enabled in SUBSETS.items()}  # in parallel
    for plugin, process in processes.items():
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"{plugin} alone:\n{stdout}{stderr}"
        report = json.loads(stdout.strip().splitlines()[-1])
        for dist in SUBSETS[plugin]:
            assert report["resolved"][dist] > 0, (plugin, dist)
            assert report[dist] == EXPECTED[dist], (plugin, dist, report[dist])
        for dist, message in report["missing"].items():
            assert f"'{dist}' distribution" in message and "disabled" in message, message
