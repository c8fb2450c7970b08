"""microcalc: a scalar reverse-mode autograd engine, its neural networks and its language.

    from microcalc import Value          # micrograd's Value, and more
    from microcalc.nn import MLP

The engine is imported when first asked for, so that `microcalc --version` starts at once.
"""

from .lazy import lazy_names

__version__ = "0.1.0"

_HOMES = {"Value": ".engine", "grad": ".engine", "gradcheck": ".engine",
          "recompute": ".engine", "DomainError": ".errors", "MicrocalcError": ".errors"}

__all__ = [*_HOMES, "__version__"]

TYPE_CHECKING = False      # for type checkers, what the lazy imports below give
if TYPE_CHECKING:
    from .engine import Value, grad, gradcheck, recompute
    from .errors import DomainError, MicrocalcError


__getattr__, __dir__ = lazy_names(__name__, _HOMES)
