"""Editor support made from the grammar and the builtin table, as the Pygments lexer is: a Vim
syntax file and a TextMate grammar (VS Code and the editors that read TextMate grammars).

    python -m microcalc.frontend.editors          write them under editors/
    python -m microcalc.frontend.editors --check  exit 1 if the files there are out of date

Nothing about the language is written here: keywords and the patterns of numbers, strings,
names, comments and operators come from the grammar's terminals (through lang/vocabulary),
the names of builtins, and which are commands, from lang/library. tests/test_editors.py
checks that the committed files are what this writes.
"""

import json
import re
import sys
from pathlib import Path

from .. import __version__
from ..lang.library import BUILTINS
from ..lang.vocabulary import CONSTANTS, LAST_RESULTS, keywords, terminals

__all__ = ["vim_syntax", "vim_filetype", "textmate_grammar", "vscode_package", "generated_files"]

FOLDER = "editors"
NUMBER, STRING, COMMENT = "NUMBER", "STRING", "COMMENT"
BRACKETS_AND_SEPARATORS = set("()[]{},;")


def _pattern(name):
    found, _ = terminals()
    return next(t.pattern.to_regexp() for t in found if t.name == name)


def _words():
    """keywords, commands, functions and constants, each sorted."""
    commands = sorted(name for name, entry in BUILTINS.items() if entry.kind == "command")
    functions = sorted(name for name, entry in BUILTINS.items() if entry.kind != "command")
    return sorted(keywords()), commands, functions, sorted({*CONSTANTS, *LAST_RESULTS})


def _operators():
    """The grammar's operators as literal texts, longest first (`**` before `*`)."""
    found, ignored = terminals()
    texts = set()
    for terminal in found:
        if terminal.name in ignored or terminal.name in (NUMBER, STRING, COMMENT):
            continue
        pattern = terminal.pattern
        if pattern.type == "str":
            if pattern.value not in keywords() and pattern.value not in BRACKETS_AND_SEPARATORS:
                texts.add(pattern.value)
        elif re.fullmatch(r"\(\?:[^][()]*\)", pattern.to_regexp()):   # UPDATE: += -= *= /=
            texts.update(_alternatives(pattern.to_regexp()))
    return sorted(texts, key=lambda text: (-len(text), text))


def _alternatives(regexp):
    """The literal texts a pattern such as (?:\\+=|\\-=) stands for."""
    body = re.sub(r"^\(\?:(.*)\)$", r"\1", regexp)
    return [re.sub(r"\\(.)", r"\1", part) for part in body.split("|")]


def vim_syntax():
    keyword_names, commands, functions, constants = _words()
    comment_start = _pattern(COMMENT)[0]
    operators = "\\|".join(text.replace("\\", "\\\\") for text in _operators())
    return "\n".join([
        '" Vim syntax file for microcalc (.mg files)',
        f'" Made from microcalc {__version__}\'s grammar by `python -m microcalc.frontend.editors`;',
        '" do not edit: run it again when the language changes.',
        'if exists("b:current_syntax")',
        "  finish",
        "endif",
        "",
        f"syn keyword microcalcKeyword {' '.join(keyword_names)}",
        f"syn keyword microcalcCommand {' '.join(commands)}",
        f"syn keyword microcalcFunction {' '.join(functions)}",
        f"syn keyword microcalcConstant {' '.join(constants)}",
        f'syn match microcalcNumber "\\v<{_pattern(NUMBER)}"',
        'syn region microcalcString start=+"+ skip=+\\\\.+ end=+"+ oneline',
        f'syn match microcalcComment "{comment_start}.*$"',
        f'syn match microcalcOperator "\\V{operators}"',
        "",
        "hi def link microcalcKeyword Keyword",
        "hi def link microcalcCommand Statement",
        "hi def link microcalcFunction Function",
        "hi def link microcalcConstant Constant",
        "hi def link microcalcNumber Number",
        "hi def link microcalcString String",
        "hi def link microcalcComment Comment",
        "hi def link microcalcOperator Operator",
        "",
        'let b:current_syntax = "microcalc"',
    ]) + "\n"


def vim_filetype():
    return ('" microcalc scripts: made by `python -m microcalc.frontend.editors`\n'
            "\" (set, not setfiletype: Vim reads .mg as Modula-3 on its own)\n"
            "autocmd BufRead,BufNewFile *.mg set filetype=microcalc\n")


def textmate_grammar():
    keyword_names, commands, functions, constants = _words()

    def words(names):
        return "\\b(?:" + "|".join(re.escape(name) for name in names) + ")\\b"
    grammar = {
        "$comment": f"Made from microcalc {__version__}'s grammar by `python -m "
                    f"microcalc.frontend.editors`; do not edit.",
        "name": "microcalc",
        "scopeName": "source.microcalc",
        "fileTypes": ["mg"],
        "patterns": [{"include": f"#{part}"} for part in
                     ("comment", "string", "number", "keyword", "command", "function",
                      "constant", "operator")],
        "repository": {
            "comment": {"name": "comment.line.number-sign.microcalc",
                        "match": _pattern(COMMENT)},
            "string": {"name": "string.quoted.double.microcalc", "match": _pattern(STRING)},
            "number": {"name": "constant.numeric.microcalc",
                       "match": f"(?<![A-Za-z_0-9]){_pattern(NUMBER)}"},
            "keyword": {"name": "keyword.control.microcalc", "match": words(keyword_names)},
            "command": {"name": "keyword.other.command.microcalc", "match": words(commands)},
            "function": {"name": "support.function.builtin.microcalc",
                         "match": words(functions)},
            "constant": {"name": "constant.language.microcalc", "match": words(constants)},
            "operator": {"name": "keyword.operator.microcalc",
                         "match": "|".join(re.escape(text) for text in _operators())},
        },
    }
    return json.dumps(grammar, indent=2) + "\n"


def vscode_package():
    package = {
        "name": "microcalc",
        "displayName": "microcalc",
        "description": "Syntax highlighting for microcalc scripts (.mg)",
        "version": __version__,
        "license": "MIT",
        "engines": {"vscode": "^1.60.0"},
        "categories": ["Programming Languages"],
        "contributes": {
            "languages": [{"id": "microcalc", "aliases": ["microcalc"], "extensions": [".mg"],
                           "configuration": "./language-configuration.json"}],
            "grammars": [{"language": "microcalc", "scopeName": "source.microcalc",
                          "path": "./syntaxes/microcalc.tmLanguage.json"}],
        },
    }
    configuration = {
        "comments": {"lineComment": _pattern(COMMENT)[0]},
        "brackets": [["(", ")"], ["[", "]"], ["{", "}"]],
        "autoClosingPairs": [{"open": "(", "close": ")"}, {"open": "[", "close": "]"},
                             {"open": "{", "close": "}"}, {"open": '"', "close": '"'}],
    }
    return json.dumps(package, indent=2) + "\n", json.dumps(configuration, indent=2) + "\n"


def generated_files():
    """{path under the repository: text} of every file this makes."""
    package, configuration = vscode_package()
    return {
        f"{FOLDER}/vim/syntax/microcalc.vim": vim_syntax(),
        f"{FOLDER}/vim/ftdetect/microcalc.vim": vim_filetype(),
        f"{FOLDER}/vscode/syntaxes/microcalc.tmLanguage.json": textmate_grammar(),
        f"{FOLDER}/vscode/package.json": package,
        f"{FOLDER}/vscode/language-configuration.json": configuration,
    }


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = Path.cwd()
    stale = []
    for relative, text in generated_files().items():
        path = root / relative
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(relative)
        if "--check" not in argv:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "out of date" if "--check" in argv else "written"
    for relative in stale:
        print(f"{relative}: {verb}")
    return 1 if stale and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main())
