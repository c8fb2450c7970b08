"""The microcalc language: parser, evaluator, builtins and the Session front ends use."""

from .errors import SourceError
from .session import Session

__all__ = ["Session", "SourceError"]
