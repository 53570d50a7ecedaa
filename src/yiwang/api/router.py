"""The REST API at /api/v1/: one NinjaAPI, one router per domain, one error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from yiwang.api import accounts, cases, catalog, core, errors
from yiwang.api.parser import StorableTextParser
from yiwang.api.renderers import ChineseJSONRenderer

api = NinjaAPI(
    title="一网 Yiwang API",
    version="1",
    description="一体化在线政务服务平台接口。错误统一为 {code, message, fields}；列表为 {count, results}。",
    urls_namespace="api",
    renderer=ChineseJSONRenderer(),
    parser=StorableTextParser(),
)
errors.install(api)
api.add_router("/", core.router)
api.add_router("/", accounts.router)
api.add_router("/", catalog.router)
api.add_router("/", cases.router)
