"""haiku/__init__.pyi and KNOWN_PROVIDERS agree with the runtime and the plugins' pyprojects.

(tests/plugins/test_sync.py checks the generated text itself.)"""

from __future__ import annotations

import ast
import importlib
import pathlib
import tomllib

import pytest

import haiku as hk
from haiku import plugins

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORE = ROOT / "packages" / "haiku-core"
STUB = CORE / "src" / "haiku" / "__init__.pyi"
FIRST_PARTY = {
    "haiku-layers": "layers",
    "haiku-nets": "nets",
    "haiku-jaxwrap": "jaxwrap",
    "haiku-tools": "tools",
}


def _entry_points(dist: str, group: str = plugins.GROUP) -> dict[str, str]:
    project = tomllib.loads((ROOT / "packages" / dist / "pyproject.toml").read_text())["project"]
    return project["entry-points"].get(group, {})


def _bindings(tree: ast.Module) -> dict[str, str]:
    """Name bound by each top-level import -> what it imports ('module:attr' or 'module')."""
    bound = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}:{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name] = alias.name
    return bound


def _all(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "__all__":
            return ast.literal_eval(node.value)
    raise AssertionError("no __all__")


@pytest.fixture(scope="module")
def stub() -> ast.Module:
    return ast.parse(STUB.read_text())


def test_known_providers_match_the_plugin_pyprojects():
    expected = {
        name: (dist, extra) for dist, extra in FIRST_PARTY.items() for name in _entry_points(dist)
    }
    assert dict(plugins.KNOWN_PROVIDERS) == expected
    assert len(_entry_points("haiku-layers")) == 54
    assert len(_entry_points("haiku-jaxwrap")) == 20
    for known, group in (
        (plugins.KNOWN_EXPERIMENTAL_PROVIDERS, plugins.EXPERIMENTAL_GROUP),
        (plugins.KNOWN_COMMANDS, plugins.CLI_GROUP),
    ):
        assert dict(known) == {
            name: (dist, extra)
            for dist, extra in FIRST_PARTY.items()
            for name in _entry_points(dist, group)
        }, group
    extras = tomllib.loads((CORE / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for dist, extra in FIRST_PARTY.items():
        assert any(req.startswith(dist) for req in extras[extra]), (extra, extras[extra])


def test_stub_imports_every_plugin_name_from_its_entry_point(stub):
    bound = _bindings(stub)
    for dist in FIRST_PARTY:
        for name, value in _entry_points(dist).items():
            if ":" in value:
                assert bound.get(name) == value.replace(" ", ""), name
            else:  # a module: `import haiku_nets as nets` / `from haiku_layers import pad`
                assert bound.get(name) in (value, ":".join(value.rsplit(".", 1))), name


def _load(target: str) -> object:
    """Imports what a stub binding names: 'module:attr' (attribute or submodule) or 'module'."""
    module, _, attr = target.partition(":")
    if not attr:
        return importlib.import_module(module)
    try:
        return getattr(importlib.import_module(module), attr)
    except AttributeError:
        return importlib.import_module(f"{module}.{attr}")


def test_stub_core_names_are_the_runtime_objects(stub):
    core = {
        k: v
        for k, v in _bindings(stub).items()
        if k not in plugins.KNOWN_PROVIDERS and (k == "__version__" or k[0] != "_")
    }
    assert set(core) == set(hk.__all__) | {"__version__"}
    for name, target in core.items():
        assert _load(target) is getattr(hk, name), (name, target)


def test_stub_all(stub):
    names = _all(stub)
    assert len(names) == len(set(names))
    assert set(names) == set(hk.__all__) | set(plugins.KNOWN_PROVIDERS)
    assert set(names) <= set(_bindings(stub))
    # The stub ends with a module __getattr__ so that third-party names type-check (as Any).
    last = stub.body[-1]
    assert isinstance(last, ast.FunctionDef) and last.name == "__getattr__"
    assert ast.unparse(last.returns) == "_Any"


def test_runtime_all_is_core_only():
    # `from haiku import *` must not import plugins (or fail when one is missing).
    assert not set(hk.__all__) & set(plugins.KNOWN_PROVIDERS)
    for name in hk.__all__:
        assert getattr(hk, name) is not None, name
