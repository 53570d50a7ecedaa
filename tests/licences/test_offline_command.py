"""The hall's offline verifier: export the trust list and status lists, then verify QR payloads in
a separate process with no database at all (its DATABASE_URL points nowhere)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.core.management import call_command

from yiwang.licences import statuses
from yiwang.licences.models import Licence


def verify_offline(payload: str, lists, *extra: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite:////nonexistent/nowhere.sqlite3",
        "YIWANG_VAR_DIR": str(lists),
    }
    return subprocess.run(
        [sys.executable, "-m", "yiwang", "verify-licence", payload, "--lists", str(lists), "--json", *extra],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_export_then_verify_without_a_database(
    tmp_path, submitted, approve, food_type, seal_key, users, deliver_outbox
):
    case = approve(submitted())
    deliver_outbox()
    licence = Licence.objects.get(case=case)
    lists = tmp_path / "lists"
    call_command("export_licence_lists", str(lists))
    trust = json.loads((lists / "trust-list.json").read_text())
    assert [k["kid"] for k in trust["keys"]] == [seal_key.kid]
    assert (lists / "status-lists" / f"{case.department.uscc}.json").exists()

    valid = verify_offline(licence.payload, lists)
    assert valid.returncode == 0, valid.stderr
    answer = json.loads(valid.stdout)
    assert answer["code"] == "valid" and answer["claims"]["id"] == licence.identifier

    # Tampered: one shown field changed in the payload → the signature fails.
    tampered = verify_offline(
        licence.payload[:-6] + ("A" if licence.payload[-6] != "A" else "B") + licence.payload[-5:], lists
    )
    assert tampered.returncode == 1 and json.loads(tampered.stdout)["code"] in {"bad_signature", "malformed"}

    # Revoked after the first export: the old lists still say valid, a fresh export says revoked.
    statuses.change(licence, "revoke", "以欺骗手段取得", users["demo-approver"])
    call_command("export_licence_lists", str(lists))
    revoked = verify_offline(licence.payload, lists, "--english")
    assert revoked.returncode == 1 and json.loads(revoked.stdout)["code"] == "revoked"

    # Without the issuer's status list the licence is genuine but its status unknown.
    (lists / "status-lists" / f"{case.department.uscc}.json").unlink()
    unknown = json.loads(verify_offline(licence.payload, lists).stdout)
    assert unknown["code"] == "status_unknown" and unknown["genuine"]

    # No trust list at all: a clear usage error, exit 2.
    missing = verify_offline(licence.payload, tmp_path / "nowhere")
    assert missing.returncode == 2 and "trust-list.json" in missing.stderr
    assert statuses.status_list_of(case.department)["issuer_code"] == case.department.uscc
