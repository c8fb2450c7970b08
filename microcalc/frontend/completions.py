"""Shell completion scripts (bash, zsh, fish) and the manual page, each made from the
command line's own argument parser: a new option appears in all of them at once.

    microcalc --completions bash > ~/.local/share/bash-completion/completions/microcalc
    microcalc --completions zsh  > ~/.zfunc/_microcalc
    microcalc --completions fish > ~/.config/fish/completions/microcalc.fish
    microcalc --man | man -l -
"""

import datetime
import re

from .. import __version__

__all__ = ["options_of", "completion_script", "man_page"]


class Option:
    """One option of the parser, as the scripts need it."""

    def __init__(self, action):
        self.flags = list(action.option_strings)
        self.long = next((f for f in self.flags if f.startswith("--")), None)
        self.short = next((f for f in self.flags if not f.startswith("--")), None)
        self.takes_value = action.nargs != 0
        self.choices = [str(choice) for choice in action.choices or ()]
        self.metavar = action.metavar or (action.dest.upper() if self.takes_value else None)
        self.help = " ".join((action.help or "").split())


def options_of(parser):
    """The parser's options (not its positional arguments), in the order of --help."""
    return [Option(action) for action in parser._actions if action.option_strings]


def completion_script(parser, shell):
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](parser.prog, options_of(parser))


def _bash(prog, options):
    words = " ".join(flag for option in options for flag in option.flags)
    cases = []
    for option in options:
        if not option.takes_value:
            continue
        pattern = "|".join(option.flags)
        if option.choices:
            cases.append(f'        {pattern}) COMPREPLY=($(compgen -W "{" ".join(option.choices)}"'
                         f' -- "$cur")); return ;;')
        else:
            cases.append(f"        {pattern}) return ;;")
    function = "_" + re.sub(r"\W", "_", prog)
    return "\n".join([
        f"# bash completion for {prog} (made by `{prog} --completions bash`)",
        f"{function}() {{",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    if [[ "$prev" == "=" ]]; then prev="${COMP_WORDS[COMP_CWORD-2]}"; fi   # --color=a',
        '    case "$prev" in',
        *cases,
        "    esac",
        '    if [[ "$cur" == -* ]]; then',
        f'        COMPREPLY=($(compgen -W "{words}" -- "$cur"))',
        "    else",
        "        compopt -o filenames 2>/dev/null",
        '        COMPREPLY=($(compgen -f -X "!*.mg" -- "$cur") $(compgen -d -- "$cur"))',
        "    fi",
        "}",
        f"complete -F {function} {prog}",
    ]) + "\n"


def _zsh(prog, options):
    specs = []
    for option in options:
        text = option.help.replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]")
        value = ""
        if option.takes_value:
            value = (f":{option.metavar.lower()}:({' '.join(option.choices)})" if option.choices
                     else f":{option.metavar.lower()}:")
        if len(option.flags) > 1:
            exclusive = " ".join(option.flags)
            names = "{" + ",".join(option.flags) + "}"
            specs.append(f"    '({exclusive})'{names}'[{text}]{value}'")
        else:
            specs.append(f"    '{option.flags[0]}[{text}]{value}'")
    return "\n".join([
        f"#compdef {prog}",
        f"# zsh completion for {prog} (made by `{prog} --completions zsh`)",
        "_arguments -s \\",
        *(spec + " \\" for spec in specs),
        "    '*:script:_files -g \"*.mg\"'",
    ]) + "\n"


def _fish(prog, options):
    lines = [f"# fish completion for {prog} (made by `{prog} --completions fish`)",
             f"complete -c {prog} -k -f -a '(__fish_complete_suffix .mg)'"]
    for option in options:
        parts = [f"complete -c {prog}"]
        if option.long:
            parts.append(f"-l {option.long[2:]}")
        if option.short:
            parts.append(f"-s {option.short[1:]}")
        if option.choices:
            parts.append(f"-x -a '{' '.join(option.choices)}'")
        elif option.takes_value:
            parts.append("-r")
        parts.append("-d " + _single_quoted(option.help))
        lines.append(" ".join(parts))
    return "\n".join(lines) + "\n"


def _single_quoted(text):
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def man_page(parser, environment, examples):
    """The manual page, in roff (man(7)): the parser's description and options, the
    environment variables, the files, the exit status and examples."""
    prog = parser.prog
    date = datetime.date.today().isoformat()
    lines = [f'.TH {prog.upper()} 1 "{date}" "{prog} {__version__}" "User Commands"',
             ".SH NAME", f"{prog} \\- {_roff(parser.description)}",
             ".SH SYNOPSIS",
             f".B {prog}", "[\\fIOPTION\\fR]... [\\fIFILE\\fR]...",
             ".SH DESCRIPTION",
             _roff("With no FILE and no -e, microcalc starts its REPL when stdin and stdout are "
                   "a terminal, and otherwise runs stdin as a script. Scripts and pipes print "
                   "only results, one per line, and stop at the first error; notes and "
                   "training progress go to stderr. In the REPL, help, help NAME and :help "
                   "explain the language."),
             ".SH OPTIONS"]
    for option in options_of(parser):
        shown = ", ".join(f"\\fB{_roff(flag)}\\fR" + (f" \\fI{option.metavar}\\fR"
                                                       if option.takes_value else "")
                          for flag in option.flags)
        lines += [".TP", shown, _roff(option.help)]
    lines.append(".SH ENVIRONMENT")
    for name, meaning in environment:
        lines += [".TP", f"\\fB{name}\\fR", _roff(meaning)]
    lines += [".SH FILES",
              ".TP", "\\fI$XDG_CONFIG_HOME/microcalc/config.toml\\fR",
              _roff("settings of the REPL: editing_mode, color_scheme, digits, prompt, banner "
                    "(microcalc --print-config prints one)"),
              ".TP", "\\fI$XDG_CONFIG_HOME/microcalc/init.mg\\fR",
              _roff("a script run before the REPL's first prompt (--no-init skips it)"),
              ".TP", "\\fI$XDG_DATA_HOME/microcalc/history\\fR", _roff("the REPL's history"),
              ".SH EXIT STATUS",
              _roff("0 success; 1 an error in the program or an unreadable file; 2 a usage "
                    "error; 70 an internal error (a bug in microcalc); 130 interrupted by "
                    "Ctrl-C; 141 stdout was closed early."),
              ".SH EXAMPLES"]
    for command, meaning in examples:
        lines += [".TP", f"\\fB{_roff(command)}\\fR", _roff(meaning)]
    return "\n".join(lines) + "\n"


def _roff(text):
    """Text safe in a roff line: backslashes and minus signs escaped, no leading dot."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text.startswith((".", "'")) else text
