"""The ASGI application: ``create_app()`` builds one; uvicorn calls it once per worker."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from promptcrafter import __version__
from promptcrafter.accesslog import AccessLog
from promptcrafter.api import docs, errors
from promptcrafter.api.deps import key_refusal
from promptcrafter.api.fastpath import FastPaths
from promptcrafter.api.front import PromptCrafterAPI
from promptcrafter.api.middleware import BodyLimit, ContractCORS, SecurityHeaders
from promptcrafter.api.observe import Observer
from promptcrafter.api.responses import ORJSONResponse
from promptcrafter.api.routes import (
    analytics,
    auth,
    health,
    keys,
    labels,
    logs,
    prompts,
    render,
    search,
    versions,
)
from promptcrafter.config import Settings, get_settings
from promptcrafter.services import Services
from promptcrafter.store import migrate
from promptcrafter.store.engine import open_database
from promptcrafter.ui import mount as ui_mount

DESCRIPTION = """\
A private library of generative-AI prompts and a record of every output tested with them.

Every error answers `{"error": "<sentence>"}`. Authenticate with `Authorization: Bearer <token>`
from `POST /auth/signup` or `POST /auth/login`, or with `Authorization: Bearer pc_...`, an API
key from `POST /auth/keys` (a `read` key may only read; no key may manage the account).
"""


PUBLIC_PATHS = frozenset({"/auth/signup", "/auth/login", "/health"})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    access_log = AccessLog() if settings.log_format == "json" else None
    metrics = None
    if settings.metrics_enabled:
        from promptcrafter.metrics import Metrics

        metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Cheap when already at head; the migration lock makes concurrent workers safe.
        await asyncio.to_thread(migrate.upgrade, settings)
        db = await open_database(settings)
        services = Services.build(settings, db)
        await services.passwords.warm_up()
        app.state.services = services
        if metrics is not None:
            metrics.start(db)
        try:
            yield
        finally:
            if metrics is not None:
                await metrics.stop()
            if access_log is not None:
                access_log.flush()
            await services.close()

    app = PromptCrafterAPI(
        cors=bool(settings.cors_origins),
        title="PromptCrafter API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs is ours (api/docs.py): Swagger UI from self-hosted files, not FastAPI's CDN page.
        docs_url=None,
        redoc_url=None,
        default_response_class=ORJSONResponse,
        # /prompts/ is not /prompts: answer 404 in our format rather than redirect.
        redirect_slashes=False,
    )
    for module in (
        auth,
        keys,
        prompts,
        versions,
        labels,
        render,
        analytics,
        logs,
        search,
        health,
    ):
        # Added flat rather than with include_router: FastAPI matches included routers through
        # an extra layer on every request, and these routers carry no shared settings.
        app.router.routes.extend(module.router.routes)
    if settings.docs_enabled:
        app.router.routes.extend(docs.router.routes)
    # The browser UI lives under /ui; the bare origin (and /ui itself) lead there.
    app.router.routes.append(Route("/", _to_ui, methods=["GET"], include_in_schema=False))
    app.router.routes.append(Route("/ui", _to_ui, methods=["GET"], include_in_schema=False))
    app.router.routes.append(ui_mount())
    errors.install(app)
    # Only when asked for: off, no request pays for logs or metrics. The fast path observes
    # requests (its own inline, the rest through a wrapper) and the body limit its refusals.
    observer = None
    if access_log is not None or metrics is not None:
        observer = Observer(access_log, metrics, settings.metrics_token)
    # Innermost first: the fast path, CORS (when on), the body limit, headers on everything.
    app.add_middleware(FastPaths, observer=observer)
    if settings.cors_origins:
        # Outside the fast path, so the answers it gives carry the CORS headers too.
        app.add_middleware(
            ContractCORS,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Link", "Retry-After"],
        )
    app.add_middleware(BodyLimit, observer=observer)
    app.add_middleware(SecurityHeaders)
    app.serve_hot_paths(observer)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


async def _to_ui(_: Request) -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, without its 422 entries (validation failures here are 400s) and
    with bearer auth declared on every route but the public ones."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        with warnings.catch_warnings():
            # Every GET route answers HEAD too (api/routing.py), and FastAPI warns that the
            # HEAD repeats the GET's operationId. The HEAD entries are dropped below (Swagger UI
            # tells operations apart by that id); a test checks the ids left are unique.
            warnings.filterwarnings("ignore", "Duplicate Operation ID", UserWarning)
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
        for path, operations in schema.get("paths", {}).items():
            operations.pop("head", None)
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
                if path not in PUBLIC_PATHS:
                    operation["security"] = [{"bearerAuth": []}]
        _document_key_refusals(schema)
        _document_shared_errors(schema)
        schema.setdefault("components", {})["securitySchemes"] = {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT or API key (pc_...)",
                "description": "A login token (JWT) or an API key made with POST /auth/keys.",
            }
        }
        components = schema.get("components", {}).get("schemas", {})
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
    return app.openapi_schema


# What any route of the API can answer, whatever it does: every one refuses an unknown or
# repeated query parameter, and every one reads or writes the database.
_SHARED_ERRORS = {
    "400": "The request is malformed: an unknown or repeated query parameter, or as the "
    "route's other 400 says",
    "503": "The database cannot be reached; try again after Retry-After seconds",
}


def _document_shared_errors(schema: dict[str, Any]) -> None:
    """Add the statuses of ``_SHARED_ERRORS`` where a route's own list lacks them."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in _SHARED_ERRORS.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorOut"}
                            }
                        },
                    },
                )


def _document_key_refusals(schema: dict[str, Any]) -> None:
    """The 403 an API key gets on a route it may not call (a read key writing, any key on the
    account's routes), added to routes whose own 403 is about someone else's prompt, or
    that had none."""
    for path, operations in schema.get("paths", {}).items():
        if path in PUBLIC_PATHS:
            continue
        for method, operation in operations.items():
            refusal = key_refusal("read", method.upper(), path)
            if refusal is None:
                continue
            responses = operation.setdefault("responses", {})
            entry = responses.get("403")
            why = f"An API key may not call this route: `{refusal}`"
            if entry is None:
                responses["403"] = {
                    "description": why,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                    },
                }
            elif refusal not in entry.get("description", ""):
                entry["description"] = (
                    f"{entry.get('description', '')}; or {why[0].lower()}{why[1:]}"
                )
