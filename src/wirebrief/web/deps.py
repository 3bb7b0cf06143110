"""Request dependencies shared by pages and the API."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def db_session(request: Request) -> Iterator[Session]:
    """A database session for the duration of one request."""
    with request.app.state.db.session() as session:
        yield session
