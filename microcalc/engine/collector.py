"""Keeping Python's cyclic garbage collector off a graph while it is built.

A graph of Values holds no reference cycles, so the collector has nothing to free in it; but
every node is a container it tracks, and each collection that happens while a graph grows
walks all of it again, which makes building a large graph cost more per node the larger it
gets (about 90% of micrograd's training step is this). The engine's own builders (a network's
forward pass, a loss, derivatives with create_graph=True) run inside `collector_paused()`:
the collector is off while they run and the user's setting is back as soon as they end,
however they end (an exception, Ctrl-C). Pauses nest and may come from several threads.
"""

import functools
import gc
import threading

__all__ = ["collector_paused", "builds_graph"]

_lock = threading.Lock()
_depth = 0              # pauses in progress
_resume = False         # was the collector on when the first of them began?


class collector_paused:
    """`with collector_paused(): ...` runs its block with automatic collection off."""

    __slots__ = ()

    def __enter__(self):
        global _depth, _resume
        with _lock:
            try:
                if _depth == 0:
                    _resume = gc.isenabled()
                    gc.disable()
                _depth += 1
            except BaseException:           # Ctrl-C in the middle: leave things as they were
                if _depth == 0 and _resume:
                    gc.enable()
                raise
        return self

    def __exit__(self, *exc_info):
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
        return False


def builds_graph(function):
    """function, run with the collector paused (for functions that build a graph)."""
    @functools.wraps(function)
    def paused(*args, **kwargs):
        with collector_paused():
            return function(*args, **kwargs)
    return paused
