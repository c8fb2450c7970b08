"""A package's names imported when first asked for (PEP 562), so that importing the package
costs nothing until one of them is used: `microcalc --version` loads no engine, a piped
one-liner no training."""

import importlib
import sys


def lazy_names(package, homes):
    """The module-level `__getattr__` and `__dir__` of package (its `__name__`), whose names
    live in the modules homes gives ({"Value": "engine"}: name -> module in the package)."""
    def __getattr__(name):
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(f".{homes[name].lstrip('.')}", package)
        value = getattr(module, name)
        setattr(module_of_package(), name, value)      # asked once, then a plain attribute
        return value

    def module_of_package():
        return sys.modules[package]

    def __dir__():
        return sorted(set(vars(module_of_package())) | set(homes))

    return __getattr__, __dir__
