"""What the browser tests' ``reader_site`` fixture (conftest.py) hands them."""

from __future__ import annotations

from dataclasses import dataclass

from tests.support.desk import Desk


@dataclass(frozen=True)
class ReaderSite:
    """The web app serving :func:`build_desk`'s newsroom, with sample prices and an admin."""

    base_url: str
    desk: Desk
    admin_password: str
