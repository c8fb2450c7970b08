"""Keeping Python's cyclic garbage collector off a graph while it is built.

A graph of Values holds no reference cycles, so the collector has nothing to free in it; but
every node is a container it tracks, and each collection that happens while a graph grows
walks all of it again, which makes building a large graph cost more per node the larger it
gets (about 90% of micrograd's training step is this). The engine's own builders (a network's
forward pass, a loss, derivatives with create_graph=True, a training step) run between
`pause()` and `resume()`: the collector is off while they run and the user's setting is back
as soon as they end, however they end (an exception, Ctrl-C). Pauses nest and may come from
several threads.

`pause()` allocates nothing the collector tracks before it turns the collector off, so that
a network called a hundred times in a row (`list(map(model, inputs))`) does not start a
collection between two calls.
"""

import functools
import gc
import threading

__all__ = ["pause", "resume", "collector_paused", "builds_graph"]

_lock = threading.Lock()
_depth = 0              # pauses in progress
_resume = False         # was the collector on when the first of them began?


def pause():
    """Turn automatic collection off until the matching resume()."""
    global _depth, _resume
    _lock.acquire()
    try:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    finally:
        _lock.release()


def resume():
    """End a pause(): the last one to end turns the collector back on, if it was on."""
    global _depth
    _lock.acquire()
    try:
        _depth -= 1
        if _depth == 0 and _resume:
            gc.enable()
    finally:
        _lock.release()


class collector_paused:
    """`with collector_paused(): ...` runs its block with automatic collection off."""

    __slots__ = ()

    def __enter__(self):
        pause()
        return self

    def __exit__(self, *exc_info):
        resume()
        return False


def builds_graph(function):
    """function, run with the collector paused (for functions that build a graph)."""
    @functools.wraps(function)
    def paused(*args, **kwargs):
        pause()
        try:
            return function(*args, **kwargs)
        finally:
            resume()
    return paused
