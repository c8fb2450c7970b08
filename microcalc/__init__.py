"""microcalc: a scalar reverse-mode autograd engine, its neural networks and its language.

    from microcalc import Value          # micrograd's Value, and more
    from microcalc.nn import MLP

The engine is imported when first asked for, so that `microcalc --version` starts at once.
"""

import importlib

__version__ = "0.1.0"

_HOMES = {"Value": ".engine", "grad": ".engine", "gradcheck": ".engine",
          "recompute": ".engine", "DomainError": ".errors", "MicrocalcError": ".errors"}

__all__ = [*_HOMES, "__version__"]

TYPE_CHECKING = False      # for type checkers, what the lazy imports below give
if TYPE_CHECKING:
    from .engine import Value, grad, gradcheck, recompute
    from .errors import DomainError, MicrocalcError


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
