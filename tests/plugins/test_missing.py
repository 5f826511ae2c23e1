"""Names of first-party plugins that are not installed (the ``core`` matrix env)."""

from __future__ import annotations

import importlib.util

import pytest

import haiku as hk
from haiku import plugins

CASES = [
    ("Linear", "haiku-layers", "layers", "haiku_layers"),
    ("pad", "haiku-layers", "layers", "haiku_layers"),
    ("nets", "haiku-nets", "nets", "haiku_nets"),
    ("vmap", "haiku-jaxwrap", "jaxwrap", "haiku_jaxwrap"),
    ("layer_stack", "haiku-jaxwrap", "jaxwrap", "haiku_jaxwrap"),
]


def _skip_if_installed(package: str) -> None:
    if importlib.util.find_spec(package) is not None:
        pytest.skip(f"{package} is installed (this test runs in the core-only env)")


@pytest.mark.parametrize("name, dist, extra, package", CASES)
def test_missing_first_party_name(name, dist, extra, package):
    _skip_if_installed(package)
    message = (
        f"hk.{name} is provided by the '{dist}' distribution, which is not installed. "
        f'Install it with: pip install "haiku-core[{extra}]"'
    )
    with pytest.raises(plugins.MissingPluginError) as e:
        getattr(hk, name)
    assert str(e.value).startswith(message)
    assert isinstance(e.value, AttributeError)
    assert not hasattr(hk, name)
    assert getattr(hk, name, None) is None
    assert name not in dir(hk)


def test_from_import_keeps_the_message():
    _skip_if_installed("haiku_layers")
    with pytest.raises(ImportError, match=r'haiku-layers.*pip install "haiku-core\[layers\]"') as e:
        from haiku import Linear  # noqa: F401
    assert isinstance(e.value.__cause__, plugins.MissingPluginError)


def test_import_submodule_keeps_the_message():
    _skip_if_installed("haiku_nets")
    with pytest.raises(ImportError, match=r'haiku-nets.*pip install "haiku-core\[nets\]"'):
        import haiku.nets  # noqa: F401
    with pytest.raises(ImportError, match=r'haiku-nets.*pip install "haiku-core\[nets\]"'):
        from haiku.nets import MLP  # noqa: F401


def test_stale_metadata_of_a_first_party_distribution(fake_dist):
    _skip_if_installed("haiku_layers")
    fake_dist(
        "haiku-layers",
        {"Bias": "fake_widgets:Widget"},
        version="0.0.1",
        modules={"fake_widgets.py": "class Widget:\n    pass\n"},
    )
    with pytest.raises(
        plugins.MissingPluginError, match="installed haiku-layers 0.0.1 does not register it"
    ):
        hk.Linear  # noqa: B018
    assert hk.Bias.__name__ == "Widget"


def test_known_provider_disabled(monkeypatch):
    if importlib.util.find_spec("haiku_layers") is None:
        pytest.skip("needs haiku-layers installed")
    monkeypatch.setenv(plugins.DISABLE_ENV, "haiku-layers")
    plugins.reset()
    with pytest.raises(
        plugins.MissingPluginError,
        match="'haiku-layers' distribution, which is disabled by "
        "HAIKU_DISABLE_PLUGINS='haiku-layers'",
    ):
        hk.Linear  # noqa: B018
    assert "Linear" not in dir(hk)
