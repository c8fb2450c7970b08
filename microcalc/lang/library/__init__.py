"""Everything the language offers, in one list.

Each module below registers its builtins in `registry.BUILTINS` when imported; this list of
imports is the whole library. A module that needs a heavy part of microcalc (networks,
pictures) imports it inside its builtins, on first use.
"""

from . import math          # tanh, exp, log, ...: every op of the engine called by name
from . import basics        # len, value, round
from . import calculus      # grad
from . import nn            # mlp, the data sets, train, predict, accuracy, save, load, ...
from . import graphs        # tree, dot, explain, check, watch, unwatch, plot, boundary
from . import teaching      # backward, table, sliders
from .registry import BUILTINS, COMMANDS, Builtin

__all__ = ["BUILTINS", "COMMANDS", "Builtin"]
