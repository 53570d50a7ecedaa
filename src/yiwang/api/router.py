"""The REST API at /api/v1/: one NinjaAPI, one router per domain, one error shape."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger

from yiwang.api import (
    accounts,
    bundles,
    cases,
    catalog,
    contract,
    core,
    errors,
    licences,
    ratings,
    stats,
    supervision,
)
from yiwang.api.parser import StorableTextParser
from yiwang.api.renderers import ChineseJSONRenderer

# The docs page loads django-ninja's bundled Swagger UI from our own static files (never a CDN):
# its scripts and styles, the OpenAPI document and "try it out" requests, all from this origin.
# Swagger UI sets inline styles and draws icons as data: images; nothing else is allowed, and
# its online validator badge (an image from validator.swagger.io) is switched off.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)


class LocalSwagger(Swagger):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        response = super().render_page(request, api, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class YiwangAPI(NinjaAPI):
    """Every operation declares every answer it gives (`api.contract`), done once when the
    routers are bound to the API, and the 429 answers name their `Retry-After` header."""

    def _get_bound_routers(self):  # type: ignore[no-untyped-def]
        fresh = self._bound_routers_cache is None
        bound = super()._get_bound_routers()
        if fresh:
            contract.declare(
                (b.prefix + path, operation)
                for b in bound
                for path, view in b.path_operations.items()
                for operation in view.operations
            )
        return bound

    def get_openapi_schema(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        self._get_bound_routers()
        return contract.document_retry_after(super().get_openapi_schema(*args, **kwargs))


api = YiwangAPI(
    title="一网 Yiwang API",
    version="1",
    description="一体化在线政务服务平台接口。错误统一为 {code, message, fields}；列表为 {count, results}。",
    urls_namespace="api",
    renderer=ChineseJSONRenderer(),
    parser=StorableTextParser(),
    docs=LocalSwagger(settings={"validatorUrl": None}),
)
errors.install(api)
api.add_router("/", core.router)
api.add_router("/", accounts.router)
api.add_router("/", catalog.router)
api.add_router("/", cases.router)
api.add_router("/", licences.router)
api.add_router("/", ratings.router)
api.add_router("/", supervision.router)
api.add_router("/", stats.router)
api.add_router("/", bundles.router)
