"""Asking for an article's removal: the public form and its API twin, both rate-limited."""

from __future__ import annotations

import re

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from wirebrief.storage import removals
from wirebrief.web.deps import SESSION
from wirebrief.web.errorpages import field_problem
from wirebrief.web.ratelimit import RateLimit
from wirebrief.web.templating import templates

router = APIRouter()
REMOVAL_LIMIT = RateLimit("removal", limit=10, window_s=3600, what="removal requests")
# Stated in the OpenAPI schema too (so clients and the fuzzer know them); checked by the
# validators below, which say what to fix in words.
_URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\s\[\]@]+([/?#]\S*)?$"
_EMAIL_PATTERN = r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"'.]{2,}$"


class RemovalIn(BaseModel):
    """A removal request as a reader sends it (surrounding spaces are ignored)."""

    url: str = Field(
        max_length=2048,
        description="The article's address here or at its source.",
        json_schema_extra={"pattern": _URL_PATTERN},
    )
    reason: str = Field(min_length=10, max_length=5000, description="Why it should be removed.")
    contact_email: str = Field(
        max_length=320,
        description="Where we answer.",
        json_schema_extra={"pattern": _EMAIL_PATTERN},
    )

    @field_validator("url", "reason", "contact_email", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(_URL_PATTERN, value):
            raise ValueError("give the article's full address, starting with https://")
        return value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not re.match(_EMAIL_PATTERN, value):
            raise ValueError("give an email address we can answer, like name@example.com")
        return value


class RemovalOut(BaseModel):
    """The queued request."""

    id: int
    status: str


def _queue(request: Request, session: Session, data: RemovalIn) -> int:
    REMOVAL_LIMIT.check(request, session)
    created = removals.create_request(session, data.url, data.reason, data.contact_email)
    return created.id


@router.post(
    "/api/removals",
    tags=["removals"],
    status_code=201,
    response_model=RemovalOut,
    responses={422: {"description": "A field is missing or invalid."},
               429: {"description": "Too many requests from this address."}},
)  # fmt: skip
def api_request_removal(
    request: Request, data: RemovalIn, session: Session = SESSION
) -> RemovalOut:
    """Ask for an article to be taken down; an administrator decides."""
    return RemovalOut(id=_queue(request, session, data), status="pending")


@router.get("/removal", response_class=HTMLResponse, include_in_schema=False)
def removal_form(request: Request, url: str = "") -> HTMLResponse:
    """The removal request form (``?url=`` fills in the article)."""
    return _form(request, {"url": url[:2048], "reason": "", "contact_email": ""}, {})


@router.post("/removal", response_class=HTMLResponse, include_in_schema=False)
def submit_removal(
    request: Request,
    url: str = Form(""),
    reason: str = Form(""),
    contact_email: str = Form(""),
    session: Session = SESSION,
) -> HTMLResponse:
    """Queue a request from the form, or show the form again with what to fix."""
    values = {"url": url, "reason": reason, "contact_email": contact_email}
    try:
        data = RemovalIn(**values)
    except ValidationError as exc:
        errors = {str(e["loc"][0]): _sentence(field_problem(e)) for e in exc.errors()}
        return _form(request, values, errors, status=400)
    request_id = _queue(request, session, data)
    return templates.TemplateResponse(
        request, "removal_done.html", {"request_id": request_id}, status_code=201
    )


def _form(request: Request, values: dict, errors: dict, status: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "removal.html", {"values": values, "errors": errors}, status_code=status
    )


def _sentence(problem: str) -> str:
    """``must be at least 10 characters long`` → ``Must be at least 10 characters long.``"""
    return problem[:1].upper() + problem[1:].rstrip(".") + "."
