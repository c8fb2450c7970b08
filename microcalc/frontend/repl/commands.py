"""The REPL's own commands. They start with ':' so they can never clash with the language.

Each is registered once in `COMMANDS` (the completer and `:help` read the same table), in the
order of this file: a prefix names the first command it fits (`:h` is :help, `:q` is :quit),
so the everyday commands come first. A command is called as `run(repl, argument_text)`, where
`repl` is the running `Repl` (its session, display, history, pager and editor); it shows its
output through the display as events, like everything else, and reports a problem by raising
MicrocalcError.
"""

import difflib
import re
import shlex
from dataclasses import dataclass
from typing import Callable, Optional

from ...engine import Value
from ...errors import MicrocalcError
from ...files import write_atomically
from ...lang.context import Event
from ...lang.format import format_value
from ...text import significant
from ..help import help_on, overview

__all__ = ["COMMANDS", "Command", "QuitRepl", "command", "find_command", "run_command"]


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    doc: str
    argument: Optional[str]     # None, "name" (optional) or "file" (required)
    run: Callable               # run(repl, argument_text)


COMMANDS = {}


class QuitRepl(Exception):
    """Raised by :quit to leave the loop."""


def command(name, usage, doc, argument=None):
    def register(run):
        COMMANDS[name] = Command(name, usage, doc, argument, run)
        return run
    return register


def find_command(name):
    """The Command a typed name means: its whole name, or the first command (in the order
    of COMMANDS) that it is a prefix of. None if there is none."""
    if name in COMMANDS:
        return COMMANDS[name]
    return next((found for full, found in COMMANDS.items() if name and full.startswith(name)),
                None)


def run_command(line, repl):
    """Run one line that starts with ':'."""
    name, argument = re.fullmatch(r":(\S*)\s*(.*)", line.strip(), re.DOTALL).groups()
    found = find_command(name)
    if found is None:
        raise MicrocalcError(f"unknown command :{name}{_suggestion(name, COMMANDS)}; "
                             f"type :help for the list")
    found.run(repl, argument)


@command("help", ":help [NAME]", "an overview; or explain a builtin, a statement (:help repeat, "
         ":help :=, :help operators) or a command (:help :save)", argument="name")
def _help(repl, argument):
    width = repl.display.width
    name = argument.strip()
    if name:
        text = help_on(name, width, COMMANDS, repl.session)
    else:
        text = overview(width, COMMANDS)
    repl.page(text, {"help": name or None})


@command("quit", ":quit", "leave microcalc (so do quit, exit and Ctrl-D)")
def _quit(repl, argument):
    raise QuitRepl


@command("vars", ":vars", "list your variables and functions with their values")
def _vars(repl, argument):
    _no_argument("vars", argument)
    session = repl.session
    names = session.names()
    if not names:
        repl.display.message("no variables yet: try  x = 2")
        return
    described = {name: _describe(session, name, repl.display.digits) for name in names}
    width = max(len(name) for name in names)
    lines = [f"{name.ljust(width)}  {described[name]}" for name in names]
    repl.display.show(Event("text", "\n".join(lines), {"vars": described}))


@command("history", ":history [N]", "show the last N inputs (20 unless N is given)")
def _history(repl, argument):
    count = _count(argument, "history", default=20)
    entries = repl.past_inputs()[-count:] if count else []
    if not entries:
        repl.display.message("no history yet")
        return
    first = len(repl.past_inputs()) - len(entries) + 1
    width = len(str(first + len(entries)))
    lines = []
    for number, text in enumerate(entries, start=first):
        continued = text.split("\n")
        lines.append(f"{number:>{width}}  {continued[0]}")
        lines += [f"{'':>{width}}  {line}" for line in continued[1:]]
    repl.display.show(Event("text", "\n".join(lines), {"history": entries}))


@command("edit", ":edit [NAME]", "edit the last input, or your function NAME, in $EDITOR; "
         "the result comes back to the prompt (so does Ctrl-X Ctrl-E for the current input)",
         argument="name")
def _edit(repl, argument):
    name = argument.strip()
    if name:
        if name not in repl.session.functions:
            known = ", ".join(repl.session.functions) or "none yet"
            raise MicrocalcError(f":edit NAME edits one of your functions ({known}), and "
                                 f"{name!r} is not one")
        text = str(repl.session.functions[name])
    else:
        past = [entry for entry in repl.past_inputs() if not entry.lstrip().startswith(":")]
        text = past[-1] if past else ""
    repl.prefill(repl.edit_in_editor(text))


@command("digits", ":digits [N]", "show results to N significant digits; :digits 0 shows "
         "every digit again")
def _digits(repl, argument):
    if argument.strip():
        digits = _count(argument, "digits", default=0, most=17)
        repl.display.digits = digits or None
    shown = repl.display.digits
    repl.display.message(f"results are shown to {shown} significant digits" if shown
                         else "results are shown with every digit")


@command("reset", ":reset", "forget every variable and function")
def _reset(repl, argument):
    _no_argument("reset", argument)
    repl.session.reset()
    repl.display.message("session reset")


@command("load", ":load FILE", "run a .mg script in this session", argument="file")
def _load(repl, argument):
    from ..sources import read_source   # the same reader, and messages, as `microcalc FILE`
    path = _one_path("load", argument)
    repl.session.run(read_source(path), filename=path, emit=repl.display.show)


@command("save", ":save FILE", "write this session as a .mg script", argument="file")
def _save(repl, argument):
    path = _one_path("save", argument)
    script = repl.session.to_script()
    write_atomically(path, script)
    repl.display.message(f"saved to {path}")


@command("export", ":export FILE", "write this session, every input with what it showed, "
         "as a page to hand out (FILE.html) or Markdown (FILE.md)", argument="file")
def _export(repl, argument):
    from ..lesson import Transcript, export
    path = _one_path("export", argument)
    transcript = Transcript.of(repl.display)
    if transcript is None:
        raise MicrocalcError(":export writes what the REPL showed, and nothing was recorded")
    blocks = transcript.blocks
    if blocks and blocks[-1][0] == "input" and blocks[-1][1].lstrip().startswith(
            ("mc> :export", "mc> :ex")):
        blocks = blocks[:-1]             # the :export itself is not part of the session
    inputs = sum(1 for kind, _ in blocks if kind == "input")
    kind = export(blocks, path)
    repl.display.message(f"exported {inputs} {'input' if inputs == 1 else 'inputs'} to {path} "
                         f"({kind})")


@command("clear", ":clear", "clear the screen (so does clear, and Ctrl-L)")
def _clear(repl, argument):
    _no_argument("clear", argument)
    repl.clear_screen()


def _describe(session, name, digits=None):
    if name in session.functions:
        return str(session.functions[name])       # its definition, as written
    value = session.variables[name]
    if digits and isinstance(value, (Value, float, int)) and not isinstance(value, bool):
        text = significant(getattr(value, "data", value), digits)
    else:
        text = format_value(value)
    if isinstance(value, Value):
        text += "  (graph)" if value.operands else "  (input)"
    return text


def _suggestion(name, known):
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean :{close[0]}?)" if close else ""


def _no_argument(name, argument):
    if argument.strip():
        raise MicrocalcError(f":{name} takes no argument")


def _count(argument, name, default, most=None):
    text = argument.strip()
    if not text:
        return default
    if not text.isdigit() or (most is not None and int(text) > most):
        limit = f" from 0 to {most}" if most is not None else ""
        raise MicrocalcError(f":{name} takes a whole number{limit}, not {text!r}")
    return int(text)


def _one_path(name, argument):
    try:
        words = shlex.split(argument)
    except ValueError as exc:
        raise MicrocalcError(f":{name} FILE: {exc}") from None
    if len(words) != 1:
        raise MicrocalcError(f"usage: :{name} FILE")
    return words[0]
