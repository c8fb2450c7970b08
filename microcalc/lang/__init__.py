"""The microcalc language: grammar, parser, compiler, and the library of everything it
offers. `Session` is what front ends talk to; it knows the whole language.

The parts load when first asked for, so that importing one of them (its errors, say) does
not load the parser.
"""

from ..lazy import lazy_names

_HOMES = {"Session": "session", "SourceError": "errors"}

__all__ = list(_HOMES)


__getattr__, __dir__ = lazy_names(__name__, _HOMES)
