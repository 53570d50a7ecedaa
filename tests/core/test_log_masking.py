"""Query strings in logs (issue 9, item 4, the log half): ID numbers, mobile numbers, credit codes
and credentials in a URL's query are masked in every log line: the app's request log, any app log
line carrying a URL, and gunicorn's access log (its logger class, and a real `yiwang serve`)."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from gunicorn.config import Config

from yiwang.core.logging import (
    GunicornLogger,
    JsonFormatter,
    MaskPersonalDataFilter,
    mask_log_text,
    mask_query,
)

ID = "11010519491231002X"
PHONE = "13812345678"
USCC = "91110108MA01ABCD2X"
TOKEN = "s3cr3t-T0ken-value"
QUERY = (
    f"applicant={ID}&phone=%2B86{PHONE}&mobile={PHONE}&uscc={USCC}&access_token={TOKEN}&code={TOKEN}&page=2"
)
SECRETS = (ID, PHONE, USCC, TOKEN)


def assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (secret, text)


def test_mask_query():
    masked = mask_query(QUERY)
    assert_masked(masked)
    assert masked == (
        "applicant=1101**********002X&phone=%2B86138****5678&mobile=138****5678"
        "&uscc=9111**********CD2X&access_token=***&code=***&page=2"
    )
    assert mask_query("q=%E5%BC%A0&page=1") == "q=%E5%BC%A0&page=1"
    assert (
        mask_query("Password=x&client_secret=y&id_token_hint=z")
        == "Password=***&client_secret=***&id_token_hint=***"
    )


def test_mask_log_text_masks_queries_inside_a_line():
    line = f'127.0.0.1 - - "GET /api/v1/cases?{QUERY} HTTP/1.1" 200 "https://x.example/p?token={TOKEN}"'
    masked = mask_log_text(line)
    assert_masked(masked)
    assert masked.startswith('127.0.0.1 - - "GET /api/v1/cases?applicant=1101**********002X&')
    assert masked.endswith(' HTTP/1.1" 200 "https://x.example/p?token=***"')


@pytest.fixture
def captured():
    """The app's log lines as settings.LOGGING writes them (JSON, masking filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MaskPersonalDataFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_the_request_log_masks_the_query(client, captured):
    response = client.get(f"/api/v1/divisions?{QUERY}")
    assert response.status_code == 200
    raw = captured.getvalue()
    assert_masked(raw)
    entries = [json.loads(line) for line in raw.splitlines()]
    request_log = [e for e in entries if e["logger"] == "yiwang.request"]
    assert request_log and request_log[-1]["message"] == "GET /api/v1/divisions 200"
    assert request_log[-1]["query"].startswith("applicant=1101**********002X&phone=%2B86138****5678")
    assert "access_token=***" in request_log[-1]["query"]


@pytest.mark.django_db
def test_the_request_id_is_the_callers_or_a_new_one_and_is_logged(client, captured):
    given = client.get("/api/v1/divisions", headers={"X-Request-Id": "trace-42"})
    assert given["X-Request-Id"] == "trace-42"
    fresh = [client.get("/api/v1/divisions")["X-Request-Id"] for _ in range(2)]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in fresh) and fresh[0] != fresh[1]
    entries = [json.loads(line) for line in captured.getvalue().splitlines()]
    logged = [e["request_id"] for e in entries if e["logger"] == "yiwang.request"]
    assert logged[-3:] == ["trace-42", *fresh]


@pytest.mark.django_db
def test_no_request_line_when_info_is_off(client, captured, monkeypatch):
    """With INFO off the request's log fields are not built: its query is not masked for a line
    nobody writes (with INFO on, it is)."""
    from yiwang.core import middleware

    masked: list[str] = []
    monkeypatch.setattr(middleware, "mask_query", lambda q: masked.append(q) or "masked")
    logger = logging.getLogger("yiwang.request")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        response = client.get(f"/api/v1/divisions?{QUERY}", headers={"X-Request-Id": "quiet"})
    finally:
        logger.setLevel(level)
    assert response.status_code == 200 and response["X-Request-Id"] == "quiet"
    assert "yiwang.request" not in captured.getvalue()
    assert masked == []
    client.get(f"/api/v1/divisions?{QUERY}")
    assert masked == [QUERY]


def test_any_app_line_with_a_url_is_masked(captured):
    logging.getLogger("yiwang.test").warning(
        "redirected to https://dept.example.cn/cb?code=%s&state=1", TOKEN
    )
    logging.getLogger("django.server").info('"GET /my/?applicant=%s HTTP/1.1" 200 12', ID)
    assert_masked(captured.getvalue())
    assert "code=***&state=1" in captured.getvalue()


# --- gunicorn -------------------------------------------------------------------------------------
class _Response:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "application/json"), ("Set-Cookie", "sessionid=abc")]


class _Request:
    headers = [("HOST", "127.0.0.1"), ("AUTHORIZATION", f"Bearer {TOKEN}"), ("COOKIE", f"sessionid={TOKEN}")]


def test_gunicorn_access_log_is_masked(tmp_path):
    log_file = tmp_path / "access.log"
    config = Config()
    config.set("accesslog", str(log_file))
    config.set(
        "access_log_format",
        '%(h)s "%(r)s" %(s)s %(q)s %(U)s "%(f)s" %({authorization}i)s %({cookie}i)s %({query_string}e)s',
    )
    logger = GunicornLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/api/v1/cases?{QUERY}",
        "PATH_INFO": f"/my/{ID}/",
        "QUERY_STRING": QUERY,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": f"https://zwfw.example.cn/search?phone={PHONE}",
        "HTTP_USER_AGENT": "probe",
    }
    logger.access(_Response(), _Request(), environ, dt.timedelta(milliseconds=12))
    for handler in logger.access_log.handlers:
        handler.flush()
    line = log_file.read_text()
    assert line.count("\n") == 1, line
    assert_masked(line)
    assert '"GET /api/v1/cases?applicant=1101**********002X&' in line
    assert "/my/1101**********002X/" in line
    assert "search?phone=138****5678" in line
    assert " *** *** " in line  # Authorization and Cookie left out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_yiwang_serve_writes_a_masked_access_log(tmp_path, database_url):
    """A real `yiwang serve` (gunicorn, as deployed): its log on stdout shows the request once,
    with the query masked."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "YIWANG_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "log-test-only",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    out = (tmp_path / "stdout.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "yiwang", "serve", "--port", str(port)],
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/v1/divisions?{QUERY}", timeout=5
                ) as r:
                    status = r.status
            except OSError:
                time.sleep(0.2)
        assert status == 200
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline and "/api/v1/divisions" not in (tmp_path / "stdout.log").read_text()
        ):
            time.sleep(0.1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        out.close()
    text = (tmp_path / "stdout.log").read_text()
    access = [line for line in text.splitlines() if "/api/v1/divisions" in line]
    assert len(access) == 1, text  # each request logged once: the application's line, no access log
    assert_masked(text)
    assert "applicant=1101**********002X" in access[0] and "access_token=***" in access[0]
