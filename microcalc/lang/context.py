"""What a running program hands to builtins: a way to show output, names and settings.

Output is a stream of `Event`s. The front end decides how each is shown: plain text in a
pipe, colour and live progress lines on a terminal, one JSON object per line with --json.

(Plain classes rather than dataclasses: every piped one-liner imports this module, and
making a dataclass costs a millisecond of start-up.)
"""

from collections import namedtuple

# kind: "value" | "text" | "progress" | "note"
#   value    the result of a bare expression or graph assignment: text "-8", data {"value": -8.0}
#   text     a multi-line picture or table (tree, explain, plots); data holds its structure
#   progress a live status line (training); data["report"] is True on the lines a pipe keeps
#   note     a remark about a result, e.g. "L does not depend on z": shown dim, on stderr in pipes
# text: what a terminal or pipe shows, no newline at the end; ANSI colour only when the
#   Context's settings.color is set
# data: a JSON-serialisable payload for --json
Event = namedtuple("Event", "kind text data", defaults=(None,))


class Settings:
    """How output may look, as the front end knows it."""

    def __init__(self, color=False, ascii=False, width=80, interactive=False):
        self.color = color              # may emit ANSI colour (only on a terminal)
        self.ascii = ascii              # draw with plain ASCII instead of box drawing
        self.width = width              # columns available for pictures
        self.interactive = interactive  # a person is watching (REPL): live progress, Ctrl-C

    def __repr__(self):
        return (f"Settings(color={self.color}, ascii={self.ascii}, width={self.width}, "
                f"interactive={self.interactive})")


class Context:
    """What a running program hands to builtins: where output goes, the display settings,
    the session's names, and the folder of the script being run."""

    def __init__(self, emit, settings, namespace):
        self.emit = emit                    # emit(Event): show something
        self.settings = settings
        self.namespace = namespace
        # the folder of the script being run, for file names relative to it; None for input
        # typed or piped in (those are relative to the current folder)
        self.directory = None
        # full-screen views a front end offers while a person is at the keyboard (the REPL's
        # backprop stepper and sliders), by command name; empty in scripts and pipes
        self.screens = {}
        # set by a builtin whose work stopped part of the way without an error (training
        # stopped by Ctrl-C): what ran, for the session's saved script
        self.stopped_early = None

    def name_of(self, value):
        """The variable name bound to exactly this value, or None (for labels)."""
        return self.namespace.name_of(value)

    def named_inputs(self, output):
        """The inputs of output's graph that have a name, in graph order."""
        return self.namespace.named_inputs(output)

    def change_input(self, value, new):
        """Give the input `value` the number new and recompute every graph that uses it, as
        `a := new` does (an error puts everything back and says why)."""
        self.namespace.change_input(self.name_of(value) or "that input", value, new)

    @property
    def variables(self):
        """The session's variables, name -> Value, list, network ...; read-only for builtins."""
        return self.namespace.variables

    @property
    def watchers(self):
        """Callables run after every later change of an input (`a := 3`, `a -= 0.1`)."""
        return self.namespace.watchers
