"""The REPL's colours, for dark and light terminals (config: color_scheme).

Colours are the terminal's own ANSI names, so they follow its palette; Pygments' default
style is left out (it writes function names in dark blue, unreadable on black).
"""

from prompt_toolkit.styles import Style

__all__ = ["SCHEMES", "repl_style"]

_COMMON = {
    "pygments.comment": "italic",
    "pygments.error": "bg:ansired ansiwhite",
    "toolbar.current": "bold underline",
    "bottom-toolbar": "noreverse",
    "validation-toolbar": "bg:ansired ansiwhite",
}
SCHEMES = {
    "dark": {
        "pygments.keyword": "ansibrightmagenta bold",
        "pygments.keyword.pseudo": "ansibrightmagenta",
        "pygments.keyword.namespace": "ansibrightblue bold",
        "pygments.name.builtin": "ansibrightcyan",
        "pygments.name.function": "ansibrightcyan",
        "pygments.name.constant": "ansibrightyellow",
        "pygments.number": "ansibrightyellow",
        "pygments.string": "ansibrightgreen",
        "pygments.comment": "ansibrightblack italic",
        "pygments.operator": "",
        "toolbar.signature": "ansibrightcyan",
        "toolbar.hint": "ansibrightblack",
    },
    "light": {
        "pygments.keyword": "ansimagenta bold",
        "pygments.keyword.pseudo": "ansimagenta",
        "pygments.keyword.namespace": "ansiblue bold",
        "pygments.name.builtin": "ansiblue",
        "pygments.name.function": "ansiblue",
        "pygments.name.constant": "ansired",
        "pygments.number": "ansired",
        "pygments.string": "ansigreen",
        "pygments.comment": "ansigray italic",
        "pygments.operator": "",
        "toolbar.signature": "ansiblue",
        "toolbar.hint": "ansigray",
    },
}


def repl_style(scheme):
    return Style.from_dict({**_COMMON, **SCHEMES[scheme]})
