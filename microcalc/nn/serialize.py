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
from ..files import read_limited, write_atomically

TYPE_CHECKING = False      # typing is not imported when microcalc runs
if TYPE_CHECKING:
    from typing import TypeVar
    from .modules import Module
    M = TypeVar("M", bound=Module)

__all__ = ["save", "load", "FORMAT"]

FORMAT = "microcalc-parameters"
VERSION = 1
# How much of a text from the file a message shows (a "model" field could be a megabyte).
_SHOWN = 60


def _describe(model):
    describe = getattr(model, "describe", None)
    return describe() if describe else type(model).__name__


def save(model: Module, path: str) -> str:
    """Write model's parameters to path as JSON, atomically (microcalc.files): a failed or
    interrupted save leaves the file that was there. Returns the path."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "model": _describe(model),
        "parameters": {name: p.data for name, p in model.named_parameters()},
    }
    write_atomically(path, json.dumps(document, indent=1) + "\n")
    return path


def load(model: M, path: str) -> M:
    """Set model's parameters from a file written by save(); returns the model.

    Everything is checked before anything is changed: a file that does not fit leaves the
    model as it was.
    """
    document = _read(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT \
            or not isinstance(document.get("parameters"), dict):
        raise MicrocalcError(f"{path} is not a microcalc parameter file "
                             f"(written by save)")
    if document.get("version") != VERSION:
        raise MicrocalcError(f"{path} has parameter file version "
                             f"{_clipped(document.get('version'))}; this microcalc reads "
                             f"version {VERSION}")
    saved = document["parameters"]
    named = model.named_parameters()
    if list(saved) != [name for name, _ in named]:
        raise MicrocalcError(
            f"{path} holds {len(saved)} parameters of "
            f"{_clipped(document.get('model', 'a model'), quoted=False)}, "
            f"which does not fit this {_describe(model)} with {len(named)} parameters")
    values = []
    for name, value in saved.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise MicrocalcError(f"{path}: parameter {name} is not a finite number: "
                                 f"{_clipped(value)}")
        values.append(float(value))
    for (_, p), value in zip(named, values):
        p.data = value
        p.grad = 0.0
    return model


class _NotANumber(ValueError):
    """A number JSON allows but a parameter cannot be (NaN, Infinity, 5,000 digits)."""


def _number(text):
    value = float(text)          # a whole number too: no int of unbounded length
    if not math.isfinite(value):
        raise _NotANumber(text)
    return value


def _constant(name):
    raise _NotANumber(name)


def _read(path):
    """The JSON document in path. Numbers are read as floats: a 5,000-digit one is too large,
    not a reason to change Python's limits."""
    data = read_limited(path)
    try:
        return json.loads(data.decode("utf-8-sig"), parse_int=_number, parse_float=_number,
                          parse_constant=_constant)
    except UnicodeDecodeError as exc:
        raise MicrocalcError(f"cannot read {path}: not UTF-8 (byte 0x{data[exc.start]:02x} "
                             f"at offset {exc.start})") from None
    except _NotANumber as exc:
        raise MicrocalcError(f"{path} holds a number that is not finite: "
                             f"{_clipped(str(exc), quoted=False)}") from None
    except json.JSONDecodeError as exc:
        raise MicrocalcError(f"{path} is not JSON (line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg})") from None
    except RecursionError:
        raise MicrocalcError(f"{path} is not a microcalc parameter file: its JSON is "
                             f"nested too deeply") from None


def _clipped(value, quoted=True):
    """A value from the file, as a message shows it: at most _SHOWN characters."""
    plain = not quoted and isinstance(value, str) and value.isprintable()
    text = value if plain else json.dumps(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
