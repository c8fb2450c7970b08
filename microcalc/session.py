"""A language session with every builtin loaded: the one the front ends and docs use.

The language layer knows only its own and the engine's builtins; the layers that plug into
it (neural networks, graph rendering) register theirs when imported, so importing them here,
at the top, is what wires the whole program together.
"""

from .lang import Session
from .lang import nn_builtins  # noqa: F401  (registers mlp, moons, train, ...)
from .render import commands  # noqa: F401  (registers tree, dot, explain, check, watch, ...)


def new_session(settings=None):
    return Session(settings)
