"""The server killed with SIGKILL during 200 concurrent keyed submissions, then the clients retry
with the same keys: every acknowledged case is submitted, none is duplicated, none is left a draft.

A real gunicorn (`python -m yiwang serve`) against the test database, real HTTP on 127.0.0.1."""

from __future__ import annotations

import base64
import concurrent.futures
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.db import connection

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF
from yiwang.cases.models import Case, IdempotencyKey

pytestmark = pytest.mark.django_db(transaction=True)
KEYS = 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(port: int, var_dir, database_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "YIWANG_VAR_DIR": str(var_dir),
        "SECRET_KEY": "crash-test-only",
        "WEB_CONCURRENCY": "2",
        # 200 keyed submissions from one token in seconds: far over the API's rate limit,
        # which is not what this test is about (tests/api/test_rate_limit.py is).
        "API_RATE_LIMIT_ENABLED": "0",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "yiwang", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # SIGKILL to the group takes the gunicorn workers too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


def _post(port: int, token: str, key: str, body: bytes) -> tuple[int | None, dict]:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request(
            "POST",
            "/api/v1/cases",
            body=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": key,
            },
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    except (OSError, http.client.HTTPException, json.JSONDecodeError):
        return None, {}  # the server died under this request: no answer


def test_kill_9_during_keyed_submissions_then_retry(published, users, tmp_path, database_url):
    from yiwang.accounts.services import issue_api_token
    from yiwang.catalog.models import EntryVersion

    version = EntryVersion.objects.get(pk=published.published_id)
    body = json.dumps(
        {
            "entry": published.code,
            "form_data": FORM_DATA,
            "delivery": {"method": "pickup"},
            "materials": [
                {"material": m.pk, "filename": "a.pdf", "content_base64": base64.b64encode(PDF).decode()}
                for m in version.materials.filter(situation__isnull=True)
            ],
        }
    ).encode()
    token = issue_api_token(users["demo-citizen"])
    keys = [f"crash-{i:03d}" for i in range(KEYS)]
    connection.close()

    port = _free_port()
    server = _serve(port, tmp_path, database_url)
    first: dict[str, tuple[int | None, dict]] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = {pool.submit(_post, port, token, key, body): key for key in keys}
        killed = False
        for future in concurrent.futures.as_completed(futures):
            first[futures[future]] = future.result()
            if not killed and sum(1 for s, _ in first.values() if s in (200, 201)) >= KEYS // 4:
                os.killpg(server.pid, signal.SIGKILL)  # mid-stream: requests in flight die
                killed = True
    server.wait(timeout=30)
    acknowledged = {k: b["number"] for k, (status, b) in first.items() if status in (200, 201)}
    assert KEYS // 4 <= len(acknowledged) < KEYS, "the kill did not land in the middle"
    assert all(status in (200, 201, None) for status, _ in first.values()), first

    # The clients retry every request with its key against a new server.
    port = _free_port()
    server = _serve(port, tmp_path, database_url)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            retried = dict(zip(keys, pool.map(lambda k: _post(port, token, k, body), keys), strict=True))
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)

    assert all(status in (200, 201) for status, _ in retried.values()), {
        k: s for k, (s, _) in retried.items() if s not in (200, 201)
    }
    for key, number in acknowledged.items():  # an acknowledged case answers the same case
        assert retried[key][1]["number"] == number and retried[key][0] == 200
    numbers = {b["number"] for _, b in retried.values()}
    assert len(numbers) == KEYS  # one case per key, none duplicated
    assert Case.objects.filter(entry=published).count() == KEYS
    assert not Case.objects.filter(entry=published).exclude(state="submitted").exists()  # no draft
    assert IdempotencyKey.objects.filter(key__startswith="crash-").count() == KEYS
