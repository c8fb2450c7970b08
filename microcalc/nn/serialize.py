"""Saving a model's parameters to a JSON file and loading them back into a model.

The file names every parameter (`layer0.neuron3.w1`) next to its value, and says which
model it came from, so loading it into a network of another shape fails with a message
that shows both shapes instead of silently mixing numbers up:

    {"format": "microcalc-parameters", "version": 1, "model": "MLP(2, [16, 16, 1])",
     "parameters": {"layer0.neuron0.w0": 0.2364..., ...}}
"""

from __future__ import annotations

import json
import math

from ..errors import MicrocalcError

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import TypeVar
    from .modules import Module
    M = TypeVar("M", bound=Module)

__all__ = ["save", "load", "FORMAT"]

FORMAT = "microcalc-parameters"
VERSION = 1


def _describe(model):
    describe = getattr(model, "describe", None)
    return describe() if describe else type(model).__name__


def save(model: Module, path: str) -> str:
    """Write model's parameters to path as JSON; returns the path."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": _describe(model),
        "parameters": {name: p.data for name, p in model.named_parameters()},
    }
    try:
        with open(path, "w") as f:
            json.dump(document, f, indent=1)
            f.write("\n")
    except OSError as exc:
        raise MicrocalcError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def load(model: M, path: str) -> M:
    """Set model's parameters from a file written by save(); returns the model.

    Everything is checked before anything is changed: a file that does not fit leaves the
    model as it was.
    """
    try:
        with open(path) as f:
            document = json.load(f)
    except FileNotFoundError:
        raise MicrocalcError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise MicrocalcError(f"{path} is a directory, not a parameter file") from None
    except json.JSONDecodeError as exc:
        raise MicrocalcError(f"{path} is not JSON (line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MicrocalcError(f"cannot read {path}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT \
            or not isinstance(document.get("parameters"), dict):
        raise MicrocalcError(f"{path} is not a microcalc parameter file "
                             f"(written by save)")
    if document.get("version") != VERSION:
        raise MicrocalcError(f"{path} has parameter file version {document.get('version')!r};"
                             f" this microcalc reads version {VERSION}")
    saved = document["parameters"]
    named = model.named_parameters()
    if list(saved) != [name for name, _ in named]:
        raise MicrocalcError(
            f"{path} holds {len(saved)} parameters of {document.get('model', 'a model')}, "
            f"which does not fit this {_describe(model)} with {len(named)} parameters")
    values = []
    for name, value in saved.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise MicrocalcError(f"{path}: parameter {name} is not a finite number: {value!r}")
        values.append(float(value))
    for (_, p), value in zip(named, values):
        p.data = value
        p.grad = 0.0
    return model
