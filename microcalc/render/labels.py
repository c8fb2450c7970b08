"""What a node is called in a picture: its variable name, its op, or its number."""

from collections.abc import Mapping

from .style import number


def namer(names):
    """names (a callable Value -> name or None, a mapping, or None) as one lookup that also
    falls back on a node's own `.label` (set by Python API users, as in micrograd)."""
    if names is None:
        lookup = None
    elif isinstance(names, Mapping):
        lookup = names.get
    elif callable(names):
        lookup = names
    else:
        raise TypeError("names must be a mapping or a callable from Value to name")

    def name_of(value):
        name = lookup(value) if lookup is not None else None
        return name or value.label or None

    return name_of


def op_text(value):
    """The op that made value as it is written: "*", "tanh"; "" for an input."""
    return str(value.op) if value.op else ""


def node_text(value, name_of):
    """A node's short name: its variable name, else its op, else (an unnamed input) its number."""
    return name_of(value) or op_text(value) or number(value.data)
