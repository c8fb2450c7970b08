"""Help for people: `help`, `help NAME`, `NAME?`, `?` and `:help`, in the REPL and from the
command line (`microcalc -e 'help tanh'`).

Builtins are explained from their table (lang/library: signature, description, example),
statements and syntax from `help_topics`, the REPL's colon-commands from their own table.
Every text is wrapped at word boundaries to the width it is shown in.
"""

import re
import textwrap

from ..errors import MicrocalcError
from .help_topics import TOPICS, topic_named

__all__ = ["help_request", "answer_help_request", "overview", "every_builtin", "help_on",
           "wrap"]

# help, help NAME, ?, NAME?, ?NAME, and the same as :help / :h (what the REPL also takes).
_REQUEST = re.compile(r"\s*(?:(?::h(?:e(?:lp?)?)?|help)(?:\s+(?P<name>\S+))?|"
                      r"\?(?P<before>\S+)?|(?P<after>[^\s?]+)\?)\s*")
ALL_BUILTINS = "builtins"      # `help builtins`: every builtin, one line each
FIRST_STEPS = [("x = 2; y = x**2 + tanh(x)", "inputs, and a graph built from them"),
               ("grad(y, x)", "the derivative dy/dx"),
               ("tree y", "the graph, with every value and gradient")]


def help_request(text):
    """The name asked for when text is a request for help ("" for the overview), or None
    when it is not one."""
    match = _REQUEST.fullmatch(text)
    if match is None:
        return None
    return match.group("name") or match.group("before") or match.group("after") or ""


def wrap(text, width, indent=""):
    """text as lines of at most width columns, broken between words only."""
    return textwrap.wrap(text, max(width, len(indent) + 20), initial_indent=indent,
                         subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) or [indent.rstrip()]


def overview(width=80, commands=None):
    """A short overview that fits a screen: how to ask, the statements, the builtins by
    category (names only), and the REPL's commands when there is a REPL."""
    from ..lang.library import BUILTINS
    lines = wrap("microcalc: a calculator that knows its derivatives.", width)
    for code, meaning in FIRST_STEPS:
        if len(code) + len(meaning) + 6 <= width:
            lines.append(f"  {code.ljust(27)}  {meaning}"[:width])
        else:
            lines += [f"  {code}", *wrap(meaning, width, "      ")]
    lines += wrap("help NAME (or NAME?) explains a builtin or a statement; help builtins "
                  "lists every builtin.", width)
    topics = "  ".join(topic.names[0] if topic.names[0] != "=" else "= (assign)"
                       for topic in TOPICS)
    lines += wrap(f"Statements and syntax: {topics}", width)
    lines.append("Builtins by category:")
    by_category = {}
    for entry in BUILTINS.values():
        by_category.setdefault(entry.category, []).append(entry.name)
    label = max(len(category) for category in by_category) + 4
    for category in sorted(by_category):
        names = ", ".join(sorted(by_category[category]))
        wrapped = wrap(names, width - label)
        lines.append(f"  {category.ljust(label - 2)}{wrapped[0]}")
        lines += [" " * label + line for line in wrapped[1:]]
    if commands:
        lines += wrap("REPL commands: " + "  ".join(f":{name}" for name in sorted(commands))
                      + "   (:help :NAME; a unique prefix will do, as :h and :q)", width)
        lines += wrap("Keys: Tab completes, Ctrl-X Ctrl-E edits the input in $EDITOR, Ctrl-C "
                      "stops a computation, Ctrl-D leaves.", width)
    return "\n".join(lines)


def every_builtin(width=80):
    """Every builtin with its signature and first sentence, by category."""
    from ..lang.library import BUILTINS
    by_category = {}
    for entry in BUILTINS.values():
        by_category.setdefault(entry.category, []).append(entry)
    column = min(max(len(entry.signature) for entry in BUILTINS.values()), 28, width // 3)
    lines = wrap("Builtins, by category (help NAME for one):", width)
    for category in sorted(by_category):
        lines.append(f"  {category}")
        for entry in sorted(by_category[category], key=lambda entry: entry.name):
            summary = wrap(entry.summary, max(width - column - 6, 20))
            if len(entry.signature) > column:     # a long signature gets a line of its own
                lines += wrap(entry.signature, width - 4, "    ")
                first = " " * column
            else:
                first = entry.signature.ljust(column)
            lines.append(f"    {first}  {summary[0]}")
            lines += [" " * (column + 6) + line for line in summary[1:]]
    return "\n".join(lines)


def help_on(name, width=80, commands=None, session=None):
    """What `help name` shows: a builtin, a statement or syntax topic, a REPL command (given
    the table of them), or one of the session's own names. Raises MicrocalcError if there is
    nothing by that name, suggesting a close one."""
    from ..lang.library import BUILTINS
    if name == ALL_BUILTINS:
        return every_builtin(width)
    if name in BUILTINS:
        entry = BUILTINS[name]
        lines = [*wrap(f"{entry.signature}    ({entry.category} {entry.kind})", width),
                 *wrap(entry.doc, width, "  ")]
        if entry.example:
            lines.append("example:")
            lines.extend("  " + line for line in entry.example.splitlines())
        return "\n".join(lines)
    topic = topic_named(name)
    if topic is not None:
        return "\n".join([topic.title, *wrap(topic.text, width, "  "), "example:",
                          *("  " + line for line in topic.example.splitlines())])
    command = (commands or {}).get(name[1:] if name.startswith(":") else name)
    if command is not None:
        return "\n".join([command.usage, *wrap(command.doc, width, "  ")])
    if session is not None and name in session.functions:
        return f"{session.functions[name]}    (your function)"
    if session is not None and name in session.variables:
        return f"{name} is one of your variables: type {name} to see its value"
    known = [*BUILTINS, *(n for topic in TOPICS for n in topic.names if n.isidentifier()),
             *(f":{command}" for command in commands or {})]
    from ..lang.vocabulary import closest
    close = closest(name, known)
    hint = f" (did you mean {close}?)" if close else ""
    raise MicrocalcError(f"no help for {name!r}{hint}; help alone lists what there is")


def answer_help_request(program, display):
    """For the command line: a whole program that is a request for help (`help tanh`,
    `tanh?`, `:help`) is answered, and a REPL command (`:vars`) is an error that says where it
    works; the exit status. None for any other program."""
    stripped = program.strip()
    if not stripped.startswith((":", "?", "help")) and not stripped.endswith("?"):
        return None
    name = help_request(stripped)
    if name is None:
        if not re.match(r":\w+(\s|$)", stripped):
            return None
        display.error(MicrocalcError(
            f"{stripped.split()[0]} is a command of the REPL (start microcalc on a terminal "
            f"to use it); for help from here, try  microcalc -e 'help tanh'"))
        return 1
    try:
        text = help_on(name, display.width) if name else overview(display.width)
    except MicrocalcError as error:
        display.error(error)
        return 1
    from ..lang.context import Event
    display.show(Event("text", text, {"help": name or None}))
    return 0
