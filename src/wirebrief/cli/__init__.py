"""The ``wirebrief`` command line."""

from wirebrief.cli.app import main

__all__ = ["main"]
