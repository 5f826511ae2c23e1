"""Module naming (haiku/_src/naming.py): default names, scopes, numbering and errors.

Checkpoints are keyed by these names, so every expectation is dm-haiku 0.0.17's.
"""

from __future__ import annotations

import jax.numpy as jnp
import pytest

import haiku as hk


class Leaf(hk.Module):
    def __call__(self, x):
        return x * hk.get_parameter("w", [], init=jnp.ones)


class HTTPConv2DBlock(hk.Module):
    pass


def _names(f, *args) -> list[str]:
    params = hk.transform(f).init(None, *args)
    return list(params)


def test_default_name_is_the_class_name_in_snake_case():
    def f():
        return Leaf().module_name, HTTPConv2DBlock().module_name

    assert hk.transform(f).apply({}, None) == ("leaf", "http_conv2_d_block")


def test_modules_of_one_scope_are_numbered_in_creation_order():
    def f(x):
        for _ in range(3):
            x = Leaf()(x)
        return x

    assert _names(f, 1.0) == ["leaf", "leaf_1", "leaf_2"]


def test_numbering_starts_again_in_every_transform_and_every_call():
    def f(x):
        return Leaf()(x)

    assert _names(f, 1.0) == _names(f, 1.0) == ["leaf"]


def test_children_are_named_after_the_method_that_creates_them():
    class Parent(hk.Module):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.made_in_init = Leaf()

        def __call__(self, x):
            return Leaf()(self.made_in_init(x))

        def encode(self, x):
            return Leaf()(x)

    def f(x):
        parent = Parent()
        return parent.encode(parent(x))

    assert _names(f, 1.0) == ["parent/~/leaf", "parent/leaf", "parent/~encode/leaf"]


def test_explicit_names_and_numbers():
    def f(x):
        x = Leaf(name="encoder")(x)
        x = Leaf(name="leaf_3")(x)  # an explicit number is used as is ...
        x = Leaf()(x)  # ... and automatic numbers continue after it
        return Leaf()(x)

    assert _names(f, 1.0) == ["encoder", "leaf_3", "leaf_4", "leaf_5"]


def test_the_same_explicit_number_twice_is_an_error():
    def f(x):
        return Leaf(name="leaf_1")(Leaf(name="leaf_1")(x))

    with pytest.raises(ValueError, match="'leaf_1' is not unique"):
        hk.transform(f).init(None, 1.0)


@pytest.mark.parametrize("name", ["1st", "a-b", "with space", ""])
def test_invalid_names_are_rejected(name):
    with pytest.raises(ValueError, match="not a valid module name"):
        hk.transform(lambda: Leaf(name=name)).init(None)


def test_name_scope_prefixes_parameters_and_modules():
    def f(x):
        with hk.name_scope("block"):
            x = Leaf()(x)
            return x * hk.get_parameter("b", [], init=jnp.ones)

    params = hk.transform(f).init(None, 1.0)
    assert {m: list(p) for m, p in params.items()} == {"block/leaf": ["w"], "block": ["b"]}


def test_name_and_module_name_of_a_nested_module():
    class Outer(hk.Module):
        def __call__(self):
            inner = Leaf(name="inner")
            return inner.module_name, inner.name

    assert hk.transform(lambda: Outer()()).apply({}, None) == ("outer/inner", "inner")
