"""The interactive front end: prompt loop, completion, key bindings, colon-commands.

Only `loop` (and what it imports) needs prompt_toolkit; `display` is shared with script and
pipe runs, which must start without it, so this package imports nothing at first.
"""
