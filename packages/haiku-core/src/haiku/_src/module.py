"""``hk.Module``: naming, scoping of method calls, interceptors and name scopes.

A metaclass wraps each public method (and ``__call__``) of a Module subclass once, at class
creation. A wrapped call pushes one :class:`~haiku._src.frame.Scope` on the frame, opens a
``jax.named_scope`` for profiler and HLO names, and runs interceptors only when some are
installed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import types
from collections.abc import Callable, Iterator, Mapping
from typing import (
    Any,
    ClassVar,
    NamedTuple,
    Protocol,
    runtime_checkable,
)

import jax

from haiku._src import config as _config
from haiku._src import hooks, naming
from haiku._src.errors import NotInTransformError
from haiku._src.frame import OUTSIDE_TRANSFORM_HINT, Scope, current_frame, frame_stack
from haiku._src.hooks import HOOKS


class MethodContext(NamedTuple):
    """What an interceptor (see :func:`intercept_methods`) learns about a method call.

    ``orig_method`` is the method bound to ``module``; ``orig_class`` is the class that
    defines it. Constructors are intercepted too (``method_name == "__init__"``).

    >>> import haiku as hk
    >>> def trace(next_f, args, kwargs, context):
    ...   print(context.orig_class.__name__, context.method_name)
    ...   return next_f(*args, **kwargs)
    >>> class Double(hk.Module):
    ...   def __call__(self, x):
    ...     return 2 * x
    >>> def f(x):
    ...   with hk.intercept_methods(trace):
    ...     return Double()(x)
    >>> hk.transform(f).apply({}, None, 1.5)
    Double __init__
    Double __call__
    3.0
    """

    module: Module
    method_name: str
    orig_method: Callable[..., Any]
    orig_class: type


def _intercepted_call(
    method: Callable, method_name: str, module: Module, orig_class: type, args: tuple, kwargs: dict
) -> Any:
    interceptors = hooks.GLOBAL_INTERCEPTORS + tuple(HOOKS.interceptors)
    bound = functools.partial(method, module)
    context = MethodContext(module, method_name, bound, orig_class)

    def call(index: int, args: tuple, kwargs: dict) -> Any:
        if index == len(interceptors):
            return bound(*args, **kwargs)
        next_f = lambda *a, **k: call(index + 1, a, k)  # noqa: E731
        return interceptors[index](next_f, args, kwargs, context)

    return call(0, args, kwargs)


def _register_with_parents(module: Module, scopes: list[Scope]) -> None:
    name = module.module_name
    for scope in scopes[1:]:
        parent = scope.module
        if parent is not module:
            parent._submodules.add(name)


def _not_in_transform(module: Module, method_name: str) -> NotInTransformError:
    return NotInTransformError(
        f"{type(module).__name__}.{method_name} was called outside of an `hk.transform`: "
        "haiku modules can only be used inside the function you transform. "
        f"{OUTSIDE_TRANSFORM_HINT}"
    )


def _wrap_method(method_name: str, method: Callable) -> Callable:
    scope_name = getattr(method, "_hk_name_like", method_name)
    extra_scope = None if method_name == "__call__" else method_name

    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        frames = frame_stack()
        if not frames:
            raise _not_in_transform(self, method_name)
        scopes = frames[-1].scopes
        scopes.append(Scope(self, scope_name))
        try:
            name = self.name if extra_scope is None else f"{self.name}/{extra_scope}"
            with jax.named_scope(name):
                if hooks.GLOBAL_INTERCEPTORS or HOOKS.interceptors:
                    out = _intercepted_call(
                        method,
                        method_name,
                        self,
                        wrapped._hk_orig_class,  # type: ignore[attr-defined]  # set below
                        args,
                        kwargs,
                    )
                else:
                    out = method(self, *args, **kwargs)
        finally:
            scopes.pop()
        if len(scopes) > 1:
            _register_with_parents(self, scopes)
        return out

    wrapped._hk_wrapped = True  # type: ignore[attr-defined]  # functions take attributes
    # The class defining the method (interceptors are told it); the metaclass sets it
    # once the class exists.
    wrapped._hk_orig_class = None  # type: ignore[attr-defined]  # as above
    return wrapped


def _wrappable(key: str, value: Any) -> bool:
    if key.startswith("__") and key.endswith("__") and key != "__call__":
        return False
    return isinstance(value, types.FunctionType) and not getattr(value, "_hk_transparent", False)


class ModuleMetaclass(type(Protocol)):  # type: ignore[misc]  # a computed base class
    """Wraps methods at class creation and runs ``__init__`` inside a module scope.

    It derives from the metaclass of ``typing.Protocol`` (itself an ``abc.ABCMeta``), so a
    module may also implement a protocol: ``class M(hk.Module, SomeProtocol)``.
    """

    def __new__(mcs, name: str, bases: tuple, clsdict: dict):
        is_base = not any(isinstance(b, ModuleMetaclass) for b in bases)
        # A module implementing a protocol is a concrete class, not a protocol itself.
        clsdict.setdefault("_is_protocol", False)
        wrapped_fns = []
        if not is_base:
            for key, value in list(clsdict.items()):
                if _wrappable(key, value):
                    clsdict[key] = _wrap_method(key, value)
                    wrapped_fns.append(clsdict[key])
                elif isinstance(value, property):
                    fns: list[Any] = [  # getter, setter, deleter (or None)
                        f
                        if f is None or not isinstance(f, types.FunctionType)
                        else _wrap_method(key, f)
                        for f in (value.fget, value.fset, value.fdel)
                    ]
                    wrapped_fns.extend(f for f in fns if getattr(f, "_hk_wrapped", False))
                    fget, fset, fdel = fns
                    clsdict[key] = property(fget, fset, fdel, doc=value.__doc__)
        cls = super().__new__(mcs, name, bases, clsdict)
        for fn in wrapped_fns:
            if fn._hk_orig_class is None:
                fn._hk_orig_class = cls
        cls._hk_default_name = naming.camel_to_snake(name)
        # `@hk.name_like("__call__")` on __init__ names its submodules `parent/child`.
        cls._hk_init_scope = getattr(cls.__init__, "_hk_name_like", "__init__")
        cls._hk_repr_checked = False
        return cls

    @property
    def __signature__(cls) -> inspect.Signature | None:
        """``inspect.signature(ModuleClass)``: the constructor's arguments, without ``self``."""
        init_signature = _init_signature(cls)
        if init_signature is None:
            return None
        return init_signature.replace(parameters=list(init_signature.parameters.values())[1:])

    def __call__(cls: type[Module], *args, **kwargs):
        frames = frame_stack()
        if not frames:
            raise NotInTransformError(
                f"All `hk.Module`s must be initialized inside an `hk.transform`: "
                f"{cls.__name__}(...) was constructed outside of one. Construct modules inside "
                "the function you transform, e.g. `def f(x): return hk.Linear(10)(x)`."
            )
        if not cls.__dict__.get("_hk_repr_checked", False):
            _adopt_auto_repr(cls)
        module = (
            cls.__new__(cls) if cls.__new__ is object.__new__ else cls.__new__(cls, *args, **kwargs)
        )
        if cls.AUTO_REPR and _config.get_config().module_auto_repr:
            module.__dict__["_hk_ctor_args"] = (args, kwargs)
        scopes = frames[-1].scopes
        scopes.append(Scope(module, cls._hk_init_scope))
        try:
            if hooks.GLOBAL_INTERCEPTORS or HOOKS.interceptors:
                _intercepted_call(cls.__init__, "__init__", module, cls, args, kwargs)
            else:
                cls.__init__(module, *args, **kwargs)
            if "module_name" not in module.__dict__:
                if dataclasses.is_dataclass(cls):
                    Module.__init__(module, name=module.__dict__.get("name"))
                else:
                    raise ValueError(
                        f"{cls.__name__}.__init__ did not call the super constructor. Add "
                        "`super().__init__(name=name)` as the first line of your constructor."
                    )
        finally:
            scopes.pop()
        if len(scopes) > 1:
            _register_with_parents(module, scopes)
        return module


def _adopt_auto_repr(cls: type[Module]) -> None:
    # A dataclass module gets the dataclass-generated __repr__; haiku prints the same
    # non-default-argument repr for dataclass modules as for the others.
    if dataclasses.is_dataclass(cls):
        repr_fn = cls.__dict__.get("__repr__")
        code = getattr(getattr(repr_fn, "__wrapped__", repr_fn), "__code__", None)
        # dataclasses compiles the methods it generates from source text, so their code
        # comes from "<string>" while a __repr__ the user wrote has a real file; a
        # marker set when the class body is built would miss `dataclass(slots=True)`,
        # which rebuilds the class with the generated __repr__ in its body.
        if code is not None and code.co_filename == "<string>":
            cls.__repr__ = Module.__repr__
    cls._hk_repr_checked = True


@functools.cache
def _init_signature(cls: type[Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return None


def _differs(value: Any, default: Any) -> bool:
    if value is default:
        return False
    try:
        return bool(value != default)
    except Exception:  # Arrays and other values without a boolean comparison.
        return True


def auto_repr(cls: type, args: tuple, kwargs: dict) -> str:
    """``ClassName(arg=value, ...)`` listing the constructor arguments that are not defaults."""
    signature = _init_signature(cls)
    if signature is None:
        return f"{cls.__name__}(...)"
    try:
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return f"{cls.__name__}(...)"
    parts: list[str] = []
    for i, (key, value) in enumerate(bound.arguments.items()):
        if i == 0:
            continue  # self
        param = signature.parameters[key]
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            parts.extend(repr(v) for v in value)
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            parts.extend(f"{k}={v!r}" for k, v in value.items())
        elif param.default is inspect.Parameter.empty or _differs(value, param.default):
            parts.append(f"{key}={value!r}")
    return f"{cls.__name__}({', '.join(parts)})"


class Module(metaclass=ModuleMetaclass):
    """Base class for haiku modules: named, parameter-owning pieces of a model.

    Subclasses call ``super().__init__(name=name)`` first in their constructor, then create
    parameters with :func:`haiku.get_parameter` in their methods. Modules must be built and
    called inside a transformed function.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     s = hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)
    ...     return x * s
    >>> f = hk.transform(lambda x: Scale()(x))
    >>> params = f.init(None, jnp.ones([2, 3]))
    >>> jax.tree.map(jnp.shape, params)
    {'scale': {'s': (3,)}}
    """

    AUTO_REPR: ClassVar[bool] = True
    module_name: str
    name: str

    def __init__(self, name: str | None = None):
        if name is None:
            name = type(self)._hk_default_name
        elif not isinstance(name, str):
            raise TypeError(f"The name of a {type(self).__name__} must be a string, got {name!r}.")
        frame = current_frame(f"Constructing {type(self).__name__}")
        scopes = frame.scopes
        if name.startswith(naming.FORCE_PREFIX):
            module_name = name[len(naming.FORCE_PREFIX) :]
            naming.validate_name(module_name, forced=True)
            caller = scopes[-2] if len(scopes) > 1 and scopes[-1].module is self else scopes[-1]
            naming.reserve_forced_name(caller, module_name)
        else:
            if "/" in name:
                raise ValueError(
                    f"'{name}' is not a valid module name: it must be a single Python "
                    "identifier. For a nested name use `hk.name_scope`, or "
                    "`hk.force_name` for an absolute path."
                )
            naming.validate_name(name)
            caller = scopes[-2] if len(scopes) > 1 and scopes[-1].module is self else scopes[-1]
            if caller.module is not None and "module_name" not in caller.module.__dict__:
                raise ValueError(
                    f"{type(caller.module).__name__} created a submodule before calling its "
                    "super constructor. Call `super().__init__(name=name)` first in __init__."
                )
            module_name = naming.reserve_module_name(caller, name)
        self.module_name = module_name
        self.name = module_name.rsplit("/", 1)[-1]
        self._submodules: set[str] = set()
        self._hk_frame_serial = frame.serial

    def __post_init__(self) -> None:
        # Dataclass modules: the generated __init__ calls this after setting the fields.
        if "module_name" not in self.__dict__:
            Module.__init__(self, name=self.__dict__.get("name"))

    def __repr__(self) -> str:
        ctor = self.__dict__.get("_hk_ctor_args")
        if ctor is None:
            return object.__repr__(self)
        return auto_repr(type(self), *ctor)

    def _bundles_of(self, which: str) -> dict[str, Any]:
        frame = current_frame(f"{type(self).__name__}.{which}_dict()")
        prefix = self.module_name + "/"
        submodules = self._submodules
        out = {}
        for bundle_name, bundle in getattr(
            frame, "params" if which == "params" else "state"
        ).items():
            if (
                bundle_name == self.module_name
                or bundle_name.startswith(prefix)
                or bundle_name in submodules
            ):
                for name, value in bundle.items():
                    out[f"{bundle_name}/{name}"] = value if which == "params" else value.current
        return out

    def params_dict(self) -> Mapping[str, jax.Array]:
        """The parameters of this module and its submodules, as ``{'mod/sub/w': value}``."""
        return self._bundles_of("params")

    def state_dict(self) -> Mapping[str, jax.Array]:
        """The current state of this module and its submodules, as ``{'mod/sub/s': value}``."""
        return self._bundles_of("state")


class _StrictProtocol(Protocol):
    """A protocol whose subclasses must be protocols too (list ``Protocol`` as a base)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if Protocol not in cls.__bases__:
            bases = ", ".join(b.__name__ for b in cls.__bases__)
            raise TypeError(
                f"{cls.__name__} subclasses a haiku Protocol without being a Protocol. "
                "Modules satisfy hk.ModuleProtocol/hk.SupportsCall structurally: subclass "
                "hk.Module instead, or declare a protocol explicitly with "
                f"`class {cls.__name__}({bases}, Protocol)`."
            )


@runtime_checkable
class ModuleProtocol(_StrictProtocol, Protocol):
    """What tools may rely on for any module-like object (usable with ``isinstance``).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> class Bias(hk.Module):
    ...   def __call__(self, x):
    ...     return x + hk.get_parameter("b", x.shape, init=jnp.zeros)
    >>> def describe(m: hk.ModuleProtocol) -> str:
    ...   return f"{m.module_name} owns {sorted(m.params_dict())}"
    >>> def f(x):
    ...   bias = Bias()
    ...   y = bias(x)
    ...   print(isinstance(bias, hk.ModuleProtocol), describe(bias))
    ...   return y
    >>> params = hk.transform(f).init(None, jnp.zeros([2]))
    True bias owns ['bias/b']
    """

    @property
    def name(self) -> str: ...

    @property
    def module_name(self) -> str: ...

    def params_dict(self) -> Mapping[str, jax.Array]: ...

    def state_dict(self) -> Mapping[str, jax.Array]: ...


@runtime_checkable
class SupportsCall(ModuleProtocol, Protocol):
    """A :class:`ModuleProtocol` that is also callable (usable with ``isinstance``).

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> class Table(hk.Module):
    ...   def lookup(self, i):
    ...     return hk.get_parameter("t", [4], init=jnp.zeros)[i]
    >>> class Bias(hk.Module):
    ...   def __call__(self, x):
    ...     return x + hk.get_parameter("b", x.shape, init=jnp.zeros)
    >>> def f():
    ...   print(isinstance(Table(), hk.SupportsCall), isinstance(Bias(), hk.SupportsCall))
    >>> params = hk.transform(f).init(None)
    False True
    """

    def __call__(self, *args, **kwargs) -> Any: ...


def transparent(method: Callable) -> Callable:
    """Decorates a module method so that it runs in the caller's scope.

    Modules and parameters created inside a transparent method are named as if the caller
    created them, e.g. a projection helper of ``mha`` creating ``hk.Linear(name="query")``
    gives ``mha/query`` instead of ``mha/~_project/query``.

    >>> import haiku as hk
    >>> class Outer(hk.Module):
    ...   def __call__(self, x):
    ...     return self._helper(x)
    ...   @hk.transparent
    ...   def _helper(self, x):
    ...     return hk.Module(name="inner").module_name
    >>> hk.transform(lambda: Outer()(1)).apply({}, None)
    'outer/inner'
    """
    method._hk_transparent = True  # type: ignore[attr-defined]  # functions take attributes
    return method


def name_like(method_name: str) -> Callable[[Callable], Callable]:
    """Names submodules created in the decorated method as if created in ``method_name``.

    >>> import haiku as hk
    >>> class Net(hk.Module):
    ...   def __call__(self):
    ...     return hk.Module(name="m").module_name
    ...   @hk.name_like("__call__")
    ...   def encode(self):
    ...     return hk.Module(name="m").module_name
    >>> hk.transform(lambda: Net().encode()).apply({}, None)
    'net/m'
    """
    if not isinstance(method_name, str):
        raise TypeError(f"hk.name_like takes the name of a method, got {method_name!r}.")

    def decorator(method: Callable) -> Callable:
        method._hk_name_like = method_name  # type: ignore[attr-defined]  # functions take attributes
        return method

    return decorator


def force_name(name: str) -> str:
    """Returns a name that makes a module take exactly ``name``, ignoring enclosing scopes.

    Two modules given the same forced name share parameters.

    >>> import haiku as hk
    >>> def f():
    ...   with hk.name_scope("outer"):
    ...     return hk.Module(name=hk.force_name("shared/block")).module_name
    >>> hk.transform(f).apply({}, None)
    'shared/block'
    """
    return naming.FORCE_PREFIX + name


@contextlib.contextmanager
def intercept_methods(interceptor: Callable[..., Any]) -> Iterator[None]:
    """Calls ``interceptor(next_f, args, kwargs, context)`` around every module method.

    Interceptors run for all wrapped methods, including ``__init__``, outermost first.

    >>> import haiku as hk
    >>> calls = []
    >>> def log(next_f, args, kwargs, context):
    ...   calls.append(context.method_name)
    ...   return next_f(*args, **kwargs)
    >>> class M(hk.Module):
    ...   def __call__(self, x):
    ...     return x
    >>> def f():
    ...   with hk.intercept_methods(log):
    ...     return M()(1)
    >>> hk.transform(f).apply({}, None), calls
    (1, ['__init__', '__call__'])
    """
    if not callable(interceptor):
        raise TypeError(f"hk.intercept_methods needs a callable, got {interceptor!r}.")
    stack = HOOKS.interceptors
    stack.append(interceptor)
    try:
        yield
    finally:
        stack.pop()


class NameScopeModule(Module):
    """The module :func:`name_scope` creates for each part of its name."""


class name_scope:  # noqa: N801 - dm-haiku's public name (used like a function)
    """Context manager that opens a named scope, as if inside a module's method.

    Scopes are numbered like modules, can be nested with ``"a/b"``, and each object can be
    entered only once.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f():
    ...   with hk.name_scope("block"):
    ...     return hk.get_parameter("w", [], init=jnp.zeros)
    >>> list(hk.transform(f).init(None))
    ['block']
    """

    def __init__(self, name: str, *, method_name: str = "__call__"):
        if not isinstance(name, str) or not name:
            raise ValueError(f"hk.name_scope needs a non-empty name, got {name!r}.")
        if name.startswith("/") or name.endswith("/"):
            raise ValueError(
                f"hk.name_scope name {name!r} is invalid: Name scopes must not start with / "
                "or end with /, they are always relative. Use hk.force_name for an absolute "
                "module name."
            )
        current_frame("hk.name_scope()")  # outside a transform: raise now, as dm-haiku
        if name.startswith(naming.FORCE_PREFIX):
            self._parts = [name]  # An absolute name: one scope, validated by the Module.
        else:
            for part in name.split("/"):
                naming.validate_name(part)
            self._parts = name.split("/")
        self._method_name = method_name
        self._entered = False
        self._scopes: list[Scope] | None = None
        self._pushed: list[Scope] = []

    def __enter__(self) -> None:
        if self._entered:
            raise ValueError(
                "This hk.name_scope object was already used: name_scope is not reusable. "
                "Create a new one, e.g. `with hk.name_scope('x'):` each time."
            )
        self._entered = True
        scopes = current_frame("hk.name_scope()").scopes
        self._scopes = scopes
        for part in self._parts:
            scope = Scope(NameScopeModule(name=part), self._method_name)
            scopes.append(scope)
            self._pushed.append(scope)

    def __exit__(self, *exc_info) -> None:
        scopes = self._scopes
        for scope in reversed(self._pushed):
            if not scopes or scopes[-1] is not scope:
                raise ValueError(
                    "hk.name_scope exited out of order: name scopes must be nested, not "
                    "interleaved."
                )
            scopes.pop()
        self._pushed = []


def current_name() -> str:
    """The name parameters created now are stored under: a module name, or ``'~'``.

    >>> import haiku as hk
    >>> def f():
    ...   with hk.name_scope("block"):
    ...     return hk.current_name()
    >>> hk.transform(f).apply({}, None)
    'block'
    >>> hk.transform(hk.current_name).apply({}, None)
    '~'
    """
    return current_frame("hk.current_name()").current_name()
