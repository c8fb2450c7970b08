"""The errors microcalc raises for bad input: one base class, and the domain errors of
operations."""

from .text import shortest


class MicrocalcError(Exception):
    """Any error a user can cause: front ends print it as one line, never a traceback."""


class DomainError(MicrocalcError):
    """An operation was given operands outside its domain, or its result overflowed.

    The engine raises one of its three kinds below, each also the exception Python itself
    raises for the same mistake, so code written for micrograd (`except ZeroDivisionError`,
    `except ArithmeticError`) still catches it.
    """

    def __init__(self, op_name, operands, reason):
        self.op_name = op_name
        self.operands = tuple(operands)
        self.reason = reason
        shown = ", ".join(shortest(x) for x in self.operands)
        super().__init__(f"{op_name}({shown}): {reason}")

    def __reduce__(self):
        return (self.__class__, (self.op_name, self.operands, self.reason))


class DivisionByZero(DomainError, ZeroDivisionError):
    """A division by zero, or zero to a negative power."""


class Overflow(DomainError, OverflowError):
    """A result, or a derivative, too large for a float."""


class Undefined(DomainError, ValueError):
    """An operand outside the domain (log of a negative number), or a number that is not one."""
