"""``hk.Deferred``: build a module later, named as if it had been built now."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast

from haiku._src.frame import current_frame

T = TypeVar("T")


class Deferred(Generic[T]):
    """Defers building a module until its first call (or ``.target``).

    The factory runs in the scope that was current when the ``Deferred`` was created, so the
    module gets the name it would have had if built then. Once built, getting, setting and
    deleting other attributes act on the module; ``repr``/``str`` build it.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   with hk.name_scope("foo"):
    ...     lazy = hk.Deferred(lambda: hk.Module(name="example"))
    ...   return lazy.target.module_name
    >>> hk.transform(f).apply({}, None)
    'foo/example'
    >>> def g():
    ...   lazy = hk.Deferred(lambda: hk.Module(name="example"))
    ...   return lazy.target is not None and lazy.module_name  # forwarded to the module
    >>> hk.transform(g).apply({}, None)
    'example'
    """

    def __init__(self, factory: Callable[[], T], call_methods: Sequence[str] = ("__call__",)):
        if not callable(factory):
            raise TypeError(f"hk.Deferred needs a factory callable, got {factory!r}.")
        frame = current_frame("hk.Deferred")
        self._factory = factory
        self._frame = frame
        self._scopes = list(frame.scopes)
        self._target: T | None = None
        self._call_methods = tuple(call_methods)
        for method_name in self._call_methods:
            if method_name != "__call__":
                setattr(self, method_name, self._forward(method_name))

    def _forward(self, method_name: str) -> Callable[..., Any]:
        def method(*args, **kwargs):
            return getattr(self.target, method_name)(*args, **kwargs)

        return method

    @property
    def target(self) -> T:
        """The module, built on first access."""
        target = self._target
        if target is None:
            frame = current_frame("hk.Deferred.target")
            if frame is not self._frame:
                raise ValueError(
                    "hk.Deferred can only build its module inside the same init/apply call in "
                    "which the Deferred was created."
                )
            saved = frame.scopes
            frame.scopes = self._scopes
            try:
                target = self._factory()
            finally:
                frame.scopes = saved
            self._target = target
        return target

    def __call__(self, *args, **kwargs):
        if "__call__" not in self._call_methods:
            raise TypeError("This hk.Deferred was created without '__call__' in call_methods.")
        # call_methods promises a callable module.
        return cast(Callable[..., Any], self.target)(*args, **kwargs)

    def __str__(self) -> str:
        return f"Deferred({self.target})"

    def __repr__(self) -> str:
        return f"Deferred({self.target!r})"

    # Only reached for names the Deferred itself does not have.
    def __getattr__(self, name: str) -> Any:
        target = self.__dict__.get("_target")
        if target is not None and name != "_target":
            return getattr(target, name)
        raise AttributeError(
            f"'{type(self).__name__}' object has no attribute '{name}' (its module is built on "
            "first call or `.target`; attributes are forwarded to it after that)."
        )

    def __setattr__(self, name: str, value: Any) -> None:
        target = self.__dict__.get("_target")
        if target is not None and name != "_target":
            setattr(target, name, value)
        else:
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        target = self.__dict__.get("_target")
        if target is not None and name != "_target" and name not in self.__dict__:
            delattr(target, name)
        else:
            object.__delattr__(self, name)
