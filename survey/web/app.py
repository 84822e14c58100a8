"""The litestar app: pages and JSON API over the services."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import (
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig
from litestar.types import Message, Scope

from survey.services.database import open_database
from survey.services.mailing import mail_sender_running
from survey.services.overview import Health, Overview, health, overview
from survey.services.redaction import redactor_kept_fresh
from survey.services.warm_up import warmed_up
from survey.settings import Settings
from survey.web.api import API_ROUTES
from survey.web.auth import not_authorized_handler
from survey.web.comments import COMMENT_ROUTES
from survey.web.dashboard import DASHBOARD_ROUTES
from survey.web.format import register_filters
from survey.web.manage import MANAGE_ROUTES
from survey.web.measures import MEASURE_ROUTES
from survey.web.portal import PORTAL_DEPENDENCIES, PORTAL_ROUTES, not_found_handler, permission_denied_handler
from survey.web.portal_home import home_page
from survey.web.public import PUBLIC_ROUTES
from survey.web.report_worker import ReportBuilder
from survey.web.respond import RESPONDENT_ROUTES
from survey.web.security import add_security_headers, security_headers
from survey.web.static_files import StaticFiles, static_files

__all__ = ["create_app"]

HERE = Path(__file__).parent
#: a filled-in questionnaire is a few kilobytes; anything far larger is refused (413)
MAX_BODY_BYTES = 256 * 1024


@get("/api/overview", name="api-overview", summary="Kommune, Leitbild values, org units and waves")
async def overview_api() -> Overview:
    return await overview()


@get("/health", name="health", summary="Liveness and database check")
async def health_api() -> Health:
    return await health()


_PARAMETER_TYPE = re.compile(r":[^{}]+}")


async def _allow_every_method(message: Message, scope: Scope) -> None:
    """`before_send` hook: the `Allow` header of an OPTIONS answer lists every method of its path.

    litestar answers OPTIONS itself, with the methods of the route its answering handler was made
    for: the first handler registered on a path. Handlers registered one by one on the same path
    (GET, POST and DELETE of /api/v1/session) are merged into a new route afterwards, and the
    answer went on naming only the first one's method.
    """
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    headers = list(message.get("headers", []))
    if not any(key.lower() == b"allow" for key, _ in headers):
        return
    # the map's paths keep their parameters' types (`{key:str}`), the scope's template does not
    template = scope.get("path_template", "")
    methods = {
        method
        for path, handlers in scope["litestar_app"].route_handler_method_map.items()
        if _PARAMETER_TYPE.sub("}", path) == template
        for method in handlers
    }
    if methods:
        allow = ", ".join(sorted(methods)).encode()
        message["headers"] = [(k, v) for k, v in headers if k.lower() != b"allow"] + [(b"allow", allow)]


def _method_not_allowed(request: Request, exc: MethodNotAllowedException) -> Response[dict[str, object]]:
    """405 with the methods the path takes, in the header and in words."""
    headers = exc.headers or {}
    allow = ", ".join(sorted(m.strip() for m in headers.get("allow", "").split(",") if m.strip()))
    detail = f"{request.method} is not a method of {request.url.path}: use one of {allow}"
    return Response({"status_code": 405, "detail": detail}, status_code=405, headers=headers)


def _lifespan(settings: Settings):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def database(app: Litestar) -> AsyncIterator[None]:
        async with (
            open_database(settings, writer=True),
            redactor_kept_fresh(settings.questionnaires),
            mail_sender_running(settings),
            warmed_up(settings.warm_up),
        ):
            if settings.warm_up:
                app.state["reports"].warm_up()
            try:
                yield
            finally:
                app.state["reports"].close()

    return database


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()

    files = StaticFiles()

    def engine_callback(engine: JinjaTemplateEngine) -> None:
        register_filters(engine.engine, settings.locale)
        engine.engine.globals["static"] = files.url

    return Litestar(
        route_handlers=[
            home_page,
            *RESPONDENT_ROUTES,
            *API_ROUTES,
            *PORTAL_ROUTES,
            *DASHBOARD_ROUTES,
            *MANAGE_ROUTES,
            *MEASURE_ROUTES,
            *COMMENT_ROUTES,
            *PUBLIC_ROUTES,
            overview_api,
            health_api,
            static_files(files),
        ],
        template_config=TemplateConfig(
            directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=engine_callback
        ),
        lifespan=[_lifespan(settings)],
        dependencies=PORTAL_DEPENDENCIES,
        exception_handlers={
            NotAuthorizedException: not_authorized_handler,
            PermissionDeniedException: permission_denied_handler,
            NotFoundException: not_found_handler,
            MethodNotAllowedException: _method_not_allowed,
        },
        state=State({"settings": settings, "reports": ReportBuilder(settings)}),
        request_max_body_size=MAX_BODY_BYTES,
        middleware=[security_headers],
        # the router's own 404/405 answers pass no route middleware: the headers go on them here
        before_send=[add_security_headers, _allow_every_method],
        openapi_config=OpenAPIConfig(title="Leitbild-Puls", version="0.1.0", path="/api/schema"),
        debug=False,
    )
