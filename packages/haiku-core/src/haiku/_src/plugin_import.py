"""Import-system hook for plugin names: ``from haiku import Linear``, ``import haiku.nets``.

CPython turns an AttributeError raised by a module ``__getattr__`` during
``from haiku import X`` into a generic "cannot import name" ImportError and drops the
helpful message. Before it gives up, though, it tries to import ``haiku.X`` as a
submodule. `AliasFinder` sits at the end of ``sys.meta_path`` (so real submodules such
as ``haiku.initializers`` are always found first) and answers for those names:

* a missing, broken, incompatible or conflicting plugin name raises ``ImportError`` with
  the registry's message (the `PluginError` is kept as ``__cause__``);
* a module-valued plugin (``my_nets = "my_package.nets"``) is aliased, so ``import
  haiku.my_nets`` and ``from haiku.my_nets import Net`` give the plugin's own module object.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Callable
from typing import Any


class AliasLoader(importlib.abc.Loader):
    """Loads ``haiku.<name>`` as an alias of an already imported plugin module."""

    def __init__(self, module: types.ModuleType, on_load: Callable[[], None]):
        self._module = module
        self._spec = module.__spec__
        self._on_load = on_load

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self._module

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system overwrote __spec__ with the alias spec: restore the real one
        # so that importlib.resources, pickle and reload keep working on the plugin.
        module.__spec__ = self._spec
        self._on_load()


class AliasFinder(importlib.abc.MetaPathFinder):
    """Meta-path finder answering ``<package>.<plugin name>`` imports.

    Args:
      package: the package whose attributes come from plugins (``"haiku"``).
      resolve: returns the attribute ``name`` of `package`, or raises AttributeError
        (a `PluginError` subclass when there is something useful to say).
      on_alias: called with ``(name, fullname)`` when an alias module is installed.
      error_type: the registry's PluginError base class.
    """

    def __init__(
        self,
        package: str,
        resolve: Callable[[str], Any],
        on_alias: Callable[[str, str], None],
        error_type: type[AttributeError],
    ):
        self.package = package
        self._prefix = package + "."
        self._resolve = resolve
        self._on_alias = on_alias
        self._error_type = error_type

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(self._prefix):
            return None
        name = fullname[len(self._prefix) :]
        if "." in name or name.startswith("_"):
            return None
        try:
            obj = self._resolve(name)
        except self._error_type as err:
            raise ImportError(str(err), name=fullname) from err
        except AttributeError:
            return None
        if not isinstance(obj, types.ModuleType):
            return None
        loader = AliasLoader(obj, lambda: self._on_alias(name, fullname))
        return importlib.machinery.ModuleSpec(fullname, loader)

    def install(self) -> None:
        """Appends this finder to ``sys.meta_path``, or replaces one for the same package
        where it stands (``importlib.reload``)."""
        mine = [
            i
            for i, f in enumerate(sys.meta_path)
            if isinstance(f, AliasFinder) and f.package == self.package
        ]
        if mine:
            sys.meta_path[mine[0]] = self
            for i in reversed(mine[1:]):
                del sys.meta_path[i]
        else:
            sys.meta_path.append(self)

    def uninstall(self) -> None:
        """Removes every AliasFinder for this finder's package from ``sys.meta_path``."""
        sys.meta_path[:] = [
            f
            for f in sys.meta_path
            if not (isinstance(f, AliasFinder) and f.package == self.package)
        ]
