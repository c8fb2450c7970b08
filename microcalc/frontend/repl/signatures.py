"""The signature toolbar: while the cursor is inside a builtin's call (`train(net, |`) or a
command's arguments (`tree L, |`), the bottom line shows how it is called, the parameter
being typed highlighted, as ptpython does. Elsewhere it shows a short reminder of the keys.

The call is found by reading the text before the cursor with the language's own name
pattern, skipping strings and comments; signatures come from the builtin table and the
session's own functions.
"""

import re

from ...lang.library import BUILTINS
from ...lang.vocabulary import name_pattern

__all__ = ["call_at_cursor", "signature_toolbar"]

HINT = " help NAME explains · Tab completes · Ctrl-X Ctrl-E edits · Ctrl-D leaves"
_NAME_AT_END = re.compile(f"(?:{name_pattern()})$")
_STATEMENT_START = re.compile(f"(?:^|[;{{\\n])\\s*({name_pattern()})[ (]")
# A string (an unclosed one ends at the line's end), a comment, a bracket or a comma: the
# pieces of the text that say where the cursor is.
_PIECES = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[()\[\]{},]')
_KEYWORD_BEING_TYPED = re.compile(f"\\s*({name_pattern()})\\s*=(?!=)")


def call_at_cursor(text):
    """(name, index of the argument being typed, keyword being typed or None) of the
    innermost call that is open at the end of text; None outside any call."""
    opened = []          # per open bracket: [name or None, commas, start of the argument]
    for piece in _PIECES.finditer(text):
        char = piece.group()
        if char in "([{":
            name = _NAME_AT_END.search(text, 0, piece.start()) if char == "(" else None
            opened.append([name.group() if name else None, 0, piece.end()])
        elif char in ")]}":
            if opened:
                opened.pop()
        elif char == ",":
            if opened:
                opened[-1][1] += 1
                opened[-1][2] = piece.end()
        elif piece.end() == len(text) and (char[0] == "#" or len(char) == 1
                                           or not char.endswith('"')):
            return None      # the cursor is in a comment or an unclosed string
    if not opened:
        return _command_at_cursor(text)
    name, commas, start = opened[-1]
    if name is None:
        return None
    keyword = _KEYWORD_BEING_TYPED.match(text, start)
    return name, commas, keyword.group(1) if keyword else None


def _command_at_cursor(text):
    """A command written without brackets at the start of the last statement: tree L, de|"""
    starts = list(_STATEMENT_START.finditer(text))
    if not starts or BUILTINS.get(starts[-1].group(1)) is None \
            or BUILTINS[starts[-1].group(1)].kind != "command":
        return None
    arguments = text[starts[-1].end():]
    if re.search(r"[;\n]", arguments):
        return None
    last = arguments.rsplit(",", 1)[-1]
    keyword = _KEYWORD_BEING_TYPED.match(last)
    return starts[-1].group(1), arguments.count(","), keyword.group(1) if keyword else None


def signature_toolbar(session):
    """prompt_toolkit's bottom_toolbar: a callable that reads the current input."""
    from prompt_toolkit.application.current import get_app

    def toolbar():
        app = get_app()
        found = call_at_cursor(app.current_buffer.document.text_before_cursor)
        fragments = _signature_fragments(session, *found) if found else None
        if not fragments:
            return [("class:toolbar.hint", HINT)]
        return fitted(fragments, app.output.get_size().columns)
    return toolbar


def fitted(fragments, width):
    """The fragments, cut on the left when the current parameter would be off the screen."""
    start = 0
    for style, text in fragments:
        if style == "class:toolbar.current":
            end = start + len(text)
            break
        start += len(text)
    else:
        return fragments
    cut = end - (width - 12)              # keep the current parameter and a little after it
    if cut <= 0:
        return fragments
    kept = [("class:toolbar.signature", " …")]
    for style, text in fragments:
        if cut >= len(text):
            cut -= len(text)
            continue
        kept.append((style, text[cut:]))
        cut = 0
    return kept


def _signature_fragments(session, name, index, keyword):
    entry = BUILTINS.get(name)
    function = session.functions.get(name)
    if function is not None:
        names, summary, command = list(function.params), "your function", False
    elif entry is not None:
        names = entry.parameter_texts
        summary, command = entry.summary, entry.kind == "command"
    else:
        return None
    current = _current_parameter(entry, names, index, keyword)
    fragments = [("class:toolbar.signature", f" {name}{' ' if command else '('}")]
    for position, text in enumerate(names):
        if position:
            fragments.append(("class:toolbar.signature", ", "))
        style = "class:toolbar.current" if position == current else "class:toolbar.signature"
        fragments.append((style, text))
    fragments.append(("class:toolbar.signature", "" if command else ")"))
    fragments.append(("class:toolbar.hint", f"   {summary}"))
    return fragments


def _current_parameter(entry, names, index, keyword):
    bare = [text.split("=")[0].strip("[].") for text in names]
    if keyword is not None:
        return bare.index(keyword) if keyword in bare else None
    if entry is not None and any(p.kind == p.VAR_POSITIONAL for p in entry.parameters[:index + 1]):
        return next(i for i, p in enumerate(entry.parameters) if p.kind == p.VAR_POSITIONAL)
    return index if index < len(names) else None

