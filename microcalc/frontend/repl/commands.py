"""The REPL's own commands. They start with ':' so they can never clash with the language.

Each is registered once in `COMMANDS` (the completer and `:help` read the same table). A
command shows its output through the display as events, like everything else, and reports
a problem by raising MicrocalcError.
"""

import difflib
import re
import shlex
import textwrap
from dataclasses import dataclass
from typing import Callable, Optional

from ...engine import Value
from ...errors import MicrocalcError
from ...lang.context import Event
from ...lang.format import format_value
from ...lang.library import BUILTINS


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    doc: str
    argument: Optional[str]     # None, "name" (optional) or "file" (required)
    run: Callable               # run(session, display, argument_text)


COMMANDS = {}


class QuitRepl(Exception):
    """Raised by :quit to leave the loop."""


def command(name, usage, doc, argument=None):
    def register(run):
        COMMANDS[name] = Command(name, usage, doc, argument, run)
        return run
    return register


def run_command(line, session, display):
    """Run one line that starts with ':'."""
    name, argument = re.fullmatch(r":(\S*)\s*(.*)", line.strip(), re.DOTALL).groups()
    if name not in COMMANDS:
        raise MicrocalcError(f"unknown command :{name}{_suggestion(name, COMMANDS)}; "
                             f"type :help for the list")
    COMMANDS[name].run(session, display, argument)


@command("help", ":help [NAME]", "list every builtin, or explain one", argument="name")
def _help(session, display, argument):
    if argument:
        display.show(Event("text", _help_on(argument.lstrip(":")), {"help": argument}))
    else:
        display.show(Event("text", _overview(), {"help": None}))


@command("vars", ":vars", "list your variables and functions with their values")
def _vars(session, display, argument):
    _no_argument("vars", argument)
    names = session.names()
    if not names:
        display.message("no variables yet: try  x = 2")
        return
    described = {name: _describe(session, name) for name in names}
    width = max(len(name) for name in names)
    lines = [f"{name.ljust(width)}  {described[name]}" for name in names]
    display.show(Event("text", "\n".join(lines), {"vars": described}))


@command("reset", ":reset", "forget every variable and function")
def _reset(session, display, argument):
    _no_argument("reset", argument)
    session.reset()
    display.message("session reset")


@command("load", ":load FILE", "run a .mg script in this session", argument="file")
def _load(session, display, argument):
    from ..sources import read_source   # the same reader, and messages, as `microcalc FILE`
    path = _one_path("load", argument)
    session.run(read_source(path), filename=path, emit=display.show)


@command("save", ":save FILE", "write this session as a .mg script", argument="file")
def _save(session, display, argument):
    path = _one_path("save", argument)
    script = session.to_script()
    try:
        with open(path, "w", encoding="utf-8") as file:
            file.write(script)
    except OSError as exc:
        raise MicrocalcError(f"cannot write {path}: {exc.strerror or exc}") from None
    display.message(f"saved to {path}")


@command("export", ":export FILE", "write this session, every input with what it showed, "
         "as a page to hand out (FILE.html) or Markdown (FILE.md)", argument="file")
def _export(session, display, argument):
    from ..lesson import Transcript, export
    path = _one_path("export", argument)
    transcript = Transcript.of(display)
    if transcript is None:
        raise MicrocalcError(":export writes what the REPL showed, and nothing was recorded")
    blocks = transcript.blocks
    if blocks and blocks[-1][0] == "input" and blocks[-1][1].startswith("mc> :export"):
        blocks = blocks[:-1]             # the :export itself is not part of the session
    inputs = sum(1 for kind, _ in blocks if kind == "input")
    kind = export(blocks, path)
    display.message(f"exported {inputs} {'input' if inputs == 1 else 'inputs'} to {path} "
                    f"({kind})")


@command("quit", ":quit", "leave microcalc (Ctrl-D does too)")
def _quit(session, display, argument):
    raise QuitRepl


def _describe(session, name):
    if name in session.functions:
        return str(session.functions[name])       # its definition, as written
    value = session.variables[name]
    text = format_value(value)
    if isinstance(value, Value):
        text += "  (graph)" if value.operands else "  (input)"
    return text


def _overview():
    by_category = {}
    for entry in BUILTINS.values():
        by_category.setdefault(entry.category, []).append(entry)
    width = min(max(len(entry.signature) for entry in BUILTINS.values()), 28)
    lines = ["Builtins, by category (:help NAME for one):"]
    for category in sorted(by_category):
        lines.append(f"  {category}")
        for entry in sorted(by_category[category], key=lambda entry: entry.name):
            if len(entry.signature) > width:     # a long signature gets a line of its own
                lines.append(f"    {entry.signature}")
                lines.append(f"    {'':{width}}  {entry.summary}")
            else:
                lines.append(f"    {entry.signature:{width}}  {entry.summary}")
    lines.append("REPL commands:")
    usage_width = max(len(c.usage) for c in COMMANDS.values())
    for name in sorted(COMMANDS):
        lines.append(f"    {COMMANDS[name].usage.ljust(usage_width)}  {COMMANDS[name].doc}")
    return "\n".join(lines)


def _help_on(name):
    if name in BUILTINS:
        entry = BUILTINS[name]
        lines = [f"{entry.signature}    ({entry.category} {entry.kind})",
                 *textwrap.wrap(entry.doc, 88, initial_indent="  ", subsequent_indent="  ")]
        if entry.example:
            lines.append("example:")
            lines.extend("  " + line for line in entry.example.splitlines())
        return "\n".join(lines)
    if name in COMMANDS:
        return f"{COMMANDS[name].usage}\n  {COMMANDS[name].doc}"
    known = {**BUILTINS, **COMMANDS}
    raise MicrocalcError(f"no help for {name!r}{_suggestion(name, known)}")


def _suggestion(name, known):
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _no_argument(name, argument):
    if argument:
        raise MicrocalcError(f":{name} takes no argument")


def _one_path(name, argument):
    try:
        words = shlex.split(argument)
    except ValueError as exc:
        raise MicrocalcError(f":{name} FILE: {exc}") from None
    if len(words) != 1:
        raise MicrocalcError(f"usage: :{name} FILE")
    return words[0]
