"""microcalc: a scalar reverse-mode autograd engine, its neural networks and its language."""

from .engine import Value, grad, gradcheck, recompute
from .errors import DomainError, MicrocalcError

__version__ = "0.1.0"
__all__ = ["Value", "grad", "gradcheck", "recompute", "DomainError", "MicrocalcError",
           "__version__"]
