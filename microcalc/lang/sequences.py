"""What the language can go through item by item: lists, and the examples of a data set.

A data set's example is [inputs, label]: `data[0]`, `len(data)` and
`for x, y in data { ... }` read it as they read a list of such pairs. Data sets are known
by their parts (inputs and labels), so the language needs nothing of the network library
to read one.
"""

__all__ = ["items_of"]


def items_of(value):
    """The items of a list or a data set, as a list or tuple; None for anything else."""
    if isinstance(value, (list, tuple)):
        return value
    inputs = getattr(value, "inputs", None)
    labels = getattr(value, "labels", None)
    if isinstance(inputs, list) and isinstance(labels, list) and hasattr(value, "n_features"):
        return [[list(row), label] for row, label in zip(inputs, labels)]
    return None
