"""The REPL: read a program with prompt_toolkit, run it in the session, show what it emits.

Ctrl-C at the prompt clears the line; during a computation it stops the computation (the
session keeps every variable) and returns to the prompt. Ctrl-D, :quit, quit or exit leaves.

What is typed is, in this order: a colon-command (`:help`, `:h`, see commands.py); one of
the words a newcomer tries first (`help`, `help NAME`, `NAME?`, `?`, `quit`, `exit`,
`clear`), unless the session has a variable or function of that name; otherwise a program.
A program is parsed when Enter is pressed: a syntax error keeps it in the editor with the
cursor at the error, and what was parsed is what runs (it is not read twice).

A new REPL concern is a module of its own (the completer, key bindings, signatures, styles,
commands); `Repl` is what commands are handed, with the services they share.
"""

import shutil

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import to_filter
from prompt_toolkit.layout.processors import HighlightMatchingBracketProcessor
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.validation import ValidationError, Validator

from ...errors import MicrocalcError
from ...lang.errors import SourceError
from ...text import escape_controls
from ..config import Config
from ..help import help_request
from ..lesson import Transcript
from ..lexer import MicrocalcReplLexer
from .commands import COMMANDS, QuitRepl, run_command
from .completer import MicrocalcCompleter
from .fullscreen import Terminal, offer_screens
from .history import history_path, open_history
from .keys import repl_key_bindings
from .outside import edit_text, page_text
from .signatures import signature_toolbar
from .styles import repl_style

CONTINUATION = "... "
BANNER = Config().banner_text
PROMPT = Config().prompt
# Words typed alone that mean the REPL rather than the language (when not the user's names).
LEAVE_WORDS = ("quit", "exit")
CLEAR_WORD = "clear"


def run_repl(session, display, *, config=None, history=None, input=None, output=None):
    """Run the loop until Ctrl-D or :quit; returns the exit status (0).

    `config` is the user's settings (the defaults if None); `input`/`output` are
    prompt_toolkit's (tests pass a pipe input and a DummyOutput); `history` defaults to the
    per-user history file.
    """
    repl = Repl(session, display, config or Config(), history=history, input=input,
                output=output)
    return repl.run()


class Repl:
    """A running REPL: the session and display, and what commands may ask of it."""

    def __init__(self, session, display, config, *, history=None, input=None, output=None):
        self.session = session
        self.display = display
        self.config = config
        session.settings.interactive = True
        display.notes_to_stdout = True     # a person reads both streams on one screen
        display.live = _isatty(display.out)    # progress now goes to stdout, with results
        if history is None:
            history = open_history(history_path(), warn=display.message)
        self.validator = ProgramValidator(self)
        self.prompt = make_prompt(session, history, color=display.color, config=config,
                                  validator=self.validator, input=input, output=output)
        self._prefilled = ""
        self.transcript = Transcript()          # what is typed and shown, for :export
        display.listeners.append(self.transcript)
        if not display.as_json:
            offer_screens(session.ctx, Terminal(input, output, display.color))

    def run(self):
        banner = self.config.banner_text
        if banner:
            self.display.out.write(escape_controls(banner) + "\n")
            self.display.out.flush()
        while True:
            self._follow_terminal_width()
            try:
                text = self.prompt.prompt(default=self._prefilled)
            except KeyboardInterrupt:      # Ctrl-C at the prompt: a fresh line
                continue
            except EOFError:               # Ctrl-D
                break
            finally:
                self._prefilled = ""
            if not text.strip():
                continue
            self.transcript.typed(text)
            try:
                self.handle(text)
            except QuitRepl:
                break
            except MicrocalcError as error:
                self.display.error(error)
            except KeyboardInterrupt:
                self.display.message("interrupted")
            except Exception as exc:     # a bug in microcalc: say so, and keep the session
                self.display.error(MicrocalcError(f"internal error: {type(exc).__name__}: "
                                                  f"{exc}"))
            self.display.end_live_line()       # the next prompt starts on a line of its own
        return 0

    def handle(self, text):
        """Do what one input asks."""
        stripped = text.strip()
        if stripped.startswith(":"):
            run_command(stripped, self)
        elif self.is_repl_word(stripped):
            self._repl_word(stripped)
        else:
            self.session.run(self.validator.parsed_form(text), filename="<input>",
                             emit=self.display.show)

    # -- the words a newcomer tries --------------------------------------------------------

    def is_repl_word(self, stripped):
        """Is this input one of help, help NAME, NAME?, ?, quit, exit, clear (and not a name
        of the session's own)?"""
        first = stripped.split(maxsplit=1)[0] if stripped else ""
        if first in self.session.names():
            return False
        return (stripped in LEAVE_WORDS or stripped == CLEAR_WORD
                or help_request(stripped) is not None)

    def _repl_word(self, stripped):
        if stripped in LEAVE_WORDS:
            raise QuitRepl
        if stripped == CLEAR_WORD:
            self.clear_screen()
            return
        COMMANDS["help"].run(self, help_request(stripped))

    # -- services for commands --------------------------------------------------------------

    def page(self, text, data=None):
        """Show text; through the pager when it is longer than the terminal is high."""
        from ...lang.context import Event
        height = self._terminal_height()
        if height is not None and text.count("\n") + 2 > height and page_text(text):
            return
        self.display.show(Event("text", text, data))

    def past_inputs(self):
        """Everything typed so far that the history keeps, oldest first."""
        return list(self.prompt.history.get_strings())

    def prefill(self, text):
        """Put text in the editor at the next prompt (after :edit)."""
        self._prefilled = text

    def edit_in_editor(self, text):
        return edit_text(text)

    def clear_screen(self):
        output = self.prompt.app.output
        output.erase_screen()
        output.cursor_goto(0, 0)
        output.flush()

    def _terminal_height(self):
        if not _isatty(self.display.out):
            return None
        return shutil.get_terminal_size().lines

    def _follow_terminal_width(self):
        if _isatty(self.display.out):
            width = shutil.get_terminal_size().columns
            self.display.width = self.session.settings.width = width


class ProgramValidator(Validator):
    """Parses the input when Enter is pressed: a syntax error keeps it in the editor, the
    cursor at the error and the message below; the tree parsed is kept for running."""

    def __init__(self, repl):
        self.repl = repl
        self._parsed = None          # (text, what session.parse made of it)

    def validate(self, document):
        text = document.text
        stripped = text.strip()
        if not stripped or stripped.startswith(":") or self.repl.is_repl_word(stripped):
            return
        try:
            self._parsed = (text, self.repl.session.parse(text, filename="<input>"))
        except SourceError as error:
            self._parsed = None
            raise ValidationError(cursor_position=_offset(text, error.line, error.column),
                                  message=escape_controls(f"{error.message} (line "
                                                          f"{error.line}, column "
                                                          f"{error.column})")) from None

    def parsed_form(self, text):
        """What the validator parsed for text, or text itself (to be parsed when run)."""
        if self._parsed is not None and self._parsed[0] == text:
            parsed, self._parsed = self._parsed[1], None
            return parsed
        return text


def _offset(text, line, column):
    lines = text.split("\n")
    before = sum(len(row) + 1 for row in lines[:line - 1])
    return min(before + column - 1, len(text))


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def make_prompt(session, history, *, color, config=None, validator=None, input=None,
                output=None):
    config = config or Config()
    prompt = PromptSession(
        message=config.prompt,
        prompt_continuation=lambda width, line_number, wrap_count: CONTINUATION.rjust(width),
        multiline=True,      # Enter is ours: it runs the input only when it is complete
        key_bindings=repl_key_bindings(session.is_complete),
        lexer=PygmentsLexer(MicrocalcReplLexer),
        completer=MicrocalcCompleter(session),
        complete_while_typing=True,
        auto_suggest=AutoSuggestFromHistory(),
        history=history,
        input_processors=[HighlightMatchingBracketProcessor()],
        editing_mode=EditingMode.VI if config.editing_mode == "vi" else EditingMode.EMACS,
        style=repl_style(config.color_scheme),
        include_default_pygments_style=False,
        bottom_toolbar=signature_toolbar(session),
        validator=validator,
        validate_while_typing=False,
        enable_open_in_editor=True,
        tempfile_suffix=".mg",
        color_depth=None if color else ColorDepth.MONOCHROME,
        input=input,
        output=output,
    )
    _let_syntax_errors_wrap(prompt)
    return prompt


def _let_syntax_errors_wrap(prompt):
    """prompt_toolkit shows a validation error on one line, cut at the terminal's width; a
    syntax error's hint (what to write instead of L.grad) is often longer, so its window
    grows and wraps instead."""
    from prompt_toolkit.layout import Window
    from prompt_toolkit.widgets.toolbars import ValidationToolbar
    toolbar_text = ValidationToolbar.__init__.__code__.co_consts
    for container in prompt.app.layout.walk():
        content = getattr(container, "content", None)
        text = getattr(content, "text", None)
        if (isinstance(container, Window) and callable(text)
                and getattr(text, "__code__", None) in toolbar_text):
            container.height = None
            container.wrap_lines = to_filter(True)
