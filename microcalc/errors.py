"""The errors microcalc raises for bad input: one base class, and the domain errors of
operations."""

from .text import shortest


class MicrocalcError(Exception):
    """Any error a user can cause: front ends print it as one line, never a traceback."""


class DomainError(MicrocalcError):
    """An operation was given operands outside its domain, or its result overflowed."""

    def __init__(self, op_name, operands, reason):
        self.op_name = op_name
        self.operands = tuple(operands)
        self.reason = reason
        shown = ", ".join(shortest(x) for x in self.operands)
        super().__init__(f"{op_name}({shown}): {reason}")

