"""Key bindings of the REPL beyond prompt_toolkit's Emacs defaults.

Enter runs the input when it is a complete program, and otherwise starts a new line (an open
bracket or `{`), indented one step further after an opening bracket. Ctrl-C (clear the line)
and Ctrl-D (leave) are prompt_toolkit's own: the loop catches what they raise.
"""

from prompt_toolkit.key_binding import KeyBindings

INDENT = "    "
OPENERS = "([{"


def repl_key_bindings(is_complete):
    """`is_complete(text) -> bool` decides between running the input and a new line."""
    bindings = KeyBindings()

    @bindings.add("enter")
    def _enter(event):
        buffer = event.current_buffer
        text = buffer.document.text
        if text.lstrip().startswith(":") or is_complete(text):
            buffer.validate_and_handle()
            return
        line = buffer.document.current_line_before_cursor
        indent = line[:len(line) - len(line.lstrip())]
        if line.rstrip().endswith(tuple(OPENERS)):
            indent += INDENT
        buffer.insert_text("\n" + indent)

    return bindings
