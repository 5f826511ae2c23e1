"""Test helpers for code that uses haiku."""

from __future__ import annotations

from haiku._src.testing import transform_and_run as transform_and_run

__all__ = ["transform_and_run"]
