"""Allow ``python -m wirebrief``."""

from wirebrief.cli import main

main()
