"""The web server's worker (`yiwang serve`): gunicorn's threaded worker, whose own answers to a
request it cannot read speak the platform's languages.

gunicorn answers a request it cannot parse itself, before Django sees it: a request line with
raw (not percent-encoded) UTF-8 such as `GET /事项`, a malformed header, a request line or headers
over the limits. Its page is English only, names the offending line back to the client, and has
none of the platform's security headers. This worker lets gunicorn decide the status and log the
error as it does (its logger class masks the line), then answers that status with a short page in
Chinese and English: the request line was not read, so neither its language nor its path (API or
page) is known. Nothing the client sent is echoed.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker as _GunicornThreadWorker

# status → (title, Chinese explanation, English explanation)
_TEXTS = {
    400: (
        "请求无法识别",
        "服务器无法读取这个请求：请求行或请求头的格式不正确。地址中的中文等非 ASCII 字符需要经过百分号编码，"
        "请从平台页面上的链接进入，或检查地址后重试。",
        "The server could not read this request: its request line or headers are malformed. "
        "Characters outside ASCII in an address must be percent-encoded; follow a link from the "
        "platform's pages or check the address and try again.",
    ),
    403: ("请求被拒绝", "这个请求不被接受。", "This request is not accepted."),
    414: (
        "地址过长",
        "请求的地址超过了服务器允许的长度，请缩短地址（例如减少查询条件）后重试。",
        "The requested address is longer than the server accepts; shorten it (fewer search "
        "terms, for example) and try again.",
    ),
    417: (
        "无法满足的期望",
        "服务器不支持请求头 Expect 的要求。",
        "The server does not support the request's Expect header.",
    ),
    431: (
        "请求头过大",
        "请求头的数量或大小超过了服务器的限制，请清除本站的 Cookie 后重试。",
        "The request's headers are too many or too large; clear this site's cookies and try again.",
    ),
    501: (
        "不支持的传输编码",
        "服务器不支持请求使用的传输编码。",
        "The server does not support the request's transfer coding.",
    ),
}
_SERVER_ERROR = (
    "服务器内部错误",
    "服务器处理请求时出错，已记录。请稍后重试。",
    "The server failed while handling the request; it has been logged. Please try again later.",
)
_STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3}) ([^\r\n]*)")
_HEADERS = (
    "Content-Type: text/html; charset=utf-8",
    "Content-Security-Policy: default-src 'none'",
    "X-Content-Type-Options: nosniff",
    "X-Frame-Options: DENY",
    "Referrer-Policy: same-origin",
    "Cache-Control: no-store",
    "Connection: close",
)


class _Written:
    """Stands in for the client's socket while gunicorn writes its own error answer, so that the
    status it chose can be read back (`gunicorn.util.write_nonblock` calls only these)."""

    def __init__(self) -> None:
        self.data = b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.data += data


def error_answer(status: int, reason: str) -> bytes:
    """The whole HTTP answer for a request gunicorn could not read: `status`, bilingual page."""
    title, chinese, english = _TEXTS.get(status) or (_SERVER_ERROR if status >= 500 else _TEXTS[400])
    body = (
        '<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
        f"<title>{title} · {status} {reason}</title></head>\n<body>\n"
        f'<h1>{title}（{status}）</h1>\n<p>{chinese}</p>\n<p lang="en">{english}</p>\n'
        "</body>\n</html>\n"
    ).encode()
    head = "\r\n".join((f"HTTP/1.1 {status} {reason}", *_HEADERS, f"Content-Length: {len(body)}"))
    return head.encode("latin-1") + b"\r\n\r\n" + body


class ThreadWorker(_GunicornThreadWorker):
    """gunicorn's `gthread` worker with the platform's page for gunicorn's own error answers."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        written = _Written()
        super().handle_error(req, written, addr, exc)  # gunicorn's status and its log line
        match = _STATUS_LINE.match(written.data)
        status, reason = (int(match[1]), match[2].decode("latin-1")) if match else (400, "Bad Request")
        try:
            util.write_nonblock(client, error_answer(status, reason))
        except Exception:  # the client is gone: nothing to answer (as gunicorn)
            self.log.debug("Failed to send error message.")
