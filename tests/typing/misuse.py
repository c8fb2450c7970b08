"""Mistakes mypy must find with microcalc's type hints (each line marked E: is one)."""

from microcalc import Value
from microcalc.nn import MLP, moons
from microcalc.render import tree

x = Value("two")                     # E: a Value of a string
name: str = Value(1.0).data          # E: data is a float
Value(1.0).backward(retain=True)     # E: backward takes no argument
net = MLP(2, 16)                     # E: the layer sizes are a list
data = moons(noise="high")           # E: noise is a number
picture: int = tree(Value(1.0))      # E: a picture is text
