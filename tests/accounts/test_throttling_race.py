"""Sign-in limits under parallel attempts (issue 9, item 6): the attempt is counted before the
password is checked, in one locked transaction, so parallel attempts in any number of workers
never check more passwords than the limit. (Its own module: a transactional test cannot share
the module-scoped demo region of test_throttling.py.)"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from yiwang.accounts import services
from yiwang.accounts.models import LoginAttempt

PASSWORD = "yiwang-demo"


@pytest.mark.django_db(transaction=True)
def test_parallel_attempts_never_check_more_passwords_than_the_limit(id_number, monkeypatch):
    """16 wrong passwords at once, each thread with its own connection, through the API: at most
    LOGIN_RATE_LIMIT passwords are checked (each check made slow, as a real hash is)."""
    services.register_person(
        username="race.owner", password=PASSWORD, name="赛跑", id_number=id_number(), phone="13512345678"
    )
    real_authenticate = services.authenticate
    checks, lock = [0], threading.Lock()

    def slow_authenticate(*args, **kwargs):
        with lock:
            checks[0] += 1
        threading.Event().wait(0.2)
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(services, "authenticate", slow_authenticate)
    start = threading.Barrier(16)
    statuses: list[int] = []

    def attempt() -> None:
        try:
            start.wait()
            response = Client().post(
                "/api/v1/auth/tokens",
                {"username": "race.owner", "password": "wrong"},
                content_type="application/json",
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == 16
    assert checks[0] <= settings.LOGIN_RATE_LIMIT
    assert sorted(statuses) == [401] * checks[0] + [429] * (16 - checks[0])
    assert checks[0] == settings.LOGIN_RATE_LIMIT
    assert LoginAttempt.objects.filter(username="race.owner").count() == settings.LOGIN_RATE_LIMIT
    # The owner, from elsewhere, still signs in.
    response = Client().post(
        "/api/v1/auth/tokens",
        {"username": "race.owner", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="10.99.0.1",
    )
    assert response.status_code == 200
