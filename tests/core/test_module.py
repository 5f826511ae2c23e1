"""hk.Module: protocols, naming and Deferred (issue #17 items 3, 4, 13)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import jax.numpy as jnp
import pytest

import haiku as hk


@runtime_checkable
class Encodes(Protocol):
    def encode(self, x): ...


class Encoder(hk.Module, Encodes):
    def encode(self, x):
        return x + hk.get_parameter("b", [], init=jnp.ones)


def test_module_may_implement_a_protocol():
    def f(x):
        enc = Encoder()
        return enc.encode(x), isinstance(enc, Encodes), isinstance(enc, hk.ModuleProtocol)

    out, is_encodes, is_module = hk.transform(f).apply({"encoder": {"b": jnp.ones([])}}, None, 1.0)
    assert (float(out), is_encodes, is_module) == (2.0, True, True)


def test_haiku_protocols_must_be_subclassed_as_protocols():
    with pytest.raises(TypeError, match="Protocol"):

        class Bad(hk.SupportsCall):
            pass

    class Good(hk.ModuleProtocol, Protocol):
        pass


def test_force_name_reserves_the_name():
    def f():
        forced = hk.Module(name=hk.force_name("foo")).module_name
        return forced, hk.Module(name="foo").module_name

    assert hk.transform(f).apply({}, None) == ("foo", "foo_1")


class Child(hk.Module):
    pass


class Parent(hk.Module):
    @hk.name_like("__call__")
    def __init__(self, name=None):
        super().__init__(name=name)
        self.child = Child()


def test_name_like_on_init():
    assert hk.transform(lambda: Parent().child.module_name).apply({}, None) == "parent/child"


def test_forced_name_scope():
    def f():
        with hk.name_scope(hk.force_name("a/b")):
            return Child().module_name

    assert hk.transform(f).apply({}, None) == "a/b/child"


class Sized(hk.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.size = 3

    def __call__(self, x):
        return x * self.size


def test_deferred_forwards_attributes_once_built():
    def f():
        d = hk.Deferred(Sized)
        with pytest.raises(AttributeError, match="size"):
            d.size  # noqa: B018 - not built yet.
        assert d(2.0) == 6.0
        d.size = 5
        assert d.target.size == 5 and d.size == 5
        d.extra = 1
        del d.extra
        assert not hasattr(d.target, "extra")
        return repr(d), str(d)

    assert hk.transform(f).apply({}, None) == ("Deferred(Sized())", "Deferred(Sized())")


def test_inspect_signature_of_a_module_class_is_its_constructor_without_self():
    import inspect

    class Sized(hk.Module):
        def __init__(self, size: int, name=None):
            super().__init__(name=name)

    assert str(inspect.signature(Sized)) == "(size: 'int', name=None)"
    assert list(inspect.signature(hk.Module).parameters) == ["name"]


def test_name_scope_outside_a_transform_fails_when_created():
    with pytest.raises(ValueError, match="name_scope.*must be used as part of an `hk.transform`"):
        hk.name_scope("foo")


def test_to_module_call_has_the_function_docstring():
    def documented():
        """Really great docs."""

    cls = hk.to_module(documented)
    assert cls.__doc__ == cls.__call__.__doc__ == "Really great docs."

    def undocumented():
        pass

    cls = hk.to_module(undocumented)  # as dm-haiku 0.0.17
    assert cls.__doc__ == "Module produced by `hk.to_module`."
    assert cls.__call__.__doc__ is None
