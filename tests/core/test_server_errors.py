"""Requests gunicorn cannot read (before Django sees them) get the platform's bilingual page with
its security headers, not gunicorn's English page that echoes the line; requests it can read
still reach the platform. A real gunicorn with `yiwang serve`'s command line, real sockets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from yiwang.__main__ import gunicorn_argv
from yiwang.core.server import error_answer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    log: Path  # gunicorn's error log and the platform's, one file

    def logged(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn as `yiwang serve` runs it (one worker); these requests need no database."""
    port = _free_port()
    var_dir = tmp_path_factory.mktemp("server-errors")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var_dir / 'unused.sqlite3'}",
        "YIWANG_VAR_DIR": str(var_dir),
        "SECRET_KEY": "server-errors-test-only",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    log = var_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *gunicorn_argv("127.0.0.1", port, 1)[1:]],
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("gunicorn did not start") from None
                time.sleep(0.1)
        yield Server(port, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _raw(port: int, request: bytes) -> tuple[int, dict[str, str], str]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body.decode()


def test_raw_utf8_in_the_request_line_gets_the_bilingual_page_without_the_echo(server):
    status, headers, body = _raw(server.port, "GET /事项/营业执照 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status == 400
    assert "请求无法识别" in body and "百分号编码" in body
    assert "could not read this request" in body and "percent-encoded" in body
    assert "事项" not in body and "营业执照" not in body  # nothing the client sent comes back
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["content-security-policy"] == "default-src 'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert int(headers["content-length"]) == len(body.encode())


def test_a_malformed_header_and_an_overlong_line_each_get_their_status(server):
    status, _, body = _raw(server.port, b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    assert status == 400 and "请求无法识别" in body
    status, _, body = _raw(server.port, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414 and "地址过长" in body and "longer than the server accepts" in body


def test_a_readable_request_still_reaches_the_platform(server):
    status, headers, _ = _raw(
        server.port, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    assert status != 400
    assert "x-request-id" in headers  # Django's middleware answered


def test_the_unreadable_line_is_logged_masked(server):
    """gunicorn names the line it could not read in its warning: the client's text, masked."""
    line = "GET /证照/110101199003078515?mobile=13812345678 HTTP/1.1\r\nHost: x\r\n\r\n"
    assert _raw(server.port, line.encode())[0] == 400
    deadline = time.monotonic() + 10
    while "Invalid request" not in server.logged() and time.monotonic() < deadline:
        time.sleep(0.05)  # the worker writes its warning after answering
    logged = server.logged()
    assert "Invalid request" in logged
    assert "110101199003078515" not in logged and "13812345678" not in logged
    assert "1101**********8515" in logged


@pytest.mark.parametrize("status", [400, 403, 414, 417, 431, 500, 501, 599])
def test_every_status_has_a_page_in_both_languages(status):
    head, _, body = error_answer(status, "Reason").partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} Reason\r\n".encode())
    text = body.decode()
    assert '<p lang="en">' in text and "<h1>" in text
    assert f"Content-Length: {len(body)}".encode() in head
