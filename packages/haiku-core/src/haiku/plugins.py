"""Plugins: how other distributions add names to ``haiku``.

``hk.Linear``, ``hk.nets`` or ``hk.vmap`` are not defined by haiku-core: they come from
the first-party distributions haiku-layers, haiku-nets and haiku-jaxwrap
(``pip install "haiku-core[all]"``), found at run time through entry points of group
``haiku.plugins``. Third-party distributions use the same mechanism.

Writing a plugin: add one entry point per attribute to your ``pyproject.toml`` and pin
the haiku-core versions you support (the pin is re-checked when the name is loaded)::

    [project]
    dependencies = ["haiku-core>=0.1,<0.2"]

    [project.entry-points."haiku.plugins"]
    ResidualBlock = "my_package.residual:ResidualBlock"   # an object: hk.ResidualBlock
    my_nets = "my_package.nets"                           # a module: hk.my_nets

Names are loaded lazily, on first access, and only the plugin that provides the name is
imported. ``dir(hk)`` lists every registered name without importing anything. A plugin
cannot replace a haiku-core name (a `HaikuPluginWarning` is emitted and core wins). Set
``HAIKU_DISABLE_PLUGINS=dist-a,dist-b`` to ignore distributions. Every error below is an
``AttributeError``, so ``hasattr(hk, name)`` is safe whatever is installed.

Diagnose an installation with ``python -m haiku plugins`` or `describe`.
"""

from haiku._src.plugins import DISABLE_ENV
from haiku._src.plugins import GROUP
from haiku._src.plugins import HaikuPluginWarning
from haiku._src.plugins import IncompatiblePluginError
from haiku._src.plugins import KNOWN_PROVIDERS
from haiku._src.plugins import MissingPluginError
from haiku._src.plugins import PluginConflictError
from haiku._src.plugins import PluginError
from haiku._src.plugins import PluginInfo
from haiku._src.plugins import PluginLoadError
from haiku._src.plugins import describe as _describe
from haiku._src.plugins import reset as _reset

__all__ = [
    "DISABLE_ENV",
    "GROUP",
    "HaikuPluginWarning",
    "IncompatiblePluginError",
    "KNOWN_PROVIDERS",
    "MissingPluginError",
    "PluginConflictError",
    "PluginError",
    "PluginInfo",
    "PluginLoadError",
    "describe",
    "reset",
]


def describe(check: bool = False) -> list[PluginInfo]:
    """Lists the installed distributions that register haiku plugins.

    Works from metadata only: no plugin is imported unless `check` is true. Without
    `check`, a plugin is reported ``broken`` when its metadata is malformed, its module
    cannot be found, or loading one of its names already failed in this process.

    Args:
      check: also load every name (imports all plugins) and report failures.

    Returns:
      One `PluginInfo` per distribution, sorted by name: ``distribution``, ``version``,
      ``names`` (the attributes it adds to ``haiku``), ``status`` (one of ``"ok"``,
      ``"incompatible"``, ``"broken"``, ``"conflicting"``, ``"disabled"``) and
      ``detail`` (why the status is not ``"ok"``, one problem per line).

    >>> from haiku import plugins
    >>> rows = plugins.describe()
    >>> all(r.status in {"ok", "incompatible", "broken", "conflicting", "disabled"}
    ...     for r in rows)
    True
    >>> [r.names for r in rows if r.distribution == "haiku-nets"] in ([], [("nets",)])
    True
    """
    return _describe(check)


def reset() -> None:
    """Forgets the entry-point scan and every plugin object cached on ``haiku``.

    The next attribute access scans the installed distributions again, which picks up
    distributions added to ``sys.path`` or a changed ``HAIKU_DISABLE_PLUGINS``. Meant for
    tests; plugin modules already imported stay in ``sys.modules``.

    >>> import haiku as hk
    >>> from haiku import plugins
    >>> plugins.reset()
    >>> "transform" in dir(hk)
    True
    """
    _reset()
