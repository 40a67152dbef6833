"""Every error the web app returns has one shape, built here: RFC 9457 problem details.

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "code": "not_found", "detail": "no problem named 'two-sun'; did you mean two-sum?"}

Validation errors add `errors`, a list of `{field, message}`. Browsers asking for HTML get
the same fields on an error page.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    412: "stale_version",
    415: "unsupported_media_type",
    422: "invalid_request",
    428: "precondition_required",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error to send as a problem response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code or CODES.get(status, "error")
        self.headers = headers or {}
        self.extra = extra or {}


def problem_body(
    status: int, detail: str, code: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The one error shape."""
    return {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code or CODES.get(status, "error"),
        "detail": detail,
        **extra,
    }


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    code: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body = problem_body(status, detail, code, **extra)
    if request.headers.get("hx-request") and not request.url.path.startswith("/api/"):
        # A partial update shows the error where the result would have gone.
        templates = request.app.state.templates
        fragment: Response = templates.TemplateResponse(
            request, "_error.html", {"error": body}, status_code=status, headers=headers
        )
        return fragment
    if _wants_html(request):
        templates = request.app.state.templates
        page: Response = templates.TemplateResponse(
            request, "error.html", {"error": body}, status_code=status, headers=headers
        )
        return page
    return JSONResponse(
        body, status_code=status, headers=headers, media_type=PROBLEM_JSON
    )


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path.endswith(".json"):
        return False
    if request.headers.get("hx-request"):
        return True
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    """Route every error through `problem_response`."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        return problem_response(
            request,
            error.status,
            error.detail,
            code=error.code,
            headers=error.headers,
            **error.extra,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        detail = (
            error.detail
            if isinstance(error.detail, str)
            else HTTPStatus(error.status_code).description
        )
        if error.status_code == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}; see /api/v1/docs for the API"
        return problem_response(
            request, error.status_code, detail, headers=dict(error.headers or {})
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(
        request: Request, error: RequestValidationError
    ) -> Response:
        errors = [
            {
                "field": ".".join(
                    str(part) for part in item.get("loc", ()) if part != "body"
                ),
                "message": str(item.get("msg", "invalid")),
            }
            for item in error.errors()
        ]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem_response(
            request, 422, f"the request is invalid: {summary}", errors=errors
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request, 500, "something went wrong on the server; it has been logged"
        )
