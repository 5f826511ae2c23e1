"""Root pytest config: never collect code whose distribution is not installed.

``pytest.ini`` runs ``--doctest-modules``; in the core-only matrix env importing, say,
haiku-layers' modules would fail, so the directories of distributions that are not
installed are ignored. Build output is never collected.
"""

import importlib.util

# Import haiku before collection: with --import-mode=importlib, a doctest run of a single
# core file (e.g. pytest .../haiku/_src/frame.py) would otherwise load a second copy of it.
import haiku  # noqa: F401

_OPTIONAL = {
    "packages/haiku-layers": "haiku_layers",
    "packages/haiku-nets": "haiku_nets",
    "packages/haiku-jaxwrap": "haiku_jaxwrap",
    "packages/haiku-tools": "haiku_tools",
    "examples": "haiku_contrib_example",  # the example scripts need every plugin
}

collect_ignore_glob = ["*/build/*", "*/dist/*"]
collect_ignore_glob += [
    f"{path}/*" for path, module in _OPTIONAL.items() if importlib.util.find_spec(module) is None
]
