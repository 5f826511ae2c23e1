"""The hk.experimental namespace: names, aliases, laziness and config switches."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

import haiku as hk

# dm-haiku 0.0.17's hk.experimental.__all__ (36 names).
DM_HAIKU_ALL = {
    "ArraySpec",
    "DO_NOT_STORE",
    "GetterContext",
    "LayerStackTransparencyMapping",
    "LiftWithStateUpdater",
    "MethodContext",
    "MethodInvocation",
    "ModuleDetails",
    "ParamContext",
    "abstract_to_dot",
    "check_jax_usage",
    "current_name",
    "custom_creator",
    "custom_getter",
    "eval_summary",
    "flax",
    "force_name",
    "get_current_state",
    "get_initial_state",
    "get_params",
    "intercept_methods",
    "jaxpr_info",
    "layer_stack",
    "lift",
    "lift_with_state",
    "maybe_get_rng_sequence_state",
    "module_auto_repr",
    "name_like",
    "name_scope",
    "optimize_rng_use",
    "replace_rng_sequence_state",
    "rng_reserve_size",
    "tabulate",
    "to_dot",
    "transparent_lift",
    "transparent_lift_with_state",
}
JAXWRAP = {
    "LayerStackTransparencyMapping",
    "LiftWithStateUpdater",
    "layer_stack",
    "lift",
    "lift_with_state",
    "transparent_lift",
    "transparent_lift_with_state",
}
HAS_JAXWRAP = importlib.util.find_spec("haiku_jaxwrap") is not None
HAS_TOOLS = importlib.util.find_spec("haiku_tools") is not None
TOOLS = {
    "ArraySpec",
    "MethodInvocation",
    "ModuleDetails",
    "abstract_to_dot",
    "eval_summary",
    "flax",
    "jaxpr_info",
    "tabulate",
    "to_dot",
}
needs_all = pytest.mark.skipif(
    not (HAS_TOOLS and HAS_JAXWRAP), reason="needs haiku-tools and haiku-jaxwrap"
)


def _run(code: str, **env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return result.stdout.strip()


# haiku-jaxwrap's additions beyond dm-haiku (docs/beyond_dm_haiku.md).
JAXWRAP_BEYOND = {"tie_parameters", "apply_submodule"}


@needs_all
def test_all_matches_dm_haiku():
    assert set(hk.experimental.__all__) == DM_HAIKU_ALL | JAXWRAP_BEYOND
    assert len(hk.experimental.__all__) == 36 + len(JAXWRAP_BEYOND)
    assert sorted(hk.experimental.jaxpr_info.__all__) == sorted(
        [
            "as_html",
            "as_html_page",
            "css",
            "Expression",
            "format_module",
            "js",
            "make_model_info",
            "Module",
        ]
    )
    assert set(dir(hk.experimental)) >= DM_HAIKU_ALL


def test_all_lists_core_names_plus_the_installed_plugins():
    expected = DM_HAIKU_ALL - (set() if HAS_JAXWRAP else JAXWRAP) - (set() if HAS_TOOLS else TOOLS)
    expected |= JAXWRAP_BEYOND if HAS_JAXWRAP else set()
    assert set(hk.experimental.__all__) == expected
    # `import *` works whatever is installed: every listed name resolves.
    namespace: dict = {}
    exec("from haiku.experimental import *", namespace)
    assert expected <= set(namespace)


def test_core_aliases_are_the_top_level_objects():
    for name in DM_HAIKU_ALL - JAXWRAP - TOOLS:
        if hasattr(hk, name):
            assert getattr(hk.experimental, name) is getattr(hk, name), name
    assert hk.experimental.ParamContext is hk.GetterContext
    assert hk.experimental.fast_eval_shape is not None  # importable, not in __all__
    assert issubclass(hk.experimental.JaxUsageError, ValueError)


@pytest.mark.skipif(not HAS_JAXWRAP, reason="needs haiku-jaxwrap")
def test_jaxwrap_aliases_resolve_through_haiku():
    for name in JAXWRAP:
        assert getattr(hk.experimental, name) is getattr(hk, name), name


@pytest.mark.skipif(not HAS_TOOLS, reason="needs haiku-tools")
def test_tools_resolve_through_the_registry():
    import haiku_tools

    assert hk.experimental.to_dot is hk.to_dot is haiku_tools.to_dot
    assert hk.experimental.tabulate is haiku_tools.tabulate
    assert hk.experimental.jaxpr_info is sys.modules["haiku_tools.jaxpr_info"]
    import haiku.experimental.flax as hk_flax
    from haiku.experimental import jaxpr_info

    assert hk_flax is hk.experimental.flax and jaxpr_info is hk.experimental.jaxpr_info


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_tools_missing_say_what_to_install(name):
    code = (
        "import haiku as hk\n"
        "from haiku.plugins import MissingPluginError\n"
        "try:\n"
        f"    hk.experimental.{name}\n"
        "except MissingPluginError as e:\n"
        "    print(e)\n"
    )
    out = _run(code, HAIKU_DISABLE_PLUGINS="haiku-tools")
    assert f"hk.experimental.{name} is provided by the 'haiku-tools'" in out
    if not HAS_TOOLS:
        assert 'pip install "haiku-core[tools]"' in out


def test_core_only_to_dot_and_imports_say_what_to_install():
    code = (
        "import haiku as hk\n"
        "try:\n"
        "    hk.to_dot\n"
        "except AttributeError as e:\n"
        "    print(type(e).__name__, e)\n"
        "try:\n"
        "    import haiku.experimental.flax\n"
        "except ImportError as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    out = _run(code, HAIKU_DISABLE_PLUGINS="haiku-tools").splitlines()
    assert out[0].startswith("MissingPluginError hk.to_dot is provided by the 'haiku-tools'")
    assert out[1].startswith("ImportError hk.experimental.flax is provided by the 'haiku-tools'")


@needs_all
def test_jaxwrap_aliases_raise_missing_plugin_without_jaxwrap():
    code = (
        "import haiku as hk\n"
        "from haiku.plugins import MissingPluginError\n"
        "print(hk.experimental.tabulate.__name__)\n"
        "try:\n"
        "    hk.experimental.layer_stack\n"
        "except MissingPluginError as e:\n"
        "    print('missing', 'haiku-jaxwrap' in str(e))\n"
    )
    out = _run(code, HAIKU_DISABLE_PLUGINS="haiku-jaxwrap")
    assert out.splitlines() == ["tabulate", "missing True"]


def test_import_haiku_loads_no_tools():
    code = (
        "import sys, haiku\n"
        "names = ('haiku.experimental', 'haiku_tools', 'haiku_jaxwrap',\n"
        "         'haiku._src.jax_usage', 'tabulate', 'graphviz', 'flax', 'jax.extend')\n"
        "print(sorted(m for m in sys.modules if m.startswith(names)))\n"
        "haiku.experimental\n"
        "print('flax' in sys.modules, 'tabulate' in sys.modules)\n"
    )
    assert _run(code).splitlines() == ["[]", "False False"]


def test_lazy_names_listed_and_cached():
    assert "experimental" in dir(hk) and ("to_dot" in dir(hk)) == HAS_TOOLS
    assert "experimental" in hk.__all__ and "to_dot" not in hk.__all__  # a plugin name
    assert hk.experimental is sys.modules["haiku.experimental"]
    if HAS_TOOLS:
        assert hk.to_dot is vars(hk)["to_dot"]  # cached on first access
    with pytest.raises(AttributeError):
        hk.experimental.not_a_name  # noqa: B018


def test_module_auto_repr_switch():
    previous = hk.experimental.module_auto_repr(False)
    try:
        assert hk.config.get_config().module_auto_repr is False
        assert hk.experimental.module_auto_repr(True) is False
    finally:
        hk.experimental.module_auto_repr(previous)


def test_rng_reserve_size_switch():
    previous = hk.experimental.rng_reserve_size(3)
    try:
        assert hk.config.get_config().rng_reserve_size == 3
    finally:
        assert hk.experimental.rng_reserve_size(previous) == 3
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            hk.experimental.rng_reserve_size(bad)
