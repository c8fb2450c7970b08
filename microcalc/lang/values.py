"""Values the language hands to builtins, beyond numbers, lists and strings."""

from collections import namedtuple

from .format import format_number


# A `grad(...)` written as an argument of a command (`explain grad(L, a)`). Commands receive
# this instead of numbers so that they can see the graph: output is the Value differentiated,
# wrt the Values it is differentiated with respect to (for `grad(L)`, every named input of
# L), text the source text of the call.
GradQuery = namedtuple("GradQuery", "output wrt text")


class Gradients:
    """The answer to grad(L): every named input of L with its gradient, one per line."""

    def __init__(self, names, gradients):
        self.names = list(names)
        self.gradients = list(gradients)

    def items(self):
        return zip(self.names, self.gradients)

    def __len__(self):
        return len(self.names)

    def __str__(self):
        return "\n".join(f"{name}: {format_number(_number(g))}" for name, g in self.items())

    def to_data(self):
        return {"gradients": {name: _number(g) for name, g in self.items()}}


def _number(x):
    return float(getattr(x, "data", x))
