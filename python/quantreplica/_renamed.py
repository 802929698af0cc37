"""Keyword arguments renamed to follow the command line's flags (``--overlap-bins``,
``--x-axis``/``--y-axis``, ``--parisi-x``, ``--quantizer``): the old names still work, with a
DeprecationWarning."""

from __future__ import annotations

import warnings
from typing import Any, Dict


def take_old(kwargs: Dict[str, Any], old: str, new: str, value: Any, default: Any,
             func: str) -> Any:
    """The value of the keyword ``new`` (``value``), or of its old name ``old`` popped from
    ``kwargs`` (with a DeprecationWarning); both at once is a TypeError."""
    if old not in kwargs:
        return value
    old_value = kwargs.pop(old)
    return renamed(old_value, old, new, value, default, func, stacklevel=4)


def renamed(old_value: Any, old: str, new: str, value: Any, default: Any, func: str,
            stacklevel: int = 3) -> Any:
    """``old_value`` given under the old name ``old`` (None: not given) against ``value`` of the
    new name ``new`` (``default`` when not given)."""
    if old_value is None:
        return value
    if value is not default and value != default:
        raise TypeError(f"{func}() got both {new}= and its old name {old}=")
    warnings.warn(f"{func}(): {old}= is deprecated, use {new}= (the command line's --{new.replace('_', '-')})",
                  DeprecationWarning, stacklevel=stacklevel)
    return old_value
