"""Tab completion: the session's names, builtins, constants, keywords and colon-commands.

Nothing is listed here: builtins come from the registry (`BUILTINS`, with their signature and
one-line doc as the menu's description), names from `session.names()`, constants from the
vocabulary, keywords from the grammar (through the vocabulary), colon-commands from their table. The word being completed is
found with the language's identifier pattern: prompt_toolkit's default splitter would see
`(` as the word after `grad(`.
"""

import re

from prompt_toolkit.completion import Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from ...lang.library import BUILTINS
from ...lang.vocabulary import CONSTANTS, LAST_RESULT, keywords, name_pattern
from .commands import COMMANDS

_NAME_BEFORE_CURSOR = re.compile(f"(?:{name_pattern()})$")
_COLON_COMMAND = re.compile(r"^\s*:(\w*)$")
_COMMAND_ARGUMENT = re.compile(r"^\s*:(\w+)\s+(.*)$", re.DOTALL)


class MicrocalcCompleter(Completer):
    def __init__(self, session):
        self.session = session
        self._paths = PathCompleter(expanduser=True)

    def get_completions(self, document, complete_event):
        before = document.text_before_cursor
        command = _COLON_COMMAND.match(before)
        if command:
            yield from self._colon_commands(command.group(1))
            return
        argument = _COMMAND_ARGUMENT.match(before)
        if argument:
            yield from self._command_argument(argument.group(1), argument.group(2),
                                              complete_event)
            return
        word = _NAME_BEFORE_CURSOR.search(before)
        if word:
            yield from self._names(word.group())

    def _names(self, prefix):
        candidates = {}   # name -> description; the session's own names win over builtins
        for keyword in keywords():
            candidates[keyword] = "keyword"
        for constant, value in CONSTANTS.items():
            candidates[constant] = f"constant {value!r}"
        candidates[LAST_RESULT] = "the last result"
        for name, entry in BUILTINS.items():
            candidates[name] = f"{entry.signature}  {entry.summary}"
        for name in self.session.names():
            candidates[name] = "yours"
        for name in sorted(candidates):
            if name.startswith(prefix) and name != prefix:
                yield Completion(name, start_position=-len(prefix),
                                 display_meta=candidates[name])

    def _colon_commands(self, prefix):
        for name in sorted(COMMANDS):
            if name.startswith(prefix):
                yield Completion(name, start_position=-len(prefix),
                                 display=":" + name, display_meta=COMMANDS[name].doc)

    def _command_argument(self, command, argument, complete_event):
        takes = COMMANDS[command].argument if command in COMMANDS else None
        if takes == "name":
            word = _NAME_BEFORE_CURSOR.search(argument)
            if word or not argument:
                yield from self._names(word.group() if word else "")
        elif takes == "file":
            path = argument.strip().strip("'\"")
            yield from self._paths.get_completions(Document(path), complete_event)
