"""Mixed precision: run modules under ``jmp`` policies.

While a method of a module with a policy runs:

* its (floating point) arguments go through ``policy.cast_to_compute``;
* parameters created meanwhile (by it or by submodules without a policy of their own) are
  created with ``policy.param_dtype``;
* parameters and state read meanwhile are cast with ``policy.cast_to_compute``;
* its result goes through ``policy.cast_to_output``.

Policies can be attached to a module class (as in dm-haiku), and, beyond dm-haiku, to a
module path (an exact ``module_name`` or a compiled regex that must match the whole
``module_name``) or to one module instance. The most specific wins:
**instance > path > class**. Among paths, an exact name wins over regexes, and among regexes
the one set last wins. ``__init__`` only sees class policies (the path and instance are not
known before ``super().__init__`` runs). Nested modules without a policy inherit the
enclosing module's casting of params and state; a nested policy replaces the outer one
for everything created or read inside it (values are cast once, with the innermost
policy, as in dm-haiku).

Policies are thread-local: a new thread starts without policies (as in dm-haiku). ``jmp``
is imported only when needed (``import haiku`` does not import it).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Union

from haiku._src.frame import frame_stack
from haiku._src.hooks import add_global_interceptor
from haiku._src.module import MethodContext, Module
from haiku._src.params import creator_scope, getter_scope

if TYPE_CHECKING:
    import jmp

__all__ = ["clear_policy", "current_policy", "get_policy", "push_policy", "set_policy"]

_INSTANCE_ATTR = "_hk_mixed_precision_policy"

PolicyTarget = Union[type, str, "re.Pattern[str]", Module]
"""What a policy is attached to: a Module subclass, a module path, a regex or an instance."""


class _Registry(threading.local):
    def __init__(self):
        super().__init__()
        self.classes: dict[Any, Any] = {}
        self.paths: dict[str, Any] = {}
        self.patterns: dict[re.Pattern, Any] = {}
        self.current: list[Any] = []


_REGISTRY = _Registry()
_INSTALL_LOCK = threading.Lock()
_installed = False


def _jmp():
    try:
        import jmp  # imported on first use
    except ImportError as e:
        raise ImportError(
            "hk.mixed_precision needs the `jmp` package: install it with "
            '`pip install "haiku-core[mixed-precision]"` (or `pip install jmp`).'
        ) from e
    return jmp


def _class_key(cls: type) -> Any:
    # Classes defined at module level are keyed by name, so re-executing their definition
    # (e.g. in a notebook) keeps the policy; local classes are keyed by the class object.
    if "<locals>" in cls.__qualname__:
        return cls
    return cls.__module__, cls.__qualname__


def _check_target(target: Any, fn: str) -> None:
    if isinstance(target, type):
        if not issubclass(target, Module):
            raise TypeError(
                f"hk.mixed_precision.{fn}: {target.__name__} is not an hk.Module subclass. "
                "Pass a Module class, a module path string, a compiled regex or a module."
            )
    elif not isinstance(target, (str, re.Pattern, Module)):
        raise TypeError(
            f"hk.mixed_precision.{fn}: cannot attach a policy to {target!r}. Pass a Module "
            "class (e.g. hk.Linear), a module path (e.g. 'encoder/~/linear_0'), a compiled "
            "regex (re.compile('encoder/.*')) or a module instance."
        )


def _as_policy(policy: Any) -> Any:
    if policy is None:
        raise ValueError(
            "hk.mixed_precision.set_policy: the policy is None; to remove a "
            "policy use hk.mixed_precision.clear_policy."
        )
    if isinstance(policy, str):
        return _jmp().get_policy(policy)
    if not all(hasattr(policy, a) for a in ("param_dtype", "cast_to_compute", "cast_to_output")):
        raise TypeError(
            f"hk.mixed_precision: expected a jmp.Policy (or a policy string such as "
            f"'p=f32,c=bf16,o=f32'), got {policy!r}."
        )
    return policy


def _table(target: Any) -> tuple[dict, Any]:
    """The registry dict a target lives in, and its key there."""
    if isinstance(target, type):
        return _REGISTRY.classes, _class_key(target)
    if isinstance(target, str):
        return _REGISTRY.paths, target
    return _REGISTRY.patterns, target


def _ensure_installed() -> None:
    global _installed
    if not _installed:
        with _INSTALL_LOCK:
            if not _installed:
                add_global_interceptor(_interceptor)
                _installed = True


def set_policy(target: PolicyTarget, policy: jmp.Policy | str) -> None:
    """Uses ``policy`` for every method call of the modules ``target`` designates.

    Args:
        target: A Module subclass (all its instances, but not its subclasses), a module path
            (exact ``module_name``, e.g. ``'encoder/~/linear_0'``), a compiled regex matched
            against the whole ``module_name``, or a module instance.
        policy: A ``jmp.Policy``, or a policy string for ``jmp.get_policy``.

    >>> import jax, jax.numpy as jnp, jmp
    >>> import haiku as hk
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     return x * hk.get_parameter("s", [], x.dtype, jnp.ones)
    >>> hk.mixed_precision.set_policy(Scale, jmp.get_policy("p=f32,c=bf16,o=f32"))
    >>> f = hk.transform(lambda x: Scale()(x))
    >>> params = f.init(None, jnp.ones([2]))
    >>> params["scale"]["s"].dtype, f.apply(params, None, jnp.ones([2])).dtype
    (dtype('float32'), dtype('float32'))
    >>> hk.mixed_precision.clear_policy(Scale)
    """
    _check_target(target, "set_policy")
    policy = _as_policy(policy)
    _ensure_installed()
    if isinstance(target, Module):
        object.__setattr__(target, _INSTANCE_ATTR, policy)
        return
    table, key = _table(target)
    table.pop(key, None)  # Re-setting a regex moves it to the end (highest priority).
    table[key] = policy


def get_policy(target: PolicyTarget) -> jmp.Policy | None:
    """The policy set for exactly ``target`` (see :func:`set_policy`), or ``None``.

    >>> import haiku as hk
    >>> hk.mixed_precision.get_policy("encoder/~/linear") is None
    True
    """
    _check_target(target, "get_policy")
    if isinstance(target, Module):
        return target.__dict__.get(_INSTANCE_ATTR)
    table, key = _table(target)
    return table.get(key)


def clear_policy(target: PolicyTarget) -> None:
    """Removes the policy set for ``target`` (no-op if there is none).

    >>> import haiku as hk
    >>> hk.mixed_precision.clear_policy("encoder")
    """
    _check_target(target, "clear_policy")
    if isinstance(target, Module):
        target.__dict__.pop(_INSTANCE_ATTR, None)
        return
    table, key = _table(target)
    table.pop(key, None)


def _running_instance_of(cls: type) -> bool:
    frames = frame_stack()
    if not frames:
        return False
    key = _class_key(cls)
    return any(
        scope.module is not None and _class_key(type(scope.module)) == key
        for scope in frames[-1].scopes
    )


@contextlib.contextmanager
def push_policy(target: PolicyTarget, policy: jmp.Policy | str) -> Iterator[None]:
    """Sets a policy for the duration of a ``with`` block, then restores the previous one.

    Raises:
        ValueError: If used inside a method of a module of the class being changed.

    >>> import jmp
    >>> import haiku as hk
    >>> with hk.mixed_precision.push_policy("encoder", jmp.get_policy("p=f32,c=bf16,o=f32")):
    ...   print(hk.mixed_precision.get_policy("encoder"))
    p=full,c=bf16,o=full
    >>> hk.mixed_precision.get_policy("encoder") is None
    True
    """
    _check_target(target, "push_policy")
    if isinstance(target, type) and _running_instance_of(target):
        raise ValueError(
            f"hk.mixed_precision.push_policy: cannot change the policy of {target.__name__} "
            "inside one of its own methods. Push the policy around the code that calls the "
            "module instead."
        )
    previous = get_policy(target)
    set_policy(target, policy)
    try:
        yield
    finally:
        if previous is None:
            clear_policy(target)
        else:
            set_policy(target, previous)


def current_policy() -> jmp.Policy | None:
    """The policy of the innermost running module method that has one, or ``None``.

    >>> import haiku as hk
    >>> print(hk.mixed_precision.current_policy())
    None
    """
    current = _REGISTRY.current
    return current[-1] if current else None


def _resolve(module: Module, method_name: str) -> Any:
    registry = _REGISTRY
    attrs = module.__dict__
    if method_name != "__init__" or "module_name" in attrs:
        policy = attrs.get(_INSTANCE_ATTR)
        if policy is not None:
            return policy
        if registry.paths or registry.patterns:
            module_name = attrs.get("module_name")
            if module_name is not None:
                policy = registry.paths.get(module_name)
                if policy is not None:
                    return policy
                for pattern in reversed(registry.patterns):
                    if pattern.fullmatch(module_name):
                        return registry.patterns[pattern]
    if registry.classes:
        return registry.classes.get(_class_key(type(module)))
    return None


def _creator(next_creator, shape, dtype, init, context):
    del dtype, context
    return next_creator(shape, _REGISTRY.current[-1].param_dtype, init)


def _getter(next_getter, value, context):
    del context
    return next_getter(_REGISTRY.current[-1].cast_to_compute(value))


def _interceptor(
    next_f: Callable[..., Any], args: tuple, kwargs: dict, context: MethodContext
) -> Any:
    policy = _resolve(context.module, context.method_name)
    if policy is None:
        return next_f(*args, **kwargs)
    args, kwargs = policy.cast_to_compute((args, kwargs))
    current = _REGISTRY.current
    # The creator and getter are installed once, by the outermost policied call, and use
    # the innermost policy: an f32 module inside a bf16 one reads its params in f32 only.
    outermost = not current
    current.append(policy)
    try:
        if outermost:
            with (
                creator_scope(_creator, params=True, state=False),
                getter_scope(_getter, params=True, state=True),
            ):
                out = next_f(*args, **kwargs)
        else:
            out = next_f(*args, **kwargs)
    finally:
        current.pop()
    return policy.cast_to_output(out)
