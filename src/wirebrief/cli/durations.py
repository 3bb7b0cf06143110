"""Durations on the command line: ``900``, ``30s``, ``15m``, ``2h``, ``1d``."""

from __future__ import annotations

import re

import typer

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """Seconds in ``text``; a clear error for anything else."""
    match = _DURATION.match(text)
    if not match:
        raise typer.BadParameter(f"{text!r} is not a duration; use e.g. 900, 30m, 2h or 1d")
    seconds = int(float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()])
    if seconds <= 0:
        raise typer.BadParameter("the duration must be positive")
    return seconds


def format_duration(seconds: float) -> str:
    """``90`` → ``1m30s``; ``7200`` → ``2h``."""
    seconds = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts[:2]) or "0s"
