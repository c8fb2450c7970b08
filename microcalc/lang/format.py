"""How the language shows values: numbers in the shortest text that reads back exactly, and
lists of at most MAX_SHOWN items (a list that holds itself twice, doubled 40 times, holds a
trillion numbers in a few hundred bytes: printing all of them would never end)."""

from ..engine import Value
from ..text import shortest as format_number
from .context import Event


def format_string(text):
    """A string as it is written in a program: in double quotes, with \\ and " escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


# The most items (numbers, strings, lists) a list shows; "..." stands for the rest.
MAX_SHOWN = 10_000
_OPEN, _CLOSE, _MORE = object(), object(), object()


def _walk(items, limit=MAX_SHOWN):
    """A nested list as a stream: _OPEN, its items, _CLOSE; after `limit` items _MORE and the
    _CLOSEs of every open list. Iterative, so that nesting is no limit either."""
    yield _OPEN
    stack, shown = [iter(items)], 0
    while stack:
        item = next(stack[-1], _CLOSE)
        if item is _CLOSE:
            stack.pop()
            yield _CLOSE
        elif shown == limit:
            yield _MORE
            yield from [_CLOSE] * len(stack)
            return
        else:
            shown += 1
            if isinstance(item, (list, tuple)):
                stack.append(iter(item))
                yield _OPEN
            else:
                yield item


def is_cut(value, limit=MAX_SHOWN):
    """True if a list holds more than `limit` items, nested lists counted in."""
    return isinstance(value, (list, tuple)) and any(t is _MORE for t in _walk(value, limit))


def _list_text(items):
    parts, first = [], True
    for token in _walk(items):
        if token is _CLOSE:
            parts.append("]")
            first = False
            continue
        if not first:
            parts.append(", ")
        if token is _OPEN:
            parts.append("[")
            first = True
        else:
            parts.append("..." if token is _MORE else format_value(token))
            first = False
    return "".join(parts)


def _list_data(items):
    stack = []
    for token in _walk(items):
        if token is _OPEN:
            stack.append([])
        elif token is _CLOSE:
            done = stack.pop()
            if not stack:
                return done
            stack[-1].append(done)
        elif token is not _MORE:
            stack[-1].append(value_data(token))


def format_value(value):
    """One line of text for a value: a number, a list, a string or any other object."""
    if value.__class__ is Value:
        return format_number(value.data)
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return format_number(value)
    if isinstance(value, Value):
        return format_number(value.data)
    if isinstance(value, (list, tuple)):
        return _list_text(value)
    if isinstance(value, str):
        return format_string(value)
    return str(value)


def value_data(value):
    """The JSON-serialisable payload of a value: numbers become floats, lists stay lists."""
    if isinstance(value, Value):
        return value.data
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, (list, tuple)):
        return _list_data(value)         # at most MAX_SHOWN items, as shown
    if isinstance(value, str):
        return value
    to_data = getattr(value, "to_data", None)
    return to_data() if callable(to_data) else str(value)


# Other values, named by their class (or a base class) in the language's words: the
# language need not load the network library to name what it made.
KIND_NAMES = {"Dataset": "a data set", "Module": "a network", "TrainingRun": "a training run",
              "GradQuery": "a grad(...) query", "Gradients": "a table of gradients",
              "FunctionRef": "a function", "UserFunction": "a function", "Builtin": "a builtin"}


def describe_kind(value):
    """How a value is named in a message: 'a number', 'a list', 'a string', 'nothing'."""
    if value is None:
        return "nothing"
    if isinstance(value, (float, int, Value)) and not isinstance(value, bool):
        return "a number"
    if isinstance(value, str):
        return "a string"
    for cls in type(value).__mro__:
        if cls.__name__ in KIND_NAMES:
            return KIND_NAMES[cls.__name__]
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"a {type(value).__name__}"


# Pictures that follow a value when a person is watching (the REPL): a library module
# registers them (graphs draws a training run's loss curve and decision boundary), each as
# (is_kind(value) -> bool, draw(value, settings) -> a list of pictures (texts)).
PICTURES = []


def pictures_for(value, settings):
    """The pictures to show after value in an interactive session, one text event each."""
    if not settings.interactive:
        return []
    for is_kind, draw in PICTURES:
        if is_kind(value):
            return [Event("text", text, getattr(text, "data", None))
                    for text in draw(value, settings) or ()]
    return []


def event_for(value):
    """The output event that shows a value: a "value" line, or "text" for a picture/table."""
    text = format_value(value)
    kind = "text" if "\n" in text else "value"
    if kind == "text":
        return Event(kind, text, _text_data(value))
    data = {"value": value_data(value)}
    if is_cut(value):
        data["cut"] = f"only the first {MAX_SHOWN:,} items are shown"
    return Event(kind, text, data)


def _text_data(value):
    to_data = getattr(value, "to_data", None)
    return to_data() if callable(to_data) else None
