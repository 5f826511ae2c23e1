"""Registry behaviour with fake installed distributions (runs in every matrix env)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import warnings

import pytest

import haiku as hk
from haiku import plugins

WIDGET = {
    "fake_widgets.py": """
    class Widget:
        '''A third-party object.'''
    def helper():
        return 42
"""
}


def _row(distribution: str) -> plugins.PluginInfo:
    (row,) = [r for r in plugins.describe() if r.distribution == distribution]
    return row


def test_third_party_name_is_lazy_and_cached(fake_dist):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    assert "Widget" in dir(hk)
    assert "fake_widgets" not in sys.modules  # dir() reads metadata only
    widget = hk.Widget
    assert widget.__module__ == "fake_widgets" and widget.__name__ == "Widget"
    assert vars(hk)["Widget"] is widget  # cached: next lookups are plain attribute reads
    from haiku import Widget

    assert Widget is widget
    assert _row("haiku-fake-widgets")[1:4] == ("1.0", ("Widget",), "ok")
    plugins.reset()
    assert "Widget" not in vars(hk)


def test_unknown_name_is_a_plain_attribute_error(fake_dist):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    with pytest.raises(AttributeError, match="module 'haiku' has no attribute 'Widgte'") as e:
        hk.Widgte  # noqa: B018
    assert not isinstance(e.value, plugins.PluginError)
    assert getattr(hk, "Widgte", "default") == "default"
    with pytest.raises(ImportError, match="cannot import name 'Widgte'"):
        from haiku import Widgte  # noqa: F401
    with pytest.raises(ModuleNotFoundError):
        import haiku.fake_nothing  # noqa: F401


def test_private_and_dunder_names_never_scan(fake_dist):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    with pytest.raises(AttributeError):
        hk.__wrapped__  # noqa: B018
    with pytest.raises(AttributeError):
        hk._private_thing  # noqa: B018


def test_module_valued_plugin_is_importable_as_submodule(fake_dist):
    fake_dist(
        "haiku-fake-tools",
        {"fake_tools": "fake_tools_pkg"},
        modules={
            "fake_tools_pkg/__init__.py": "from fake_tools_pkg.impl import helper\n",
            "fake_tools_pkg/impl.py": "def helper():\n    return 'helped'\n",
        },
    )
    import haiku.fake_tools

    real = sys.modules["fake_tools_pkg"]
    assert haiku.fake_tools is real and hk.fake_tools is real
    assert sys.modules["haiku.fake_tools"] is real
    assert real.__spec__.name == "fake_tools_pkg"  # the alias keeps the real spec
    from haiku.fake_tools import helper

    assert helper() == "helped"
    plugins.reset()
    assert "haiku.fake_tools" not in sys.modules and "fake_tools" not in vars(hk)


def test_module_valued_plugin_by_attribute_first(fake_dist):
    fake_dist(
        "haiku-fake-tools",
        {"fake_tools": "fake_tools_pkg"},
        modules={"fake_tools_pkg/__init__.py": "VALUE = 3\n"},
    )
    assert hk.fake_tools.VALUE == 3
    from haiku.fake_tools import VALUE

    assert VALUE == 3


def test_broken_plugin(fake_dist):
    fake_dist(
        "haiku-fake-broken",
        {"Broken": "fake_broken:Broken"},
        version="2.0",
        modules={"fake_broken.py": "import a_module_that_is_not_installed_xyz\n"},
    )
    with pytest.raises(plugins.PluginLoadError) as e:
        hk.Broken  # noqa: B018
    message = str(e.value)
    assert message.startswith(
        "hk.Broken: plugin haiku-fake-broken 2.0 failed to load "
        "'fake_broken:Broken': ModuleNotFoundError:"
    )
    assert "a_module_that_is_not_installed_xyz" in message
    assert isinstance(e.value.__cause__, ModuleNotFoundError)
    assert isinstance(e.value, AttributeError)
    assert not hasattr(hk, "Broken")
    with pytest.raises(ImportError, match="failed to load 'fake_broken:Broken'") as e:
        from haiku import Broken  # noqa: F401
    assert isinstance(e.value.__cause__, plugins.PluginLoadError)
    row = _row("haiku-fake-broken")
    assert row.status == "broken" and "a_module_that_is_not_installed_xyz" in row.detail
    assert "transform" in dir(hk)  # the rest of haiku is unaffected


def test_describe_check_imports_and_reports_broken(fake_dist):
    fake_dist(
        "haiku-fake-broken",
        {"Broken": "fake_broken:Broken"},
        modules={"fake_broken.py": "raise RuntimeError('boom at import')\n"},
    )
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    assert _row("haiku-fake-broken").status == "ok"  # metadata alone looks fine
    assert "fake_broken" not in sys.modules and "fake_widgets" not in sys.modules
    rows = {r.distribution: r for r in plugins.describe(check=True)}
    assert rows["haiku-fake-broken"].status == "broken"
    assert "RuntimeError: boom at import" in rows["haiku-fake-broken"].detail
    assert rows["haiku-fake-widgets"].status == "ok"


def test_missing_module_is_broken_without_import(fake_dist):
    fake_dist("haiku-fake-ghost", {"Ghost": "fake_ghost_not_there:Ghost"})
    row = _row("haiku-fake-ghost")
    assert row.status == "broken" and "'fake_ghost_not_there'" in row.detail


def test_incompatible_core_version(fake_dist):
    fake_dist(
        "haiku-future",
        {"FutureLayer": "fake_future:FutureLayer"},
        version="3.0",
        requires=["jax>=0.4", "haiku-core>=9.0"],
        modules={"fake_future.py": "FutureLayer = object()\n"},
    )
    expected = (
        f"hk.FutureLayer comes from haiku-future 3.0, which requires haiku-core>=9.0, "
        f"but haiku-core {hk.__version__} is installed."
    )
    with pytest.raises(plugins.IncompatiblePluginError) as e:
        hk.FutureLayer  # noqa: B018
    assert str(e.value).startswith(expected)
    assert 'pip install "haiku-core>=9.0"' in str(e.value)
    assert "fake_future" not in sys.modules  # refused before importing anything
    with pytest.raises(ImportError, match="requires haiku-core>=9.0"):
        from haiku import FutureLayer  # noqa: F401
    row = _row("haiku-future")
    assert row.status == "incompatible" and "haiku-core>=9.0" in row.detail


@pytest.mark.parametrize(
    "requires",
    [
        ["haiku-core>=0.1,<1.0"],
        ["haiku_core (>=0.1)"],
        ['haiku-core>=9.0; extra == "future"'],  # only applies with the extra
        ["haiku-core>=banana"],  # unparseable: left to pip, never breaks haiku
        [],
    ],
)
def test_compatible_or_unchecked_requirements(fake_dist, requires):
    fake_dist(
        "haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, requires=requires, modules=WIDGET
    )
    assert hk.Widget.__name__ == "Widget"


def test_conflicting_plugins(fake_dist):
    fake_dist("haiku-fake-a", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    fake_dist("haiku-fake-b", {"Widget": "fake_widgets:helper", "Gadget": "fake_widgets:helper"})
    with pytest.raises(plugins.PluginConflictError) as e:
        hk.Widget  # noqa: B018
    message = str(e.value)
    assert "hk.Widget is exported by several plugins" in message
    assert "haiku-fake-a 1.0 (fake_widgets:Widget)" in message
    assert "haiku-fake-b 1.0 (fake_widgets:helper)" in message
    assert "HAIKU_DISABLE_PLUGINS" in message
    assert "fake_widgets" not in sys.modules
    assert hk.Gadget() == 42  # the non-conflicting name still works
    assert _row("haiku-fake-a").status == "conflicting"
    assert _row("haiku-fake-b").status == "conflicting"


def test_disable_resolves_a_conflict(fake_dist, monkeypatch):
    fake_dist("haiku-fake-a", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    fake_dist("haiku-fake-b", {"Widget": "fake_widgets:helper"})
    monkeypatch.setenv(plugins.DISABLE_ENV, " Haiku_Fake_B ,unrelated")
    plugins.reset()
    assert hk.Widget.__name__ == "Widget"
    assert _row("haiku-fake-b").status == "disabled"


def test_disabled_plugin(fake_dist, monkeypatch):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    monkeypatch.setenv(plugins.DISABLE_ENV, "haiku-fake-widgets")
    plugins.reset()
    assert "Widget" not in dir(hk)
    with pytest.raises(plugins.MissingPluginError, match="disabled by HAIKU_DISABLE_PLUGINS"):
        hk.Widget  # noqa: B018
    assert "fake_widgets" not in sys.modules
    row = _row("haiku-fake-widgets")
    assert row.status == "disabled" and row.names == ("Widget",)


def test_plugin_cannot_shadow_core(fake_dist, core_name):
    core_object = getattr(hk, core_name)
    fake_dist(
        "haiku-fake-evil",
        {core_name: "fake_evil:thing", "Evil": "fake_evil:thing"},
        modules={"fake_evil.py": "thing = 'evil'\n"},
    )
    with pytest.warns(
        plugins.HaikuPluginWarning,
        match=f"haiku-fake-evil 1.0 exports '{core_name}'.*core object wins",
    ):
        names = dir(hk)
    assert getattr(hk, core_name) is core_object
    assert hk.Evil == "evil"
    assert names.count(core_name) == 1
    row = _row("haiku-fake-evil")
    assert row.status == "conflicting" and "haiku-core name" in row.detail


def test_malformed_entry_points_never_break_haiku(fake_dist):
    fake_dist("haiku-fake-mangled", entry_points_text="[haiku.plugins]\nthis line has no equals\n")
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    with pytest.warns(plugins.HaikuPluginWarning, match="entry_points.txt cannot be parsed"):
        assert "Widget" in dir(hk)
    assert hk.Widget.__name__ == "Widget"
    assert _row("haiku-fake-mangled").status == "broken"


def test_malformed_metadata_and_names_are_ignored_with_warnings(fake_dist):
    fake_dist(
        "haiku-fake-noname",
        {"NoName": "fake_widgets:Widget"},
        metadata_text="Metadata-Version: 2.1\nVersion: 1.0\n",
    )
    fake_dist(
        "haiku-fake-names",
        {
            "bad-name": "fake_widgets:Widget",
            "_private": "fake_widgets:Widget",
            "BadValue": "not a valid value!!",
            "Widget": "fake_widgets:Widget",
        },
        modules=WIDGET,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        names = dir(hk)
    messages = "\n".join(str(w.message) for w in caught)
    assert all(w.category is plugins.HaikuPluginWarning for w in caught)
    assert "metadata cannot be read" in messages
    assert "'bad-name' is not a public Python identifier" in messages
    assert "'_private' is not a public Python identifier" in messages
    assert "BadValue = 'not a valid value!!'" in messages
    assert "Widget" in names and "NoName" not in names and "BadValue" not in names
    assert hk.Widget.__name__ == "Widget"
    row = _row("haiku-fake-names")
    assert row.status == "broken" and row.names == ("Widget",)


def test_first_distribution_on_sys_path_wins(fake_dist, tmp_path):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    later = tmp_path / "later"
    (later / "haiku_fake_widgets-0.5.dist-info").mkdir(parents=True)
    (later / "haiku_fake_widgets-0.5.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: haiku-fake-widgets\nVersion: 0.5\n"
    )
    (later / "haiku_fake_widgets-0.5.dist-info" / "entry_points.txt").write_text(
        "[haiku.plugins]\nWidget = fake_widgets:helper\n"
    )
    sys.path.append(str(later))
    try:
        importlib.invalidate_caches()
        plugins.reset()
        assert hk.Widget.__name__ == "Widget"  # no conflict with the shadowed copy
        assert _row("haiku-fake-widgets").version == "1.0"
    finally:
        sys.path.remove(str(later))


def test_dir_lists_core_and_plugin_names(fake_dist):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    names = dir(hk)
    assert names == sorted(names)
    assert {"Widget", "__version__"} <= set(names)
    assert set(hk.__all__) <= set(names)


def test_reset_forgets_new_distributions(fake_dist):
    assert "Widget" not in dir(hk)
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    assert "Widget" in dir(hk)  # fake_dist resets the registry after writing


def test_reload_keeps_plugins_working(fake_dist):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    widget = hk.Widget
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a cached plugin name must not become a "core name"
        importlib.reload(hk)
        assert hk.Widget is widget
    assert "Widget" in dir(hk)


def test_lazy_core_names(fake_dist):
    import json

    from haiku._src.plugins import Registry

    namespace = {"__name__": "fakehk", "__version__": "0.1.0", "eager": 1}
    registry = Registry(namespace, lazy_core={"jsonmod": "json", "dumps": "json:dumps"})
    fake_dist("haiku-fake-evil", {"dumps": "fake_widgets:helper"}, modules=WIDGET)
    with pytest.warns(plugins.HaikuPluginWarning, match="'dumps', which is a haiku-core name"):
        assert {"eager", "jsonmod", "dumps"} <= set(registry.dir())
    assert "dumps" not in namespace  # listed, not imported
    assert registry.resolve("dumps") is json.dumps and namespace["dumps"] is json.dumps
    assert registry.resolve("jsonmod") is json
    registry.reset()
    assert namespace["dumps"] is json.dumps  # core names survive reset()


# -- hk.experimental: the same registry rules, entry-point group haiku.plugins.experimental --

EXPERIMENTAL = "[haiku.plugins.experimental]\n"


def test_experimental_third_party_name_is_lazy(fake_dist):
    fake_dist(
        "haiku-fake-probe",
        entry_points_text=EXPERIMENTAL + "probe = fake_probe:probe\n",
        modules={"fake_probe.py": "def probe():\n    return 42\n"},
    )
    assert "probe" in dir(hk.experimental) and "fake_probe" not in sys.modules
    assert hk.experimental.probe() == 42
    assert "probe" not in dir(hk)  # the groups are separate namespaces
    row = [r for r in plugins.describe() if r.distribution == "haiku-fake-probe"]
    assert row[0].names == ("experimental.probe",) and row[0].status == "ok"


def test_experimental_plugin_cannot_shadow_core(fake_dist):
    fake_dist(
        "haiku-fake-shadow", entry_points_text=EXPERIMENTAL + "check_jax_usage = fake_shadow:f\n"
    )
    with pytest.warns(plugins.HaikuPluginWarning, match="haiku-core name"):
        dir(hk.experimental)
    from haiku._src.jax_usage import check_jax_usage

    assert hk.experimental.check_jax_usage is check_jax_usage


def test_experimental_unknown_name_is_a_plain_attribute_error(fake_dist):
    with pytest.raises(AttributeError, match="'haiku.experimental' has no attribute") as e:
        hk.experimental.not_a_tool  # noqa: B018
    assert not isinstance(e.value, plugins.PluginError)


def test_experimental_first_party_names_say_what_to_install(monkeypatch):
    monkeypatch.setenv(plugins.DISABLE_ENV, "haiku-tools,haiku-jaxwrap")
    plugins.reset()
    for name, (dist, _extra) in plugins.KNOWN_EXPERIMENTAL_PROVIDERS.items():
        with pytest.raises(
            plugins.MissingPluginError, match=f"hk.experimental.{name} is provided by the '{dist}'"
        ):
            getattr(hk.experimental, name)
    monkeypatch.delenv(plugins.DISABLE_ENV)
    plugins.reset()
    if importlib.util.find_spec("haiku_tools") is None:
        with pytest.raises(plugins.MissingPluginError, match=r"haiku-core\[tools\]"):
            hk.experimental.tabulate  # noqa: B018
        with pytest.raises(ImportError, match=r"haiku-core\[tools\]"):
            import haiku.experimental.flax  # noqa: F401
