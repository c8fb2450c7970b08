"""How microcalc writes a number: the one shortest form every layer shows.

Python's repr already finds the shortest digits that read back as the same float; microcalc
drops the ".0" of whole numbers, writes exponents without "+" or leading zeros (1e16,
1.5e-7) and shows -0.0 as 0, which compares equal to it.
"""

__all__ = ["shortest", "tidy_exponent"]


def shortest(x):
    """The shortest text that reads back as the same float: 6, -1.5, 0.7071067811865477."""
    x = float(x)
    if x == 0:
        return "0"
    if x - x:                       # inf or nan: never a Value, but a float may be shown
        return repr(x)
    text = tidy_exponent(repr(x))
    return text[:-2] if text.endswith(".0") else text


def tidy_exponent(text):
    """A float's text with its exponent as the language writes it: 1.5e-07 -> 1.5e-7,
    1e+16 -> 1e16, 2.0e+16 -> 2e16."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    return f"{mantissa}e{int(exponent)}"
