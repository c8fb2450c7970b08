"""The REPL: read a program with prompt_toolkit, run it in the session, show what it emits.

Ctrl-C at the prompt clears the line; during a computation it stops the computation (the
session keeps every variable) and returns to the prompt. Ctrl-D or :quit leaves.
"""

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.layout.processors import HighlightMatchingBracketProcessor
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import ColorDepth

from ... import __version__
from ...errors import MicrocalcError
from ..lesson import Transcript
from ..lexer import MicrocalcReplLexer
from .commands import QuitRepl, run_command
from .fullscreen import Terminal, offer_screens
from .completer import MicrocalcCompleter
from .history import history_path, open_history
from .keys import repl_key_bindings

PROMPT = "mc> "
CONTINUATION = "... "
BANNER = f"microcalc {__version__}: type :help for the builtins and commands, Ctrl-D to leave"


def run_repl(session, display, *, history=None, input=None, output=None):
    """Run the loop until Ctrl-D or :quit; returns the exit status (0).

    `input`/`output` are prompt_toolkit's (tests pass a pipe input and a DummyOutput);
    `history` defaults to the per-user history file.
    """
    session.settings.interactive = True
    display.notes_to_stdout = True     # a person reads both streams on one screen
    if history is None:
        history = open_history(history_path(), warn=display.message)
    prompt = make_prompt(session, history, color=display.color, input=input, output=output)
    transcript = Transcript()          # what is typed and shown, for :export
    display.listeners.append(transcript)
    if not display.as_json:
        offer_screens(session.ctx, Terminal(input, output, display.color))
    display.out.write(BANNER + "\n")
    display.out.flush()
    while True:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:      # Ctrl-C at the prompt: a fresh line
            continue
        except EOFError:               # Ctrl-D
            break
        if not text.strip():
            continue
        transcript.typed(text)
        try:
            if text.lstrip().startswith(":"):
                run_command(text, session, display)
            else:
                session.run(text, filename="<input>", emit=display.show)
        except QuitRepl:
            break
        except MicrocalcError as error:
            display.error(error)
        except KeyboardInterrupt:
            display.message("interrupted")
        except Exception as exc:     # a bug in microcalc: say so, and keep the session
            display.error(MicrocalcError(f"internal error: {type(exc).__name__}: {exc}"))
        display.end_live_line()       # the next prompt starts on a line of its own
    return 0


def make_prompt(session, history, *, color, input=None, output=None):
    return PromptSession(
        message=PROMPT,
        prompt_continuation=lambda width, line_number, wrap_count: CONTINUATION.rjust(width),
        multiline=True,      # Enter is ours: it runs the input only when it is complete
        key_bindings=repl_key_bindings(session.is_complete),
        lexer=PygmentsLexer(MicrocalcReplLexer),
        completer=MicrocalcCompleter(session),
        complete_while_typing=True,
        auto_suggest=AutoSuggestFromHistory(),
        history=history,
        input_processors=[HighlightMatchingBracketProcessor()],
        color_depth=None if color else ColorDepth.MONOCHROME,
        input=input,
        output=output,
    )
