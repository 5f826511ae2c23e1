"""Configuration of haiku (``hk.config``)."""

from haiku._src.config import context as context
from haiku._src.config import get_config as get_config
from haiku._src.config import set as set  # pylint: disable=redefined-builtin

__all__ = ["context", "set"]
