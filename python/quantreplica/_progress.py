"""Progress reporting for long calls: a user callback, or a tqdm bar (``tqdm.auto``: a widget in
Jupyter, text in a terminal) when ``progress=True`` and tqdm is installed."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator, Optional, Union

ProgressArg = Union[bool, None, Callable[[int, int], object]]


@contextlib.contextmanager
def progress_callback(progress: ProgressArg, desc: str) -> Iterator[Optional[Callable[[int, int], None]]]:
    """The ``(done, total)`` callback to hand to the core for a ``progress=`` argument:
    None/False: none; a callable: itself; True: a tqdm bar (or a one-line stderr counter when
    tqdm is absent), closed on exit."""
    if progress is None or progress is False:
        yield None
        return
    if callable(progress):
        cb = progress

        def call(done: int, total: int) -> None:
            cb(done, total)

        yield call
        return
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = tqdm(total=0, desc=desc, leave=False)

        def update(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh()

        try:
            yield update
        finally:
            bar.close()
        return

    def line(done: int, total: int) -> None:
        sys.stderr.write(f"\r{desc}: {done}/{total}")
        sys.stderr.flush()

    try:
        yield line
    finally:
        sys.stderr.write("\n")
