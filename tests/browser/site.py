"""What the browser tests' ``reader_site`` fixture (conftest.py) hands them."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.desk import Desk

# Playwright's 30 s default is tight on a 2-core CI runner busy with the rest of the suite.
BROWSER_TIMEOUT_MS = 90_000


@dataclass(frozen=True)
class ReaderSite:
    """The web app serving :func:`build_desk`'s newsroom, with sample prices and an admin."""

    base_url: str
    desk: Desk
    admin_name: str
    admin_password: str
