"""``import haiku`` and ``dir(haiku)`` never import plugin code (fresh interpreters)."""

from __future__ import annotations

import json
import os

from haiku import plugins

PROBE = """
import json, sys
import haiku
after_import = sorted(m for m in sys.modules if m.startswith(("haiku_", "fake_")))
names = dir(haiku)
after_dir = sorted(m for m in sys.modules if m.startswith(("haiku_", "fake_")))
print(json.dumps({"after_import": after_import, "after_dir": after_dir, "names": names}))
"""


def _probe(run_python, **env):
    result = run_python("-c", PROBE, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_import_and_dir_import_no_plugin(run_python):
    out = _probe(run_python)
    assert out["after_import"] == [] and out["after_dir"] == []
    import importlib.util

    if importlib.util.find_spec("haiku_layers") is not None:
        assert set(plugins.KNOWN_PROVIDERS) <= set(out["names"])
    else:
        assert not set(plugins.KNOWN_PROVIDERS) & set(out["names"])


def test_third_party_names_listed_without_import(run_python, fake_dist):
    fake_dist(
        "haiku-fake-widgets",
        {"Widget": "fake_widgets:Widget"},
        modules={"fake_widgets.py": "raise RuntimeError('must not be imported')\n"},
    )
    pythonpath = os.pathsep.join(filter(None, [str(fake_dist.root), os.environ.get("PYTHONPATH")]))
    out = _probe(run_python, PYTHONPATH=pythonpath)
    assert "Widget" in out["names"]
    assert out["after_dir"] == []


LAZY_CORE_PROBE = """
import json, sys
import haiku as hk
lazy = ["data_structures", "initializers", "mixed_precision", "testing", "experimental"]
before = sorted(m for m in lazy if f"haiku.{m}" in sys.modules)
listed = sorted(m for m in lazy if m in dir(hk))
kinds = {m: type(getattr(hk, m)).__name__ for m in lazy}
from haiku.initializers import TruncatedNormal
print(json.dumps({"before": before, "listed": listed, "kinds": kinds,
                  "same": hk.initializers.TruncatedNormal is TruncatedNormal}))
"""


def test_core_tool_submodules_load_on_first_access(run_python):
    result = run_python("-c", LAZY_CORE_PROBE)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.splitlines()[-1])
    assert out["before"] == []
    assert len(out["listed"]) == 5
    assert set(out["kinds"].values()) == {"module"}
    assert out["same"]
