"""What the REPL's full-screen views share: a prompt_toolkit application of a title bar and a
body that scrolls to keep a chosen line in view, drawn from text with ANSI colour (the
pictures of microcalc.render), on the REPL's own input and output.

The views are offered to the language as `ctx.screens` (the commands `backward` and
`sliders` look there) while the REPL runs; scripts and pipes have none.
"""

from collections import namedtuple

from prompt_toolkit.application import Application
from prompt_toolkit.data_structures import Point
from prompt_toolkit.formatted_text import ANSI
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import FormattedTextControl, HSplit, Layout, Window
from prompt_toolkit.output import ColorDepth


# What the views draw besides pictures, in Unicode or, where the terminal cannot show it
# (the session draws with ascii=True), in ASCII: the mark of the node a walk is at, the
# pointer at the input the keys move, and the keys' names.
Marks = namedtuple("Marks", "here chosen up_down left_right times")
UNICODE_MARKS = Marks(here="◀", chosen="▶", up_down="↑↓", left_right="←→", times="×")
ASCII_MARKS = Marks(here="<-", chosen=">", up_down="up/down", left_right="left/right",
                    times="x")


def marks(ascii):
    return ASCII_MARKS if ascii else UNICODE_MARKS


class Terminal:
    """Where the views are drawn: the REPL's input and output (None for the real terminal),
    and whether colour may be used."""

    def __init__(self, input=None, output=None, color=True):
        self.input = input
        self.output = output
        self.color = color


def offer_screens(ctx, terminal):
    """Give the language the REPL's full-screen views (each loaded when first used)."""
    def stepper(ctx, output):
        from .stepper import run_stepper
        run_stepper(ctx, output, terminal)

    def sliders(ctx, output, inputs):
        from .sliders import run_sliders
        run_sliders(ctx, output, inputs, terminal)

    ctx.screens["backward"] = stepper
    ctx.screens["sliders"] = sliders


class View:
    """A title bar over a scrolling body. title() and body() return text with ANSI colour;
    focus() the line of the body to keep on screen. Keys are bound on .keys; a handler
    leaves with view.leave(result)."""

    def __init__(self, terminal, title, body, focus=lambda: 0):
        self.keys = KeyBindings()
        self._title, self._body, self._focus = title, body, focus
        header = Window(FormattedTextControl(lambda: ANSI(self._title())), height=1,
                        style="reverse")
        body_control = FormattedTextControl(lambda: ANSI(self._body()), focusable=True,
                                            show_cursor=False,
                                            get_cursor_position=lambda: Point(0, self._focus()))
        self.app = Application(layout=Layout(HSplit([header, Window(body_control,
                                                                    wrap_lines=False)])),
                               key_bindings=self.keys, full_screen=True,
                               color_depth=None if terminal.color else ColorDepth.MONOCHROME,
                               input=terminal.input, output=terminal.output)
        # A lone Esc is a key of its own here: answer it at once rather than wait to see
        # whether an escape sequence follows.
        self.app.ttimeoutlen = 0.05
        self.app.timeoutlen = 0.05

    def bind(self, *keys):
        """Decorate a handler(event) for each of keys (prompt_toolkit names)."""
        def register(handler):
            for key in keys:
                self.keys.add(key, eager=True)(handler)
            return handler
        return register

    def leave(self, result=None):
        self.app.exit(result=result)

    def run(self):
        """Show the view until a key leaves it; None when the input ends first (a closed
        pipe), which leaves it as Ctrl-C does."""
        try:
            return self.app.run()
        except EOFError:
            return None
