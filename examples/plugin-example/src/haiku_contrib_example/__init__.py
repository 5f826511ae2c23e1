"""haiku-contrib-example: a third-party haiku plugin adding ``hk.ResidualBlock``.

Import it from here for typed code, or use it as ``hk.ResidualBlock`` once installed.

>>> from haiku_contrib_example import ResidualBlock
>>> ResidualBlock.__name__
'ResidualBlock'
"""

from haiku_contrib_example.residual import ResidualBlock as ResidualBlock

__version__ = "0.1.0"
__all__ = ["ResidualBlock"]
