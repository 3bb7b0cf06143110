"""How an error reaches a client: an HTML page in the reader, a JSON body in the API.

Validation errors are put in words a reader understands ("page must be a whole number"),
never Pydantic's own wording; the API keeps FastAPI's 422 body, which clients parse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from wirebrief.web.templating import templates

API_PREFIX = "/api/"


def wants_json(request: Request) -> bool:
    """Whether ``request`` is an API call (JSON errors) rather than a page (HTML errors)."""
    return request.url.path.startswith(API_PREFIX) or request.url.path == "/openapi.json"


def error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """An error as the client expects it: ``{"detail": message}`` for the API, else a page."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    return templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "message": message},
        status_code=status,
        headers=headers,
    )


def validation_response(request: Request, exc: RequestValidationError) -> Response:
    """422 with FastAPI's error list for the API; for a page, 404 when the address names
    nothing that can exist (a bad path value), else 400, in words."""
    errors = exc.errors()
    if wants_json(request):
        return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
    in_path = any(error.get("loc", ("",))[0] == "path" for error in errors)
    status = 404 if in_path else 400
    lead = "There is no such page" if in_path else "The address has a value we cannot use"
    message = f"{lead}: {'; '.join(describe(error) for error in errors[:3])}."
    return error_response(request, status, message)


def describe(error: Mapping[str, Any]) -> str:
    """One validation error as a phrase: ``page must be a whole number``."""
    loc: Sequence[Any] = error.get("loc", ())
    name = str(loc[-1]) if loc and loc[0] in ("path", "query", "body") else "the value"
    return f"{name} {field_problem(error)}"


def field_problem(error: Mapping[str, Any]) -> str:
    """What is wrong with one field, as the end of a sentence about it (no field name)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "is required"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_parsing", "float_type"):
        return "must be a number"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more"
    if kind == "less_than_equal":
        return f"must be {ctx.get('le')} or less"
    if kind == "string_too_short":
        return f"must be at least {ctx.get('min_length')} characters long"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters long"
    if kind in ("literal_error", "enum"):
        return f"must be {ctx.get('expected', 'one of the listed values')}"
    if kind == "value_error":
        return str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return "is not valid"
