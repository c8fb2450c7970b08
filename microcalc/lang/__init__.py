"""The microcalc language: grammar, parser, compiler, and the library of everything it
offers. `Session` is what front ends talk to; it knows the whole language.

The parts load when first asked for, so that importing one of them (its errors, say) does
not load the parser.
"""

import importlib

_HOMES = {"Session": "session", "SourceError": "errors"}

__all__ = list(_HOMES)


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value
