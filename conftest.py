"""Root pytest config: never collect code whose distribution is not installed.

``pytest.ini`` runs ``--doctest-modules``; in the core-only matrix env importing, say,
haiku-layers' modules would fail, so the directories of distributions that are not
installed are ignored. Build output is never collected.
"""

import importlib.util

_OPTIONAL = {
    "packages/haiku-layers": "haiku_layers",
    "packages/haiku-nets": "haiku_nets",
    "packages/haiku-jaxwrap": "haiku_jaxwrap",
    "examples": "haiku_contrib_example",  # the example scripts need every plugin
}

collect_ignore_glob = ["*/build/*", "*/dist/*"]
collect_ignore_glob += [f"{path}/*" for path, module in _OPTIONAL.items()
                        if importlib.util.find_spec(module) is None]
