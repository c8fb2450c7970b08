"""The one error type microcalc raises for bad input, and its positioned variant."""


class MicrocalcError(Exception):
    """Any error a user can cause: front ends print it as one line, never a traceback."""


class DomainError(MicrocalcError):
    """An operation was given operands outside its domain, or its result overflowed."""

    def __init__(self, op_name, operands, reason):
        self.op_name = op_name
        self.operands = tuple(operands)
        self.reason = reason
        shown = ", ".join(_short(x) for x in self.operands)
        super().__init__(f"{op_name}({shown}): {reason}")


def _short(x):
    """Shortest round-tripping text of a number: 2 rather than 2.0."""
    x = float(x)
    return str(int(x)) if x.is_integer() and abs(x) < 1e16 else repr(x)
