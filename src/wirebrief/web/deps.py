"""Request dependencies shared by pages and the API."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import MultiDict

# Form fields one request may carry: a Reader API app marks up to 10,000 items at once.
MAX_FORM_FIELDS = 10_100


def db_session(request: Request) -> Iterator[Session]:
    """A database session for one request, committed when its route returns."""
    with request.app.state.db.session() as session:
        yield session


# Committed before the answer is sent (FastAPI ends a dependency with yield after sending,
# unless its scope is "function"): a client told "done" (a mark, an app's sign-in token)
# finds it done on its next request, and a commit that fails (a SQLite write lock) is
# answered as the failure it is, not after a 200.
SESSION = Depends(db_session, scope="function")


async def query_and_form(request: Request) -> MultiDict:
    """Query and form parameters together, each possibly repeated, as the Reader and Fever
    APIs take them (apps put some in the URL and some in the body, differently)."""
    merged = list(request.query_params.multi_items())
    if request.method == "POST":
        form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
        merged += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return MultiDict(merged)


def public_base_url(request: Request) -> str:
    """The reader's address as its users reach it, for links that leave the page (feeds,
    share links): ``WIREBRIEF_PUBLIC_URL`` when set, else the address of this request, which
    the client's Host header decides."""
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")
