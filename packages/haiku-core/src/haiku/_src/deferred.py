"""``hk.Deferred``: build a module later, named as if it had been built now."""

from __future__ import annotations

from typing import Any, Callable, Generic, Sequence, TypeVar

from haiku._src.frame import current_frame

T = TypeVar("T")


class Deferred(Generic[T]):
    """Defers building a module until its first call (or ``.target``).

    The factory runs in the scope that was current when the ``Deferred`` was created, so the
    module gets the name it would have had if built then.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   with hk.name_scope("foo"):
    ...     lazy = hk.Deferred(lambda: hk.Module(name="example"))
    ...   return lazy.target.module_name
    >>> hk.transform(f).apply({}, None)
    'foo/example'
    """

    def __init__(self, factory: Callable[[], T], call_methods: Sequence[str] = ("__call__",)):
        if not callable(factory):
            raise TypeError(f"hk.Deferred needs a factory callable, got {factory!r}.")
        frame = current_frame("hk.Deferred")
        self._factory = factory
        self._frame = frame
        self._scopes = list(frame.scopes)
        self._target = None
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
        if self._target is None:
            frame = current_frame("hk.Deferred.target")
            if frame is not self._frame:
                raise ValueError(
                    "hk.Deferred can only build its module inside the same init/apply call in "
                    "which the Deferred was created.")
            saved = frame.scopes
            frame.scopes = self._scopes
            try:
                self._target = self._factory()
            finally:
                frame.scopes = saved
        return self._target

    def __call__(self, *args, **kwargs):
        if "__call__" not in self._call_methods:
            raise TypeError("This hk.Deferred was created without '__call__' in call_methods.")
        return self.target(*args, **kwargs)
