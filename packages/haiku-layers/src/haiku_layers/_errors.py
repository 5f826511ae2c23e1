"""Exception types that match dm-haiku's and keep our own documented base (private).

dm-haiku 0.0.17 reports several layer misuses with the exception its internals happen to
raise (an ``IndexError`` for an axis out of range, an ``AttributeError`` for an unknown
``lookup_style``, ...). Users catch those types, so we raise the same type; each class
also derives from the type our clear message was documented with, so both
``except IndexError`` and ``except ValueError`` keep working. The first base is
dm-haiku's type.

>>> issubclass(IndexValueError, IndexError), issubclass(IndexValueError, ValueError)
(True, True)
"""

from __future__ import annotations


class IndexValueError(IndexError, ValueError):
    """An axis or rank that does not exist in the input (dm-haiku: IndexError)."""


class AttributeValueError(AttributeError, ValueError):
    """An unknown enum-like option, e.g. ``lookup_style`` (dm-haiku: AttributeError)."""


class AttributeTypeError(AttributeError, TypeError):
    """An argument of the wrong structure, e.g. an array given as an ``LSTMState``
    (dm-haiku: AttributeError)."""


class ZeroDivisionValueError(ZeroDivisionError, ValueError):
    """A zero group count or rank (dm-haiku: ZeroDivisionError)."""


class ValueTypeError(ValueError, TypeError):
    """An input dtype or padding kind a layer cannot use (dm-haiku: ValueError)."""


class RuntimeValueError(RuntimeError, ValueError):
    """An unknown convolution padding string (dm-haiku: RuntimeError)."""


class TypeValueError(TypeError, ValueError):
    """A shape or argument jax rejects, e.g. an impossible reshape (dm-haiku: TypeError)."""


class AssertionValueError(AssertionError, ValueError):
    """A pooling window/stride longer than the input rank (dm-haiku: AssertionError)."""
