"""Library configuration: `hk.config.context` and `hk.config.set`.

The configuration is thread-local; a new thread starts from the values the main thread had
when the thread was first used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import inspect
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar


@dataclasses.dataclass
class Config:
    """The configurable options of haiku and their defaults."""

    check_jax_usage: bool = False
    module_auto_repr: bool = True
    restore_flatmap: bool = False
    rng_reserve_size: int = 1

    @classmethod
    def default(cls) -> Config:
        return cls()


_MAIN_CONFIG = Config()
_MAIN_THREAD = threading.main_thread()


class _ThreadConfig(threading.local):
    def __init__(self):
        super().__init__()
        if threading.current_thread() is _MAIN_THREAD:
            self.config = _MAIN_CONFIG
        else:
            self.config = dataclasses.replace(_MAIN_CONFIG)


_LOCAL = _ThreadConfig()


def get_config() -> Config:
    """Returns the configuration of the calling thread."""
    return _LOCAL.config


_F = TypeVar("_F", bound=Callable[..., Any])


def _hide_unknown(fn: _F) -> _F:
    """Drops the ``**unknown`` catch-all from the signature that ``inspect`` reports."""
    signature = inspect.signature(fn)
    known = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    fn.__signature__ = signature.replace(parameters=known)  # type: ignore[attr-defined]  # read by inspect
    return fn


def _validate(rng_reserve_size: int | None, unknown: dict[str, Any], fn: str) -> None:
    if unknown:
        valid = ", ".join(field.name for field in dataclasses.fields(Config))
        names = ", ".join(repr(name) for name in unknown)
        raise TypeError(
            f"hk.config.{fn} got unknown option(s) {names}. The valid options are: {valid}."
        )
    if rng_reserve_size is not None and (
        not isinstance(rng_reserve_size, int) or rng_reserve_size < 1
    ):
        raise ValueError(f"rng_reserve_size must be a positive integer, got {rng_reserve_size!r}.")


@_hide_unknown
def set(  # shadows a builtin, as dm-haiku's public name does
    *,
    check_jax_usage: bool | None = None,
    module_auto_repr: bool | None = None,
    restore_flatmap: bool | None = None,
    rng_reserve_size: int | None = None,
    **unknown: Any,
) -> None:
    """Sets configuration options permanently (for the calling thread).

    Only the options that are passed (not ``None``) change.

    >>> import haiku as hk
    >>> hk.config.set(module_auto_repr=False)
    >>> hk.config.get_config().module_auto_repr
    False
    >>> hk.config.set(module_auto_repr=True)
    """
    _validate(rng_reserve_size, unknown, "set")
    config = get_config()
    for key, value in (
        ("check_jax_usage", check_jax_usage),
        ("module_auto_repr", module_auto_repr),
        ("restore_flatmap", restore_flatmap),
        ("rng_reserve_size", rng_reserve_size),
    ):
        if value is not None:
            setattr(config, key, value)


@contextlib.contextmanager
@_hide_unknown
def context(
    *,
    check_jax_usage: bool | None = None,
    module_auto_repr: bool | None = None,
    restore_flatmap: bool | None = None,
    rng_reserve_size: int | None = None,
    **unknown: Any,
) -> Iterator[None]:
    """Context manager that overrides the options passed for the duration of a block.

    >>> import haiku as hk
    >>> with hk.config.context(rng_reserve_size=4):
    ...   print(hk.config.get_config().rng_reserve_size)
    4
    >>> hk.config.get_config().rng_reserve_size
    1
    """
    _validate(rng_reserve_size, unknown, "context")
    config = get_config()
    before = dataclasses.replace(config)
    set(
        check_jax_usage=check_jax_usage,
        module_auto_repr=module_auto_repr,
        restore_flatmap=restore_flatmap,
        rng_reserve_size=rng_reserve_size,
    )
    try:
        yield
    finally:
        for field in dataclasses.fields(Config):
            setattr(config, field.name, getattr(before, field.name))
