"""Thread-local stacks of user hooks: creators, getters, setters and method interceptors.

They are kept in one ``threading.local`` so that a hot path pays for a single lookup to
learn that no hook is installed (the common case).
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class _Hooks(threading.local):
    def __init__(self):
        super().__init__()
        self.param_creators: list[Callable] = []
        self.state_creators: list[Callable] = []
        self.param_getters: list[Callable] = []
        self.state_getters: list[Callable] = []
        self.state_setters: list[Callable] = []
        self.interceptors: list[Callable] = []
        self.lift_prefixes: list[str] = []


HOOKS = _Hooks()

# Interceptors installed for every thread (``haiku.extend.add_global_interceptor``), e.g.
# by mixed precision. A tuple, replaced (never mutated) under the lock, so that the hot
# path reads ``hooks.GLOBAL_INTERCEPTORS`` without locking.
GLOBAL_INTERCEPTORS: tuple[Callable, ...] = ()
_GLOBAL_LOCK = threading.Lock()


def add_global_interceptor(interceptor: Callable) -> Callable[[], None]:
    """Installs a method interceptor for all threads; returns a function removing it.

    The interceptor has the signature of :func:`haiku.intercept_methods`'s
    (``next_f, args, kwargs, context``). Unlike ``intercept_methods``, whose effect is limited
    to the ``with`` block of one thread, it stays until removed and also sees modules called
    in other threads (mixed precision policies work this way).

    >>> import threading
    >>> import haiku as hk
    >>> from haiku import extend
    >>> calls = []
    >>> def log_calls(next_f, args, kwargs, context):
    ...   calls.append(f"{context.orig_class.__name__}.{context.method_name}")
    ...   return next_f(*args, **kwargs)
    >>> class Double(hk.Module):
    ...   def __call__(self, x):
    ...     return 2 * x
    >>> model = hk.transform(lambda x: Double()(x))
    >>> remove = extend.add_global_interceptor(log_calls)
    >>> worker = threading.Thread(target=model.apply, args=({}, None, 1.0))
    >>> worker.start(); worker.join()
    >>> remove()
    >>> model.apply({}, None, 1.0)  # no longer intercepted
    2.0
    >>> calls
    ['Double.__init__', 'Double.__call__']
    """
    global GLOBAL_INTERCEPTORS
    with _GLOBAL_LOCK:
        GLOBAL_INTERCEPTORS = GLOBAL_INTERCEPTORS + (interceptor,)

    def remove() -> None:
        global GLOBAL_INTERCEPTORS
        with _GLOBAL_LOCK:
            current = list(GLOBAL_INTERCEPTORS)
            if interceptor in current:
                current.remove(interceptor)
            GLOBAL_INTERCEPTORS = tuple(current)

    return remove


def lift_prefix() -> str:
    """The prefix lifted parameters carry in outer transforms (``''`` when not lifting)."""
    prefixes = HOOKS.lift_prefixes
    return "".join(p + "/" for p in prefixes if p) if prefixes else ""
