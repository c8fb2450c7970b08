"""What a running program hands to builtins: a way to show output, names and settings.

Output is a stream of `Event`s. The front end decides how each is shown: plain text in a
pipe, colour and live progress lines on a terminal, one JSON object per line with --json.
"""

from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass
class Event:
    kind: str          # "value" | "text" | "progress" | "note"  (see below)
    text: str          # what a terminal or pipe shows, no newline at the end; ANSI colour
                       # only when the Context's settings.color is set
    data: Any = None   # JSON-serialisable payload for --json
    # kinds:
    #   value    the result of a bare expression or graph assignment: text "-8", data {"value": -8.0}
    #   text     a multi-line picture or table (tree, explain, plots); data holds its structure
    #   progress a live status line (training); data["report"] is True on the lines a pipe keeps
    #   note     a remark about a result, e.g. "L does not depend on z": shown dim, on stderr in pipes


@dataclass
class Settings:
    color: bool = False    # may emit ANSI colour (only when the front end is on a terminal)
    ascii: bool = False    # draw with plain ASCII instead of Unicode box drawing
    width: int = 80        # columns available for pictures
    interactive: bool = False   # a person is watching (REPL): live progress, Ctrl-C returns


@dataclass
class Context:
    emit: Callable[[Event], None]
    settings: Settings = field(default_factory=Settings)
    # name_of(value) -> the variable name bound to that Value, or None (for labels)
    name_of: Callable[[Any], Optional[str]] = lambda value: None
    # the session's variables, name -> Value / list / model ...; read-only for builtins
    variables: dict = field(default_factory=dict)
    # watch(callback): call callback() after every later change of an input (:= or -=)
    watchers: list = field(default_factory=list)
    # the folder of the script being run, for file names relative to it; None for input
    # typed or piped in (those are relative to the current directory)
    directory: Optional[str] = None
