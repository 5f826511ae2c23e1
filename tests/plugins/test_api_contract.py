"""The versioned plugin contract: a plugin's declared extension-API range (group haiku.api)."""

from __future__ import annotations

import sys

import pytest

import haiku as hk
from haiku import extend, plugins

WIDGET = {"fake_widgets.py": "class Widget:\n    pass\n"}


def _api() -> str:
    return ".".join(map(str, extend.API_VERSION))


def _row(dist: str) -> plugins.PluginInfo:
    return next(r for r in plugins.describe() if r.distribution == dist)


def test_api_version_is_a_major_minor_pair():
    assert len(extend.API_VERSION) == 2 and extend.API_VERSION >= (1, 0)
    assert all(isinstance(v, int) for v in extend.API_VERSION)


def test_compatible_range_loads_and_is_reported(fake_dist):
    major = extend.API_VERSION[0]
    fake_dist(
        "haiku-fake-widgets",
        {"Widget": "fake_widgets:Widget"},
        modules=WIDGET,
        api=f">={major}.0,<{major + 1}",
    )
    assert hk.Widget.__name__ == "Widget"
    row = _row("haiku-fake-widgets")
    assert (row.status, row.api) == ("ok", f">={major}.0,<{major + 1}")


def test_plugin_needing_a_newer_api_names_both_versions_and_upgrades_core(fake_dist):
    fake_dist(
        "haiku-future",
        {"FutureLayer": "fake_future:FutureLayer"},
        version="3.0",
        requires=["haiku-core>=0.1"],
        api=">=99.0,<100",
        modules={"fake_future.py": "FutureLayer = object()\n"},
    )
    with pytest.raises(plugins.IncompatiblePluginError) as e:
        hk.FutureLayer  # noqa: B018
    message = str(e.value)
    assert message.startswith(
        "hk.FutureLayer comes from haiku-future 3.0, which supports the haiku extension API "
        f">=99.0,<100, but the installed haiku-core {hk.__version__} provides API {_api()}."
    )
    assert "Fix: upgrade haiku-core to a release providing API >=99.0,<100" in message
    assert "fake_future" not in sys.modules  # decided from metadata, before any import
    with pytest.raises(ImportError, match="extension API >=99.0,<100"):
        from haiku import FutureLayer  # noqa: F401
    row = _row("haiku-future")
    assert row.status == "incompatible" and ">=99.0,<100" in row.detail


def test_plugin_for_an_older_api_says_to_upgrade_the_plugin(fake_dist):
    fake_dist(
        "haiku-legacy",
        {"OldLayer": "fake_legacy:OldLayer"},
        version="0.0.3",
        api=">=0.1,<0.2",
        modules={"fake_legacy.py": "OldLayer = object()\n"},
    )
    with pytest.raises(plugins.IncompatiblePluginError) as e:
        hk.OldLayer  # noqa: B018
    assert f"provides API {_api()}" in str(e.value)
    assert (
        "Fix: upgrade haiku-legacy to a release that supports API "
        f'{_api()} (pip install -U "haiku-legacy")'
    ) in str(e.value)


def test_api_version_is_read_at_check_time(fake_dist, monkeypatch):
    fake_dist(
        "haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET, api=">=1.3,<2"
    )
    monkeypatch.setattr(extend, "API_VERSION", (1, 2))
    with pytest.raises(plugins.IncompatiblePluginError, match="provides API 1.2"):
        hk.Widget  # noqa: B018
    plugins.reset()
    monkeypatch.setattr(extend, "API_VERSION", (1, 3))
    assert hk.Widget.__name__ == "Widget"


def test_undeclared_range_only_checks_requires_dist(fake_dist):
    fake_dist("haiku-fake-widgets", {"Widget": "fake_widgets:Widget"}, modules=WIDGET)
    assert hk.Widget.__name__ == "Widget"
    assert _row("haiku-fake-widgets").api == ""


def test_newer_core_is_not_refused_by_a_floor_pin(fake_dist):
    # The recommended pin: a floor on haiku-core plus the API range. Any newer core with a
    # compatible API is accepted (pip has no view of the API, the registry does).
    fake_dist(
        "haiku-fake-widgets",
        {"Widget": "fake_widgets:Widget"},
        modules=WIDGET,
        requires=["haiku-core>=0.1"],
        api=f">={extend.API_VERSION[0]}.0",
    )
    assert hk.Widget.__name__ == "Widget"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[haiku.api]\nrequires = banana\n", "cannot parse version specifier"),
        ("[haiku.api]\nneeds = >=1.0\n", "must hold exactly one entry"),
        ("[haiku.api]\nrequires = >=1.0\nextra = <2\n", "must hold exactly one entry"),
    ],
)
def test_malformed_declaration_refuses_the_plugin_with_a_warning(fake_dist, text, problem):
    fake_dist(
        "haiku-fake-widgets",
        modules=WIDGET,
        entry_points_text="[haiku.plugins]\nWidget = fake_widgets:Widget\n\n" + text,
    )
    with pytest.warns(plugins.HaikuPluginWarning, match=problem):
        assert "Widget" in dir(hk)
    with pytest.raises(plugins.IncompatiblePluginError, match="declaration is unusable"):
        hk.Widget  # noqa: B018
    row = _row("haiku-fake-widgets")
    assert row.status == "incompatible" and problem in row.detail
