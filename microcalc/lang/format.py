"""How the language shows values: numbers in the shortest text that reads back exactly."""

from ..engine import Value
from ..text import shortest as format_number
from .context import Event


def format_string(text):
    """A string as it is written in a program: in double quotes, with \\ and " escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def format_value(value):
    """One line of text for a value: a number, a list, a string or any other object."""
    if value.__class__ is Value:
        return format_number(value.data)
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return format_number(value)
    if isinstance(value, Value):
        return format_number(value.data)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
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
        return [value_data(item) for item in value]
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
    return Event(kind, text, {"value": value_data(value)} if kind == "value" else
                 _text_data(value))


def _text_data(value):
    to_data = getattr(value, "to_data", None)
    return to_data() if callable(to_data) else None
